import { sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import type { Trx } from '../../schema.ts';
import type { Card } from './evaluation.scoring.ts';
import type { EvaluationStatus } from './evaluation.table.ts';

// The only SQL of the evaluation module. Tenant-owned tables (cards, surveys, appeals) are read in withTenant;
// the visibility filters state the same rule as row-level security.

const visibleTo = (v: Visibility) => (eb: any) =>
  v.kind === 'organisation'
    ? eb('organisation_id', 'in', v.organisations)
    : eb('jurisdiction_id', 'in', v.jurisdictions);

export async function findEvaluation(trx: Trx, id: string) {
  return trx.selectFrom('evaluation').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockEvaluation(trx: Trx, id: string) {
  return trx.selectFrom('evaluation').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listEvaluations(trx: Trx, jurisdictionIds: readonly string[]) {
  return trx
    .selectFrom('evaluation')
    .selectAll()
    .where('jurisdiction_id', 'in', jurisdictionIds)
    .orderBy('period', 'desc')
    .limit(200)
    .execute();
}

export async function findByPeriod(trx: Trx, jurisdictionId: string, period: string) {
  return trx
    .selectFrom('evaluation')
    .select('id')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('period', '=', period)
    .executeTakeFirst();
}

export async function insertEvaluation(
  trx: Trx,
  row: {
    jurisdiction_id: string;
    period: string;
    window_from: string;
    window_to: string;
    pack_id: string;
    pack_version: string;
    template: string;
    effective_from: string;
    inputs: string;
    content_hash: string;
    created_by: string;
    created_at: Date;
    contributor_ids: string[];
  },
) {
  return trx
    .insertInto('evaluation')
    .values({ ...row, status: 'draft', computed_at: row.created_at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateEvaluation(
  trx: Trx,
  id: string,
  set: Partial<{
    status: EvaluationStatus;
    inputs: string;
    content_hash: string;
    computed_at: Date;
    contributor_ids: string[];
    revision: number;
    reviewed_by: string;
    reviewed_at: Date;
    approved_by: string;
    approved_at: Date;
    published_by: string;
    published_at: Date;
    appeal_due_day: string;
    outcomes: string;
  }>,
) {
  return trx.updateTable('evaluation').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Replaces an evaluation's cards in one statement (arrays + unnest). */
export async function replaceCards(trx: Trx, evaluationId: string, jurisdictionId: string, cards: Card[]) {
  await trx.deleteFrom('evaluation_card').where('evaluation_id', '=', evaluationId).execute();
  if (cards.length === 0) return;
  await sql`
    insert into evaluation_card (evaluation_id, subject, organisation_id, jurisdiction_id, total, band, coefficient, rank,
      of_count, indicators)
    select ${evaluationId}::uuid, c.subject, c.organisation_id, o.jurisdiction_id, c.total, c.band, c.coefficient, c.rank,
      c.of_count, c.indicators
    from unnest(${cards.map((c) => c.subject)}::text[], ${cards.map((c) => c.organisationId)}::uuid[],
      ${cards.map((c) => c.total)}::numeric[], ${cards.map((c) => c.band)}::text[],
      ${cards.map((c) => c.coefficient)}::numeric[], ${cards.map((c) => c.rank)}::int[],
      ${cards.map((c) => c.ofCount)}::int[], ${cards.map((c) => JSON.stringify(c.indicators))}::jsonb[])
      as c(subject, organisation_id, total, band, coefficient, rank, of_count, indicators)
    join organisation o on o.id = c.organisation_id`.execute(trx);
  void jurisdictionId;
}

export async function cardsOf(trx: Trx, evaluationId: string, v: Visibility) {
  return trx
    .selectFrom('evaluation_card as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
    .selectAll('c')
    .select(['o.name', 'o.code'])
    .where('c.evaluation_id', '=', evaluationId)
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('c.organisation_id', 'in', v.organisations)
        : eb('c.jurisdiction_id', 'in', v.jurisdictions),
    )
    .orderBy('c.subject', 'desc')
    .orderBy('c.rank')
    .orderBy('o.code')
    .execute();
}

export async function cardHistory(trx: Trx, organisationId: string, v: Visibility) {
  return trx
    .selectFrom('evaluation_card as c')
    .innerJoin('evaluation as e', 'e.id', 'c.evaluation_id')
    .select(['e.id', 'e.period', 'c.total', 'c.band', 'c.rank', 'c.of_count'])
    .where('c.organisation_id', '=', organisationId)
    .where('e.status', '=', 'published')
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('c.organisation_id', 'in', v.organisations)
        : eb('c.jurisdiction_id', 'in', v.jurisdictions),
    )
    .orderBy('e.period')
    .execute();
}

// ------------------------------------------------------------------------------------------ survey

export async function upsertSurvey(
  trx: Trx,
  row: {
    evaluation_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    provider_id: string;
    answers: string;
    comment: string | null;
    submitted_by: string;
    submitted_at: Date;
  },
) {
  return trx
    .insertInto('evaluation_survey')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['evaluation_id', 'organisation_id', 'provider_id']).doUpdateSet({
        answers: row.answers,
        comment: row.comment,
        submitted_by: row.submitted_by,
        submitted_at: row.submitted_at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function surveysOf(trx: Trx, evaluationId: string, v: Visibility) {
  return trx
    .selectFrom('evaluation_survey as s')
    .innerJoin('organisation as u', 'u.id', 's.organisation_id')
    .innerJoin('organisation as p', 'p.id', 's.provider_id')
    .selectAll('s')
    .select(['u.name as unit_name', 'p.name as provider_name'])
    .where('s.evaluation_id', '=', evaluationId)
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('s.organisation_id', 'in', v.organisations)
        : eb('s.jurisdiction_id', 'in', v.jurisdictions),
    )
    .orderBy('p.code')
    .orderBy('u.code')
    .execute();
}

/** Per provider: the number of answers, the sum and count of the ratings (the only thing scoring reads). */
export async function surveyTotals(trx: Trx, evaluationId: string) {
  const { rows } = await sql<{ provider_id: string; answers: number; rating_sum: number; rating_count: number }>`
    select s.provider_id, count(distinct s.organisation_id)::int as answers, coalesce(sum(r.value::int), 0)::int as rating_sum,
      count(r.value)::int as rating_count
    from evaluation_survey s cross join lateral jsonb_each_text(s.answers) as r(key, value)
    where s.evaluation_id = ${evaluationId}
    group by s.provider_id`.execute(trx);
  return rows;
}

// ------------------------------------------------------------------------------------------ manual scores

export async function upsertManualScore(
  trx: Trx,
  row: {
    evaluation_id: string;
    organisation_id: string;
    indicator: string;
    score: string;
    evidence: string;
    entered_by: string;
    entered_at: Date;
  },
) {
  await trx
    .insertInto('evaluation_manual_score')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['evaluation_id', 'organisation_id', 'indicator']).doUpdateSet({
        score: row.score,
        evidence: row.evidence,
        entered_by: row.entered_by,
        entered_at: row.entered_at,
      }),
    )
    .execute();
}

export async function manualScores(trx: Trx, evaluationId: string) {
  return trx
    .selectFrom('evaluation_manual_score')
    .select(['organisation_id', 'indicator', sql<string>`score::text`.as('score'), 'evidence', 'entered_by'])
    .where('evaluation_id', '=', evaluationId)
    .orderBy('organisation_id')
    .orderBy('indicator')
    .execute();
}

// ------------------------------------------------------------------------------------------ appeals

export async function insertAppeal(
  trx: Trx,
  row: {
    evaluation_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    indicator: string;
    reason: string;
    filed_by: string;
    filed_at: Date;
  },
) {
  return trx
    .insertInto('evaluation_appeal')
    .values({ ...row, status: 'open' })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findAppeal(trx: Trx, id: string, v: Visibility) {
  return trx
    .selectFrom('evaluation_appeal')
    .selectAll()
    .where('id', '=', id)
    .where(visibleTo(v))
    .forUpdate()
    .executeTakeFirst();
}

export async function decideAppeal(
  trx: Trx,
  id: string,
  set: { status: 'upheld' | 'rejected'; decision: string; score: string | null; decided_by: string; decided_at: Date },
) {
  return trx.updateTable('evaluation_appeal').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function appealsOf(trx: Trx, evaluationId: string, v: Visibility) {
  return trx
    .selectFrom('evaluation_appeal as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .selectAll('a')
    .select('o.name')
    .where('a.evaluation_id', '=', evaluationId)
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('a.organisation_id', 'in', v.organisations)
        : eb('a.jurisdiction_id', 'in', v.jurisdictions),
    )
    .orderBy('a.filed_at')
    .execute();
}

/** Upheld appeals: organisation -> indicator -> the decided score. */
export async function upheldScores(trx: Trx, evaluationId: string) {
  return trx
    .selectFrom('evaluation_appeal')
    .select(['organisation_id', 'indicator', sql<string>`score::text`.as('score')])
    .where('evaluation_id', '=', evaluationId)
    .where('status', '=', 'upheld')
    .orderBy('decided_at')
    .execute();
}

// ------------------------------------------------------------------------------------------ evidence files

const ATTACHMENT_META = [
  'id',
  'evaluation_id',
  'organisation_id',
  'jurisdiction_id',
  'indicator',
  'file_name',
  'media_type',
  'size_bytes',
  'sha256',
  'uploaded_by',
  'uploaded_at',
] as const;

export async function insertAttachment(
  trx: Trx,
  row: {
    evaluation_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    indicator: string;
    file_name: string;
    media_type: string;
    size_bytes: number;
    sha256: string;
    content: Buffer;
    uploaded_by: string;
    uploaded_at: Date;
  },
) {
  return trx.insertInto('evaluation_attachment').values(row).returning(ATTACHMENT_META).executeTakeFirstOrThrow();
}

export async function attachmentsOf(
  trx: Trx,
  evaluationId: string,
  v: Visibility,
  filter: { organisationId?: string; indicator?: string } = {},
) {
  let q = trx
    .selectFrom('evaluation_attachment')
    .select(ATTACHMENT_META)
    .where('evaluation_id', '=', evaluationId)
    .where(visibleTo(v));
  if (filter.organisationId) q = q.where('organisation_id', '=', filter.organisationId);
  if (filter.indicator) q = q.where('indicator', '=', filter.indicator);
  return q.orderBy('organisation_id').orderBy('indicator').orderBy('uploaded_at').orderBy('id').execute();
}

export async function findAttachment(trx: Trx, id: string, v: Visibility) {
  return trx
    .selectFrom('evaluation_attachment')
    .selectAll()
    .where('id', '=', id)
    .where(visibleTo(v))
    .executeTakeFirst();
}
