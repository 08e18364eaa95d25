import { sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import { chunks, sqlArray } from '../../platform/db/arrays.ts';
import type { Trx } from '../../schema.ts';
import type { Quantities } from '../inventory/index.ts';
import type { FindingKind, FulfilmentAction, WorkOrderDetails, WorkOrderStatus } from './provisioning.table.ts';

// Work orders, receipts, snapshots, findings and expiry notices. Tenant reads run in withTenant; the
// visibility filters state the same rule as row-level security: the unit, the provider, or the jurisdiction.

const visibleTo = (v: Visibility) => (eb: any) =>
  v.kind === 'organisation'
    ? eb.or([eb('w.organisation_id', 'in', v.organisations), eb('w.provider_id', 'in', v.organisations)])
    : eb('w.jurisdiction_id', 'in', v.jurisdictions);

export async function insertWorkOrder(
  trx: Trx,
  values: {
    organisation_id: string;
    jurisdiction_id: string;
    provider_id: string;
    order_id: string;
    step_key: string;
    action: FulfilmentAction;
    zone: string | null;
    driver: string;
    due_at: Date | null;
    details: WorkOrderDetails;
    created_at: Date;
  },
): Promise<string | null> {
  const row = await trx
    .insertInto('work_order')
    .values({ ...values, details: JSON.stringify(values.details), updated_at: values.created_at })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function insertWorkOrderLines(
  trx: Trx,
  lines: {
    work_order_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    provider_id: string;
    line_no: number;
    order_line_id: string | null;
    catalogue_item_code: string;
    specification: Record<string, unknown>;
    quantity: number;
    resource_id: string | null;
    system_id: string | null;
    project_id: string | null;
    purpose: string;
    expires_on: string | null;
  }[],
): Promise<void> {
  for (const part of chunks(lines)) {
    await trx
      .insertInto('work_order_line')
      .values(part.map((l) => ({ ...l, specification: JSON.stringify(l.specification) })))
      .execute();
  }
}

export async function listWorkOrders(
  trx: Trx,
  v: Visibility,
  f: { status?: WorkOrderStatus; orderId?: string; limit: number; offset: number },
) {
  let q = trx.selectFrom('work_order as w').where(visibleTo(v));
  if (f.status) q = q.where('w.status', '=', f.status);
  if (f.orderId) q = q.where('w.order_id', '=', f.orderId);
  const rows = await q
    .leftJoin('organisation as p', 'p.id', 'w.provider_id')
    .selectAll('w')
    .select('p.name as provider_name')
    // What waits on the provider first, then on the unit, then the finished; each earliest deadline first
    // (a disputed work order is due when the provider must answer the dispute).
    .orderBy(sql`case w.status when 'open' then 0 when 'disputed' then 0 when 'submitted' then 1 else 2 end`)
    .orderBy(sql`case when w.status = 'disputed' then w.dispute_due_at else w.due_at end asc nulls last`)
    .orderBy('w.created_at', 'desc')
    .orderBy('w.id')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  const total = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function findWorkOrder(trx: Trx, v: Visibility, id: string, lock = false) {
  let q = trx
    .selectFrom('work_order as w')
    .leftJoin('organisation as p', 'p.id', 'w.provider_id')
    // who consented to and who proceeded with a reclaim without the unit's backup, by their names
    .leftJoin('user_account as uc', 'uc.username', 'w.backup_consent_by')
    .leftJoin('user_account as uw', 'uw.username', 'w.backup_waived_by')
    .selectAll('w')
    .select(['p.name as provider_name', 'uc.display_name as consent_by_name', 'uw.display_name as waived_by_name'])
    .where('w.id', '=', id)
    .where(visibleTo(v));
  if (lock) q = q.forUpdate('w');
  return q.executeTakeFirst();
}

/** A work order by id, locked, whoever may see it (the system's reads: drivers, the service's own steps). */
export async function workOrderForUpdate(trx: Trx, id: string) {
  return trx.selectFrom('work_order').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function workOrderLines(trx: Trx, workOrderId: string) {
  return trx
    .selectFrom('work_order_line')
    .selectAll()
    .where('work_order_id', '=', workOrderId)
    .orderBy('line_no')
    .execute();
}

export async function updateWorkOrder(
  trx: Trx,
  id: string,
  values: {
    status?: WorkOrderStatus;
    dispute_due_at?: Date | null;
    dispute_overdue_since?: Date | null;
    backup_confirmed_at?: Date;
    backup_confirmed_by?: string;
    backup_due_at?: Date | null;
    backup_due_day?: string | null;
    backup_consent_by?: string;
    backup_consent_at?: Date;
    backup_consent_comment?: string | null;
    backup_waived_by?: string;
    backup_waived_at?: Date;
    backup_waiver_comment?: string | null;
    completed_at?: Date;
    updated_at: Date;
  },
): Promise<void> {
  await trx.updateTable('work_order').set(values).where('id', '=', id).execute();
}

export async function workOrdersOfStep(trx: Trx, orderId: string, stepKey: string) {
  return trx
    .selectFrom('work_order')
    .select(['id', 'status'])
    .where('order_id', '=', orderId)
    .where('step_key', '=', stepKey)
    .execute();
}

export async function receiptsOf(trx: Trx, workOrderId: string) {
  return trx
    .selectFrom('delivery_receipt')
    .selectAll()
    .where('work_order_id', '=', workOrderId)
    .orderBy('revision')
    .execute();
}

export async function receiptLines(trx: Trx, receiptIds: string[]) {
  if (receiptIds.length === 0) return [];
  return trx
    .selectFrom('delivery_receipt_line')
    .selectAll()
    .where('receipt_id', 'in', receiptIds)
    .orderBy('receipt_id')
    .orderBy('line_no')
    .execute();
}

export async function insertReceipt(
  trx: Trx,
  values: {
    work_order_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    provider_id: string;
    revision: number;
    notes: string | null;
    data_erased: boolean;
    submitted_at: Date;
    submitted_by: string;
  },
  lines: {
    line_no: number;
    work_order_line_no: number;
    resource_id: string | null;
    name: string;
    external_id: string | null;
    addresses: string[];
    specification: Record<string, unknown>;
    quantities: Quantities;
    delivered_at: Date;
    notes: string | null;
  }[],
): Promise<string> {
  const receipt = await trx.insertInto('delivery_receipt').values(values).returning('id').executeTakeFirstOrThrow();
  for (const part of chunks(lines)) {
    await trx
      .insertInto('delivery_receipt_line')
      .values(
        part.map((l) => ({
          ...l,
          receipt_id: receipt.id,
          organisation_id: values.organisation_id,
          jurisdiction_id: values.jurisdiction_id,
          provider_id: values.provider_id,
          addresses: JSON.stringify(l.addresses),
          specification: JSON.stringify(l.specification),
          quantities: JSON.stringify(l.quantities),
        })),
      )
      .execute();
  }
  return receipt.id;
}

export async function decideReceipt(
  trx: Trx,
  id: string,
  values: { status: 'confirmed' | 'disputed'; decided_at: Date; decided_by: string },
): Promise<void> {
  await trx.updateTable('delivery_receipt').set(values).where('id', '=', id).execute();
}

export async function setReceiptLine(
  trx: Trx,
  receiptId: string,
  lineNo: number,
  values: { resource_id?: string; dispute?: string },
): Promise<void> {
  await trx
    .updateTable('delivery_receipt_line')
    .set(values)
    .where('receipt_id', '=', receiptId)
    .where('line_no', '=', lineNo)
    .execute();
}

export async function providerOfItem(trx: Trx, jurisdictionId: string, itemCode: string, day: string) {
  const { rows } = await sql<{ provider_id: string | null }>`
    with recursive chain as (
      select id, parent_id, 0 as depth from jurisdiction where id = ${jurisdictionId}
      union all
      select j.id, j.parent_id, c.depth + 1 from jurisdiction j join chain c on j.id = c.parent_id
    ),
    version as (
      select v.id from catalogue_version v join chain c on c.id = v.jurisdiction_id
      where v.status = 'approved' and v.effective_from <= ${day}::date
      order by c.depth, v.effective_from desc, v.version_no desc
      limit 1
    )
    select i.provider_id from catalogue_item i where i.version_id = (select id from version) and i.code = ${itemCode}`.execute(
    trx,
  );
  return rows[0]?.provider_id ?? null;
}

export async function resourcesByIds(trx: Trx, ids: string[]) {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('resource')
    .selectAll()
    .where(sql<boolean>`id = any(${sqlArray(ids)}::uuid[])`)
    .execute();
}

export async function organisationName(trx: Trx, id: string): Promise<string | null> {
  const row = await trx.selectFrom('organisation').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}

/** An organisation's code (a driver's `serves.providers` names providers by it). */
export async function organisationCode(trx: Trx, id: string): Promise<string> {
  const row = await trx.selectFrom('organisation').select('code').where('id', '=', id).executeTakeFirstOrThrow();
  return row.code;
}

/** The order's workflow snapshot taken at submission: its steps in order, with their deadlines. */
export async function orderWorkflow(
  trx: Trx,
  orderId: string,
): Promise<{ key: string; deadline?: { value: number | null; unit: string | null } }[]> {
  const row = await trx.selectFrom('resource_order').select('workflow').where('id', '=', orderId).executeTakeFirst();
  const workflow = row?.workflow as unknown;
  return Array.isArray(workflow) ? workflow : [];
}

/** The information system's name (copied onto the work order: all a provider sees of it). */
export async function systemName(trx: Trx, id: string | null): Promise<string | null> {
  if (!id) return null;
  const row = await trx.selectFrom('information_system').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}

export async function jurisdictionCode(trx: Trx, id: string): Promise<string> {
  const row = await trx.selectFrom('jurisdiction').select('code').where('id', '=', id).executeTakeFirstOrThrow();
  return row.code;
}

// ------------------------------------------------------------------------------------------ reconciliation

export async function providerResources(trx: Trx, providerId: string) {
  return trx
    .selectFrom('resource')
    .select(['id', 'organisation_id', 'jurisdiction_id', 'external_id', 'name', 'state', 'specification', 'zone'])
    .where('provider_id', '=', providerId)
    .where('state', 'in', ['active', 'suspended', 'reclaiming'])
    .execute();
}

export async function insertSnapshot(
  trx: Trx,
  values: {
    provider_id: string;
    jurisdiction_id: string;
    mode: 'full' | 'changes';
    items: number;
    content_sm3: string;
    findings_raised: number;
    received_at: Date;
    received_by: string;
  },
): Promise<string> {
  const row = await trx.insertInto('inventory_snapshot').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function setSnapshotFindings(trx: Trx, id: string, n: number): Promise<void> {
  await trx.updateTable('inventory_snapshot').set({ findings_raised: n }).where('id', '=', id).execute();
}

/** Inserts a finding unless the same one (kind, identifier, fingerprint) is open (migration 0017); its id when new. */
export async function insertFinding(
  trx: Trx,
  values: {
    jurisdiction_id: string;
    provider_id: string;
    organisation_id: string | null;
    resource_id: string | null;
    external_id: string;
    kind: FindingKind;
    detail: Record<string, unknown>;
    fingerprint: string;
    snapshot_id: string;
    raised_at: Date;
    due_at: Date;
  },
): Promise<string | null> {
  const row = await trx
    .insertInto('inventory_finding')
    .values({ ...values, detail: JSON.stringify(values.detail) })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

const findingsVisible = (v: Visibility) => (eb: any) =>
  v.kind === 'organisation'
    ? eb('f.provider_id', 'in', v.organisations)
    : eb('f.jurisdiction_id', 'in', v.jurisdictions);

export async function listFindings(
  trx: Trx,
  v: Visibility,
  f: { status?: 'open' | 'resolved'; kind?: FindingKind; limit: number; offset: number },
) {
  let q = trx.selectFrom('inventory_finding as f').where(findingsVisible(v));
  if (f.status) q = q.where('f.status', '=', f.status);
  if (f.kind) q = q.where('f.kind', '=', f.kind);
  const rows = await q
    .selectAll('f')
    .orderBy('f.raised_at', 'desc')
    .orderBy('f.id')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  const total = await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(total.n) };
}

export async function findFinding(trx: Trx, v: Visibility, id: string) {
  return trx
    .selectFrom('inventory_finding as f')
    .selectAll('f')
    .where('f.id', '=', id)
    .where(findingsVisible(v))
    .forUpdate()
    .executeTakeFirst();
}

export async function resolveFinding(
  trx: Trx,
  id: string,
  values: { resolved_at: Date; resolved_by: string; resolution: string },
): Promise<void> {
  await trx
    .updateTable('inventory_finding')
    .set({ ...values, status: 'resolved' })
    .where('id', '=', id)
    .execute();
}

// ------------------------------------------------------------------------------------------ deadlines

/**
 * Disputed work orders whose provider let the answer deadline pass, not yet marked (the sweeper's work),
 * locked: a corrected receipt committed meanwhile takes the row out of the set.
 */
export async function disputesNewlyOverdue(trx: Trx, now: Date, limit: number) {
  return trx
    .selectFrom('work_order')
    .select(['id', 'organisation_id', 'jurisdiction_id', 'provider_id', 'order_id', 'dispute_due_at', 'details'])
    .where('status', '=', 'disputed')
    .where('dispute_due_at', '<', now)
    .where('dispute_overdue_since', 'is', null)
    .orderBy('dispute_due_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .execute();
}

/**
 * Work orders of a platform-opened reclaim whose backup deadline passed before `now` with neither the unit's
 * confirmation nor the ops unit's waiver, not yet marked (the backup sweep's work), locked like the disputes.
 */
export async function backupsNewlyOverdue(trx: Trx, now: Date, limit: number) {
  return trx
    .selectFrom('work_order')
    .select([
      'id',
      'organisation_id',
      'jurisdiction_id',
      'provider_id',
      'order_id',
      'backup_due_at',
      'backup_due_day',
      'details',
    ])
    .where('status', '=', 'open')
    .where('backup_due_at', '<', now)
    .where('backup_overdue_since', 'is', null)
    .where('backup_confirmed_at', 'is', null)
    .where('backup_waived_at', 'is', null)
    .orderBy('backup_due_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .execute();
}

export async function markBackupOverdue(trx: Trx, id: string, now: Date): Promise<void> {
  await trx.updateTable('work_order').set({ backup_overdue_since: now }).where('id', '=', id).execute();
}

export async function markDisputeOverdue(trx: Trx, id: string, now: Date): Promise<void> {
  await trx.updateTable('work_order').set({ dispute_overdue_since: now }).where('id', '=', id).execute();
}

/** Open findings past their deadline, not yet marked (the sweeper's work), locked like the disputes. */
export async function findingsNewlyOverdue(trx: Trx, now: Date, limit: number) {
  return trx
    .selectFrom('inventory_finding')
    .select(['id', 'jurisdiction_id', 'provider_id', 'kind', 'external_id', 'due_at'])
    .where('status', '=', 'open')
    .where('due_at', '<', now)
    .where('overdue_since', 'is', null)
    .orderBy('due_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .execute();
}

export async function markFindingOverdue(trx: Trx, id: string, now: Date): Promise<void> {
  await trx.updateTable('inventory_finding').set({ overdue_since: now }).where('id', '=', id).execute();
}

/** Enabled users holding `role` in an organisation of the jurisdiction (the supervisors an escalation names). */
export async function roleHolders(trx: Trx, jurisdictionId: string, role: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('role_assignment as ra')
    .innerJoin('user_account as u', 'u.id', 'ra.user_id')
    .innerJoin('organisation as o', 'o.id', 'ra.organisation_id')
    .select('u.id')
    .distinct()
    .where('ra.role', '=', role as never)
    .where('o.jurisdiction_id', '=', jurisdictionId)
    .where('u.disabled_at', 'is', null)
    .orderBy('u.id')
    .execute();
  return rows.map((r) => r.id);
}

/** Disputes marked overdue and still unanswered in the jurisdictions (row-level security: the caller's). */
export async function overdueDisputes(trx: Trx, jurisdictionIds: readonly string[]) {
  if (!jurisdictionIds.length) return [];
  return trx
    .selectFrom('work_order as w')
    .innerJoin('organisation as p', 'p.id', 'w.provider_id')
    .innerJoin('organisation as u', 'u.id', 'w.organisation_id')
    .select([
      'w.id',
      'w.order_id',
      'w.organisation_id',
      'w.provider_id',
      'w.details',
      'w.dispute_due_at',
      'w.dispute_overdue_since',
      'p.code as provider_code',
      'p.name as provider_name',
      'u.code as organisation_code',
      'u.name as organisation_name',
    ])
    .where('w.status', '=', 'disputed')
    .where('w.dispute_overdue_since', 'is not', null)
    .where('w.jurisdiction_id', 'in', jurisdictionIds)
    .orderBy('w.dispute_due_at')
    .orderBy('w.id')
    .execute();
}

/** Findings marked overdue and still open in the jurisdictions (row-level security: the caller's). */
export async function overdueFindings(trx: Trx, jurisdictionIds: readonly string[]) {
  if (!jurisdictionIds.length) return [];
  return trx
    .selectFrom('inventory_finding as f')
    .innerJoin('organisation as p', 'p.id', 'f.provider_id')
    .select([
      'f.id',
      'f.provider_id',
      'f.kind',
      'f.external_id',
      'f.due_at',
      'f.overdue_since',
      'p.code as provider_code',
      'p.name as provider_name',
    ])
    .where('f.status', '=', 'open')
    .where('f.overdue_since', 'is not', null)
    .where('f.jurisdiction_id', 'in', jurisdictionIds)
    .orderBy('f.due_at')
    .orderBy('f.id')
    .execute();
}

/** The reclaim the platform opened for an order's test environment after its formal opening, if any. */
export async function testReleaseOrderOf(trx: Trx, orderId: string) {
  return trx
    .selectFrom('resource_order')
    .select(['id', 'number'])
    .where('parent_order_id', '=', orderId)
    .where('source', '=', 'test_release')
    .executeTakeFirst();
}

/** The test and trial environments an order opened that still run (not reclaiming, not reclaimed). */
export async function testEnvironmentsOfOrder(trx: Trx, orderId: string) {
  return trx
    .selectFrom('resource')
    .select(['id', 'name', 'organisation_id', 'jurisdiction_id', 'project_id'])
    .where('order_id', '=', orderId)
    .where('purpose', 'in', ['test', 'trial'])
    .where('state', 'in', ['provisioning', 'active', 'suspended'])
    .orderBy('id')
    .execute();
}

// ------------------------------------------------------------------------------------------ expiry

/**
 * The time-limited purposes the expiry sweep follows: the order-term ones (SH 22-24), whose expiry is their
 * order's (`adoptOrderExpiry`), and `trial`, whose expiry comes from the pack's trial period at delivery.
 */
export const ORDER_TERM_PURPOSES = ['development', 'emergency', 'temporary'] as const;
export const TIME_LIMITED_PURPOSES = [...ORDER_TERM_PURPOSES, 'trial'] as const;

export async function timeLimitedResources(trx: Trx, upTo: string) {
  return trx
    .selectFrom('resource')
    .select(['id', 'organisation_id', 'jurisdiction_id', 'provider_id', 'name', 'purpose', 'expires_on', 'order_id'])
    .where('purpose', 'in', TIME_LIMITED_PURPOSES)
    .where('state', 'in', ['active', 'suspended'])
    .where('expires_on', 'is not', null)
    .where('expires_on', '<=', upTo)
    .orderBy('expires_on')
    .orderBy('id')
    .execute();
}

export async function noticesOf(trx: Trx, resourceId: string, expiresOn: string) {
  return trx
    .selectFrom('expiry_notice')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('expires_on', '=', expiresOn)
    .execute();
}

export async function insertNotice(
  trx: Trx,
  values: {
    resource_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    expires_on: string;
    kind: 'notice' | 'reclaim' | 'extended';
    lead_working_days: number;
    sent_on: string;
    sent_at: Date;
    order_id: string | null;
  },
): Promise<boolean> {
  const row = await trx
    .insertInto('expiry_notice')
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returning('resource_id')
    .executeTakeFirst();
  return !!row;
}

/**
 * An approved (completed) extension order of the resource: one extending the order that created it (the
 * orders module then moves that order's expires_on) or naming the resource. Its new expiry: the extension's
 * own expires_on, else the extended order's.
 */
export async function approvedExtension(
  trx: Trx,
  resource: { id: string; order_id: string | null },
): Promise<{ orderId: string; expiresOn: string | null } | null> {
  const { rows } = await sql<{ id: string; expires_on: string | null }>`
    select o.id, coalesce(o.expires_on, p.expires_on)::text as expires_on
    from resource_order o left join resource_order p on p.id = o.parent_order_id
    where o.type = 'extension' and o.status = 'completed'
      and ((${resource.order_id}::uuid is not null and o.parent_order_id = ${resource.order_id}::uuid)
        or o.target_resource_ids @> ${JSON.stringify([resource.id])}::jsonb
        or exists (select 1 from order_line l where l.order_id = o.id and l.target_resource_id = ${resource.id}))
    order by 2 desc nulls last
    limit 1`.execute(trx);
  const row = rows[0];
  return row ? { orderId: row.id, expiresOn: row.expires_on } : null;
}

/**
 * Resources of an order-term purpose take their order's expiry once the order has one (it completed). A
 * trial's expiry is its own (the pack's trial period from delivery), never the order's.
 */
export async function adoptOrderExpiry(trx: Trx, orderId: string, now: Date): Promise<void> {
  await sql`
    update resource r set expires_on = o.expires_on, updated_at = ${now}
    from resource_order o
    where o.id = ${orderId} and r.order_id = o.id and o.expires_on is not null
      and r.expires_on is distinct from o.expires_on
      and r.purpose = any (${[...ORDER_TERM_PURPOSES]}::text[]) and r.state <> 'reclaimed'`.execute(trx);
}

// ------------------------------------------------------------------------------------------ evaluation (issue 17)

export interface ProviderResponseFacts {
  providerId: string;
  /** work orders with a deadline that were due or completed in the window */
  counted: number;
  onTime: number;
  late: number;
}

/**
 * The providers' response on work orders (TZ 20(1), SH 33) in [from, to): a work order with a deadline counts
 * when it was completed in the window (on time: completed by its due time) or is still open past its due time at
 * `to` (late). Only the provider's own deadline: the unit's steps are not the provider's time.
 */
export async function providerResponse(
  trx: Trx,
  jurisdictionId: string,
  from: Date,
  to: Date,
): Promise<ProviderResponseFacts[]> {
  const { rows } = await sql<{ provider_id: string; counted: number; on_time: number }>`
    select provider_id, count(*)::int as counted,
      count(*) filter (where completed_at is not null and completed_at <= due_at)::int as on_time
    from work_order
    where jurisdiction_id = ${jurisdictionId} and due_at is not null
      and ((completed_at >= ${from} and completed_at < ${to})
        or (completed_at is null and due_at < ${to} and due_at >= ${from}))
    group by provider_id`.execute(trx);
  return rows.map((r) => ({
    providerId: r.provider_id,
    counted: r.counted,
    onTime: r.on_time,
    late: r.counted - r.on_time,
  }));
}

/** Which provider served which using unit (a work order for the unit) up to `to`: who answers whose survey. */
export async function servedPairs(
  trx: Trx,
  jurisdictionId: string,
  to: Date,
): Promise<{ organisationId: string; providerId: string }[]> {
  const { rows } = await sql<{ organisation_id: string; provider_id: string }>`
    select distinct organisation_id, provider_id from work_order
    where jurisdiction_id = ${jurisdictionId} and created_at < ${to}
    order by organisation_id, provider_id`.execute(trx);
  return rows.map((r) => ({ organisationId: r.organisation_id, providerId: r.provider_id }));
}
