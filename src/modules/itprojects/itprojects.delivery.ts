import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { addMonthsToDay, isCalendarDay, shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { publishedCardsOf } from '../evaluation/index.ts';
import { yuan } from '../metering/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { readDeclaration } from './itprojects.declarations.ts';
import * as repo from './itprojects.repository.ts';
import { changeRoute, fenOf, periodCovers } from './itprojects.rules.ts';
import type { AcceptanceRow, ChangeRow } from './itprojects.table.ts';

// During and after construction: investment changes (JQ-proj 12), acceptance before use with rectification
// and re-acceptance (JQ-proj 14-15), the warranty (JQ-proj 16) and the post-go-live evaluation (JQ-proj 17).

const refused = (detail: string, field?: string) =>
  new AppError('it_project_refused', detail, field ? [{ field, message: detail }] : undefined);

const toChange = (c: ChangeRow) => ({
  id: c.id,
  projectId: c.project_id,
  before: yuan(c.before_fen),
  after: yuan(c.after_fen),
  changePercent: String(c.change_percent),
  reason: c.reason,
  status: c.status,
  requestedBy: c.requested_by,
  requestedAt: c.requested_at.toISOString(),
  decidedBy: c.decided_by,
  decidedAt: c.decided_at?.toISOString() ?? null,
  decisionComment: c.decision_comment,
});

const toAcceptance = (a: AcceptanceRow) => ({
  id: a.id,
  attempt: a.attempt,
  result: a.result,
  acceptedOn: a.accepted_on,
  opinion: a.opinion,
  rectificationDue: a.rectification_due,
  warrantyUntil: a.warranty_until,
  evaluationDue: a.evaluation_due,
  recordedBy: a.recorded_by,
  recordedAt: a.recorded_at.toISOString(),
});

async function declarationOf(trx: Trx, projectId: string) {
  const d = await repo.declarationOfProject(trx, projectId);
  if (!d) throw notFound(`project ${projectId} has no declaration / 项目无申报记录`);
  return d;
}

/**
 * The post-go-live evaluation (JQ-proj 17) in the evaluation module: the unit's published card of the period
 * that holds the evaluation day, once there is one; null until then (the evaluation is scheduled).
 */
async function evaluationOf(trx: Trx, auth: AuthContext, organisationId: string, due: string | null | undefined) {
  if (!due) return null;
  const card = (await publishedCardsOf(trx, auth, organisationId)).items.find((c) => periodCovers(c.period, due));
  return card ? { evaluationId: card.evaluationId, period: card.period, total: card.total, band: card.band } : null;
}

/** A project's whole lifecycle: its declaration, changes and acceptances, and what follows from them. */
export async function projectLifecycle(trx: Trx, auth: AuthContext, projectId: string) {
  const d = await declarationOf(trx, projectId);
  const acceptances = (await repo.acceptancesOf(trx, projectId)).map(toAcceptance);
  const last = acceptances.at(-1);
  const evaluationDue = last?.result === 'passed' ? last.evaluationDue : null;
  return {
    // with the review checklist its pack asks, as the declarations list gives it
    declaration: await readDeclaration(trx, d.id),
    changes: (await repo.changesOf(trx, projectId)).map(toChange),
    acceptances,
    accepted: last?.result === 'passed',
    rectificationDue: last?.result === 'failed' ? last.rectificationDue : null,
    warrantyUntil: last?.result === 'passed' ? last.warrantyUntil : null,
    evaluationDue,
    evaluation: await evaluationOf(trx, auth, d.organisation_id, evaluationDue),
  };
}

/**
 * JQ-proj 12: the unit records a new investment estimate. Up to the pack's threshold it is recorded and in
 * force; above it (or at it, where the pack's `investmentOverrunInclusive` says so) it waits for the authority.
 * Exact: both amounts in fen, compared as integers.
 */
export async function requestChange(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  projectId: string,
  input: { investment: string; reason: string },
  now: Date,
) {
  if (auth.visibility.kind !== 'organisation')
    throw new AppError('forbidden', 'the unit files changes / 由使用单位提出');
  await repo.lockDeclarationOfProject(trx, projectId);
  const d = await declarationOf(trx, projectId);
  if (d.project_status !== 'approved')
    throw refused(`the project is ${d.project_status}, not approved / 项目未批复立项`);
  const after = fenOf(input.investment);
  if (after === null) throw invalid('body.investment', 'an amount in yuan, at most 2 decimals / 金额格式不正确');
  if ((await repo.changesOf(trx, projectId)).some((c) => c.status === 'pending_authority')) {
    throw refused('a change waits for the authority / 已有待审批的变更');
  }
  const policy = await effectivePolicy(trx, await repo.jurisdictionCodeById(trx, d.jurisdiction_id));
  const threshold = policy.projects.investmentOverrunApprovalThreshold;
  const before = BigInt(d.investment_fen);
  const route = changeRoute(before, after, threshold.value, policy.projects.investmentOverrunInclusive.value === true);
  const change = await repo.insertChange(trx, {
    organisation_id: d.organisation_id,
    jurisdiction_id: d.jurisdiction_id,
    project_id: projectId,
    before_fen: before,
    after_fen: after,
    change_percent: route.percent,
    reason: input.reason,
    status: route.toAuthority ? 'pending_authority' : 'recorded',
    requested_by: auth.name,
    requested_at: now,
    decided_by: null,
    decided_at: null,
    decision_comment: null,
  });
  if (!route.toAuthority) await repo.updateDeclaration(trx, d.id, { investment_fen: after }, now);
  await writeAudit(trx, actor, {
    action: route.toAuthority ? 'project_change.to_authority' : 'project_change.recorded',
    objectType: 'project',
    objectId: projectId,
    detail: {
      changeId: change.id,
      before: yuan(before),
      after: yuan(after),
      changePercent: route.percent,
      threshold: threshold.value,
      article: threshold.article,
    },
  });
  return { ...toChange(change), article: threshold.article };
}

/** The authority decides a change above the threshold (JQ-proj 12): approved, the new estimate is in force. */
export async function decideChange(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  changeId: string,
  input: { approve: boolean; comment?: string },
  now: Date,
) {
  const c = await repo.findChange(trx, changeId);
  const v = auth.visibility;
  if (!c || v.kind !== 'jurisdiction' || !v.jurisdictions.includes(c.jurisdiction_id)) {
    throw notFound(`change ${changeId}`);
  }
  if (c.status !== 'pending_authority') throw refused(`the change is ${c.status} / 该变更无需审批`);
  const status = input.approve ? 'approved' : 'rejected';
  await repo.updateChange(trx, changeId, {
    status,
    decided_by: auth.name,
    decided_at: now,
    decision_comment: input.comment ?? null,
  });
  if (input.approve) {
    const d = await declarationOf(trx, c.project_id);
    await repo.updateDeclaration(trx, d.id, { investment_fen: BigInt(c.after_fen) }, now);
  }
  await writeAudit(trx, actor, {
    action: `project_change.${status}`,
    objectType: 'project',
    objectId: c.project_id,
    detail: { changeId, before: { status: c.status }, after: { status }, comment: input.comment ?? null },
  });
  return toChange({ ...c, status, decided_by: auth.name, decided_at: now, decision_comment: input.comment ?? null });
}

function addYears(day: string, years: number): string {
  return addMonthsToDay(day, years * 12);
}

/**
 * Acceptance (验收, JQ-proj 14-15) by the authority with the unit: passed, the warranty runs at least the
 * pack's years from that day (JQ-proj 16) and the evaluation is scheduled (JQ-proj 17); failed, a
 * rectification deadline, then a re-acceptance. Once passed, no further attempt.
 */
export async function recordAcceptance(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  projectId: string,
  input: {
    result: 'passed' | 'failed';
    acceptedOn: string;
    opinion: string;
    rectificationDue?: string | null;
    warrantyYears?: number | null;
  },
  now: Date,
) {
  await repo.lockDeclarationOfProject(trx, projectId);
  const d = await declarationOf(trx, projectId);
  const v = auth.visibility;
  if (v.kind !== 'jurisdiction' || !v.jurisdictions.includes(d.jurisdiction_id)) throw notFound(`project ${projectId}`);
  if (d.status !== 'design_approved') {
    throw refused(`the project is ${d.status}: acceptance follows the design review / 项目尚未通过初步设计评审`);
  }
  if (!isCalendarDay(input.acceptedOn) || input.acceptedOn > shanghaiDay(now)) {
    throw invalid('body.acceptedOn', 'a day, not in the future / 验收日期不正确');
  }
  const previous = await repo.acceptancesOf(trx, projectId);
  const last = previous.at(-1);
  if (last?.result === 'passed') throw refused('the project is accepted already / 项目已验收合格');
  const policy = await effectivePolicy(trx, await repo.jurisdictionCodeById(trx, d.jurisdiction_id));
  const p = policy.projects;
  let warrantyUntil: string | null = null;
  let evaluationDue: string | null = null;
  let rectificationDue: string | null = null;
  if (input.result === 'passed') {
    const min = p.warrantyYearsMin.value ?? 0;
    const years = input.warrantyYears ?? min;
    if (years < min || years < 1) {
      throw invalid(
        'body.warrantyYears',
        `at least ${Math.max(min, 1)} years from acceptance (${p.warrantyYearsMin.article ?? 'platform'}) / 保修期不得少于${Math.max(min, 1)}年`,
      );
    }
    warrantyUntil = addYears(input.acceptedOn, years);
    if (p.postGoLiveEvaluation.value === true) {
      evaluationDue = addMonthsToDay(input.acceptedOn, policy.defaults.projectEvaluationMonths.value ?? 12);
    }
  } else {
    rectificationDue = input.rectificationDue ?? null;
    if (!rectificationDue || !isCalendarDay(rectificationDue) || rectificationDue <= input.acceptedOn) {
      throw invalid(
        'body.rectificationDue',
        `a failed acceptance sets the rectification deadline, after the acceptance day (${p.acceptanceBeforeUse.article ?? 'JQ-proj 15'}) / 须限期整改`,
      );
    }
  }
  const row = await repo.insertAcceptance(trx, {
    organisation_id: d.organisation_id,
    jurisdiction_id: d.jurisdiction_id,
    project_id: projectId,
    attempt: previous.length + 1,
    result: input.result,
    accepted_on: input.acceptedOn,
    opinion: input.opinion,
    rectification_due: rectificationDue,
    warranty_until: warrantyUntil,
    evaluation_due: evaluationDue,
    recorded_by: auth.name,
    recorded_at: now,
  });
  await writeAudit(trx, actor, {
    action: `project.acceptance_${input.result}`,
    objectType: 'project',
    objectId: projectId,
    detail: { attempt: row.attempt, acceptedOn: input.acceptedOn, rectificationDue, warrantyUntil, evaluationDue },
  });
  return toAcceptance(row);
}

/**
 * JQ-proj 15 for other modules: where the pack says so, a project's systems go live only once the project
 * is accepted. Null when they may; else the refusal with its article. A project without a declaration (from
 * before the lifecycle) is not held.
 */
export async function goLiveRefusal(trx: Trx, projectId: string, jurisdictionCode: string): Promise<string | null> {
  const policy = await effectivePolicy(trx, jurisdictionCode);
  const rule = policy.projects.acceptanceBeforeUse;
  if (rule.value !== true) return null;
  const d = await repo.declarationOfProject(trx, projectId);
  if (!d) return null;
  const last = (await repo.acceptancesOf(trx, projectId)).at(-1);
  if (last?.result === 'passed') return null;
  return `the project ${d.project_name} is not accepted: its systems do not go live (${rule.article}) / 未经验收或者验收不合格的，不得交付使用`;
}
