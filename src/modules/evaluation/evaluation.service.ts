import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { addDays, shanghaiDay, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { onCloudRate, retainedCentreFacts } from '../datacentres/index.ts';
import { applyEvaluatedCoefficients } from '../metering/index.ts';
import { efficiencyFacts } from '../monitoring/index.ts';
import { ticketResponseFacts } from '../operations/index.ts';
import { INDICATORS, type IndicatorId, jurisdictionPolicy } from '../policy/index.ts';
import { systemsOfJurisdictions } from '../projects/index.ts';
import { providerResponse, servedPairs } from '../provisioning/index.ts';
import { listJurisdictions, listOrganisations } from '../tenancy/index.ts';
import { providerExtras, unitExtras } from './evaluation.indicators.facts.ts';
import { computeOutcomes, type Outcomes, visibleOutcomes } from './evaluation.outcomes.ts';
import * as repo from './evaluation.repository.ts';
import {
  type Card,
  contentHash,
  type DataCentreInputs,
  fmt,
  hundredths,
  type Inputs,
  type ProviderInputs,
  scoreCards,
  type Template,
  type UnitInputs,
} from './evaluation.scoring.ts';
import type { EvaluationRow } from './evaluation.table.ts';

// Efficiency evaluation (效能评估, SH 27, 33-34; TZ 20; LZ 30; JQ 28). A draft is computed from what the platform
// holds (inputs snapshotted, hashed); the ops unit reviews it, the competent authority approves and publishes it.
// Publication sets the efficiency coefficients of settlement from the month the authority names (SH 27); an
// upheld appeal republishes the card and moves only the coefficients of months not closed yet.

const PERIOD = /^([0-9]{4})(?:-Q([1-4]))?$/;
const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const SCORE = /^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$/;

const invalid = (field: string, message: string) => new AppError('validation_failed', message, [{ field, message }]);

function windowOf(period: string): { from: string; to: string } {
  const m = PERIOD.exec(period);
  if (!m) throw invalid('body.period', '评估期间格式为 2026 或 2026-Q3 / period is YYYY or YYYY-Qn');
  const year = Number(m[1]);
  if (!m[2]) return { from: `${year}-01-01`, to: `${year + 1}-01-01` };
  const q = Number(m[2]);
  const start = (q - 1) * 3 + 1;
  const end = start + 3;
  return {
    from: `${year}-${String(start).padStart(2, '0')}-01`,
    to: end > 12 ? `${year + 1}-01-01` : `${year}-${String(end).padStart(2, '0')}-01`,
  };
}

async function jurisdictionOf(trx: Trx, id: string) {
  const j = (await listJurisdictions(trx as unknown as Db)).find((x) => x.id === id);
  if (!j) throw notFound(`jurisdiction ${id}`);
  return j;
}

const isAuthority = (auth: AuthContext) => auth.visibility.kind === 'jurisdiction';

/** An evaluation the caller may see: jurisdiction roles in scope any; units and providers only published ones. */
export async function visibleEvaluation(
  trx: Trx,
  auth: AuthContext,
  id: string,
  lock = false,
  survey = false,
): Promise<EvaluationRow> {
  const e = lock ? await repo.lockEvaluation(trx, id) : await repo.findEvaluation(trx, id);
  const v = auth.visibility;
  // the survey is answered while the evaluation is a draft: units reach the draft's survey, never its cards
  const seen =
    e &&
    (v.kind === 'jurisdiction'
      ? v.jurisdictions.includes(e.jurisdiction_id)
      : (e.status === 'published' || survey) && e.jurisdiction_id === auth.jurisdictionId);
  if (!e || !seen) throw notFound(`evaluation ${id} / 评估不存在`);
  return e;
}

// ------------------------------------------------------------------------------------------ inputs

function manualOf(manual: Awaited<ReturnType<typeof repo.manualScores>>, organisationId: string) {
  const m: ProviderInputs['manual'] = {};
  for (const x of manual.filter((x) => x.organisation_id === organisationId)) {
    m[x.indicator as IndicatorId] = { score: hundredths(x.score), evidence: x.evidence, enteredBy: x.entered_by };
  }
  return m;
}

async function gatherInputs(
  trx: Trx,
  auth: AuthContext,
  e: { jurisdiction_id: string; window_from: string; window_to: string; id?: string },
  template: Template,
  now: Date,
): Promise<Inputs> {
  const jid = e.jurisdiction_id;
  const from = startOfShanghaiDay(e.window_from);
  const windowEnd = startOfShanghaiDay(e.window_to);
  const until = now < windowEnd ? now : windowEnd;
  const asOfDay = shanghaiDay(new Date(until.getTime() - 1));
  const units = (await listOrganisations(trx, auth, { type: 'using_unit' })).filter((o) => o.jurisdictionId === jid);
  const providers = (await listOrganisations(trx, auth, { type: 'cloud_service_provider' })).filter(
    (o) => o.jurisdictionId === jid,
  );
  const systems = await systemsOfJurisdictions(trx, [jid]);
  const efficiency = new Map((await efficiencyFacts(trx, jid, from, until)).map((f) => [f.organisationId, f]));
  const response = new Map((await providerResponse(trx, jid, from, until)).map((r) => [r.providerId, r]));
  const tickets = new Map((await ticketResponseFacts(trx, jid, from, until)).map((r) => [r.providerId, r]));
  const survey = new Map(e.id ? (await repo.surveyTotals(trx, e.id)).map((s) => [s.provider_id, s]) : []);
  const manual = e.id ? await repo.manualScores(trx, e.id) : [];
  const appeals: Inputs['appeals'] = {};
  if (e.id) {
    for (const a of await repo.upheldScores(trx, e.id)) {
      appeals[a.organisation_id] = { ...appeals[a.organisation_id], [a.indicator]: hundredths(a.score) };
    }
  }
  const unitFacts = await unitExtras(
    trx,
    jid,
    units.map((u) => u.id),
    from,
    until,
  );
  const providerFacts = await providerExtras(
    trx,
    jid,
    providers.map((p) => p.id),
    from,
    until,
  );
  const unitInputs: UnitInputs[] = [];
  for (const u of units) {
    const rate = await onCloudRate(trx, jid, asOfDay, u.id);
    const own = systems.filter((s) => s.organisationId === u.id && !s.classified && s.status === 'on_cloud');
    const f = efficiency.get(u.id);
    unitInputs.push({
      organisationId: u.id,
      name: u.name,
      systems: rate.systems,
      migrated: rate.migrated,
      provisional: rate.provisionallyMigrated,
      onCloudSystems: own.length,
      compliant: own.filter((s) => s.filingStatus === 'filed' && s.commitmentLetterOnFile).length,
      monitored: f?.monitored ?? 0,
      findings: f?.findings ?? 0,
      unresolved: f?.unresolved ?? 0,
      ...unitFacts.get(u.id),
    });
  }
  const providerInputs: ProviderInputs[] = providers.map((p) => {
    const r = response.get(p.id);
    const s = survey.get(p.id);
    const m = manualOf(manual, p.id);
    return {
      organisationId: p.id,
      name: p.name,
      // Further sources are added here as more entries of the same shape.
      response: [
        { source: 'work_orders', counted: r?.counted ?? 0, onTime: r?.onTime ?? 0 },
        // issue 18: the service desk's first responses against TZ 12(2)'s target
        {
          source: 'service_tickets',
          counted: tickets.get(p.id)?.counted ?? 0,
          onTime: tickets.get(p.id)?.onTime ?? 0,
        },
        // and their resolutions against the targets of their priority (a breach counts late)
        { source: 'ticket_resolutions', ...(tickets.get(p.id)?.resolutions ?? { counted: 0, onTime: 0 }) },
      ],
      answers: s?.answers ?? 0,
      ratingSum: s?.rating_sum ?? 0,
      ratingCount: s?.rating_count ?? 0,
      manual: m,
      ...providerFacts.get(p.id),
    };
  });
  // LZ 30(2): the units keeping their own data centre for now, where the pack evaluates them
  let dataCentres: DataCentreInputs[] | undefined;
  if (template.scorecards.data_centre) {
    dataCentres = [];
    for (const f of await retainedCentreFacts(trx, jid, asOfDay)) {
      const u = units.find((x) => x.id === f.organisationId);
      if (!u) continue;
      dataCentres.push({
        organisationId: u.id,
        name: u.name,
        rooms: f.rooms.map(({ name, items, passed, failed }) => ({ name, items, passed, failed })),
        manual: manualOf(manual, u.id),
      });
    }
  }
  const files: NonNullable<Inputs['files']> = {};
  if (e.id) {
    const all = await repo.attachmentsOf(trx, e.id, { kind: 'jurisdiction', jurisdictions: [jid] });
    for (const a of all) {
      const own = files[a.organisation_id] ?? {};
      const list = own[a.indicator as IndicatorId] ?? [];
      list.push({ fileName: a.file_name, sha256: a.sha256 });
      own[a.indicator as IndicatorId] = list;
      files[a.organisation_id] = own;
    }
  }
  return {
    asOfDay,
    units: unitInputs,
    providers: providerInputs,
    appeals,
    ...(dataCentres ? { dataCentres } : {}),
    ...(Object.keys(files).length > 0 ? { files } : {}),
  };
}

// ------------------------------------------------------------------------------------------ API objects

function toEvaluation(e: EvaluationRow, cards?: ReturnType<typeof toCard>[]) {
  const template = e.template as Template;
  return {
    id: e.id,
    period: e.period,
    windowFrom: e.window_from,
    windowTo: addDays(e.window_to, -1),
    packId: e.pack_id,
    packVersion: e.pack_version,
    status: e.status,
    effectiveFrom: e.effective_from,
    contentHash: e.content_hash,
    revision: e.revision,
    asOfDay: (e.inputs as Inputs).asOfDay,
    createdBy: e.created_by,
    createdAt: e.created_at.toISOString(),
    computedAt: e.computed_at.toISOString(),
    reviewedBy: e.reviewed_by,
    reviewedAt: e.reviewed_at?.toISOString() ?? null,
    approvedBy: e.approved_by,
    approvedAt: e.approved_at?.toISOString() ?? null,
    publishedBy: e.published_by,
    publishedAt: e.published_at?.toISOString() ?? null,
    appealDueDay: e.appeal_due_day,
    bands: template.bands.value,
    surveyQuestions: template.surveyQuestions,
    scorecards: template.scorecards,
    ...(cards ? { cards } : {}),
  };
}

function toCard(c: Awaited<ReturnType<typeof repo.cardsOf>>[number]) {
  return {
    subject: c.subject,
    organisationId: c.organisation_id,
    name: c.name,
    total: String(c.total),
    band: c.band,
    coefficient: c.coefficient === null ? null : String(c.coefficient),
    rank: c.rank,
    ofCount: c.of_count,
    indicators: c.indicators as Card['indicators'],
  };
}

async function withCards(trx: Trx, auth: AuthContext, e: EvaluationRow) {
  return toEvaluation(e, (await repo.cardsOf(trx, e.id, auth.visibility)).map(toCard));
}

// ------------------------------------------------------------------------------------------ draft

export async function createDraft(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { period: string; effectiveFrom?: string },
  now: Date,
) {
  const window = windowOf(input.period);
  const j = await jurisdictionOf(trx, auth.jurisdictionId);
  const policy = await jurisdictionPolicy(trx as unknown as Db, j.code);
  const template = policy.policy.evaluation;
  if (template.period.value === 'annual' && input.period.includes('Q')) {
    throw invalid('body.period', '本市政策包规定按年度评估 / the pack evaluates annually');
  }
  if (template.period.value === 'quarterly' && !input.period.includes('Q')) {
    throw invalid('body.period', '本市政策包规定按季度评估 / the pack evaluates quarterly');
  }
  const effectiveFrom = input.effectiveFrom ?? window.to.slice(0, 7);
  if (!MONTH.test(effectiveFrom)) throw invalid('body.effectiveFrom', '生效月份格式为 YYYY-MM');
  if (await repo.findByPeriod(trx, j.id, input.period)) {
    throw new AppError('conflict', `an evaluation of ${input.period} exists / 该期间已有评估`, [
      { field: 'body.period', message: '该期间已有评估' },
    ]);
  }
  const base = { jurisdiction_id: j.id, window_from: window.from, window_to: window.to };
  const inputs = await gatherInputs(trx, auth, base, template, now);
  const hash = contentHash(template, inputs);
  const row = await repo.insertEvaluation(trx, {
    ...base,
    period: input.period,
    pack_id: policy.packId,
    pack_version: policy.packVersion,
    template: JSON.stringify(template),
    effective_from: effectiveFrom,
    inputs: JSON.stringify(inputs),
    content_hash: hash,
    created_by: auth.name,
    created_at: now,
    contributor_ids: [auth.id],
  });
  await repo.replaceCards(trx, row.id, j.id, scoreCards(template, inputs));
  await writeAudit(trx, actor, {
    action: 'evaluation.drafted',
    objectType: 'evaluation',
    objectId: row.id,
    detail: { period: input.period, pack: `${policy.packId}@${policy.packVersion}`, contentHash: hash },
  });
  return withCards(trx, auth, row);
}

/** Recomputes a draft from the data as it is now (survey answers and entered scores included); same data, same hash. */
const withContributor = (ids: readonly string[], id: string) => (ids.includes(id) ? [...ids] : [...ids, id]);

export async function recompute(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const e = await visibleEvaluation(trx, auth, id, true);
  if (e.status !== 'draft') throw new AppError('conflict', 'only a draft is recomputed / 仅草稿可重新计算');
  const template = e.template as Template;
  const inputs = await gatherInputs(trx, auth, e, template, now);
  const hash = contentHash(template, inputs);
  const row = await repo.updateEvaluation(trx, e.id, {
    inputs: JSON.stringify(inputs),
    content_hash: hash,
    computed_at: now,
    contributor_ids: withContributor(e.contributor_ids, auth.id),
  });
  await repo.replaceCards(trx, e.id, e.jurisdiction_id, scoreCards(template, inputs));
  await writeAudit(trx, actor, {
    action: 'evaluation.recomputed',
    objectType: 'evaluation',
    objectId: e.id,
    detail: { contentHash: hash, before: e.content_hash, changed: hash !== e.content_hash },
  });
  return withCards(trx, auth, row);
}

export async function enterManualScore(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { organisationId: string; indicator: string; score: string; evidence: string },
  now: Date,
) {
  const e = await visibleEvaluation(trx, auth, id, true);
  if (e.status !== 'draft') throw new AppError('conflict', 'scores are entered on a draft / 仅草稿可录入评分');
  const template = e.template as Template;
  const [subject, found] =
    Object.entries(template.scorecards)
      .flatMap(([subject, c]) => (c?.indicators ?? []).map((i) => [subject, i] as const))
      .find(([, i]) => i.id === input.indicator && i.source === 'manual') ?? [];
  if (!found) throw invalid('body.indicator', '该指标不由人工录入 / not an indicator entered by people');
  if (found.enteredBy && !auth.roles.includes(found.enteredBy)) {
    throw new AppError('forbidden', `entered by ${found.enteredBy} / 该指标由${found.enteredBy}录入`);
  }
  if (!SCORE.test(input.score)) throw invalid('body.score', '评分为 0 至 100，最多 2 位小数');
  const card = (await repo.cardsOf(trx, e.id, auth.visibility)).find(
    (c) => c.organisation_id === input.organisationId && c.subject === subject,
  );
  if (!card) throw invalid('body.organisationId', '被评估单位不在本次评估中');
  await repo.upsertManualScore(trx, {
    evaluation_id: e.id,
    organisation_id: input.organisationId,
    indicator: input.indicator,
    score: input.score,
    evidence: input.evidence,
    entered_by: auth.name,
    entered_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'evaluation.score_entered',
    objectType: 'evaluation',
    objectId: e.id,
    detail: {
      organisationId: input.organisationId,
      indicator: input.indicator,
      score: input.score,
      evidence: input.evidence,
    },
  });
  return recompute(trx, auth, actor, id, now);
}

// ------------------------------------------------------------------------------------------ survey

/** The providers that served the caller's unit, with the unit's answer where it gave one (the survey form). */
export async function surveyForm(trx: Trx, auth: AuthContext, id: string) {
  const e = await visibleEvaluation(trx, auth, id, false, true);
  if (auth.organisationType !== 'using_unit') throw notFound(`survey of evaluation ${id}`);
  const pairs = (await servedPairs(trx, e.jurisdiction_id, startOfShanghaiDay(e.window_to))).filter(
    (p) => p.organisationId === auth.organisationId,
  );
  const answers = await repo.surveysOf(trx, e.id, { kind: 'organisation', organisations: [auth.organisationId] });
  const providers = await listOrganisations(trx, auth, { type: 'cloud_service_provider' });
  return {
    evaluationId: e.id,
    open: e.status === 'draft',
    questions: (e.template as Template).surveyQuestions,
    providers: pairs.map((p) => {
      const a = answers.find((x) => x.provider_id === p.providerId);
      return {
        providerId: p.providerId,
        providerName: providers.find((o) => o.id === p.providerId)?.name ?? '',
        answers: a?.answers ?? null,
        comment: a?.comment ?? null,
        submittedAt: a?.submitted_at.toISOString() ?? null,
      };
    }),
  };
}

export async function submitSurvey(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { providerId: string; answers: Record<string, number>; comment?: string },
  now: Date,
) {
  const e = await visibleEvaluation(trx, auth, id, false, true);
  if (auth.organisationType !== 'using_unit') throw new AppError('forbidden', 'only using units answer the survey');
  if (e.status !== 'draft') throw new AppError('conflict', 'the survey is closed / 问卷已截止');
  const served = (await servedPairs(trx, e.jurisdiction_id, startOfShanghaiDay(e.window_to))).some(
    (p) => p.organisationId === auth.organisationId && p.providerId === input.providerId,
  );
  if (!served) throw invalid('body.providerId', '该服务商未为本单位提供服务 / this provider did not serve the unit');
  const questions = (e.template as Template).surveyQuestions;
  for (const q of questions) {
    const v = input.answers[q.id];
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 5) {
      throw invalid(`body.answers.${q.id}`, `「${q.zh}」请评 1 至 5 分`);
    }
  }
  const extra = Object.keys(input.answers).find((k) => !questions.some((q) => q.id === k));
  if (extra) throw invalid(`body.answers.${extra}`, '问卷没有这一题');
  await repo.upsertSurvey(trx, {
    evaluation_id: e.id,
    organisation_id: auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    provider_id: input.providerId,
    answers: JSON.stringify(input.answers),
    comment: input.comment ?? null,
    submitted_by: auth.name,
    submitted_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'evaluation.survey_answered',
    objectType: 'evaluation',
    objectId: e.id,
    detail: { providerId: input.providerId, answers: input.answers },
  });
  return surveyForm(trx, auth, id);
}

/** Answers by unit: the answering unit sees its own, jurisdiction roles all; a provider none (anonymous to it). */
export async function listSurveys(trx: Trx, auth: AuthContext, id: string) {
  const e = await visibleEvaluation(trx, auth, id);
  const rows = await repo.surveysOf(trx, e.id, auth.visibility);
  return {
    items: rows.map((r) => ({
      unitId: r.organisation_id,
      unitName: r.unit_name,
      providerId: r.provider_id,
      providerName: r.provider_name,
      answers: r.answers,
      comment: r.comment,
      submittedAt: r.submitted_at.toISOString(),
    })),
  };
}

// ------------------------------------------------------------------------------------------ flow

export async function review(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { contentHash: string },
  now: Date,
) {
  const e = await visibleEvaluation(trx, auth, id, true);
  if (e.status !== 'draft') throw new AppError('conflict', 'only a draft is reviewed / 仅草稿可审核');
  if (input.contentHash !== e.content_hash) {
    throw new AppError('conflict', 'the draft was recomputed since you read it / 草稿已重新计算，请刷新', [
      { field: 'body.contentHash', message: '草稿已重新计算' },
    ]);
  }
  if (e.contributor_ids.includes(auth.id)) {
    // SH 33-34: the ops unit's draft and its review are two duties; whoever computed the draft or entered a score
    // on it (even holding both roles) may not review it.
    throw new AppError(
      'duties_not_separated',
      'you computed this draft or entered a score on it: another person reviews it / 起草人不得审核本人起草的评估',
    );
  }
  const missing = scoreCards(e.template as Template, e.inputs as Inputs).filter((c) => !c.complete);
  if (missing.length > 0) {
    throw new AppError('conflict', `scores not entered: ${missing.map((c) => c.name).join('、')} / 尚有人工指标未录入`);
  }
  const row = await repo.updateEvaluation(trx, e.id, { status: 'reviewed', reviewed_by: auth.name, reviewed_at: now });
  await writeAudit(trx, actor, {
    action: 'evaluation.reviewed',
    objectType: 'evaluation',
    objectId: e.id,
    detail: { contentHash: e.content_hash },
  });
  return withCards(trx, auth, row);
}

export async function approve(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const e = await visibleEvaluation(trx, auth, id, true);
  if (e.status !== 'reviewed')
    throw new AppError('conflict', 'only a reviewed evaluation is approved / 须先经运行管理单位审核');
  const row = await repo.updateEvaluation(trx, e.id, { status: 'approved', approved_by: auth.name, approved_at: now });
  await writeAudit(trx, actor, {
    action: 'evaluation.approved',
    objectType: 'evaluation',
    objectId: e.id,
    detail: { contentHash: e.content_hash },
  });
  return withCards(trx, auth, row);
}

/** The coefficients of the unit cards from the named month on (SH 27), through metering; months closed keep theirs. */
async function settleCoefficients(trx: Trx, actor: Actor, e: EvaluationRow, setBy: string, now: Date) {
  const template = e.template as Template;
  if (!template.bands.value) return { changedMonths: [] as string[], written: 0 };
  const cards = scoreCards(template, e.inputs as Inputs).filter((c) => c.subject === 'using_unit' && c.coefficient);
  return applyEvaluatedCoefficients(trx, actor, {
    evaluationId: e.id,
    fromMonth: e.effective_from,
    months: template.coefficientMonths.value,
    units: cards.map((c) => ({
      organisationId: c.organisationId,
      coefficient: c.coefficient as string,
      band: c.band as string,
    })),
    setBy,
    now,
  });
}

/** Allocation advice and provider fee adjustments from the cards as they now stand, kept with the evaluation. */
async function storeOutcomes(trx: Trx, auth: AuthContext, e: EvaluationRow, now: Date): Promise<Outcomes> {
  const template = e.template as Template;
  const outcomes = await computeOutcomes(trx, auth, e, template, scoreCards(template, e.inputs as Inputs), now);
  await repo.updateEvaluation(trx, e.id, { outcomes: JSON.stringify(outcomes) });
  return outcomes;
}

const outcomeSummary = (o: Outcomes) => ({
  advice: o.allocation?.units.map((u) => ({ organisationId: u.organisationId, action: u.action })) ?? null,
  providerFee:
    o.providerFee?.providers.map((p) => ({ providerId: p.providerId, adjustmentFen: p.adjustmentFen })) ?? null,
});

/** The published outcomes the caller may see (a unit its own advice, a provider its own fee, authorities all). */
export async function outcomesOf(trx: Trx, auth: AuthContext, id: string) {
  const e = await visibleEvaluation(trx, auth, id);
  if (e.status !== 'published' || !e.outcomes) {
    throw new AppError('conflict', 'outcomes follow publication / 发布后方生成分配建议与服务费调整');
  }
  return {
    evaluationId: e.id,
    period: e.period,
    revision: e.revision,
    ...visibleOutcomes(e.outcomes as Outcomes, auth),
  };
}

export async function publish(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { effectiveFrom?: string },
  now: Date,
) {
  const e = await visibleEvaluation(trx, auth, id, true);
  if (e.status !== 'approved')
    throw new AppError('conflict', 'only an approved evaluation is published / 须先经主管部门审定');
  if (input.effectiveFrom !== undefined && !MONTH.test(input.effectiveFrom)) {
    throw invalid('body.effectiveFrom', '生效月份格式为 YYYY-MM');
  }
  const template = e.template as Template;
  const j = await jurisdictionOf(trx, e.jurisdiction_id);
  const appeal = await addWorkingDays(trx as unknown as Db, j.code, now, template.appealWorkingDays.value);
  const effectiveFrom = input.effectiveFrom ?? e.effective_from;
  const row = await repo.updateEvaluation(trx, e.id, {
    status: 'published',
    published_by: auth.name,
    published_at: now,
    appeal_due_day: appeal.dueDay,
    ...(effectiveFrom !== e.effective_from ? ({ effective_from: effectiveFrom } as object) : {}),
  });
  const coefficients = await settleCoefficients(trx, actor, row, auth.name, now);
  const outcomes = await storeOutcomes(trx, auth, row, now);
  await writeAudit(trx, actor, {
    action: 'evaluation.published',
    objectType: 'evaluation',
    objectId: e.id,
    detail: {
      contentHash: e.content_hash,
      effectiveFrom,
      appealDueDay: appeal.dueDay,
      coefficientMonths: coefficients.changedMonths,
      ...outcomeSummary(outcomes),
    },
  });
  return {
    evaluation: await withCards(trx, auth, row),
    changedMonths: coefficients.changedMonths,
    jurisdiction: j.code,
  };
}

// ------------------------------------------------------------------------------------------ appeals

function toAppeal(
  a:
    | Awaited<ReturnType<typeof repo.appealsOf>>[number]
    | (Awaited<ReturnType<typeof repo.insertAppeal>> & { name?: string }),
) {
  return {
    id: a.id,
    evaluationId: a.evaluation_id,
    organisationId: a.organisation_id,
    organisationName: a.name ?? null,
    indicator: a.indicator,
    reason: a.reason,
    status: a.status,
    decision: a.decision,
    score: a.score === null ? null : String(a.score),
    filedBy: a.filed_by,
    filedAt: a.filed_at.toISOString(),
    decidedBy: a.decided_by,
    decidedAt: a.decided_at?.toISOString() ?? null,
  };
}

export async function fileAppeal(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { indicator: string; reason: string },
  now: Date,
) {
  const e = await visibleEvaluation(trx, auth, id);
  if (e.status !== 'published' || !e.appeal_due_day || shanghaiDay(now) > e.appeal_due_day) {
    throw new AppError('conflict', `the appeal window has closed (${e.appeal_due_day ?? '—'}) / 申诉期已过`);
  }
  const cards = await repo.cardsOf(trx, e.id, { kind: 'organisation', organisations: [auth.organisationId] });
  if (cards.length === 0) throw notFound(`card of ${auth.organisationId} in evaluation ${id}`);
  // a unit keeping its own data centre has two cards (LZ 30(1), 30(2)): the one that holds the indicator
  const card = cards.find((c) => (c.indicators as Card['indicators']).some((i) => i.id === input.indicator));
  if (!card) throw invalid('body.indicator', '评分卡中没有该指标');
  const row = await repo.insertAppeal(trx, {
    evaluation_id: e.id,
    organisation_id: auth.organisationId,
    jurisdiction_id: card.jurisdiction_id,
    indicator: input.indicator,
    reason: input.reason,
    filed_by: auth.name,
    filed_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'evaluation.appeal_filed',
    objectType: 'evaluation',
    objectId: e.id,
    detail: { appealId: row.id, indicator: input.indicator, reason: input.reason },
  });
  return toAppeal({ ...row, name: card.name });
}

export async function listAppeals(trx: Trx, auth: AuthContext, id: string) {
  const e = await visibleEvaluation(trx, auth, id);
  return { items: (await repo.appealsOf(trx, e.id, auth.visibility)).map(toAppeal) };
}

/**
 * The authority decides an appeal; upheld with a score, the card is republished (the inputs keep the decision,
 * so the hash changes and a recompute reproduces it) and the coefficients of months not closed follow.
 */
export async function decideAppeal(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  appealId: string,
  input: { decision: 'upheld' | 'rejected'; reason: string; score?: string },
  now: Date,
) {
  const a = await repo.findAppeal(trx, appealId, auth.visibility);
  if (!a) throw notFound(`appeal ${appealId}`);
  const e = await visibleEvaluation(trx, auth, a.evaluation_id, true);
  if (a.status !== 'open') throw new AppError('conflict', 'the appeal is decided / 申诉已处理');
  if (input.decision === 'upheld' && (input.score === undefined || !SCORE.test(input.score))) {
    throw invalid('body.score', '维持申诉须给出该指标的新评分（0 至 100）');
  }
  const score = input.decision === 'upheld' ? fmt(hundredths(input.score as string)) : null;
  const decided = await repo.decideAppeal(trx, a.id, {
    status: input.decision,
    decision: input.reason,
    score,
    decided_by: auth.name,
    decided_at: now,
  });
  let changedMonths: string[] = [];
  let row = e;
  if (input.decision === 'upheld') {
    const inputs = e.inputs as Inputs;
    const appeals = { ...inputs.appeals };
    appeals[a.organisation_id] = { ...appeals[a.organisation_id], [a.indicator]: hundredths(score as string) };
    const next: Inputs = { ...inputs, appeals };
    const template = e.template as Template;
    const hash = contentHash(template, next);
    row = await repo.updateEvaluation(trx, e.id, {
      inputs: JSON.stringify(next),
      content_hash: hash,
      revision: e.revision + 1,
    });
    await repo.replaceCards(trx, e.id, e.jurisdiction_id, scoreCards(template, next));
    changedMonths = (await settleCoefficients(trx, actor, row, auth.name, now)).changedMonths;
    if (e.status === 'published') await storeOutcomes(trx, auth, row, now);
  }
  await writeAudit(trx, actor, {
    action: `evaluation.appeal_${input.decision}`,
    objectType: 'evaluation',
    objectId: e.id,
    detail: {
      appealId: a.id,
      organisationId: a.organisation_id,
      indicator: a.indicator,
      score,
      reason: input.reason,
      contentHash: row.content_hash,
      revision: row.revision,
      coefficientMonths: changedMonths,
    },
  });
  const j = await jurisdictionOf(trx, e.jurisdiction_id);
  return { appeal: toAppeal({ ...decided, name: undefined }), changedMonths, jurisdiction: j.code };
}

// ------------------------------------------------------------------------------------------ reads

export async function listEvaluations(trx: Trx, auth: AuthContext) {
  const v = auth.visibility;
  const rows = await repo.listEvaluations(trx, v.kind === 'jurisdiction' ? v.jurisdictions : [auth.jurisdictionId]);
  // units and providers: the published ones; units also the open draft whose survey they answer
  const seen = rows.filter(
    (r) =>
      v.kind === 'jurisdiction' ||
      r.status === 'published' ||
      (r.status === 'draft' && auth.permissions.has('evaluation:survey')),
  );
  return { items: seen.map((r) => toEvaluation(r)) };
}

export async function getEvaluation(trx: Trx, auth: AuthContext, id: string) {
  const surveying = auth.permissions.has('evaluation:survey');
  const e = await visibleEvaluation(trx, auth, id, false, surveying);
  // a unit reaches an open draft for its survey, never the draft's cards
  if (auth.visibility.kind === 'organisation' && e.status !== 'published') return toEvaluation(e, []);
  return withCards(trx, auth, e);
}

/** One organisation's published cards over the periods (the trend). */
export async function trendOf(trx: Trx, auth: AuthContext, organisationId: string) {
  const rows = await repo.cardHistory(trx, organisationId, auth.visibility);
  return {
    items: rows.map((r) => ({
      evaluationId: r.id,
      period: r.period,
      total: String(r.total),
      band: r.band,
      rank: r.rank,
      ofCount: r.of_count,
    })),
  };
}

export { INDICATORS, isAuthority };
