import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { endOfShanghaiDay, shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { listYear } from '../calendar/index.ts';
import { catalogueInForce } from '../catalogue/index.ts';
import { yuan } from '../metering/index.ts';
import { type EffectivePolicy, effectivePolicy } from '../policy/index.ts';
import { approveDeclaredProject, getProject, setProjectReviewPassed } from '../projects/index.ts';
import * as repo from './itprojects.repository.ts';
import { annualFenOf, checklistOf, fenOf, monthlyFenOf } from './itprojects.rules.ts';
import type { ChecklistAnswer, DeploymentLine, RoundRow, SharingLine } from './itprojects.table.ts';

// Declaration rounds and declarations (JQ-proj 7-9, NB 17): the authority opens a round in the pack's month
// with its deadline from the working-day calendar; units declare their projects with the cloud deployment
// plan (priced from the catalogue in force into an annual cloud cost) and the data-sharing plan; the
// preliminary review answers the pack's checklist; the annual plan takes passed declarations within the
// investment ceiling; the pack's role approves (立项); the design and budget review follows. A project outside
// the plan enters through the urgent path (JQ-proj 8), flagged. Every step is one transaction with its audit.

export type Round = ReturnType<typeof toRound>;
export type Declaration = ReturnType<typeof toDeclaration>;

export interface DeclarationInput {
  projectId: string;
  roundId?: string | null;
  urgent?: boolean;
  urgentReason?: string | null;
  feasibilitySummary: string;
  investment: string;
  fundingSource: string;
  deploymentPlan: DeploymentLine[];
  dataSharingPlan: SharingLine[];
}

const refused = (detail: string, field?: string) =>
  new AppError('it_project_refused', detail, field ? [{ field, message: detail }] : undefined);

function toRound(r: RoundRow, code: string) {
  return {
    id: r.id,
    jurisdiction: code,
    planYear: r.plan_year,
    openedOn: r.opened_on,
    deadline: r.deadline_day,
    deadlineProvisional: r.deadline_provisional,
    investmentCeiling: yuan(r.investment_ceiling_fen),
    status: r.status,
    openedBy: r.opened_by,
    openedAt: r.opened_at.toISOString(),
    plannedBy: r.planned_by,
    plannedAt: r.planned_at?.toISOString() ?? null,
  };
}

export function toDeclaration(d: repo.DeclarationWithNames) {
  return {
    id: d.id,
    projectId: d.project_id,
    projectName: d.project_name,
    approvalNo: d.approval_no,
    projectStatus: d.project_status,
    organisationId: d.organisation_id,
    organisationName: d.organisation_name,
    outsideCityBudget: d.outside_city_budget,
    roundId: d.round_id,
    planYear: d.plan_year,
    urgent: d.urgent,
    urgentReason: d.urgent_reason,
    status: d.status,
    feasibilitySummary: d.feasibility_summary,
    investment: yuan(d.investment_fen),
    fundingSource: d.funding_source,
    deploymentPlan: d.deployment_plan,
    annualCloudCost: yuan(d.annual_cloud_cost_fen),
    dataSharingPlan: d.data_sharing_plan,
    reviewChecklist: d.review_checklist ?? [],
    reviewedBy: d.reviewed_by,
    reviewedAt: d.reviewed_at?.toISOString() ?? null,
    approvedBy: d.approved_by,
    approvedAt: d.approved_at?.toISOString() ?? null,
    designReviewNote: d.design_review_note,
    designReviewedAt: d.design_reviewed_at?.toISOString() ?? null,
    submittedAt: d.submitted_at?.toISOString() ?? null,
  };
}

async function codeOf(trx: Trx, jurisdictionId: string): Promise<string> {
  return repo.jurisdictionCodeById(trx, jurisdictionId);
}

function assertJurisdictionCaller(auth: AuthContext, jurisdictionId: string): void {
  const v = auth.visibility;
  if (v.kind !== 'jurisdiction' || !v.jurisdictions.includes(jurisdictionId)) {
    throw notFound(`jurisdiction ${jurisdictionId}`);
  }
}

// ---- rounds -------------------------------------------------------------------------------------------

/**
 * The authority opens the round of next year's projects (JQ-proj 7(1): every September). In a pack with a
 * declaration month the round opens only in that month; its deadline is the month's last working day in the
 * jurisdiction's calendar (provisional when that year's calendar is not confirmed).
 */
export async function openRound(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { jurisdiction: string; planYear: number; investmentCeiling: string },
  now: Date,
) {
  const jurisdictionId = await repo.jurisdictionIdByCode(trx, input.jurisdiction);
  if (!jurisdictionId) throw invalid('body.jurisdiction', 'no such jurisdiction / 辖区不存在');
  assertJurisdictionCaller(auth, jurisdictionId);
  const policy = await effectivePolicy(trx, input.jurisdiction);
  const today = shanghaiDay(now);
  const [year, month] = today.split('-').map(Number) as [number, number];
  const rule = policy.projects.declarationMonth;
  if (rule.value !== null && rule.value !== month) {
    throw refused(
      `the declaration round opens in month ${rule.value} (${rule.article}), not in ${today.slice(0, 7)} / 项目申报于每年${rule.value}月组织开展`,
      'body.planYear',
    );
  }
  if (rule.value !== null && input.planYear !== year + 1) {
    throw refused(
      `the round in ${year} declares the projects of ${year + 1} (${rule.article}) / 申报下年度项目`,
      'body.planYear',
    );
  }
  const ceiling = fenOf(input.investmentCeiling);
  if (ceiling === null)
    throw invalid('body.investmentCeiling', 'an amount in yuan, at most 2 decimals / 金额格式不正确');
  if (await repo.roundOfYear(trx, jurisdictionId, input.planYear)) {
    throw refused(`the round for ${input.planYear} is open already / 该年度申报已组织`, 'body.planYear');
  }
  const calendar = await listYear(trx, input.jurisdiction, year);
  const monthDays = calendar.days.filter(
    (d) => d.date.slice(0, 7) === today.slice(0, 7) && (d.kind === 'working' || d.kind === 'makeup_working'),
  );
  const deadline = monthDays.at(-1)?.date;
  if (!deadline || deadline < today) {
    throw refused(`no working day is left in ${today.slice(0, 7)} / 本月已无工作日`, 'body.planYear');
  }
  const row = await repo.insertRound(trx, {
    jurisdiction_id: jurisdictionId,
    plan_year: input.planYear,
    opened_on: today,
    deadline_day: deadline,
    deadline_provisional: calendar.status !== 'confirmed',
    investment_ceiling_fen: ceiling,
    opened_by: auth.name,
    opened_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'declaration_round.opened',
    objectType: 'declaration_round',
    objectId: row.id,
    detail: { planYear: input.planYear, deadline, article: rule.article, investmentCeiling: yuan(ceiling) },
  });
  return toRound(row, input.jurisdiction);
}

export async function listRounds(trx: Trx, auth: AuthContext) {
  const ids = auth.visibility.kind === 'jurisdiction' ? auth.visibility.jurisdictions : [auth.jurisdictionId];
  const rows = await repo.listRounds(trx, ids);
  return Promise.all(rows.map(async (r) => toRound(r, await codeOf(trx, r.jurisdiction_id))));
}

async function roundOf(trx: Trx, id: string): Promise<RoundRow> {
  const r = await repo.findRound(trx, id);
  if (!r) throw notFound(`declaration round ${id} / 申报批次不存在`);
  return r;
}

const pastDeadline = (round: RoundRow, now: Date) => now > endOfShanghaiDay(round.deadline_day);

// ---- declarations -------------------------------------------------------------------------------------

/** Prices the deployment plan at the catalogue in force and checks both plans against the pack (NB 17). */
async function plansOf(
  trx: Trx,
  policy: EffectivePolicy,
  jurisdictionCode: string,
  input: Pick<DeclarationInput, 'deploymentPlan' | 'dataSharingPlan'>,
  now: Date,
) {
  const errors: FieldError[] = [];
  const cloud = policy.projects.cloudNeedsDeclaredAtApproval;
  if (cloud.value === true && input.deploymentPlan.length === 0) {
    errors.push({
      field: 'body.deploymentPlan',
      message: `the declaration carries its cloud deployment plan (${cloud.article}) / 须填写政务云部署方案`,
    });
  }
  const sharing = policy.projects.dataSharingPlanRequired;
  if (sharing.value === true && input.dataSharingPlan.length === 0) {
    errors.push({
      field: 'body.dataSharingPlan',
      message: `the declaration carries its data-sharing plan (${sharing.article}) / 须填写数据共享方案`,
    });
  }
  const catalogue = await catalogueInForce(trx, jurisdictionCode, now);
  const priced: DeploymentLine[] = [];
  const monthly: bigint[] = [];
  input.deploymentPlan.forEach((given, i) => {
    // whole numbers given as text (a form's cells) are numbers: the catalogue prices them
    const specification = Object.fromEntries(
      Object.entries(given.specification).map(([k, v]) => [
        k,
        typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v,
      ]),
    );
    const line = { ...given, specification };
    const fen = monthlyFenOf(line, catalogue.items);
    if (fen === null) {
      errors.push({
        field: `body.deploymentPlan.${i}.itemCode`,
        message: `no item ${line.itemCode} in the catalogue in force / 服务目录中无此项`,
      });
      return;
    }
    monthly.push(fen);
    priced.push({ ...line, monthlyFen: fen.toString() });
  });
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  return { deploymentPlan: priced, annual: annualFenOf(monthly), catalogueVersionId: catalogue.version.id };
}

/**
 * A unit declares one of its declared projects: in an open round before its deadline, or (where the pack
 * has the urgent path, JQ-proj 8) outside the plan with its reason, flagged urgent.
 */
export async function createDeclaration(trx: Trx, auth: AuthContext, actor: Actor, input: DeclarationInput, now: Date) {
  if (auth.visibility.kind !== 'organisation') {
    throw new AppError('forbidden', 'projects are declared by their using unit / 由使用单位申报');
  }
  const project = await getProject(trx, input.projectId);
  if (!project || !auth.visibility.organisations.includes(project.organisationId)) {
    throw invalid('body.projectId', 'no such project of this unit / 项目不存在');
  }
  if (project.status !== 'declared') {
    throw refused(
      `the project is ${project.status}: only a declared project is declared / 仅申报状态的项目可申报`,
      'body.projectId',
    );
  }
  if (await repo.declarationOfProject(trx, project.id)) {
    throw refused('the project has a declaration already / 该项目已申报', 'body.projectId');
  }
  const code = await codeOf(trx, project.jurisdictionId);
  const policy = await effectivePolicy(trx, code);
  const investment = fenOf(input.investment);
  if (investment === null) throw invalid('body.investment', 'an amount in yuan, at most 2 decimals / 金额格式不正确');
  let roundId: string | null = null;
  if (input.urgent) {
    const path = policy.projects.urgentPath;
    if (path.value !== true)
      throw refused(`the pack has no urgent path (${path.note ?? ''}) / 无紧急项目通道`, 'body.urgent');
    if (!input.urgentReason?.trim()) {
      throw invalid('body.urgentReason', `an urgent project says why (${path.article}) / 须说明急需建设的理由`);
    }
  } else {
    if (!input.roundId) throw invalid('body.roundId', 'a declaration belongs to a round / 须选择申报批次');
    const round = await roundOf(trx, input.roundId);
    if (round.jurisdiction_id !== project.jurisdictionId)
      throw invalid('body.roundId', 'no such round / 申报批次不存在');
    if (round.status !== 'open' || pastDeadline(round, now)) {
      throw refused(`the round closed on ${round.deadline_day} / 申报已截止`, 'body.roundId');
    }
    if (project.year !== round.plan_year) {
      throw refused(
        `the round declares projects of ${round.plan_year}; the project is of ${project.year} / 项目年度不符`,
        'body.projectId',
      );
    }
    roundId = round.id;
  }
  const plans = await plansOf(trx, policy, code, input, now);
  const id = await repo.insertDeclaration(trx, {
    organisation_id: project.organisationId,
    jurisdiction_id: project.jurisdictionId,
    project_id: project.id,
    round_id: roundId,
    urgent: !!input.urgent,
    urgent_reason: input.urgent ? (input.urgentReason?.trim() ?? null) : null,
    feasibility_summary: input.feasibilitySummary,
    investment_fen: investment,
    funding_source: input.fundingSource,
    deployment_plan: plans.deploymentPlan,
    annual_cloud_cost_fen: plans.annual,
    catalogue_version_id: plans.catalogueVersionId,
    data_sharing_plan: input.dataSharingPlan,
    created_by: auth.name,
    created_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'project_declaration.created',
    objectType: 'project_declaration',
    objectId: id,
    detail: {
      projectId: project.id,
      urgent: !!input.urgent,
      investment: yuan(investment),
      annualCloudCost: yuan(plans.annual),
    },
  });
  return readDeclaration(trx, id);
}

/** Declarations as API objects, each with the review checklist its jurisdiction's pack asks (one read per jurisdiction). */
async function withChecklists(trx: Trx, rows: repo.DeclarationWithNames[]) {
  const lists = new Map<string, ReturnType<typeof checklistOf>>();
  for (const j of new Set(rows.map((d) => d.jurisdiction_id))) {
    lists.set(j, checklistOf(await effectivePolicy(trx, await codeOf(trx, j))));
  }
  return rows.map((d) => ({ ...toDeclaration(d), checklist: lists.get(d.jurisdiction_id) ?? [] }));
}

export async function readDeclaration(trx: Trx, id: string) {
  const d = await repo.findDeclaration(trx, id);
  if (!d) throw notFound(`declaration ${id} / 申报不存在`);
  return (await withChecklists(trx, [d]))[0] as Declaration & { checklist: ReturnType<typeof checklistOf> };
}

export async function listDeclarations(
  trx: Trx,
  q: { roundId?: string; status?: string; organisationId?: string; year?: number },
) {
  return { items: await withChecklists(trx, await repo.listDeclarations(trx, q)) };
}

async function lockedDeclaration(trx: Trx, id: string) {
  await repo.lockDeclaration(trx, id);
  const d = await repo.findDeclaration(trx, id);
  if (!d) throw notFound(`declaration ${id} / 申报不存在`);
  return d;
}

function expectStatus(d: repo.DeclarationWithNames, ...allowed: string[]): void {
  if (!allowed.includes(d.status)) {
    throw refused(`the declaration is ${d.status}, not ${allowed.join(' or ')} / 申报当前状态不允许此操作`);
  }
}

async function audited(
  trx: Trx,
  actor: Actor,
  d: repo.DeclarationWithNames,
  action: string,
  detail: Record<string, unknown>,
) {
  await writeAudit(trx, actor, {
    action: `project_declaration.${action}`,
    objectType: 'project_declaration',
    objectId: d.id,
    detail: { projectId: d.project_id, before: { status: d.status }, ...detail },
  });
  return readDeclaration(trx, d.id);
}

/** The unit files its draft: within the round's deadline (urgent declarations have none). */
export async function submitDeclaration(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const d = await lockedDeclaration(trx, id);
  if (auth.visibility.kind !== 'organisation') throw new AppError('forbidden', 'the unit submits / 由使用单位提交');
  expectStatus(d, 'draft');
  if (d.round_id) {
    const round = await roundOf(trx, d.round_id);
    if (round.status !== 'open' || pastDeadline(round, now)) {
      throw refused(`the round closed on ${round.deadline_day} / 申报已截止`);
    }
  }
  await repo.updateDeclaration(trx, id, { status: 'submitted', submitted_at: now }, now);
  return audited(trx, actor, d, 'submitted', { after: { status: 'submitted' } });
}

/**
 * Preliminary review (初审, JQ-proj 7(2); NB 17) by the experts and the ops unit: every item of the pack's
 * checklist answered with a note. All passed: the project may be approved (JQ-proj 9); else it may not.
 */
export async function reviewDeclaration(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  answers: ChecklistAnswer[],
  now: Date,
) {
  const d = await lockedDeclaration(trx, id);
  assertJurisdictionCaller(auth, d.jurisdiction_id);
  expectStatus(d, 'submitted');
  const policy = await effectivePolicy(trx, await codeOf(trx, d.jurisdiction_id));
  const checklist = checklistOf(policy);
  const errors: FieldError[] = [];
  checklist.forEach(({ item, article }) => {
    const a = answers.find((x) => x.item === item);
    if (!a) errors.push({ field: 'body.answers', message: `answer ${item} (${article}) / 须回答审查项 ${item}` });
    else if (!a.note.trim())
      errors.push({
        field: `body.answers.${answers.indexOf(a)}.note`,
        message: 'each answer has its note / 须填写审查意见',
      });
  });
  answers.forEach((a, i) => {
    if (!checklist.some((c) => c.item === a.item)) {
      errors.push({
        field: `body.answers.${i}.item`,
        message: `${a.item} is not on the pack's checklist / 不是审查项`,
      });
    }
  });
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  const passed = answers.every((a) => a.passed);
  const status = passed ? 'review_passed' : 'review_failed';
  await repo.updateDeclaration(
    trx,
    id,
    { status, review_checklist: answers, reviewed_by: auth.name, reviewed_at: now },
    now,
  );
  await setProjectReviewPassed(trx, d.project_id, passed ? now : null, now);
  return audited(trx, actor, d, passed ? 'review_passed' : 'review_failed', {
    after: { status },
    answers,
    articles: checklist.map((c) => c.article),
  });
}

/**
 * The annual plan (JQ-proj 7(3)): after the deadline, the authority takes passed declarations of the round
 * into the plan within the round's investment ceiling; the other passed ones stay out (they may still come
 * through the urgent path).
 */
export async function assemblePlan(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  roundId: string,
  declarationIds: string[],
  now: Date,
) {
  const round = await roundOf(trx, roundId);
  assertJurisdictionCaller(auth, round.jurisdiction_id);
  if (round.status === 'planned') throw refused('the plan of this round is set / 年度计划已下达');
  if (!pastDeadline(round, now)) throw refused(`the round is open until ${round.deadline_day} / 申报尚未截止`);
  const passed = await repo.listDeclarations(trx, { roundId, status: 'review_passed' });
  const chosen = passed.filter((d) => declarationIds.includes(d.id));
  declarationIds.forEach((id, i) => {
    if (!chosen.some((d) => d.id === id)) {
      throw invalid(
        `body.declarationIds.${i}`,
        'not a declaration of this round that passed the review / 非本批次初审通过的申报',
      );
    }
  });
  const total = chosen.reduce((s, d) => s + BigInt(d.investment_fen), 0n);
  if (total > BigInt(round.investment_ceiling_fen)) {
    throw refused(
      `the plan's investment ${yuan(total)} exceeds the ceiling ${yuan(round.investment_ceiling_fen)} (JQ-proj 7(3)) / 超出年度投资控制规模`,
      'body.declarationIds',
    );
  }
  await repo.setStatuses(
    trx,
    chosen.map((d) => d.id),
    'in_plan',
    now,
  );
  const left = passed.filter((d) => !declarationIds.includes(d.id)).map((d) => d.id);
  await repo.setStatuses(trx, left, 'not_in_plan', now);
  await repo.updateRound(trx, roundId, { status: 'planned', planned_by: auth.name, planned_at: now });
  await writeAudit(trx, actor, {
    action: 'declaration_round.planned',
    objectType: 'declaration_round',
    objectId: roundId,
    detail: { inPlan: chosen.map((d) => d.id), notInPlan: left, investment: yuan(total) },
  });
  return {
    ...toRound((await repo.findRound(trx, roundId)) as RoundRow, await codeOf(trx, round.jurisdiction_id)),
    investment: yuan(total),
  };
}

/** The role that approves (立项) in this pack: its `projects.approvalRole`, else the authority approver. */
function approverRole(policy: EffectivePolicy): string {
  return policy.projects.approvalRole.value ?? 'authority_approver';
}

/**
 * Approval (立项, JQ-proj 7(4)) by the pack's role: a declaration in the annual plan, or an urgent one that
 * passed the review (JQ-proj 8). The project becomes approved (the projects module re-checks JQ-proj 9).
 */
export async function approveDeclaration(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  comment: string | null,
  now: Date,
) {
  const d = await lockedDeclaration(trx, id);
  assertJurisdictionCaller(auth, d.jurisdiction_id);
  const policy = await effectivePolicy(trx, await codeOf(trx, d.jurisdiction_id));
  const role = approverRole(policy);
  if (!auth.roles.includes(role)) {
    throw new AppError(
      'forbidden',
      `the project is approved by the ${role} (${policy.projects.approvalRole.article ?? 'project:approve'}) / 立项由规定的审批部门批复`,
    );
  }
  if (d.urgent) expectStatus(d, 'review_passed');
  else expectStatus(d, 'in_plan');
  await approveDeclaredProject(trx, actor, d.project_id, auth.name, comment, now);
  await repo.updateDeclaration(trx, id, { status: 'approved', approved_by: auth.name, approved_at: now }, now);
  return audited(trx, actor, d, 'approved', { after: { status: 'approved' }, role, urgent: d.urgent });
}

/** Design and budget review (JQ-proj 7(6)): passed, the unit may request cloud resources (JQ-proj 7(7)). */
export async function reviewDesign(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { passed: boolean; note: string },
  now: Date,
) {
  const d = await lockedDeclaration(trx, id);
  assertJurisdictionCaller(auth, d.jurisdiction_id);
  expectStatus(d, 'approved');
  await repo.updateDeclaration(
    trx,
    id,
    {
      ...(input.passed ? { status: 'design_approved' as const } : {}),
      design_review_note: input.note,
      design_reviewed_by: auth.name,
      design_reviewed_at: now,
    },
    now,
  );
  return audited(trx, actor, d, input.passed ? 'design_approved' : 'design_returned', {
    after: { status: input.passed ? 'design_approved' : d.status },
    note: input.note,
  });
}
