import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { type Amounts, addAmounts, amountsOf, fromMicro, recordOf, toMicro } from '../../platform/decimal.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { catalogueInForce } from '../catalogue/index.ts';
import { effectivePolicy, type OrderType } from '../policy/index.ts';
import { assertSystemMayUseCloud, dimensionsOfLine, getSystem } from '../projects/index.ts';
import { memoiseJurisdictions } from '../tenancy/index.ts';
import { isUnitRole } from './orders.engine.ts';
import * as repo from './orders.repository.ts';
import { TEST_PURPOSES } from './orders.repository.ts';
import { checkProjectAndSystem, checkSpecification, consumesQuota, preChecks, quotaChecks } from './orders.rules.ts';
import type { OrderRow, TemporaryBasis } from './orders.table.ts';
import { orderView, writtenView } from './orders.views.ts';
import { advance, event, hasDelivered, jurisdictionCodeOf, scopedOrder, stepsFor } from './orders.workflow.ts';
import { recordWrites, writtenIn } from './orders.written.ts';

// Placing an order: its lines built and checked against the catalogue item in force, the rules, the quota
// reserved and the first step opened on submission (SH 18-24).

export async function requestOf(trx: Trx, order: OrderRow): Promise<Amounts> {
  return addAmounts(
    ...(await repo.linesOf(trx, order.id)).map((l) => amountsOf(l.dimensions as unknown as Record<string, string>)),
  );
}

/**
 * What `createOrder` checked, in this transaction, of an order it created to submit at once: submission
 * then skips the rules that need no lock (they ran on the same rows a moment before) and starts at the lock.
 */
export interface Prechecked {
  code: string;
  policy: Awaited<ReturnType<typeof effectivePolicy>>;
}

/**
 * Submission: rules, the quota reserved under a row lock on the project, the workflow snapshot, the first
 * step opened. One transaction. Returns the audit entry, which the caller writes last (the audit chain's
 * lock is then held only up to the commit). `prechecked`: the order was created and checked without the lock
 * in this transaction (a new order, so it has no steps yet).
 */
export async function submit(trx: Trx, actor: Actor, order: OrderRow, now: Date, prechecked?: Prechecked) {
  const code = prechecked?.code ?? (await jurisdictionCodeOf(trx, order.jurisdiction_id));
  const policy = prechecked?.policy ?? (await effectivePolicy(trx, code));
  const written = writtenIn(trx);
  // A placement recording its writes has the lines as it inserted them a moment before.
  const lines = (prechecked && written?.lines) || (await repo.linesOf(trx, order.id));
  if (written) {
    written.lines = lines;
    written.reservations = [];
  }
  const request = addAmounts(...lines.map((l) => amountsOf(l.dimensions as unknown as Record<string, string>)));
  if (!prechecked) {
    await preChecks(trx, policy, code, order, now);
    await checkProjectAndSystem(
      trx,
      policy,
      order,
      request,
      lines.map((l) => ({ specification: l.specification as unknown as Record<string, unknown> })),
    );
    // On what is committed, without a lock: a refusal here is already certain (usage only grows under the
    // lock), so most refusals never queue for the project. Then the authoritative check under the lock.
    await quotaChecks(trx, policy, order, request, now, false);
  }
  const overrun = await quotaChecks(trx, policy, order, request, now, true);
  const steps = stepsFor(policy, order.type, overrun);
  if (!steps.length) throw new AppError('order_type_not_provided', `${order.type}: the pack names no steps`);
  const workflow = JSON.stringify(steps);
  await repo.updateOrder(trx, order.id, {
    status: 'submitted',
    submitted_at: now,
    updated_at: now,
    quota_overrun: overrun,
    workflow,
    pack_id: policy.id,
    pack_version: policy.version,
  });
  Object.assign(order, {
    status: 'submitted',
    submitted_at: now,
    quota_overrun: overrun,
    workflow: steps,
    pack_id: policy.id,
    pack_version: policy.version,
  });
  if (!prechecked) await repo.deletePendingSteps(trx, order.id);
  await repo.insertSteps(
    trx,
    steps.map((s, i) => ({
      order_id: order.id,
      organisation_id: order.organisation_id,
      jurisdiction_id: order.jurisdiction_id,
      seq: i + 1,
      key: s.key,
      name_zh: s.name.zh,
      name_en: s.name.en,
      role: s.role,
      acting_organisation_id: isUnitRole(s.role) ? order.organisation_id : null,
      fulfilment_action: s.fulfilment,
      status: 'pending',
      opened_at: null,
      due_at: null,
      due_day: null,
      deadline_value: s.deadline.value,
      deadline_unit: s.deadline.unit,
      deadline_article: s.deadline.article,
      deadline_note: s.deadline.note ?? null,
      unconfirmed_years: '[]',
      acted_by: null,
      acted_by_name: null,
      acted_at: null,
      decision: null,
      comment: null,
      met_deadline: null,
      overdue_since: null,
      escalated_at: null,
      delivered_at: null,
    })),
  );
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'submitted', {
      detail: { pack: `${policy.id}@${policy.version}`, quotaOverrun: overrun, request: recordOf(request) },
    }),
  );
  const reclaim = order.type === 'reclaim';
  if (order.project_id && (consumesQuota(order.type, request) || reclaim)) {
    const reservations = [...request].map(([dimension, amount]) => ({
      order_id: order.id,
      organisation_id: order.organisation_id,
      jurisdiction_id: order.jurisdiction_id,
      project_id: order.project_id as string,
      dimension,
      amount: fromMicro(reclaim ? -amount : amount),
      status: 'reserved' as const,
      updated_at: now,
    }));
    await repo.insertReservations(trx, reservations);
    if (written) written.reservations = reservations;
  }
  await advance(trx, actor, order, now, code);
  return {
    action: 'order.submitted',
    objectType: 'order',
    objectId: order.id,
    detail: {
      number: order.number,
      type: order.type,
      pack: policy.id,
      quotaOverrun: overrun,
      request: recordOf(request),
    },
  };
}

// ========================================================================================= placing

export interface LineInput {
  itemCode: string;
  specification?: Record<string, unknown>;
  quantity?: number;
  targetResourceId?: string;
}

export interface PlaceInput {
  type: OrderType;
  title: string;
  reason?: string;
  projectId?: string;
  systemId?: string;
  /** temporary orders (SH 24) */
  temporaryBasis?: TemporaryBasis;
  termMonths?: number;
  parentOrderId?: string;
  resourceIds?: string[];
  requestFormId?: string;
  lines?: LineInput[];
  /** false: keep it as a draft */
  submit?: boolean;
}

export interface NewOrder {
  organisationId: string;
  jurisdictionId: string;
  placedBy: string | null;
  placedByName: string | null;
  source: OrderRow['source'];
}

export async function createOrder(
  trx: Trx,
  actor: Actor,
  who: NewOrder,
  input: PlaceInput,
  now: Date,
  options: { precheck?: boolean } = {},
): Promise<OrderRow> {
  return (await createChecked(trx, actor, who, input, now, options)).order;
}

/** `createOrder`, answering also what its precheck established (with `precheck`), for `submit`. */
async function createChecked(
  trx: Trx,
  actor: Actor,
  who: NewOrder,
  input: PlaceInput,
  now: Date,
  options: { precheck?: boolean },
): Promise<{ order: OrderRow; prechecked?: Prechecked }> {
  const code = await jurisdictionCodeOf(trx, who.jurisdictionId);
  const year = Number(shanghaiDay(now).slice(0, 4));
  const lines = await buildLines(trx, code, who, input, now);
  // Read once: the precheck below checks the same system.
  const system = input.systemId ? await getSystem(trx, input.systemId) : undefined;
  if (input.systemId) {
    // Only non-classified systems at MLPS level 3 or below may use the cloud at all (SH 2, 7); submission
    // checks again, on every path.
    if (!system || system.organisationId !== who.organisationId) {
      throw invalid('body.systemId', 'no such information system of this unit / 信息系统不存在');
    }
    assertSystemMayUseCloud(system);
  }
  const values = {
    organisation_id: who.organisationId,
    jurisdiction_id: who.jurisdictionId,
    type: input.type,
    status: 'draft' as const,
    title: input.title,
    reason: input.reason ?? null,
    project_id: input.projectId ?? null,
    system_id: input.systemId ?? null,
    pack_id: null,
    pack_version: null,
    workflow: '[]',
    term_months: input.termMonths ?? null,
    expires_on: null,
    parent_order_id: input.parentOrderId ?? null,
    target_resource_ids: JSON.stringify(input.resourceIds ?? []),
    green_channel: input.type === 'green_channel',
    quota_overrun: false,
    temporary_basis: input.type === 'temporary' ? (input.temporaryBasis ?? null) : null,
    source: who.source,
    placed_by: who.placedBy,
    placed_by_name: who.placedByName,
    submitted_at: null,
    closed_at: null,
    created_at: now,
    updated_at: now,
  };
  let prechecked: Prechecked | undefined;
  if (options.precheck) {
    // An order about to be submitted: the rules that need no lock first, on what is committed, so a
    // certain refusal costs no writes (submit then checks the quota under the project's lock).
    const policy = await effectivePolicy(trx, code);
    const draft = { ...values, id: '', workflow: [], target_resource_ids: [] } as unknown as OrderRow;
    const request = addAmounts(...lines.map((l) => amountsOf(l.dimensions)));
    await preChecks(trx, policy, code, draft, now);
    const project = await checkProjectAndSystem(trx, policy, draft, request, lines, system);
    await quotaChecks(trx, policy, draft, request, now, false, project);
    prechecked = { code, policy };
  }
  const no = await repo.nextOrderNo(trx);
  const order = await repo.insertOrder(trx, {
    ...values,
    number: `${code.toUpperCase()}-${year}-${String(no).padStart(6, '0')}`,
  });
  await repo.insertLines(
    trx,
    lines.map((l, i) => ({
      order_id: order.id,
      organisation_id: order.organisation_id,
      jurisdiction_id: order.jurisdiction_id,
      line_no: i + 1,
      catalogue_item_code: l.itemCode,
      catalogue_version_id: l.catalogueVersionId,
      specification: JSON.stringify(l.specification),
      quantity: l.quantity,
      dimensions: JSON.stringify(l.dimensions),
      request_form_id: l.requestFormId,
      request_form_row_no: l.requestFormRowNo,
      target_resource_id: l.targetResourceId,
    })),
  );
  await repo.insertEvent(
    trx,
    event(order, actor, now, 'created', { detail: { type: order.type, lines: lines.length, source: who.source } }),
  );
  // The audit entry is written last by the caller: the audit chain's lock is then held only briefly.
  return { order, prechecked };
}

export interface BuiltLine {
  itemCode: string;
  catalogueVersionId: string | null;
  specification: Record<string, unknown>;
  quantity: number;
  dimensions: Record<string, string>;
  requestFormId: string | null;
  requestFormRowNo: number | null;
  targetResourceId: string | null;
}

/** One reclaim line per resource, holding what the resource holds now (after any scale-up). */
export async function resourceLines(
  trx: Trx,
  who: NewOrder,
  ids: readonly string[],
  field: string,
): Promise<BuiltLine[]> {
  const resources = await repo.resourcesByIds(trx, ids);
  return ids.map((id) => {
    const r = resources.find((x) => x.id === id);
    if (!r || r.organisation_id !== who.organisationId)
      throw invalid(field, `no resource ${id} of this unit / 资源不存在`);
    // A test or trial environment took no quota of its own (its order's reservation covers what is opened
    // formally): releasing it gives nothing back, or a unit could free quota by reclaiming its test resources.
    const q = (TEST_PURPOSES.includes(r.purpose) ? {} : r.quantities) as unknown as Record<string, number | string>;
    const dims: Record<string, string> = {};
    for (const [k, v] of Object.entries(q))
      dims[['vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps'].includes(k) ? k : `item:${r.catalogue_item_code}`] =
        fromMicro(toMicro(String(v)));
    return {
      itemCode: r.catalogue_item_code,
      catalogueVersionId: null,
      specification: r.specification as unknown as Record<string, unknown>,
      quantity: 1,
      dimensions: dims,
      requestFormId: null,
      requestFormRowNo: null,
      targetResourceId: r.id,
    };
  });
}

export async function buildLines(
  trx: Trx,
  code: string,
  who: NewOrder,
  input: PlaceInput,
  now: Date,
): Promise<BuiltLine[]> {
  const lines: BuiltLine[] = [];
  if (input.type === 'reclaim') {
    if (input.resourceIds?.length) return resourceLines(trx, who, input.resourceIds, 'body.resourceIds');
    if (input.parentOrderId) {
      const parent = await repo.findOrder(trx, input.parentOrderId);
      // A completed order, or a green-channel order rejected after it was placed (JQ 24): its resources are held.
      const reclaimable =
        parent?.status === 'completed' ||
        (parent?.status === 'rejected' && parent.green_channel && hasDelivered(await repo.stepsOf(trx, parent.id)));
      if (!parent || parent.organisation_id !== who.organisationId || !reclaimable) {
        throw invalid('body.parentOrderId', 'no completed order of this unit to reclaim / 无可回收的已办结订单');
      }
      // What the order delivered and still runs: the provider reclaims exactly those resources. An order whose
      // resources were all reclaimed already has nothing left to give back (its quota came back then).
      const delivered = await repo.resourcesOfOrder(trx, parent.id);
      const live = delivered.filter((r) => repo.LIVE_STATES.includes(r.state));
      if (live.length)
        return resourceLines(
          trx,
          who,
          live.map((r) => r.id),
          'body.parentOrderId',
        );
      if (delivered.length) {
        throw invalid(
          'body.parentOrderId',
          `the resources of ${parent.number} were reclaimed already / 该订单开通的资源均已回收`,
        );
      }
      // Nothing recorded in the inventory (fulfilled outside the platform): the order's lines give the quota back.
      for (const l of await repo.linesOf(trx, parent.id)) {
        lines.push({
          itemCode: l.catalogue_item_code,
          catalogueVersionId: l.catalogue_version_id,
          specification: l.specification as unknown as Record<string, unknown>,
          quantity: l.quantity,
          dimensions: l.dimensions as unknown as Record<string, string>,
          requestFormId: null,
          requestFormRowNo: null,
          targetResourceId: null,
        });
      }
      return lines;
    }
    throw invalid('body.resourceIds', 'a reclaim names the resources or the order to reclaim / 须指明回收的资源或订单');
  }
  if (input.type === 'extension') return lines;
  const catalogue = await catalogueInForce(trx, code, now);
  const given: LineInput[] = [...(input.lines ?? [])];
  if (input.requestFormId) {
    const rows = await repo.requestFormRows(trx, input.requestFormId);
    if (!rows.length) throw invalid('body.requestFormId', 'no such request form / 需求表不存在');
    for (const r of rows) {
      lines.push(
        line(
          catalogue,
          'cloud-vm',
          {
            vcpu: r.vcpu,
            memoryGb: r.memory_gb,
            systemDiskGb: r.system_disk_gb,
            dataDiskGb: r.data_disk_gb,
            os: r.os,
            serverType: r.server_type,
            networkZone: r.network_zone,
          },
          1,
          `body.requestFormId`,
          {
            requestFormId: input.requestFormId,
            requestFormRowNo: r.row_no,
          },
        ),
      );
    }
  }
  given.forEach((l, i) => {
    lines.push(
      line(catalogue, l.itemCode, l.specification ?? {}, l.quantity ?? 1, `body.lines.${i}.itemCode`, {
        targetResourceId: l.targetResourceId ?? null,
      }),
    );
  });
  if (!lines.length) throw invalid('body.lines', 'an order needs at least one line / 至少一行');
  return lines;
}

export function line(
  catalogue: Awaited<ReturnType<typeof catalogueInForce>>,
  itemCode: string,
  specification: Record<string, unknown>,
  quantity: number,
  field: string,
  extra: { requestFormId?: string; requestFormRowNo?: number; targetResourceId?: string | null },
): BuiltLine {
  const item = catalogue.items.find((i) => i.code === itemCode);
  if (!item)
    throw invalid(
      field,
      `"${itemCode}" is not in the catalogue in force (version ${catalogue.version.versionNo}) / 服务目录中无此项`,
    );
  checkSpecification(
    item,
    specification,
    field.endsWith('itemCode') ? field.replace(/itemCode$/, 'specification') : field,
    catalogue.version.versionNo,
  );
  return {
    itemCode,
    catalogueVersionId: catalogue.version.id,
    specification,
    quantity,
    dimensions: dimensionsOfLine(itemCode, specification, quantity),
    requestFormId: extra.requestFormId ?? null,
    requestFormRowNo: extra.requestFormRowNo ?? null,
    targetResourceId: extra.targetResourceId ?? null,
  };
}

/** Places an order of the caller's unit: a draft, or (by default) submitted at once. */
export async function placeOrder(trx: Trx, auth: AuthContext, actor: Actor, input: PlaceInput, now: Date) {
  if (auth.organisationType !== 'using_unit')
    throw new AppError('forbidden', 'orders are placed by using units / 仅使用单位可提交申请');
  const submitting = input.submit !== false;
  // Submitted at once: the answer is built from the rows this transaction writes, not read back.
  const recorder = submitting ? recordWrites(trx) : undefined;
  // Catalogue, policy and calendar each ask for the jurisdiction by code: one read.
  const forget = memoiseJurisdictions(trx);
  let order: OrderRow;
  let entry: Awaited<ReturnType<typeof submit>> | undefined;
  try {
    const created = await createChecked(
      trx,
      actor,
      {
        organisationId: auth.organisationId,
        jurisdictionId: auth.jurisdictionId,
        placedBy: auth.id,
        placedByName: auth.name,
        source: 'unit',
      },
      input,
      now,
      { precheck: submitting },
    );
    order = created.order;
    if (submitting) entry = await submit(trx, actor, order, now, created.prechecked);
  } finally {
    recorder?.stop();
    forget();
  }
  const view =
    (recorder && writtenView(order, recorder.written, now)) ??
    (await orderView(trx, (await repo.findOrder(trx, order.id)) as OrderRow, now));
  await writeAudit(
    trx,
    actor,
    entry ?? {
      action: 'order.created',
      objectType: 'order',
      objectId: order.id,
      detail: { number: order.number, type: order.type },
    },
  );
  return view;
}

export async function submitDraft(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const order = await scopedOrder(trx, id, true);
  if (order.placed_by !== auth.id && !auth.roles.includes('unit_admin'))
    throw new AppError('not_your_step', 'only the applicant submits the draft');
  if (order.status !== 'draft')
    throw new AppError('order_transition_refused', `the order is ${order.status}, not a draft / 订单不是草稿`);
  const entry = await submit(trx, actor, order, now);
  const view = await orderView(trx, await scopedOrder(trx, id, false), now);
  await writeAudit(trx, actor, entry);
  return view;
}
