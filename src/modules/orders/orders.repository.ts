import { sql } from 'kysely';
import { prepared } from '../../platform/db/prepared.ts';
import type { Trx } from '../../schema.ts';
import type {
  OrderEventRow,
  OrderLineRow,
  OrderRow,
  OrderStatus,
  OrderStepRow,
  ReservationStatus,
} from './orders.table.ts';

// ------------------------------------------------------------------------------------------- numbers

/** The next order number (a sequence: no lock held until commit). */
export async function nextOrderNo(trx: Trx): Promise<number> {
  const { rows } = await sql<{ n: string }>`${prepared} select nextval('resource_order_no_seq')::text as n`.execute(
    trx,
  );
  return Number(rows[0]?.n);
}

// -------------------------------------------------------------------------------------------- orders

export async function insertOrder(
  trx: Trx,
  values: Omit<OrderRow, 'id' | 'workflow' | 'target_resource_ids'> & {
    workflow: string;
    target_resource_ids: string;
  },
): Promise<OrderRow> {
  return trx.insertInto('resource_order').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findOrder(trx: Trx, id: string): Promise<OrderRow | undefined> {
  return trx.selectFrom('resource_order').selectAll().where('id', '=', id).modifyEnd(prepared).executeTakeFirst();
}

/** The order row under a row lock: transitions of one order are serialised. */
export async function lockOrder(trx: Trx, id: string): Promise<OrderRow | undefined> {
  return trx.selectFrom('resource_order').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateOrder(
  trx: Trx,
  id: string,
  set: Partial<
    Pick<
      OrderRow,
      'status' | 'submitted_at' | 'closed_at' | 'expires_on' | 'quota_overrun' | 'pack_id' | 'pack_version'
    >
  > & {
    updated_at: Date;
    workflow?: string;
  },
): Promise<void> {
  await trx.updateTable('resource_order').set(set).where('id', '=', id).execute();
}

export interface OrderFilter {
  status?: OrderStatus;
  type?: string;
  organisationId?: string;
  placedBy?: string;
  projectId?: string;
  limit: number;
  offset: number;
}

export async function listOrders(trx: Trx, f: OrderFilter): Promise<{ rows: OrderRow[]; total: number }> {
  let q = trx.selectFrom('resource_order');
  if (f.status) q = q.where('status', '=', f.status);
  if (f.type) q = q.where('type', '=', f.type as never);
  if (f.organisationId) q = q.where('organisation_id', '=', f.organisationId);
  if (f.placedBy) q = q.where('placed_by', '=', f.placedBy);
  if (f.projectId) q = q.where('project_id', '=', f.projectId);
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('number', 'desc')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  const total = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

// --------------------------------------------------------------------------------------------- lines

export async function insertLines(
  trx: Trx,
  lines: (Omit<OrderLineRow, 'specification' | 'dimensions'> & {
    specification: string;
    dimensions: string;
  })[],
): Promise<void> {
  if (lines.length) await trx.insertInto('order_line').values(lines).execute();
}

export async function linesOf(trx: Trx, orderId: string): Promise<OrderLineRow[]> {
  return trx
    .selectFrom('order_line')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .modifyEnd(prepared)
    .execute();
}

// --------------------------------------------------------------------------------------------- steps

export type NewStep = Omit<OrderStepRow, 'id' | 'handled' | 'deadline_provisional' | 'unconfirmed_years'> & {
  unconfirmed_years: string;
};

export async function insertSteps(trx: Trx, steps: NewStep[]): Promise<void> {
  if (steps.length) await trx.insertInto('order_step').values(steps).execute();
}

export async function deletePendingSteps(trx: Trx, orderId: string): Promise<void> {
  await trx.deleteFrom('order_step').where('order_id', '=', orderId).where('status', '=', 'pending').execute();
}

export async function stepsOf(trx: Trx, orderId: string): Promise<OrderStepRow[]> {
  return trx
    .selectFrom('order_step')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .modifyEnd(prepared)
    .execute();
}

export async function updateStep(
  trx: Trx,
  id: string,
  set: Partial<Omit<OrderStepRow, 'id' | 'unconfirmed_years'>> & { unconfirmed_years?: string },
): Promise<void> {
  await trx.updateTable('order_step').set(set).where('id', '=', id).execute();
}

export async function skipPendingSteps(trx: Trx, orderId: string): Promise<void> {
  await trx
    .updateTable('order_step')
    .set({ status: 'skipped' })
    .where('order_id', '=', orderId)
    .where('status', 'in', ['pending', 'open'])
    .execute();
}

export type StepWithOrder = OrderStepRow & {
  order_number: string;
  order_type: string;
  order_title: string;
  order_status: string;
  order_placed_by: string | null;
};

function stepsWithOrders(trx: Trx) {
  return trx
    .selectFrom('order_step as s')
    .innerJoin('resource_order as o', 'o.id', 's.order_id')
    .selectAll('s')
    .select([
      'o.number as order_number',
      'o.type as order_type',
      'o.title as order_title',
      'o.status as order_status',
      'o.placed_by as order_placed_by',
    ]);
}

/** Open steps of the given roles: in the jurisdictions (jurisdiction roles), or of the organisations (unit roles). */
export async function openStepsFor(
  trx: Trx,
  who: { roles: string[]; jurisdictionId: string | null; organisationIds: string[]; unitRoles: string[] },
): Promise<StepWithOrder[]> {
  const jurisdictionId = who.jurisdictionId;
  return (
    stepsWithOrders(trx)
      .where('s.status', '=', 'open')
      // A step handled by provisioning waits on the provider and the unit's receipt: nobody acts on it here.
      .where('s.handled', '=', false)
      .where((eb) => {
        const ors = [];
        if (jurisdictionId && who.roles.length) {
          ors.push(
            eb.and([
              eb('s.role', 'in', who.roles),
              eb('s.acting_organisation_id', 'is', null),
              eb('s.jurisdiction_id', '=', jurisdictionId),
            ]),
          );
        }
        if (who.organisationIds.length && who.unitRoles.length) {
          ors.push(
            eb.and([eb('s.role', 'in', who.unitRoles), eb('s.acting_organisation_id', 'in', who.organisationIds)]),
          );
        }
        return ors.length ? eb.or(ors) : eb.val(false);
      })
      .orderBy(sql`s.due_at asc nulls last`)
      .orderBy('s.opened_at')
      .limit(1000)
      .execute() as Promise<StepWithOrder[]>
  );
}

/** Open steps past their due time not yet marked overdue (the sweeper's work). */
export async function stepsNewlyOverdue(trx: Trx, now: Date): Promise<StepWithOrder[]> {
  return (
    stepsWithOrders(trx)
      .where('s.status', '=', 'open')
      .where('s.due_at', '<', now)
      .where('s.overdue_since', 'is', null)
      // A reviewer's fulfilment step, once approved, waits on the provider (measured on its work orders); a
      // step whose receipt arrived on time waits on the unit's confirmation: neither is this role's lateness.
      .where('s.decision', 'is', null)
      .where((eb) => eb.or([eb('s.delivered_at', 'is', null), eb('s.delivered_at', '>', eb.ref('s.due_at'))]))
      .orderBy('s.due_at')
      .forUpdate()
      .execute() as Promise<StepWithOrder[]>
  );
}

/**
 * Steps open and overdue in the jurisdictions (RLS limits them to the caller's): marked by the sweeper, or past
 * their due time already (the same test the sweeper makes), so the board does not wait for the next sweep.
 */
export async function overdueSteps(
  trx: Trx,
  jurisdictionIds: readonly string[],
  now: Date,
): Promise<(StepWithOrder & { organisation_code: string; organisation_name: string })[]> {
  if (!jurisdictionIds.length) return [];
  return stepsWithOrders(trx)
    .innerJoin('organisation as g', 'g.id', 'o.organisation_id')
    .select(['g.code as organisation_code', 'g.name as organisation_name'])
    .where('s.status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb('s.overdue_since', 'is not', null),
        eb.and([
          eb('s.due_at', '<', now),
          eb('s.decision', 'is', null),
          eb.or([eb('s.delivered_at', 'is', null), eb('s.delivered_at', '>', eb.ref('s.due_at'))]),
        ]),
      ]),
    )
    .where('s.jurisdiction_id', 'in', jurisdictionIds)
    .orderBy('s.due_at')
    .execute() as never;
}

// -------------------------------------------------------------------------------------------- events

export async function insertEvent(
  trx: Trx,
  e: Omit<OrderEventRow, 'id' | 'detail'> & { detail: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('order_event')
    .values({ ...e, detail: JSON.stringify(e.detail) })
    .modifyEnd(prepared)
    .execute();
}

export async function eventsOf(trx: Trx, orderId: string): Promise<OrderEventRow[]> {
  return trx
    .selectFrom('order_event')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .modifyEnd(prepared)
    .execute();
}

// ------------------------------------------------------------------------------------ projects, quota

/** Locks the project row (FOR UPDATE): every placement against one project is serialised here. */
export async function lockProject(
  trx: Trx,
  projectId: string,
): Promise<{ id: string; organisation_id: string; jurisdiction_id: string; status: string; name: string } | undefined> {
  const { rows } = await sql<{
    id: string;
    organisation_id: string;
    jurisdiction_id: string;
    status: string;
    name: string;
  }>`${prepared}
    select id, organisation_id, jurisdiction_id, status, name from project where id = ${projectId} for update`.execute(
    trx,
  );
  return rows[0];
}

export async function findProject(
  trx: Trx,
  projectId: string,
): Promise<
  | {
      id: string;
      organisation_id: string;
      jurisdiction_id: string;
      status: string;
      name: string;
      review_passed_at: Date | null;
    }
  | undefined
> {
  const { rows } = await sql<{
    id: string;
    organisation_id: string;
    jurisdiction_id: string;
    status: string;
    name: string;
    review_passed_at: Date | null;
  }>`${prepared}
    select id, organisation_id, jurisdiction_id, status, name, review_passed_at from project
    where id = ${projectId}`.execute(trx);
  return rows[0];
}

export async function projectVisible(trx: Trx, projectId: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`select id from project where id = ${projectId}`.execute(trx);
  return rows.length > 0;
}

export async function approvedProjectIdsOf(trx: Trx, organisationId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    select id from project where organisation_id = ${organisationId} and status = 'approved' order by id`.execute(trx);
  return rows.map((r) => r.id);
}

export interface UsageRow {
  dimension: string;
  reserved: string;
  consumed: string;
}

/**
 * A project's ledger per dimension: `reserved` (orders under way; a reclaim's negative amount does not
 * free anything before it completes) and `consumed` (completed orders, reclaims negative).
 */
export async function usageOf(
  trx: Trx,
  projectIds: readonly string[],
  options: { types?: readonly string[]; excludeOrderId?: string } = {},
): Promise<UsageRow[]> {
  if (!projectIds.length) return [];
  let q = trx
    .selectFrom('quota_reservation as r')
    .innerJoin('resource_order as o', 'o.id', 'r.order_id')
    .where('r.project_id', 'in', projectIds)
    .where('r.status', 'in', ['reserved', 'consumed']);
  if (options.types) q = q.where('o.type', 'in', options.types as never);
  if (options.excludeOrderId) q = q.where('r.order_id', '<>', options.excludeOrderId);
  return q
    .select([
      'r.dimension',
      sql<string>`coalesce(sum(case when r.status = 'reserved' then greatest(r.amount, 0) else 0 end), 0)::text`.as(
        'reserved',
      ),
      sql<string>`coalesce(sum(case when r.status = 'consumed' then r.amount else 0 end), 0)::text`.as('consumed'),
    ])
    .groupBy('r.dimension')
    .execute();
}

export async function insertReservations(
  trx: Trx,
  rows: {
    order_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    project_id: string;
    dimension: string;
    amount: string;
    status: ReservationStatus;
    updated_at: Date;
  }[],
): Promise<void> {
  if (rows.length) await trx.insertInto('quota_reservation').values(rows).execute();
}

export async function setReservations(
  trx: Trx,
  orderId: string,
  from: ReservationStatus,
  to: ReservationStatus,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('quota_reservation')
    .set({ status: to, updated_at: now })
    .where('order_id', '=', orderId)
    .where('status', '=', from)
    .execute();
}

export async function reservationsOf(trx: Trx, orderId: string) {
  return trx
    .selectFrom('quota_reservation')
    .select(['project_id', 'dimension', 'amount', 'status'])
    .where('order_id', '=', orderId)
    .orderBy('dimension')
    .modifyEnd(prepared)
    .execute();
}

// -------------------------------------------------------------------------------- allocation stops

export async function activeStop(trx: Trx, organisationId: string) {
  return trx
    .selectFrom('allocation_stop')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('resumed_at', 'is', null)
    .orderBy('stopped_at', 'desc')
    .modifyEnd(prepared)
    .executeTakeFirst();
}

export async function insertStop(
  trx: Trx,
  v: {
    organisation_id: string;
    jurisdiction_id: string;
    reason: string;
    reference: string | null;
    stopped_at: Date;
    stopped_by: string | null;
  },
) {
  return trx.insertInto('allocation_stop').values(v).returningAll().executeTakeFirstOrThrow();
}

export async function resumeStops(trx: Trx, organisationId: string, at: Date, by: string | null): Promise<number> {
  const rows = await trx
    .updateTable('allocation_stop')
    .set({ resumed_at: at, resumed_by: by })
    .where('organisation_id', '=', organisationId)
    .where('resumed_at', 'is', null)
    .returning('id')
    .execute();
  return rows.length;
}

export async function organisationOf(trx: Trx, id: string) {
  return trx
    .selectFrom('organisation')
    .select(['id', 'code', 'name', 'jurisdiction_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

// ------------------------------------------------------------------------------------- idempotency

export async function claimIdempotencyKey(trx: Trx, principal: string, key: string, hash: string): Promise<boolean> {
  const inserted = await trx
    .insertInto('idempotency_key')
    .values({ principal, key, request_hash: hash })
    .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
    .returning('key')
    .modifyEnd(prepared)
    .executeTakeFirst();
  return !!inserted;
}

export async function findIdempotencyKey(trx: Trx, principal: string, key: string) {
  return trx
    .selectFrom('idempotency_key')
    .selectAll()
    .where('principal', '=', principal)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function storeIdempotentResponse(
  trx: Trx,
  principal: string,
  key: string,
  status: number,
  response: unknown,
): Promise<void> {
  await trx
    .updateTable('idempotency_key')
    .set({ status_code: status, response: JSON.stringify(response) })
    .where('principal', '=', principal)
    .where('key', '=', key)
    .modifyEnd(prepared)
    .execute();
}

// ------------------------------------------------------------------------------ other modules' rows

/** The rows of an imported request form (LZ annex 3) visible to the caller. */
export async function requestFormRows(trx: Trx, formId: string) {
  return trx.selectFrom('request_form_row').selectAll().where('form_id', '=', formId).orderBy('row_no').execute();
}

/** Inventory resources (for reclaim orders): what they hold and for which project. */
export async function resourcesByIds(trx: Trx, ids: readonly string[]) {
  if (!ids.length) return [];
  return trx
    .selectFrom('resource')
    .select([
      'id',
      'organisation_id',
      'jurisdiction_id',
      'project_id',
      'system_id',
      'catalogue_item_code',
      'specification',
      'quantities',
      'state',
      'purpose',
    ])
    .where('id', 'in', ids)
    .execute();
}

/** The inventory's resources delivered for an order, in whatever state. */
export async function resourcesOfOrder(trx: Trx, orderId: string) {
  return trx.selectFrom('resource').select(['id', 'state']).where('order_id', '=', orderId).orderBy('id').execute();
}

/** Purposes of a test or trial environment (SH 19 测试资源, LZ 21(4) 试用环境): no quota of their own. */
export const TEST_PURPOSES: readonly string[] = ['test', 'trial'];

/**
 * What test and trial environments still running hold per quota dimension, for the projects, where no order
 * under way covers them any more: their order completed (the formal resources opened and took the quota) or
 * ended otherwise, and the environment was not yet released. Counted on top of the ledger, so a unit cannot keep
 * a test environment beside its formal resources for free (SH 18-20). Reclaiming ones still run until reclaimed.
 */
export async function lingeringTestUsage(trx: Trx, projectIds: readonly string[]): Promise<Map<string, string>> {
  if (!projectIds.length) return new Map();
  const { rows } = await sql<{ dimension: string; amount: string }>`${prepared}
    select case when q.key in ('vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps') then q.key
                else 'item:' || r.catalogue_item_code end as dimension,
           sum(q.value::numeric)::text as amount
    from resource r
    left join resource_order o on o.id = r.order_id
    cross join lateral jsonb_each_text(r.quantities) q
    where r.project_id = any(${[...projectIds]}::uuid[])
      and r.purpose = any(${[...TEST_PURPOSES]}::text[])
      and r.state <> 'reclaimed'
      and (o.id is null or o.status not in ('draft', 'submitted', 'in_progress'))
    group by 1`.execute(trx);
  return new Map(rows.map((r) => [r.dimension, r.amount]));
}

/** Resource states that still hold what was delivered (not reclaiming, not reclaimed). */
export const LIVE_STATES: readonly string[] = ['provisioning', 'active', 'suspended'];
