import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';
import type {
  DataField,
  DataResourceRow,
  DataResourceVersionRow,
  DataResourceVersionTable,
  SharingType,
} from './shareddata.table.ts';

// The catalogue's SQL: data resources, their versions and the providers' sealed credentials.

export type VersionValues = Omit<
  DataResourceVersionTable,
  | 'created_at'
  | 'updated_at'
  | 'submitted_at'
  | 'submitted_by'
  | 'reviewed_at'
  | 'reviewed_by'
  | 'review_comment'
  | 'published_at'
  | 'fields'
> & { fields: DataField[] };

const asJson = (fields: DataField[]) => JSON.stringify(fields);

export async function insertResource(
  trx: Trx,
  values: { organisation_id: string; jurisdiction_id: string; name: string },
): Promise<DataResourceRow> {
  return trx.insertInto('data_resource').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findResource(trx: Trx, id: string, lock = false): Promise<DataResourceRow | undefined> {
  let q = trx.selectFrom('data_resource').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findResourceByName(
  trx: Trx,
  organisationId: string,
  name: string,
): Promise<DataResourceRow | undefined> {
  return trx
    .selectFrom('data_resource')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export async function updateResource(
  trx: Trx,
  id: string,
  set: Partial<
    Pick<DataResourceRow, 'name' | 'published_version' | 'withdrawn_at' | 'withdrawn_by' | 'withdraw_reason'>
  >,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('data_resource')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function insertVersion(trx: Trx, values: VersionValues, now: Date): Promise<DataResourceVersionRow> {
  return trx
    .insertInto('data_resource_version')
    .values({ ...values, fields: asJson(values.fields), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateVersion(
  trx: Trx,
  resourceId: string,
  version: number,
  set: Partial<Omit<VersionValues, 'resource_id' | 'version'>> &
    Partial<
      Pick<
        DataResourceVersionRow,
        'submitted_at' | 'submitted_by' | 'reviewed_at' | 'reviewed_by' | 'review_comment' | 'published_at'
      >
    >,
  now: Date,
): Promise<DataResourceVersionRow> {
  const { fields, ...rest } = set;
  return trx
    .updateTable('data_resource_version')
    .set({ ...rest, ...(fields ? { fields: asJson(fields) } : {}), updated_at: now })
    .where('resource_id', '=', resourceId)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function versionsOf(trx: Trx, resourceIds: readonly string[]): Promise<DataResourceVersionRow[]> {
  if (resourceIds.length === 0) return [];
  return trx
    .selectFrom('data_resource_version')
    .selectAll()
    .where('resource_id', 'in', resourceIds)
    .orderBy('resource_id')
    .orderBy('version', 'desc')
    .execute();
}

export async function findVersion(
  trx: Trx,
  resourceId: string,
  version: number,
): Promise<DataResourceVersionRow | undefined> {
  return trx
    .selectFrom('data_resource_version')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function maxVersion(trx: Trx, resourceId: string): Promise<number> {
  const row = await trx
    .selectFrom('data_resource_version')
    .select((eb) => eb.fn.max('version').as('max'))
    .where('resource_id', '=', resourceId)
    .executeTakeFirst();
  return Number(row?.max ?? 0);
}

export interface CatalogueFilter {
  q?: string;
  sharingType?: SharingType;
  organisationId?: string;
  format?: string;
  updateSchedule?: string;
  /** the providing units whose resources are listed in any state ('mine'); else published only */
  mine?: readonly string[];
  /** the jurisdictions whose versions awaiting review are listed ('review') */
  review?: readonly string[];
}

/**
 * One page of resources with the version to show: the published one (catalogue), the newest one (a provider's
 * own list) or the submitted one (the ops unit's review queue). Page and total from one statement.
 */
export async function listResources(
  trx: Trx,
  filter: CatalogueFilter,
  page: { limit: number; offset: number },
): Promise<{
  rows: (DataResourceVersionRow & { withdrawn_at: Date | null; published_version: number | null })[];
  total: number;
}> {
  let q = trx
    .selectFrom('data_resource as r')
    .innerJoin('data_resource_version as v', 'v.resource_id', 'r.id')
    .selectAll('v')
    .select(['r.withdrawn_at', 'r.published_version', sql<number>`count(*) over ()`.as('total')]);
  if (filter.mine) {
    q = q
      .where('r.organisation_id', 'in', filter.mine)
      .where(
        'v.version',
        '=',
        sql<number>`(select max(x.version) from data_resource_version x where x.resource_id = r.id)`,
      );
  } else if (filter.review) {
    q = q.where('v.status', '=', 'submitted').where('v.jurisdiction_id', 'in', filter.review);
  } else {
    q = q.where('r.withdrawn_at', 'is', null).whereRef('v.version', '=', 'r.published_version');
  }
  if (filter.sharingType) q = q.where('v.sharing_type', '=', filter.sharingType);
  if (filter.organisationId) q = q.where('r.organisation_id', '=', filter.organisationId);
  if (filter.format) q = q.where('v.format', '=', filter.format as never);
  if (filter.updateSchedule) q = q.where('v.update_schedule', '=', filter.updateSchedule as never);
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('v.name', 'ilike', pattern),
        eb('v.description', 'ilike', pattern),
        eb('v.provider_name', 'ilike', pattern),
        eb('v.system_name', 'ilike', pattern),
        eb(sql`v.fields::text`, 'ilike', pattern),
      ]),
    );
  }
  const rows = await q
    .orderBy('v.updated_at', 'desc')
    .orderBy('v.resource_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const total = rows.length > 0 ? Number((rows[0] as { total: number | string }).total) : 0;
  if (rows.length === 0 && page.offset > 0) {
    const again = await listResources(trx, filter, { limit: 1, offset: 0 });
    return { rows: [], total: again.total };
  }
  return { rows: rows as never, total };
}

export async function getCredential(trx: Trx, resourceId: string) {
  return trx
    .selectFrom('data_resource_credential')
    .select(['header_name', 'updated_at', 'updated_by'])
    .where('resource_id', '=', resourceId)
    .executeTakeFirst();
}

export async function putCredential(
  trx: Trx,
  values: {
    resource_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    header_name: string;
    sealed_value: string;
    updated_by: string | null;
  },
  now: Date,
): Promise<void> {
  await trx
    .insertInto('data_resource_credential')
    .values({ ...values, updated_at: now })
    .onConflict((oc) =>
      oc.column('resource_id').doUpdateSet({
        header_name: values.header_name,
        sealed_value: values.sealed_value,
        updated_by: values.updated_by,
        updated_at: now,
      }),
    )
    .execute();
}

/** Published, not withdrawn resources and their providing units: the guide's figures. */
export async function catalogueFigures(trx: Trx): Promise<{ resources: number; providers: number }> {
  const row = await trx
    .selectFrom('data_resource')
    .select([sql<string>`count(*)`.as('resources'), sql<string>`count(distinct organisation_id)`.as('providers')])
    .where('published_version', 'is not', null)
    .where('withdrawn_at', 'is', null)
    .executeTakeFirst();
  return { resources: Number(row?.resources ?? 0), providers: Number(row?.providers ?? 0) };
}
