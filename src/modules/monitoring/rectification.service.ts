import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { notify } from '../notifications/index.ts';
import { openSystemOrder, resumeAllocations, stopAllocations, withdrawSystemOrder } from '../orders/index.ts';
import { readSetting } from './monitoring.ingest.ts';
import type { RectificationRow, RectificationStatus, ResponseAction } from './monitoring.table.ts';

// The warning -> rectification -> reclaim flow of SH 25: ops proposes a warning for a finding, the
// authority approves it (the warning and its working-day deadline start then), the unit answers, ops
// accepts or rejects the answer; a warning still unanswered (or rejected) at its deadline stops the unit's
// new allocations and opens a reclaim order, which the authority can reverse.

export interface Rectification {
  id: string;
  findingId: string;
  resourceId: string;
  organisationId: string;
  jurisdictionId: string;
  status: RectificationStatus;
  reason: string;
  workingDays: number;
  proposedBy: string;
  proposedAt: string;
  approvedBy: string | null;
  warnedAt: string | null;
  dueAt: string | null;
  dueDay: string | null;
  response: { action: ResponseAction; comment: string | null; by: string | null; at: string | null } | null;
  review: { comment: string | null; by: string | null; at: string | null } | null;
  escalatedAt: string | null;
  reclaimOrderId: string | null;
  reversal: { by: string | null; at: string | null; comment: string | null } | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toRectification(r: RectificationRow): Rectification {
  return {
    id: r.id,
    findingId: r.finding_id,
    resourceId: r.resource_id,
    organisationId: r.organisation_id,
    jurisdictionId: r.jurisdiction_id,
    status: r.status,
    reason: r.reason,
    workingDays: r.working_days,
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at.toISOString(),
    approvedBy: r.approved_by,
    warnedAt: iso(r.warned_at),
    dueAt: iso(r.due_at),
    dueDay: r.due_day,
    response: r.response_action
      ? { action: r.response_action, comment: r.response_comment, by: r.responded_by, at: iso(r.responded_at) }
      : null,
    review: r.reviewed_at ? { comment: r.review_comment, by: r.reviewed_by, at: iso(r.reviewed_at) } : null,
    escalatedAt: iso(r.escalated_at),
    reclaimOrderId: r.reclaim_order_id,
    reversal: r.reversed_at ? { by: r.reversed_by, at: iso(r.reversed_at), comment: r.reversal_comment } : null,
  };
}

async function load(trx: Trx, id: string): Promise<RectificationRow> {
  const row = await trx.selectFrom('rectification').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound(`rectification ${id} does not exist / 整改单不存在`);
  return row;
}

function inState(row: RectificationRow, states: RectificationStatus[], doing: string): void {
  if (!states.includes(row.status)) {
    throw new AppError(
      'conflict',
      `cannot ${doing}: the rectification is ${row.status} (needs ${states.join(' or ')}) / 整改单当前状态不允许此操作`,
    );
  }
}

const who = (auth: AuthContext) => auth.name;

export async function getRectification(trx: Trx, id: string): Promise<Rectification> {
  const row = await trx.selectFrom('rectification').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`rectification ${id} does not exist / 整改单不存在`);
  return toRectification(row);
}

export async function listRectifications(
  trx: Trx,
  q: { status?: RectificationStatus; findingId?: string; limit: number; offset: number },
): Promise<{ items: Rectification[]; total: number }> {
  let query = trx.selectFrom('rectification');
  if (q.status) query = query.where('status', '=', q.status);
  if (q.findingId) query = query.where('finding_id', '=', q.findingId);
  const total = await query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll()
    .orderBy('proposed_at', 'desc')
    .orderBy('id')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return { items: rows.map(toRectification), total: Number(total.n) };
}

/** Ops proposes a warning for a live finding; the authority must approve it before the unit is warned. */
export async function propose(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  findingId: string,
  input: { reason: string; workingDays?: number },
  now: Date,
): Promise<Rectification> {
  const finding = await trx
    .selectFrom('monitoring_finding')
    .selectAll()
    .where('id', '=', findingId)
    .forUpdate()
    .executeTakeFirst();
  if (!finding) throw notFound(`finding ${findingId} does not exist / 监测发现不存在`);
  if (finding.status !== 'open') {
    throw new AppError(
      'conflict',
      `the finding is ${finding.status}; only an open finding can be warned / 仅未处理的发现可发起警告`,
    );
  }
  const setting = await readSetting(trx, finding.jurisdiction_id);
  const row = await trx
    .insertInto('rectification')
    .values({
      finding_id: finding.id,
      resource_id: finding.resource_id,
      organisation_id: finding.organisation_id,
      jurisdiction_id: finding.jurisdiction_id,
      status: 'proposed',
      reason: input.reason,
      working_days: input.workingDays ?? setting.rectificationWorkingDays,
      proposed_by: who(auth),
      proposed_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('monitoring_finding')
    .set({ status: 'in_rectification', updated_at: now })
    .where('id', '=', finding.id)
    .execute();
  await writeAudit(trx, actor, {
    action: 'rectification.proposed',
    objectType: 'rectification',
    objectId: row.id,
    detail: { findingId, rule: finding.rule, resourceId: finding.resource_id, workingDays: row.working_days },
  });
  await notify(trx, {
    jurisdictionId: finding.jurisdiction_id,
    to: { role: 'authority_approver' },
    kind: 'rectification.proposed',
    title: { zh: '待审核：资源使用整改警告', en: 'To review: a rectification warning' },
    body: { zh: input.reason, en: input.reason },
    link: `/monitoring/rectifications/${row.id}`,
    entity: { type: 'rectification', id: row.id },
    occurredAt: now,
  });
  return toRectification(row);
}

/** The authority approves (the warning goes out, the deadline starts) or refuses (the finding reopens). */
export async function decide(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { decision: 'approve' | 'refuse'; comment?: string },
  now: Date,
): Promise<Rectification> {
  const row = await load(trx, id);
  inState(row, ['proposed'], input.decision);
  if (input.decision === 'refuse') {
    const updated = await trx
      .updateTable('rectification')
      .set({
        status: 'withdrawn',
        review_comment: input.comment ?? null,
        reviewed_by: who(auth),
        reviewed_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('monitoring_finding')
      .set({ status: 'open', updated_at: now })
      .where('id', '=', row.finding_id)
      .execute();
    await writeAudit(trx, actor, {
      action: 'rectification.refused',
      objectType: 'rectification',
      objectId: id,
      detail: { comment: input.comment ?? null },
    });
    return toRectification(updated);
  }
  const j = await trx
    .selectFrom('jurisdiction')
    .select('code')
    .where('id', '=', row.jurisdiction_id)
    .executeTakeFirstOrThrow();
  const due = await addWorkingDays(trx as unknown as Db, j.code, now, row.working_days);
  const updated = await trx
    .updateTable('rectification')
    .set({
      status: 'warned',
      approved_by: who(auth),
      warned_at: now,
      due_at: new Date(due.due),
      due_day: due.dueDay,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'rectification.warned',
    objectType: 'rectification',
    objectId: id,
    detail: {
      dueDay: due.dueDay,
      workingDays: row.working_days,
      provisional: due.provisional,
      comment: input.comment ?? null,
    },
  });
  await notify(trx, {
    jurisdictionId: row.jurisdiction_id,
    to: { organisationId: row.organisation_id },
    kind: 'rectification.warned',
    title: { zh: `资源使用警告：请于 ${due.dueDay} 前整改`, en: `Usage warning: rectify by ${due.dueDay}` },
    body: { zh: row.reason, en: row.reason },
    link: `/monitoring/rectifications/${id}`,
    entity: { type: 'rectification', id },
    occurredAt: now,
  });
  return toRectification(updated);
}

/** The unit answers a warning before its deadline: justify the use, downsize, or release the resource. */
export async function respond(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { action: ResponseAction; comment?: string },
  now: Date,
): Promise<Rectification> {
  const row = await load(trx, id);
  inState(row, ['warned'], 'respond');
  if (row.due_at && now > row.due_at) {
    throw new AppError('conflict', `the deadline ${row.due_day} has passed / 整改期限已过`);
  }
  const updated = await trx
    .updateTable('rectification')
    .set({
      status: 'responded',
      response_action: input.action,
      response_comment: input.comment ?? null,
      responded_by: who(auth),
      responded_at: now,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'rectification.responded',
    objectType: 'rectification',
    objectId: id,
    detail: { action: input.action, comment: input.comment ?? null },
  });
  await notify(trx, {
    jurisdictionId: row.jurisdiction_id,
    to: { role: 'ops_reviewer' },
    kind: 'rectification.responded',
    title: { zh: '使用单位已答复整改警告', en: 'A unit answered a rectification warning' },
    link: `/monitoring/rectifications/${id}`,
    entity: { type: 'rectification', id },
    occurredAt: now,
  });
  return toRectification(updated);
}

/** Ops accepts the answer (resolved) or rejects it (the warning stands, with its deadline). */
export async function review(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { decision: 'accept' | 'reject'; comment?: string },
  now: Date,
): Promise<Rectification> {
  const row = await load(trx, id);
  inState(row, ['responded'], input.decision);
  const updated = await trx
    .updateTable('rectification')
    .set({
      status: input.decision === 'accept' ? 'accepted' : 'warned',
      review_comment: input.comment ?? null,
      reviewed_by: who(auth),
      reviewed_at: now,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (input.decision === 'accept') {
    await trx
      .updateTable('monitoring_finding')
      .set({ status: 'resolved', updated_at: now })
      .where('id', '=', row.finding_id)
      .execute();
  }
  await writeAudit(trx, actor, {
    action: input.decision === 'accept' ? 'rectification.accepted' : 'rectification.rejected',
    objectType: 'rectification',
    objectId: id,
    detail: { comment: input.comment ?? null, response: row.response_action },
  });
  await notify(trx, {
    jurisdictionId: row.jurisdiction_id,
    to: { organisationId: row.organisation_id },
    kind: `rectification.${input.decision === 'accept' ? 'accepted' : 'rejected'}`,
    title:
      input.decision === 'accept'
        ? { zh: '整改答复已通过', en: 'Your rectification answer was accepted' }
        : {
            zh: `整改答复未通过，请于 ${row.due_day} 前重新整改`,
            en: `Your answer was rejected; rectify by ${row.due_day}`,
          },
    body: input.comment ? { zh: input.comment, en: input.comment } : undefined,
    link: `/monitoring/rectifications/${id}`,
    entity: { type: 'rectification', id },
    occurredAt: now,
  });
  return toRectification(updated);
}

/**
 * A warning still standing at its deadline (status warned: never answered, or the answer was rejected):
 * the unit's new allocations stop and a reclaim order for the resource is opened. One transaction each.
 */
export async function escalateDue(db: Db, actor: Actor, now: Date): Promise<{ escalated: string[] }> {
  const due = await db
    .selectFrom('rectification')
    .select('id')
    .where('status', '=', 'warned')
    .where('due_at', '<', now)
    .orderBy('due_at')
    .execute();
  const escalated: string[] = [];
  for (const { id } of due) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await load(trx, id);
      if (row.status !== 'warned' || !row.due_at || row.due_at >= now) return false;
      const reason = `SH 25: rectification warning ${id} not resolved by ${row.due_day} / 逾期未整改`;
      await stopAllocations(trx, actor, {
        organisationId: row.organisation_id,
        reason,
        reference: `rectification:${id}`,
        now,
      });
      const order = await openSystemOrder(trx, actor, {
        type: 'reclaim',
        organisationId: row.organisation_id,
        jurisdictionId: row.jurisdiction_id,
        resourceIds: [row.resource_id],
        reason,
        source: 'monitoring',
        now,
      });
      const orderId = order.id;
      await trx
        .updateTable('rectification')
        .set({ status: 'escalated', escalated_at: now, reclaim_order_id: orderId, updated_at: now })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('monitoring_finding')
        .set({ status: 'escalated', updated_at: now })
        .where('id', '=', row.finding_id)
        .execute();
      await writeAudit(trx, actor, {
        action: 'rectification.escalated',
        objectType: 'rectification',
        objectId: id,
        detail: {
          organisationId: row.organisation_id,
          resourceId: row.resource_id,
          reclaimOrderId: orderId,
          dueDay: row.due_day,
        },
      });
      await notify(trx, {
        jurisdictionId: row.jurisdiction_id,
        to: { organisationId: row.organisation_id },
        kind: 'rectification.escalated',
        title: {
          zh: '逾期未整改：已暂停新增资源分配并发起回收',
          en: 'Not rectified in time: allocations stopped, reclaim opened',
        },
        link: `/monitoring/rectifications/${id}`,
        entity: { type: 'rectification', id },
        occurredAt: now,
      });
      return true;
    });
    if (done) escalated.push(id);
  }
  return { escalated };
}

/**
 * The authority reverses an escalation: the unit's allocations resume (unless another escalation of the
 * same unit still stands) and the finding is closed. The reclaim order is withdrawn in the orders module.
 */
export async function reverse(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { comment: string },
  now: Date,
): Promise<Rectification> {
  const row = await load(trx, id);
  inState(row, ['escalated'], 'reverse');
  const updated = await trx
    .updateTable('rectification')
    .set({
      status: 'reversed',
      reversed_by: who(auth),
      reversed_at: now,
      reversal_comment: input.comment,
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('monitoring_finding')
    .set({ status: 'resolved', updated_at: now })
    .where('id', '=', row.finding_id)
    .execute();
  const others = await trx
    .selectFrom('rectification')
    .select('id')
    .where('organisation_id', '=', row.organisation_id)
    .where('status', '=', 'escalated')
    .execute();
  if (others.length === 0) {
    await resumeAllocations(trx, actor, {
      organisationId: row.organisation_id,
      reason: `rectification ${id} reversed: ${input.comment}`,
      reference: `rectification:${id}`,
      now,
    });
  }
  // Both consequences of the escalation are reversible (SH 25): the reclaim order is withdrawn unless the
  // provider already reclaimed.
  const reclaimOrderWithdrawn = row.reclaim_order_id
    ? await withdrawSystemOrder(trx, actor, {
        orderId: row.reclaim_order_id,
        reason: `整改处置已撤销 / escalation reversed: ${input.comment}`,
        now,
      })
    : false;
  await writeAudit(trx, actor, {
    action: 'rectification.reversed',
    objectType: 'rectification',
    objectId: id,
    detail: {
      comment: input.comment,
      allocationsResumed: others.length === 0,
      reclaimOrderId: row.reclaim_order_id,
      reclaimOrderWithdrawn,
    },
  });
  await notify(trx, {
    jurisdictionId: row.jurisdiction_id,
    to: { organisationId: row.organisation_id },
    kind: 'rectification.reversed',
    title: { zh: '主管部门已撤销整改处置', en: 'The authority reversed the escalation' },
    body: { zh: input.comment, en: input.comment },
    link: `/monitoring/rectifications/${id}`,
    entity: { type: 'rectification', id },
    occurredAt: now,
  });
  return toRectification(updated);
}
