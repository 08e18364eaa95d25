import { sql, type Updateable } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext, Visibility } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { displayNamesByUsername } from '../identity/index.ts';
import { type Notice, notify } from '../notifications/index.ts';
import { openSystemOrder, resumeAllocations, stopAllocations, withdrawSystemOrder } from '../orders/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import type {
  FindingStatus,
  RectificationRow,
  RectificationStatus,
  RectificationTable,
  ResponseAction,
  Rule,
} from './monitoring.table.ts';

// The warning -> rectification -> reclaim flow of SH 25: ops proposes a warning for a finding, the
// authority approves it (the warning and its working-day deadline start then), the unit answers, ops
// accepts or rejects the answer; a warning still unanswered (or rejected) at its deadline is proposed to the
// authority, and only its consent stops the unit's new allocations and opens a reclaim order (SH 25
// "经政务云主管部门同意"), which the authority can reverse.

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
  /** SH 25: the authority's consent to stop allocations and reclaim, asked at the missed deadline */
  consent: {
    requestedAt: string;
    dueAt: string | null;
    dueDay: string | null;
    overdue: boolean;
    decision: 'consent' | 'decline' | null;
    by: string | null;
    at: string | null;
    comment: string | null;
  } | null;
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
    consent: r.consent_requested_at
      ? {
          requestedAt: r.consent_requested_at.toISOString(),
          dueAt: iso(r.consent_due_at),
          dueDay: r.consent_due_day,
          overdue: r.consent_overdue_at !== null,
          decision: r.consent_at ? (r.status === 'declined' ? 'decline' : 'consent') : null,
          by: r.consent_by,
          at: iso(r.consent_at),
          comment: r.consent_comment,
        }
      : null,
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

/** What one step of the flow changes: the rectification's columns, its finding's status, the audit entry, the notice. */
interface Change {
  set: Omit<Updateable<RectificationTable>, 'id' | 'updated_at'>;
  finding?: FindingStatus;
  audit: { action: string; detail: Record<string, unknown> };
  /** sent as kind `audit.action`, linking to the rectification */
  notice?: Pick<Notice, 'to' | 'title' | 'body'>;
}

/** Writes a step's change to a locked rectification, in the caller's transaction. */
async function apply(
  trx: Trx,
  actor: Actor,
  row: RectificationRow,
  now: Date,
  change: Change,
): Promise<RectificationRow> {
  const updated = await trx
    .updateTable('rectification')
    .set({ ...change.set, updated_at: now })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (change.finding) {
    await trx
      .updateTable('monitoring_finding')
      .set({ status: change.finding, updated_at: now })
      .where('id', '=', row.finding_id)
      .execute();
  }
  await writeAudit(trx, actor, {
    action: change.audit.action,
    objectType: 'rectification',
    objectId: row.id,
    detail: change.audit.detail,
  });
  if (change.notice) {
    await notify(trx, {
      jurisdictionId: row.jurisdiction_id,
      ...change.notice,
      kind: change.audit.action,
      link: `/monitoring/rectifications/${row.id}`,
      entity: { type: 'rectification', id: row.id },
      occurredAt: now,
    });
  }
  return updated;
}

/**
 * One step of the flow: lock the rectification, check it is in one of `from`, let `step` check the rest and do
 * what must happen first (and say what changes), then apply the change.
 */
async function transition(
  trx: Trx,
  actor: Actor,
  id: string,
  now: Date,
  from: RectificationStatus[],
  doing: string,
  step: (row: RectificationRow) => Change | Promise<Change>,
): Promise<Rectification> {
  const row = await load(trx, id);
  inState(row, from, doing);
  return toRectification(await apply(trx, actor, row, now, await step(row)));
}

export async function getRectification(trx: Trx, id: string): Promise<Rectification> {
  const row = await trx.selectFrom('rectification').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`rectification ${id} does not exist / 整改单不存在`);
  return toRectification(row);
}

export interface RectificationListItem extends Rectification {
  organisationName: string | null;
  /** the display name of who proposed it (null: the system) */
  proposedByName: string | null;
  resourceName: string | null;
  rule: Rule;
  overdue: boolean;
}

export interface RectificationFilter {
  status?: RectificationStatus;
  organisationId?: string;
  findingId?: string;
  limit: number;
  offset: number;
}

/**
 * The rectifications the caller may see, newest first, with what the list shows (unit, resource, the finding's
 * rule, overdue at `now`): the page and the total in one statement.
 */
export async function listRectifications(
  trx: Trx,
  visibility: Visibility,
  q: RectificationFilter,
  now: Date,
): Promise<{ items: RectificationListItem[]; total: number }> {
  const matching = () => {
    let query = trx
      .selectFrom('rectification as x')
      .where((eb) =>
        visibility.kind === 'jurisdiction'
          ? eb('x.jurisdiction_id', 'in', visibility.jurisdictions)
          : eb('x.organisation_id', 'in', visibility.organisations),
      );
    if (q.status) query = query.where('x.status', '=', q.status);
    if (q.organisationId) query = query.where('x.organisation_id', '=', q.organisationId);
    if (q.findingId) query = query.where('x.finding_id', '=', q.findingId);
    return query;
  };
  // the page is cut from rectification alone, then joined: the joins cost 50 rows, not every matching one
  const pageRows = matching()
    .selectAll('x')
    .orderBy('x.proposed_at', 'desc')
    .orderBy('x.id')
    .limit(q.limit)
    .offset(q.offset);
  const page = trx
    .selectFrom(pageRows.as('x'))
    .innerJoin('monitoring_finding as f', 'f.id', 'x.finding_id')
    .leftJoin('resource as r', 'r.id', 'x.resource_id')
    .leftJoin('organisation as o', 'o.id', 'x.organisation_id')
    .selectAll('x')
    .select([
      'f.rule',
      'r.name as resource_name',
      'o.name as organisation_name',
      sql<boolean>`(x.status in ('warned', 'escalated') and x.due_at < ${now})
        or (x.status = 'consent_requested' and x.consent_due_at < ${now})`.as('overdue'),
    ]);
  const rows = await trx
    .selectFrom(
      matching()
        .select((eb) => eb.fn.countAll<string>().as('total'))
        .as('t'),
    )
    .leftJoinLateral(page.as('p'), (join) => join.onTrue())
    .select('t.total')
    .selectAll('p')
    .orderBy('p.proposed_at', 'desc')
    .orderBy('p.id')
    .execute();
  const items: RectificationListItem[] = [];
  const people = await displayNamesByUsername(
    trx as unknown as Db,
    rows.flatMap((r) => (r.proposed_by === null ? [] : [r.proposed_by])),
  );
  for (const { total: _, ...p } of rows) {
    if (p.id === null) continue; // the page is past the end: only the total came back
    const row = p as unknown as RectificationRow & {
      rule: Rule;
      resource_name: string | null;
      organisation_name: string | null;
      overdue: boolean | null;
    };
    items.push({
      ...toRectification(row),
      organisationName: row.organisation_name,
      proposedByName: people.get(row.proposed_by) ?? null,
      resourceName: row.resource_name,
      rule: row.rule,
      overdue: row.overdue === true,
    });
  }
  return { items, total: Number(rows[0]?.total ?? 0) };
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
  const workingDays = input.workingDays ?? (await rectificationWorkingDays(trx, finding.jurisdiction_id));
  const row = await trx
    .insertInto('rectification')
    .values({
      finding_id: finding.id,
      resource_id: finding.resource_id,
      organisation_id: finding.organisation_id,
      jurisdiction_id: finding.jurisdiction_id,
      status: 'proposed',
      reason: input.reason,
      working_days: workingDays,
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
  const comment = input.comment ?? null;
  if (input.decision === 'refuse') {
    return transition(trx, actor, id, now, ['proposed'], 'refuse', () => ({
      set: { status: 'withdrawn', review_comment: comment, reviewed_by: who(auth), reviewed_at: now },
      finding: 'open',
      audit: { action: 'rectification.refused', detail: { comment } },
    }));
  }
  return transition(trx, actor, id, now, ['proposed'], 'approve', async (row) => {
    const j = await trx
      .selectFrom('jurisdiction')
      .select('code')
      .where('id', '=', row.jurisdiction_id)
      .executeTakeFirstOrThrow();
    const due = await addWorkingDays(trx as unknown as Db, j.code, now, row.working_days);
    return {
      set: { status: 'warned', approved_by: who(auth), warned_at: now, due_at: new Date(due.due), due_day: due.dueDay },
      audit: {
        action: 'rectification.warned',
        detail: { dueDay: due.dueDay, workingDays: row.working_days, provisional: due.provisional, comment },
      },
      notice: {
        to: { organisationId: row.organisation_id },
        title: { zh: `资源使用警告：请于 ${due.dueDay} 前整改`, en: `Usage warning: rectify by ${due.dueDay}` },
        body: { zh: row.reason, en: row.reason },
      },
    };
  });
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
  const comment = input.comment ?? null;
  return transition(trx, actor, id, now, ['warned'], 'respond', (row) => {
    if (row.due_at && now > row.due_at) {
      throw new AppError('conflict', `the deadline ${row.due_day} has passed / 整改期限已过`);
    }
    return {
      set: {
        status: 'responded',
        response_action: input.action,
        response_comment: comment,
        responded_by: who(auth),
        responded_at: now,
      },
      audit: { action: 'rectification.responded', detail: { action: input.action, comment } },
      notice: {
        to: { role: 'ops_reviewer' },
        title: { zh: '使用单位已答复整改警告', en: 'A unit answered a rectification warning' },
      },
    };
  });
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
  const accept = input.decision === 'accept';
  const comment = input.comment ?? null;
  return transition(trx, actor, id, now, ['responded'], input.decision, (row) => ({
    set: { status: accept ? 'accepted' : 'warned', review_comment: comment, reviewed_by: who(auth), reviewed_at: now },
    finding: accept ? 'resolved' : undefined,
    audit: {
      action: accept ? 'rectification.accepted' : 'rectification.rejected',
      detail: { comment, response: row.response_action },
    },
    notice: {
      to: { organisationId: row.organisation_id },
      title: accept
        ? { zh: '整改答复已通过', en: 'Your rectification answer was accepted' }
        : {
            zh: `整改答复未通过，请于 ${row.due_day} 前重新整改`,
            en: `Your answer was rejected; rectify by ${row.due_day}`,
          },
      body: input.comment ? { zh: input.comment, en: input.comment } : undefined,
    },
  }));
}

/** The jurisdiction's code and its effective policy's platform defaults for the consent and backup periods. */
async function jurisdictionCode(trx: Trx, jurisdictionId: string): Promise<string> {
  const j = await trx
    .selectFrom('jurisdiction')
    .select('code')
    .where('id', '=', jurisdictionId)
    .executeTakeFirstOrThrow();
  return j.code;
}

/**
 * The period a warned unit has to rectify, from the jurisdiction's effective policy: the pack's
 * `monitoring.rectificationWorkingDays` where its regulation names one, else `defaults.rectificationWorkingDays`
 * (every pack today: SH 25, LZ 29 and JQ 20 order rectification within a limit but name no number).
 */
export async function rectificationWorkingDays(trx: Trx, jurisdictionId: string): Promise<number> {
  const policy = await effectivePolicy(trx as unknown as Db, await jurisdictionCode(trx, jurisdictionId));
  const days = policy.monitoring.rectificationWorkingDays.value ?? policy.defaults.rectificationWorkingDays.value;
  if (days === null) {
    throw new AppError(
      'conflict',
      'the policy names no rectification period (monitoring.rectificationWorkingDays, defaults.rectificationWorkingDays): give workingDays / 政策未规定整改期限，请填写整改工作日数',
    );
  }
  return days;
}

/**
 * A warning still standing at its deadline (status warned: never answered, or the answer was rejected): the job
 * only proposes stopping the unit's allocations and reclaiming the resource; the competent authority consents or
 * declines within the pack's `defaults.reclaimConsentWorkingDays` (SH 25 "经政务云主管部门同意"). Nothing is
 * stopped or reclaimed here. One transaction each.
 */
export async function proposeReclaimDue(db: Db, actor: Actor, now: Date): Promise<{ proposed: string[] }> {
  const due = await db
    .selectFrom('rectification')
    .select('id')
    .where('status', '=', 'warned')
    .where('due_at', '<', now)
    .orderBy('due_at')
    .execute();
  const proposed: string[] = [];
  for (const { id } of due) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await load(trx, id);
      if (row.status !== 'warned' || !row.due_at || row.due_at >= now) return false;
      const code = await jurisdictionCode(trx, row.jurisdiction_id);
      const days = (await effectivePolicy(trx as unknown as Db, code)).defaults.reclaimConsentWorkingDays.value;
      const consentDue = days === null ? null : await addWorkingDays(trx as unknown as Db, code, now, days);
      const title = consentDue
        ? {
            zh: `待同意：逾期未整改，拟暂停资源分配并回收（请于 ${consentDue.dueDay} 前决定）`,
            en: `To consent: stop allocations and reclaim (decide by ${consentDue.dueDay})`,
          }
        : { zh: '待同意：逾期未整改，拟暂停资源分配并回收', en: 'To consent: stop allocations and reclaim' };
      await apply(trx, actor, row, now, {
        set: {
          status: 'consent_requested',
          consent_requested_at: now,
          consent_due_at: consentDue ? new Date(consentDue.due) : null,
          consent_due_day: consentDue?.dueDay ?? null,
        },
        audit: {
          action: 'rectification.reclaim_proposed',
          detail: {
            organisationId: row.organisation_id,
            resourceId: row.resource_id,
            dueDay: row.due_day,
            consentWorkingDays: days,
            consentDueDay: consentDue?.dueDay ?? null,
            provisional: consentDue?.provisional ?? false,
          },
        },
        notice: { to: { role: 'authority_approver' }, title, body: { zh: row.reason, en: row.reason } },
      });
      await notify(trx, {
        jurisdictionId: row.jurisdiction_id,
        to: { organisationId: row.organisation_id },
        kind: 'rectification.reclaim_proposed',
        title: {
          zh: '逾期未整改：已报主管部门同意后暂停资源分配并回收',
          en: 'Not rectified in time: the authority is asked to consent to a stop and reclaim',
        },
        link: `/monitoring/rectifications/${row.id}`,
        entity: { type: 'rectification', id: row.id },
        occurredAt: now,
      });
      return true;
    });
    if (done) proposed.push(id);
  }
  return { proposed };
}

/**
 * A proposal the authority has not decided by its consent deadline: marked overdue once, audited, and the
 * authority's approvers and the ops reviewers are told. Still nothing is stopped without consent.
 */
export async function markConsentOverdue(db: Db, actor: Actor, now: Date): Promise<{ consentOverdue: string[] }> {
  const late = await db
    .selectFrom('rectification')
    .select('id')
    .where('status', '=', 'consent_requested')
    .where('consent_due_at', '<', now)
    .where('consent_overdue_at', 'is', null)
    .orderBy('consent_due_at')
    .execute();
  const marked: string[] = [];
  for (const { id } of late) {
    const done = await db.transaction().execute(async (trx) => {
      const row = await load(trx, id);
      if (row.status !== 'consent_requested' || row.consent_overdue_at || !row.consent_due_at) return false;
      if (row.consent_due_at >= now) return false;
      const title = {
        zh: `主管部门逾期未决定是否同意回收（期限 ${row.consent_due_day}）`,
        en: `The authority's consent to reclaim is overdue (due ${row.consent_due_day})`,
      };
      await apply(trx, actor, row, now, {
        set: { consent_overdue_at: now },
        audit: { action: 'rectification.consent_overdue', detail: { consentDueDay: row.consent_due_day } },
        notice: { to: { role: 'authority_approver' }, title },
      });
      await notify(trx, {
        jurisdictionId: row.jurisdiction_id,
        to: { role: 'ops_reviewer' },
        kind: 'rectification.consent_overdue',
        title,
        link: `/monitoring/rectifications/${row.id}`,
        entity: { type: 'rectification', id: row.id },
        occurredAt: now,
      });
      return true;
    });
    if (done) marked.push(id);
  }
  return { consentOverdue: marked };
}

/**
 * The competent authority consents (the unit's new allocations stop and a reclaim order for the resource opens:
 * escalated) or declines (nothing is stopped; the finding is open again) (SH 25).
 */
export async function consent(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { decision: 'consent' | 'decline'; comment?: string },
  now: Date,
): Promise<Rectification> {
  const comment = input.comment ?? null;
  const decided = { consent_by: who(auth), consent_at: now, consent_comment: comment };
  if (input.decision === 'decline') {
    return transition(trx, actor, id, now, ['consent_requested'], 'decline', (row) => ({
      set: { status: 'declined', ...decided },
      finding: 'open',
      audit: { action: 'rectification.reclaim_declined', detail: { comment, consentDueDay: row.consent_due_day } },
      notice: {
        to: { organisationId: row.organisation_id },
        title: { zh: '主管部门未同意暂停分配和回收', en: 'The authority declined the stop and reclaim' },
        body: comment ? { zh: comment, en: comment } : undefined,
      },
    }));
  }
  return transition(trx, actor, id, now, ['consent_requested'], 'consent', async (row) => {
    const reason = `SH 25: rectification warning ${id} not resolved by ${row.due_day}; 经政务云主管部门同意 (${who(auth)}) / 逾期未整改`;
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
    return {
      set: { status: 'escalated', escalated_at: now, reclaim_order_id: order.id, ...decided },
      finding: 'escalated',
      audit: {
        action: 'rectification.escalated',
        detail: {
          organisationId: row.organisation_id,
          resourceId: row.resource_id,
          reclaimOrderId: order.id,
          dueDay: row.due_day,
          consentBy: who(auth),
          comment,
        },
      },
      notice: {
        to: { organisationId: row.organisation_id },
        title: {
          zh: '经主管部门同意：已暂停新增资源分配并发起回收',
          en: 'With the authority’s consent: allocations stopped, reclaim opened',
        },
      },
    };
  });
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
  return transition(trx, actor, id, now, ['escalated'], 'reverse', async (row) => {
    const others = await trx
      .selectFrom('rectification')
      .select('id')
      .where('organisation_id', '=', row.organisation_id)
      .where('status', '=', 'escalated')
      .where('id', '!=', id)
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
    return {
      set: { status: 'reversed', reversed_by: who(auth), reversed_at: now, reversal_comment: input.comment },
      finding: 'resolved',
      audit: {
        action: 'rectification.reversed',
        detail: {
          comment: input.comment,
          allocationsResumed: others.length === 0,
          reclaimOrderId: row.reclaim_order_id,
          reclaimOrderWithdrawn,
        },
      },
      notice: {
        to: { organisationId: row.organisation_id },
        title: { zh: '主管部门已撤销整改处置', en: 'The authority reversed the escalation' },
        body: { zh: input.comment, en: input.comment },
      },
    };
  });
}
