import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';
import type { DataGrantRow, DataGrantTable, GrantStatus } from './shareddata.table.ts';

// Applications and grants (data_grant).

type Insertable = Omit<DataGrantTable, 'id' | 'created_at' | 'updated_at'>;

export async function insertGrant(trx: Trx, values: Partial<Insertable> & Pick<Insertable, 'resource_id'>, now: Date) {
  return trx
    .insertInto('data_grant')
    .values({ ...(values as Insertable), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findGrant(trx: Trx, id: string, lock = false): Promise<DataGrantRow | undefined> {
  let q = trx.selectFrom('data_grant').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateGrant(
  trx: Trx,
  id: string,
  set: Partial<Omit<DataGrantTable, 'id' | 'created_at' | 'updated_at'>>,
  now: Date,
): Promise<DataGrantRow> {
  return trx
    .updateTable('data_grant')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The consuming unit's grant in force on a resource, locked (it is about to be superseded). */
export async function activeGrant(trx: Trx, resourceId: string, consumerId: string): Promise<DataGrantRow | undefined> {
  return trx
    .selectFrom('data_grant')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('consumer_organisation_id', '=', consumerId)
    .where('status', '=', 'active')
    .forUpdate()
    .executeTakeFirst();
}

export async function pendingGrant(trx: Trx, resourceId: string, consumerId: string) {
  return trx
    .selectFrom('data_grant')
    .select(['id', 'status'])
    .where('resource_id', '=', resourceId)
    .where('consumer_organisation_id', '=', consumerId)
    .where('status', 'in', ['pending_provider', 'pending_ops'])
    .executeTakeFirst();
}

/** The consuming unit's most relevant grant: the one in force, else the newest application. */
export async function latestGrant(trx: Trx, resourceId: string, consumerId: string): Promise<DataGrantRow | undefined> {
  return trx
    .selectFrom('data_grant')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('consumer_organisation_id', '=', consumerId)
    .orderBy(sql`status = 'active'`, 'desc')
    .orderBy('applied_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function activeGrantsOn(trx: Trx, resourceId: string): Promise<DataGrantRow[]> {
  return trx
    .selectFrom('data_grant')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('status', '=', 'active')
    .forUpdate()
    .execute();
}

export interface GrantFilter {
  consumers?: readonly string[];
  providers?: readonly string[];
  jurisdictions?: readonly string[];
  status?: GrantStatus;
  resourceId?: string;
}

export async function listGrants(
  trx: Trx,
  filter: GrantFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: DataGrantRow[]; total: number }> {
  let q = trx.selectFrom('data_grant').selectAll().select(sql<string>`count(*) over ()`.as('total'));
  if (filter.consumers) q = q.where('consumer_organisation_id', 'in', filter.consumers);
  if (filter.providers) q = q.where('provider_organisation_id', 'in', filter.providers);
  if (filter.jurisdictions)
    q = q.where((eb) =>
      eb.or([
        eb('jurisdiction_id', 'in', filter.jurisdictions as string[]),
        eb('consumer_jurisdiction_id', 'in', filter.jurisdictions as string[]),
      ]),
    );
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.resourceId) q = q.where('resource_id', '=', filter.resourceId);
  const rows = await q.orderBy('applied_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute();
  let total = rows.length > 0 ? Number(rows[0]?.total) : 0;
  if (rows.length === 0 && page.offset > 0) total = (await listGrants(trx, filter, { limit: 1, offset: 0 })).total;
  return { rows, total };
}
