import { type Kysely, sql } from 'kysely';
import { prepared } from '../../platform/db/prepared.ts';
import { reusable, reusableByKeys, reusableRows } from '../../platform/db/reusable.ts';
import type { DB, Trx } from '../../schema.ts';
import type {
  OrderEventRow,
  OrderLineRow,
  OrderRow,
  OrderStatus,
  OrderStepRow,
  QuotaReservationTable,
  ReservationStatus,
} from './orders.table.ts';
import { writtenIn } from './orders.written.ts';

// ------------------------------------------------------------------------------------------- numbers

/** The next order number (a sequence: no lock held until commit). */
export async function nextOrderNo(trx: Trx): Promise<number> {
  const { rows } = await sql<{ n: string }>`${prepared} select nextval('resource_order_no_seq')::text as n`.execute(
    trx,
  );
  return Number(rows[0]?.n);
}

// -------------------------------------------------------------------------------------------- orders

const codeOf = reusable((db: Kysely<DB>, id: string) =>
  db.selectFrom('jurisdiction').select('code').where('id', '=', id),
);

export async function jurisdictionCode(trx: Trx, id: string): Promise<string | undefined> {
  return (await codeOf.first(trx, id))?.code;
}

type NewOrderRow = Omit<OrderRow, 'id' | 'workflow' | 'target_resource_ids'> & {
  workflow: string;
  target_resource_ids: string;
};

// Each column given: the compiled statement binds every one (docs/decisions.md, issue 24, lane orders25).
const ORDER_COLUMNS = [
  'organisation_id',
  'jurisdiction_id',
  'type',
  'status',
  'title',
  'reason',
  'project_id',
  'system_id',
  'pack_id',
  'pack_version',
  'workflow',
  'term_months',
  'expires_on',
  'parent_order_id',
  'target_resource_ids',
  'green_channel',
  'quota_overrun',
  'temporary_basis',
  'source',
  'placed_by',
  'placed_by_name',
  'submitted_at',
  'closed_at',
  'created_at',
  'updated_at',
  'number',
] as const satisfies readonly (keyof NewOrderRow)[];

const insertOrderQuery = reusable(
  (db: Kysely<DB>, values: NewOrderRow) => db.insertInto('resource_order').values(values).returningAll(),
  { record: ORDER_COLUMNS },
);

export async function insertOrder(trx: Trx, values: NewOrderRow): Promise<OrderRow> {
  const row = await insertOrderQuery.first(trx, values);
  if (!row) throw new Error('insertOrder: no row returned');
  return row as OrderRow;
}

const findOrderQuery = reusable((db: Kysely<DB>, id: string) =>
  db.selectFrom('resource_order').selectAll().where('id', '=', id).modifyEnd(prepared),
);

export async function findOrder(trx: Trx, id: string): Promise<OrderRow | undefined> {
  return findOrderQuery.first(trx, id);
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
  await updateOrderQuery(trx, set, id);
}

const updateOrderQuery = reusableByKeys((db: Kysely<DB>, set: Record<string, unknown>, id: string) =>
  db.updateTable('resource_order').set(set).where('id', '=', id),
);

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
  const written = writtenIn(trx);
  if (written && lines.length) {
    // A placement that records its writes keeps the lines as inserted (submission then need not read them).
    const rows =
      lines.length === 1
        ? await insertLineReturningQuery.execute(trx, lines[0] as NewLineRow)
        : await trx.insertInto('order_line').values(lines).returningAll().execute();
    written.lines = (rows as OrderLineRow[]).sort((a, b) => a.line_no - b.line_no);
  } else if (lines.length === 1) await insertLineQuery.execute(trx, lines[0] as NewLineRow);
  else if (lines.length) await trx.insertInto('order_line').values(lines).execute();
}

type NewLineRow = Omit<OrderLineRow, 'specification' | 'dimensions'> & { specification: string; dimensions: string };

const LINE_COLUMNS = [
  'order_id',
  'organisation_id',
  'jurisdiction_id',
  'line_no',
  'catalogue_item_code',
  'catalogue_version_id',
  'specification',
  'quantity',
  'dimensions',
  'request_form_id',
  'request_form_row_no',
  'target_resource_id',
] satisfies (keyof NewLineRow)[];

const insertLineQuery = reusable((db: Kysely<DB>, line: NewLineRow) => db.insertInto('order_line').values(line), {
  record: LINE_COLUMNS,
});

const insertLineReturningQuery = reusable(
  (db: Kysely<DB>, line: NewLineRow) => db.insertInto('order_line').values(line).returningAll(),
  { record: LINE_COLUMNS },
);

const linesOfQuery = reusable((db: Kysely<DB>, orderId: string) =>
  db.selectFrom('order_line').selectAll().where('order_id', '=', orderId).orderBy('line_no').modifyEnd(prepared),
);

export async function linesOf(trx: Trx, orderId: string): Promise<OrderLineRow[]> {
  return linesOfQuery.execute(trx, orderId);
}

// --------------------------------------------------------------------------------------------- steps

export type NewStep = Omit<OrderStepRow, 'id' | 'handled' | 'deadline_provisional' | 'unconfirmed_years'> & {
  unconfirmed_years: string;
};

export async function insertSteps(trx: Trx, steps: NewStep[]): Promise<void> {
  if (steps.length) await insertStepsQuery(trx, steps);
}

// Compiled once per number of steps (docs/decisions.md, issue 24, lane orders25).
const insertStepsQuery = reusableRows<DB, NewStep, unknown>(
  [
    'order_id',
    'organisation_id',
    'jurisdiction_id',
    'seq',
    'key',
    'name_zh',
    'name_en',
    'role',
    'acting_organisation_id',
    'fulfilment_action',
    'status',
    'opened_at',
    'due_at',
    'due_day',
    'deadline_value',
    'deadline_unit',
    'deadline_article',
    'deadline_note',
    'unconfirmed_years',
    'acted_by',
    'acted_by_name',
    'acted_at',
    'decision',
    'comment',
    'met_deadline',
    'overdue_since',
    'escalated_at',
    'delivered_at',
  ],
  (db, rows) => db.insertInto('order_step').values(rows),
);

export async function deletePendingSteps(trx: Trx, orderId: string): Promise<void> {
  await trx.deleteFrom('order_step').where('order_id', '=', orderId).where('status', '=', 'pending').execute();
}

const stepsOfQuery = reusable((db: Kysely<DB>, orderId: string) =>
  db.selectFrom('order_step').selectAll().where('order_id', '=', orderId).orderBy('seq').modifyEnd(prepared),
);

export async function stepsOf(trx: Trx, orderId: string): Promise<OrderStepRow[]> {
  return stepsOfQuery.execute(trx, orderId);
}

export async function updateStep(
  trx: Trx,
  id: string,
  set: Partial<Omit<OrderStepRow, 'id' | 'unconfirmed_years'>> & { unconfirmed_years?: string },
): Promise<void> {
  await updateStepQuery(trx, set, id);
}

// Compiled once per set of columns (docs/decisions.md, issue 24, lane orders25).
const updateStepQuery = reusableByKeys((db: Kysely<DB>, set: Record<string, unknown>, id: string) =>
  db.updateTable('order_step').set(set).where('id', '=', id),
);

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

type NewEventRow = Omit<OrderEventRow, 'id' | 'detail'> & { detail: string };

const EVENT_COLUMNS = [
  'order_id',
  'organisation_id',
  'jurisdiction_id',
  'at',
  'kind',
  'step_key',
  'actor_id',
  'actor_name',
  'comment',
  'detail',
] satisfies (keyof NewEventRow)[];

const insertEventQuery = reusable(
  (db: Kysely<DB>, e: NewEventRow) => db.insertInto('order_event').values(e).modifyEnd(prepared),
  {
    record: EVENT_COLUMNS,
  },
);

/** While a placement records its writes (orders.written.ts), the row as inserted is kept for its answer. */
export async function insertEvent(
  trx: Trx,
  e: Omit<OrderEventRow, 'id' | 'detail'> & { detail: Record<string, unknown> },
): Promise<void> {
  const written = writtenIn(trx);
  if (!written) {
    await insertEventQuery.execute(trx, { ...e, detail: JSON.stringify(e.detail) });
    return;
  }
  const row = await insertEventReturningQuery.first(trx, { ...e, detail: JSON.stringify(e.detail) });
  if (!row) throw new Error('insertEvent: no row returned');
  written.events.push(row as OrderEventRow);
}

const insertEventReturningQuery = reusable(
  (db: Kysely<DB>, e: NewEventRow) => db.insertInto('order_event').values(e).returningAll().modifyEnd(prepared),
  { record: EVENT_COLUMNS },
);

const eventsOfQuery = reusable((db: Kysely<DB>, orderId: string) =>
  db.selectFrom('order_event').selectAll().where('order_id', '=', orderId).orderBy('id').modifyEnd(prepared),
);

export async function eventsOf(trx: Trx, orderId: string): Promise<OrderEventRow[]> {
  return eventsOfQuery.execute(trx, orderId);
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
  if (projectIds.length === 1 && !options.types && !options.excludeOrderId)
    return usageOfOne.execute(trx, projectIds[0] as string);
  return usageQuery(trx, projectIds, options).execute();
}

function usageQuery(
  db: Kysely<DB>,
  projectIds: readonly string[],
  options: { types?: readonly string[]; excludeOrderId?: string },
) {
  let q = db
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
    .groupBy('r.dimension');
}

// One project, every order type (placement's quota check): compiled once, the same text as `usageQuery`.
const usageOfOne = reusable((db: Kysely<DB>, projectId: string) => usageQuery(db, [projectId], {}));

/** A reservation row as inserted (a mapped copy of the table's interface, which the row compiler's bound needs). */
type NewReservation = Pick<QuotaReservationTable, keyof QuotaReservationTable>;

export async function insertReservations(trx: Trx, rows: NewReservation[]): Promise<void> {
  if (rows.length) await insertReservationsQuery(trx, rows);
}

const insertReservationsQuery = reusableRows<DB, NewReservation, unknown>(
  ['order_id', 'organisation_id', 'jurisdiction_id', 'project_id', 'dimension', 'amount', 'status', 'updated_at'],
  (db, rows) => db.insertInto('quota_reservation').values(rows),
);

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

const reservationsOfQuery = reusable((db: Kysely<DB>, orderId: string) =>
  db
    .selectFrom('quota_reservation')
    .select(['project_id', 'dimension', 'amount', 'status'])
    .where('order_id', '=', orderId)
    .orderBy('dimension')
    .modifyEnd(prepared),
);

export async function reservationsOf(trx: Trx, orderId: string) {
  return reservationsOfQuery.execute(trx, orderId);
}

// -------------------------------------------------------------------------------- allocation stops

const activeStopQuery = reusable((db: Kysely<DB>, organisationId: string) =>
  db
    .selectFrom('allocation_stop')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('resumed_at', 'is', null)
    .orderBy('stopped_at', 'desc')
    .modifyEnd(prepared),
);

export async function activeStop(trx: Trx, organisationId: string) {
  return activeStopQuery.first(trx, organisationId);
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

const claimQuery = reusable((db: Kysely<DB>, principal: string, key: string, hash: string) =>
  db
    .insertInto('idempotency_key')
    .values({ principal, key, request_hash: hash })
    .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
    .returning('key')
    .modifyEnd(prepared),
);

export async function claimIdempotencyKey(trx: Trx, principal: string, key: string, hash: string): Promise<boolean> {
  return !!(await claimQuery.first(trx, principal, key, hash));
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
  await storeResponseQuery.execute(trx, status, JSON.stringify(response), principal, key);
}

const storeResponseQuery = reusable(
  (db: Kysely<DB>, status: number, response: string, principal: string, key: string) =>
    db
      .updateTable('idempotency_key')
      .set({ status_code: status, response })
      .where('principal', '=', principal)
      .where('key', '=', key)
      .modifyEnd(prepared),
);

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
