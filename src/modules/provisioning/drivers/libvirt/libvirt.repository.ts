import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import { sqlArray } from '../../../../platform/db/arrays.ts';
import type { Db, Trx } from '../../../../schema.ts';
import type { LibvirtConnectionTable, LibvirtTaskRow, StepEntry } from './libvirt.table.ts';

// The libvirt driver's SQL (migration 0130). The job's reads run as the system (no tenant scope); the routes'
// reads run in the caller's tenant transaction, where row-level security keeps a provider to its own rows.

type ConnectionValues = Omit<Insertable<LibvirtConnectionTable>, 'id' | 'reconciled_at' | 'sampled_at' | 'last_error'>;

/** Adds or replaces a connection (provider, zone, name); `sealed_credentials` undefined keeps the stored ones. */
export async function upsertConnection(
  trx: Trx,
  values: Omit<ConnectionValues, 'sealed_credentials'> & { sealed_credentials?: string | null },
): Promise<string> {
  const { sealed_credentials, ...rest } = values;
  const row = await trx
    .insertInto('libvirt_connection')
    .values({ ...rest, sealed_credentials: sealed_credentials ?? null })
    .onConflict((oc) =>
      oc.constraint('libvirt_connection_name_unique').doUpdateSet((eb) => ({
        uri: eb.ref('excluded.uri'),
        pool: eb.ref('excluded.pool'),
        base_volume: eb.ref('excluded.base_volume'),
        network: eb.ref('excluded.network'),
        domain_type: eb.ref('excluded.domain_type'),
        max_vcpu: eb.ref('excluded.max_vcpu'),
        max_memory_gb: eb.ref('excluded.max_memory_gb'),
        enabled: eb.ref('excluded.enabled'),
        vcpu_overcommit: eb.ref('excluded.vcpu_overcommit'),
        boot_kernel: eb.ref('excluded.boot_kernel'),
        boot_initrd: eb.ref('excluded.boot_initrd'),
        boot_cmdline: eb.ref('excluded.boot_cmdline'),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: eb.ref('excluded.updated_at'),
        ...(sealed_credentials === undefined ? {} : { sealed_credentials: eb.ref('excluded.sealed_credentials') }),
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export const listConnections = (trx: Trx | Db, filter: { enabledOnly?: boolean; id?: string } = {}) => {
  let q = trx
    .selectFrom('libvirt_connection as c')
    .innerJoin('organisation as o', 'o.id', 'c.provider_id')
    .selectAll('c')
    .select(['o.code as provider_code', 'o.name as provider_name']);
  if (filter.enabledOnly) q = q.where('c.enabled', '=', true);
  if (filter.id) q = q.where('c.id', '=', filter.id);
  return q.orderBy('o.code').orderBy('c.zone').orderBy('c.name').execute();
};
export type ConnectionWithProvider = Awaited<ReturnType<typeof listConnections>>[number];

export async function markConnection(
  db: Db | Trx,
  id: string,
  values: { reconciled_at?: Date; sampled_at?: Date; last_error?: string | null },
): Promise<void> {
  await db.updateTable('libvirt_connection').set(values).where('id', '=', id).execute();
}

/**
 * The work orders a libvirt driver carries out that wait for it: open, handed to the driver (a reclaim or a
 * backup-first scale-up only once the unit confirmed its backup or the ops unit proceeded without), and not
 * claimed by a live lease nor waiting out a back-off.
 */
export async function dueWorkOrders(db: Db, now: Date, limit = 20) {
  return db
    .selectFrom('work_order as w')
    .leftJoin('libvirt_task as t', 't.work_order_id', 'w.id')
    .select(['w.id', 'w.driver', 'w.action', 'w.jurisdiction_id', 'w.provider_id', 'w.zone'])
    .select(sql<string | null>`w.details->>'orderNo'`.as('order_no'))
    .where('w.driver', 'like', 'libvirt:%')
    .where('w.status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb(sql`w.details->>'backupFirst'`, 'is', null),
        eb('w.backup_confirmed_at', 'is not', null),
        eb('w.backup_waived_at', 'is not', null),
      ]),
    )
    .where((eb) =>
      eb.or([
        eb('t.work_order_id', 'is', null),
        eb.and([eb('t.status', '=', 'pending'), eb('t.next_attempt_at', '<=', now)]),
        eb.and([eb('t.status', '=', 'running'), eb('t.lease_until', '<', now)]),
      ]),
    )
    .orderBy('w.created_at')
    .limit(limit)
    .execute();
}

/**
 * Claims a work order for one attempt, atomically: of two instances asking at once, one gets the row and the
 * other nothing (the conflict update's condition is checked again on the locked row). A claim is a lease: an
 * instance that dies mid-attempt lets it lapse and another takes over.
 */
export async function claimTask(
  db: Db,
  w: { id: string; jurisdiction_id: string; provider_id: string },
  me: string,
  now: Date,
  leaseMs: number,
): Promise<LibvirtTaskRow | undefined> {
  const lease = new Date(now.getTime() + leaseMs);
  const { rows } = await sql<LibvirtTaskRow>`
    insert into libvirt_task as t (work_order_id, jurisdiction_id, provider_id, status, attempts, next_attempt_at,
                                   claimed_by, lease_until, created_at, updated_at)
    values (${w.id}, ${w.jurisdiction_id}, ${w.provider_id}, 'running', 1, ${now}, ${me}, ${lease}, ${now}, ${now})
    on conflict (work_order_id) do update
      set status = 'running', attempts = t.attempts + 1, claimed_by = ${me}, lease_until = ${lease}, updated_at = ${now}
      where (t.status = 'pending' and t.next_attempt_at <= ${now}) or (t.status = 'running' and t.lease_until < ${now})
    returning *`.execute(db);
  return rows[0];
}

export async function finishTask(
  trx: Trx,
  workOrderId: string,
  me: string,
  values: {
    status: 'pending' | 'delivered' | 'failed';
    next_attempt_at?: Date;
    last_error?: string | null;
    last_error_at?: Date | null;
    trail: StepEntry[];
    updated_at: Date;
  },
): Promise<boolean> {
  const r = await trx
    .updateTable('libvirt_task')
    .set({ ...values, trail: JSON.stringify(values.trail), claimed_by: null, lease_until: null })
    .where('work_order_id', '=', workOrderId)
    .where('claimed_by', '=', me)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A failed task made due again by hand (the ops unit, after fixing the cause). */
export async function retryTask(trx: Trx, workOrderId: string, now: Date): Promise<boolean> {
  const r = await trx
    .updateTable('libvirt_task')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
    .where('work_order_id', '=', workOrderId)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export const tasksOf = (trx: Trx, filter: { workOrderId?: string; status?: string }) => {
  let q = trx.selectFrom('libvirt_task').selectAll();
  if (filter.workOrderId) q = q.where('work_order_id', '=', filter.workOrderId);
  if (filter.status) q = q.where('status', '=', filter.status as LibvirtTaskRow['status']);
  return q.orderBy('updated_at', 'desc').limit(200).execute();
};

export const previousSamples = (db: Db | Trx, connectionId: string) =>
  db.selectFrom('libvirt_sample').selectAll().where('connection_id', '=', connectionId).execute();

export async function putSample(
  trx: Trx,
  connectionId: string,
  domainUuid: string,
  sampledAt: Date,
  counters: Record<string, number | null>,
): Promise<void> {
  await trx
    .insertInto('libvirt_sample')
    .values({
      connection_id: connectionId,
      domain_uuid: domainUuid,
      sampled_at: sampledAt,
      counters: JSON.stringify(counters),
    })
    .onConflict((oc) =>
      oc.columns(['connection_id', 'domain_uuid']).doUpdateSet((eb) => ({
        sampled_at: eb.ref('excluded.sampled_at'),
        counters: eb.ref('excluded.counters'),
      })),
    )
    .execute();
}

/** This driver's work orders of a provider not yet confirmed by the unit (their domains are on their way in). */
export const inFlightWorkOrders = (db: Db | Trx, providerId: string) =>
  db
    .selectFrom('work_order')
    .select('id')
    .where('provider_id', '=', providerId)
    .where('driver', 'like', 'libvirt:%')
    .where('status', 'in', ['open', 'submitted', 'disputed'])
    .execute();

/** Resources this driver is reclaiming, or has reclaimed and the unit not yet confirmed (their domains go). */
export const leavingResources = async (db: Db | Trx, providerId: string) =>
  (
    await db
      .selectFrom('work_order_line as l')
      .innerJoin('work_order as w', 'w.id', 'l.work_order_id')
      .select('l.resource_id')
      .where('w.provider_id', '=', providerId)
      .where('w.driver', 'like', 'libvirt:%')
      .where('w.action', '=', 'reclaim')
      .where('w.status', 'in', ['open', 'submitted', 'disputed'])
      .where('l.resource_id', 'is not', null)
      .execute()
  ).map((r) => r.resource_id as string);

/** An inventory resource's identity and place, as the caller may see it (tenant transaction). */
export const resourceOf = (trx: Trx, id: string) =>
  trx
    .selectFrom('resource')
    .select(['id', 'name', 'external_id', 'provider_id', 'zone', 'jurisdiction_id'])
    .where('id', '=', id)
    .executeTakeFirst();

/** An organisation's type and jurisdiction (is it a provider of this jurisdiction?). */
export const organisationOf = (trx: Trx, id: string) =>
  trx.selectFrom('organisation').select(['id', 'type', 'jurisdiction_id']).where('id', '=', id).executeTakeFirst();

/**
 * What the libvirt zones' work orders still to be created will take (open new-resource work orders whose task
 * has not delivered), other than the given order's: their lines' specification and quantity, by driver.
 */
export const waitingLines = (trx: Trx, drivers: string[], excludeOrderId: string) =>
  drivers.length === 0
    ? Promise.resolve([])
    : trx
        .selectFrom('work_order as w')
        .innerJoin('work_order_line as l', 'l.work_order_id', 'w.id')
        .leftJoin('libvirt_task as t', 't.work_order_id', 'w.id')
        .select(['w.driver', 'l.specification', 'l.quantity'])
        .where(sql<boolean>`w.driver = any(${sqlArray(drivers)}::text[])`)
        .where('w.status', '=', 'open')
        .where('w.action', 'in', ['open', 'open_test'])
        .where('w.order_id', '<>', excludeOrderId)
        .where((eb) => eb.or([eb('t.work_order_id', 'is', null), eb('t.status', '<>', 'delivered')]))
        .execute();
