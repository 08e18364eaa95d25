import { type Kysely, sql } from 'kysely';
import type { DB, Db, Trx } from '../../schema.ts';
import { yuan } from './metering.period.ts';
import type { SettlementRunRow, StatementLineRow } from './metering.table.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function listRuns(db: Db, jurisdictions: readonly string[], year?: number) {
  if (jurisdictions.length === 0) return [];
  let q = db
    .selectFrom('settlement_run as r')
    .innerJoin('jurisdiction as j', 'j.id', 'r.jurisdiction_id')
    .selectAll('r')
    .select(['j.code as jurisdiction_code', 'j.name as jurisdiction_name'])
    .where('r.jurisdiction_id', 'in', jurisdictions);
  if (year) q = q.where('r.period', 'like', `${year}-%`);
  return q.orderBy('r.period', 'desc').execute();
}

export async function findRun(db: Kysely<DB>, id: string) {
  return db
    .selectFrom('settlement_run as r')
    .innerJoin('jurisdiction as j', 'j.id', 'r.jurisdiction_id')
    .selectAll('r')
    .select(['j.code as jurisdiction_code', 'j.name as jurisdiction_name'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/** Why a run that is not closed no longer shows what a recompute would give (see `outdatedReason`). */
export type OutdatedReason = 'late_events' | 'earlier_month_closed' | 'coefficient_changed';

/**
 * Whether a draft or reviewed run is out of date, and why: events of the month recorded after its cut-off
 * (they would be rated now), an earlier month of the city closed after it was computed (its late events
 * become this month's adjustments only once it is closed), or a unit's coefficient for the month set since.
 * `monthEnd` is the month's end (exclusive). Runs of the city and its districts, at any depth.
 */
export async function outdatedReason(
  db: Kysely<DB>,
  run: { jurisdiction_id: string; period: string; as_of: Date },
  monthEnd: Date,
): Promise<OutdatedReason | null> {
  const { rows } = await sql<{ late_events: boolean; earlier_month_closed: boolean; coefficient_changed: boolean }>`
    with recursive tree as (
      select id from jurisdiction where id = ${run.jurisdiction_id}::uuid
      union all
      select j.id from jurisdiction j join tree t on j.parent_id = t.id
    )
    select
      exists (select 1 from resource_event e where e.recorded_at > ${run.as_of} and e.occurred_at < ${monthEnd}
        and e.jurisdiction_id in (select id from tree)) as late_events,
      exists (select 1 from settlement_run c where c.jurisdiction_id = ${run.jurisdiction_id}::uuid
        and c.status = 'closed' and c.period < ${run.period} and c.confirmed_at > ${run.as_of}) as earlier_month_closed,
      exists (select 1 from efficiency_coefficient c where c.period = ${run.period} and c.set_at > ${run.as_of}
        and c.jurisdiction_id in (select id from tree)) as coefficient_changed`.execute(db);
  const r = rows[0];
  if (r?.late_events) return 'late_events';
  if (r?.earlier_month_closed) return 'earlier_month_closed';
  if (r?.coefficient_changed) return 'coefficient_changed';
  return null;
}

/** The accounts a run names (who computed, reviewed, confirmed it), for their display names. */
export const runAccounts = (r: SettlementRunRow) =>
  [r.computed_by, r.reviewed_by, r.confirmed_by].filter((a): a is string => a !== null);

export function toRun(
  r: SettlementRunRow & { jurisdiction_code: string; jurisdiction_name: string },
  outdated: OutdatedReason | null = null,
  people: ReadonlyMap<string, string> = new Map(),
) {
  const nameOf = (account: string | null) => (account === null ? null : (people.get(account) ?? null));
  return {
    id: r.id,
    jurisdiction: r.jurisdiction_code,
    jurisdictionName: r.jurisdiction_name,
    month: r.period,
    status: r.status,
    asOf: iso(r.as_of) as string,
    contentHash: r.content_hash,
    statementCount: r.statement_count,
    lineCount: r.line_count,
    totalFen: String(r.total_fen),
    total: yuan(r.total_fen),
    computedBy: r.computed_by,
    computedByName: nameOf(r.computed_by),
    computedAt: iso(r.computed_at) as string,
    reviewedBy: r.reviewed_by,
    reviewedByName: nameOf(r.reviewed_by),
    reviewedAt: iso(r.reviewed_at),
    confirmedBy: r.confirmed_by,
    confirmedByName: nameOf(r.confirmed_by),
    confirmedAt: iso(r.confirmed_at),
    outdated: r.status === 'closed' ? null : outdated,
  };
}

function statementQuery(trx: Trx) {
  return trx
    .selectFrom('statement as s')
    .innerJoin('settlement_run as r', 'r.id', 's.run_id')
    .innerJoin('organisation as o', 'o.id', 's.organisation_id')
    .innerJoin('jurisdiction as j', 'j.id', 's.jurisdiction_id')
    .innerJoin('jurisdiction as rj', 'rj.id', 'r.jurisdiction_id')
    .leftJoin('efficiency_coefficient as ec', (j) =>
      j.onRef('ec.organisation_id', '=', 's.organisation_id').onRef('ec.period', '=', 's.period'),
    )
    .selectAll('s')
    .select([
      'ec.source as coefficient_source',
      'ec.evaluation_id as coefficient_evaluation_id',
      'ec.band as coefficient_band',
      'ec.note as coefficient_note',
      'r.status',
      'r.as_of',
      'o.code as organisation_code',
      'o.name as organisation_name',
      'j.code as jurisdiction_code',
      'rj.code as root_code',
    ]);
}

export type StatementWithRun = NonNullable<Awaited<ReturnType<typeof findStatement>>>;

export async function listStatements(trx: Trx, q: { month?: string; year?: number; organisationId?: string }) {
  let query = statementQuery(trx);
  if (q.month) query = query.where('s.period', '=', q.month);
  if (q.year) query = query.where('s.period', 'like', `${q.year}-%`);
  if (q.organisationId) query = query.where('s.organisation_id', '=', q.organisationId);
  return query.orderBy('s.period', 'desc').orderBy('o.code').limit(2000).execute();
}

export async function findStatement(trx: Trx, id: string) {
  return statementQuery(trx).where('s.id', '=', id).executeTakeFirst();
}

export function toStatement(s: StatementWithRun) {
  return {
    id: s.id,
    runId: s.run_id,
    month: s.period,
    status: s.status,
    asOf: iso(s.as_of) as string,
    organisationId: s.organisation_id,
    organisationCode: s.organisation_code,
    organisationName: s.organisation_name,
    jurisdiction: s.jurisdiction_code,
    cityJurisdiction: s.root_code,
    outsideCityBudget: s.outside_city_budget,
    billedTo: s.outside_city_budget ? ('unit' as const) : ('city_budget' as const),
    coefficient: String(s.coefficient),
    // where the coefficient came from: a published evaluation and its band, a person's override, or the default 1
    coefficientSource: (s.coefficient_source ?? 'default') as 'default' | 'manual' | 'evaluation',
    coefficientEvaluationId: s.coefficient_evaluation_id ?? null,
    coefficientBand: s.coefficient_band ?? null,
    coefficientNote: s.coefficient_note ?? null,
    usageFen: String(s.usage_fen),
    adjustmentFen: String(s.adjustment_fen),
    totalFen: String(s.total_fen),
    total: yuan(s.total_fen),
    lineCount: s.line_count,
  };
}

export type LineWithNames = StatementLineRow & {
  resource_name: string;
  project_name: string | null;
  system_name: string | null;
  provider_code: string;
  provider_name: string;
  catalogue_item_name: string | null;
};

export async function statementLines(trx: Trx, statementId: string): Promise<LineWithNames[]> {
  const { rows } = await sql<LineWithNames>`
    select l.*, res.name as resource_name, pv.code as provider_code, pv.name as provider_name,
      (select ci.name from catalogue_item ci
        where ci.code = l.catalogue_item_code and ci.version_id = any(l.version_ids) limit 1) as catalogue_item_name,
      (select p.name from project p where p.id = l.project_id) as project_name,
      (select i.name from information_system i where i.id = l.system_id) as system_name
    from statement_line l
    join resource res on res.id = l.resource_id
    join organisation pv on pv.id = l.provider_id
    where l.statement_id = ${statementId}
    order by l.line_no`.execute(trx);
  return rows;
}

export function toLine(l: LineWithNames) {
  return {
    lineNo: l.line_no,
    kind: l.kind,
    resourceId: l.resource_id,
    resourceName: l.resource_name,
    providerId: l.provider_id,
    providerCode: l.provider_code,
    providerName: l.provider_name,
    projectId: l.project_id,
    projectName: l.project_name,
    systemId: l.system_id,
    systemName: l.system_name,
    catalogueItemCode: l.catalogue_item_code,
    catalogueItemName: l.catalogue_item_name ?? l.catalogue_item_code,
    dimension: l.dimension,
    quantitySeconds: trimZeros(String(l.quantity_seconds)),
    priceSeconds: trimZeros(String(l.price_seconds)),
    monthSeconds: l.month_seconds,
    coefficient: String(l.coefficient),
    amountFen: String(l.amount_fen),
    amount: yuan(l.amount_fen),
    eventIds: (l.event_ids ?? []).map(String),
    versionIds: (l.version_ids ?? []).map(String),
    adjustsMonth: l.adjusts_period,
    adjustsStatementId: l.adjusts_statement_id,
    adjustsLineNo: l.adjusts_line_no,
  };
}

function trimZeros(n: string): string {
  return n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') : n;
}

/** A run's city-wide summary: per unit, per provider, per catalogue item and dimension, per jurisdiction. */
export async function summary(db: Db, runId: string) {
  const units = await sql<{
    organisation_id: string;
    code: string;
    name: string;
    jurisdiction: string;
    outside_city_budget: boolean;
    total_fen: string;
  }>`select s.organisation_id, o.code, o.name, j.code as jurisdiction, s.outside_city_budget, s.total_fen::text
     from statement s join organisation o on o.id = s.organisation_id join jurisdiction j on j.id = s.jurisdiction_id
     where s.run_id = ${runId} order by o.code`.execute(db);
  const providers = await sql<{ provider_id: string; code: string; name: string; total_fen: string }>`
    select l.provider_id, o.code, o.name, sum(l.amount_fen)::text as total_fen
    from statement_line l join statement s on s.id = l.statement_id join organisation o on o.id = l.provider_id
    where s.run_id = ${runId} group by l.provider_id, o.code, o.name order by o.code`.execute(db);
  const items = await sql<{
    catalogue_item_code: string;
    catalogue_item_name: string | null;
    dimension: string;
    total_fen: string;
  }>`
    select g.*, (select ci.name from catalogue_item ci where ci.code = g.catalogue_item_code limit 1) as catalogue_item_name
    from (select l.catalogue_item_code, l.dimension, sum(l.amount_fen)::text as total_fen
          from statement_line l join statement s on s.id = l.statement_id
          where s.run_id = ${runId} group by 1, 2) g
    order by 1, 2`.execute(db);
  const jurisdictions = await sql<{
    code: string;
    name: string;
    kind: string;
    parent: string | null;
    total_fen: string;
  }>`
    select j.code, j.name, j.kind, pj.code as parent, coalesce(sum(s.total_fen), 0)::text as total_fen
    from statement s join jurisdiction j on j.id = s.jurisdiction_id left join jurisdiction pj on pj.id = j.parent_id
    where s.run_id = ${runId} group by j.code, j.name, j.kind, pj.code order by pj.code nulls first, j.code`.execute(
    db,
  );
  const sum = (rows: { total_fen: string }[]) => rows.reduce((a, r) => a + BigInt(r.total_fen), 0n);
  const within = units.rows.filter((u) => !u.outside_city_budget);
  const outside = units.rows.filter((u) => u.outside_city_budget);
  const money = (fen: bigint | string) => ({ totalFen: String(fen), total: yuan(fen) });
  return {
    ...money(sum(units.rows)),
    cityBudget: money(sum(within)),
    billedToUnits: money(sum(outside)),
    byUnit: units.rows.map((u) => ({
      organisationId: u.organisation_id,
      code: u.code,
      name: u.name,
      jurisdiction: u.jurisdiction,
      outsideCityBudget: u.outside_city_budget,
      ...money(u.total_fen),
    })),
    byProvider: providers.rows.map((p) => ({
      providerId: p.provider_id,
      code: p.code,
      name: p.name,
      ...money(p.total_fen),
    })),
    byItem: items.rows.map((i) => ({
      catalogueItemCode: i.catalogue_item_code,
      catalogueItemName: i.catalogue_item_name ?? i.catalogue_item_code,
      dimension: i.dimension,
      ...money(i.total_fen),
    })),
    // districts roll up to the city: the city's own units, each district, and the city total including them
    byJurisdiction: jurisdictions.rows.map((j) => ({
      code: j.code,
      name: j.name,
      kind: j.kind,
      parent: j.parent,
      ...money(j.total_fen),
    })),
  };
}

/**
 * The settlement run status of a month for a unit's city (the root of the unit's jurisdiction; a
 * district's units are settled in their city's run), or null when the month has no run yet.
 */
export async function monthStatusOfUnit(trx: Trx, organisationId: string, month: string) {
  const { rows } = await sql<{ status: string }>`
    with recursive up as (
      select j.id, j.parent_id from jurisdiction j join organisation o on o.jurisdiction_id = j.id
      where o.id = ${organisationId}
      union all
      select j.id, j.parent_id from jurisdiction j join up on j.id = up.parent_id
    )
    select r.status from settlement_run r join up on up.id = r.jurisdiction_id
    where up.parent_id is null and r.period = ${month}`.execute(trx);
  return (rows[0]?.status ?? null) as SettlementRunRow['status'] | null;
}

/** The using units the caller may see, with their budget mark and the month's coefficient and run status. */
export async function unitsOfMonth(trx: Trx, month: string) {
  const { rows } = await sql<{
    id: string;
    code: string;
    name: string;
    jurisdiction: string;
    outside_city_budget: boolean;
    coefficient: string | null;
    note: string | null;
    set_by: string | null;
    set_at: Date | null;
    run_status: SettlementRunRow['status'] | null;
  }>`
    with recursive roots as (
      select id, id as root_id from jurisdiction where parent_id is null
      union all
      select j.id, r.root_id from jurisdiction j join roots r on j.parent_id = r.id
    )
    select o.id, o.code, o.name, j.code as jurisdiction, o.outside_city_budget,
      c.coefficient::text as coefficient, c.note, c.set_by, c.set_at, r.status as run_status
    from organisation o
    join jurisdiction j on j.id = o.jurisdiction_id
    join roots on roots.id = o.jurisdiction_id
    left join efficiency_coefficient c on c.organisation_id = o.id and c.period = ${month}
    left join settlement_run r on r.jurisdiction_id = roots.root_id and r.period = ${month}
    where o.type = 'using_unit'
    order by j.code, o.code`.execute(trx);
  return rows;
}

export async function annual(trx: Trx, year: number) {
  const { rows } = await sql<{
    organisation_id: string;
    code: string;
    name: string;
    outside_city_budget: boolean;
    period: string;
    total_fen: string;
    status: string;
  }>`select s.organisation_id, o.code, o.name, s.outside_city_budget, s.period, s.total_fen::text, r.status
     from statement s join organisation o on o.id = s.organisation_id join settlement_run r on r.id = s.run_id
     where s.period like ${`${year}-%`} order by o.code, s.period`.execute(trx);
  const byUnit = new Map<
    string,
    {
      organisationId: string;
      code: string;
      name: string;
      outsideCityBudget: boolean;
      months: string[];
      total: bigint;
      confirmed: bigint;
      billedToUnit: bigint;
    }
  >();
  for (const r of rows) {
    const u = byUnit.get(r.organisation_id) ?? {
      organisationId: r.organisation_id,
      code: r.code,
      name: r.name,
      outsideCityBudget: r.outside_city_budget,
      months: Array.from({ length: 12 }, () => '0'),
      total: 0n,
      confirmed: 0n,
      billedToUnit: 0n,
    };
    // rows come in month order: the mark shown is the latest month's, and each month is counted where it was billed
    u.outsideCityBudget = r.outside_city_budget;
    u.months[Number(r.period.slice(5)) - 1] = r.total_fen;
    u.total += BigInt(r.total_fen);
    if (r.outside_city_budget) u.billedToUnit += BigInt(r.total_fen);
    if (r.status === 'closed') u.confirmed += BigInt(r.total_fen);
    byUnit.set(r.organisation_id, u);
  }
  return [...byUnit.values()].map((u) => ({
    organisationId: u.organisationId,
    code: u.code,
    name: u.name,
    outsideCityBudget: u.outsideCityBudget,
    monthsFen: u.months,
    totalFen: String(u.total),
    total: yuan(u.total),
    confirmedFen: String(u.confirmed),
    cityBudgetFen: String(u.total - u.billedToUnit),
    billedToUnitFen: String(u.billedToUnit),
  }));
}

export async function trends(trx: Trx, from: string, to: string) {
  const { rows } = await sql<{ period: string; usage: string; adjustment: string; within: string; outside: string }>`
    select period, sum(usage_fen)::text as usage, sum(adjustment_fen)::text as adjustment,
      coalesce(sum(total_fen) filter (where not outside_city_budget), 0)::text as within,
      coalesce(sum(total_fen) filter (where outside_city_budget), 0)::text as outside
    from statement where period between ${from} and ${to} group by period order by period`.execute(trx);
  return rows.map((r) => ({
    month: r.period,
    usageFen: r.usage,
    adjustmentFen: r.adjustment,
    cityBudgetFen: r.within,
    billedToUnitsFen: r.outside,
    totalFen: String(BigInt(r.within) + BigInt(r.outside)),
  }));
}

/** Unit x month pairs not closed yet (no closed run of the unit's city for the month), as "orgId:YYYY-MM". */
export async function openUnitMonths(trx: Trx, organisationIds: string[], months: string[]): Promise<Set<string>> {
  if (organisationIds.length === 0 || months.length === 0) return new Set();
  const { rows } = await sql<{ organisation_id: string; period: string }>`
    with recursive up as (
      select o.id as organisation_id, j.id, j.parent_id from organisation o join jurisdiction j on j.id = o.jurisdiction_id
      where o.id = any(${organisationIds}::uuid[])
      union all
      select up.organisation_id, j.id, j.parent_id from jurisdiction j join up on j.id = up.parent_id
    )
    select up.organisation_id, m.period from up cross join unnest(${months}::text[]) as m(period)
    where up.parent_id is null and not exists (
      select 1 from settlement_run r where r.jurisdiction_id = up.id and r.period = m.period and r.status = 'closed')`.execute(
    trx,
  );
  return new Set(rows.map((r) => `${r.organisation_id}:${r.period}`));
}

/** Evaluated coefficients in one statement (arrays + unnest); a person's override of a month is kept. */
export async function upsertEvaluatedCoefficients(
  trx: Trx,
  rows: { organisationId: string; month: string; coefficient: string; band: string }[],
  evaluationId: string,
  setBy: string,
  now: Date,
) {
  if (rows.length === 0) return [];
  const { rows: written } = await sql<{ organisation_id: string; period: string; coefficient: string }>`
    insert into efficiency_coefficient (organisation_id, jurisdiction_id, period, coefficient, note, set_by, set_at,
      source, evaluation_id, band)
    select v.organisation_id, o.jurisdiction_id, v.period, v.coefficient, null, ${setBy}, ${now}, 'evaluation',
      ${evaluationId}::uuid, v.band
    from unnest(${rows.map((r) => r.organisationId)}::uuid[], ${rows.map((r) => r.month)}::text[],
      ${rows.map((r) => r.coefficient)}::numeric[], ${rows.map((r) => r.band)}::text[])
      as v(organisation_id, period, coefficient, band)
    join organisation o on o.id = v.organisation_id
    on conflict (organisation_id, period) do update set coefficient = excluded.coefficient, note = null,
      set_by = excluded.set_by, set_at = excluded.set_at, source = 'evaluation', evaluation_id = excluded.evaluation_id,
      band = excluded.band
    where efficiency_coefficient.source = 'evaluation'
      and (efficiency_coefficient.coefficient, efficiency_coefficient.evaluation_id, efficiency_coefficient.band)
        is distinct from (excluded.coefficient, excluded.evaluation_id, excluded.band)
    returning organisation_id, period, coefficient::text as coefficient`.execute(trx);
  return written;
}

/**
 * Per provider, the fen billed for its services on the closed (confirmed) statements of a jurisdiction's runs in
 * the given months, with the months counted: the base of a provider's fee adjustment (SH 34, modules/evaluation).
 */
export async function providerBilled(trx: Trx, jurisdictionId: string, months: readonly string[]) {
  if (months.length === 0) return { months: [] as string[], providers: [] as { provider_id: string; fen: string }[] };
  const closed = await trx
    .selectFrom('settlement_run')
    .select('period')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('period', 'in', months)
    .where('status', '=', 'closed')
    .orderBy('period')
    .execute();
  const periods = closed.map((r) => r.period);
  if (periods.length === 0) return { months: [], providers: [] };
  const { rows } = await sql<{ provider_id: string; fen: string }>`
    select l.provider_id, sum(l.amount_fen)::text as fen
    from settlement_run r join statement s on s.run_id = r.id join statement_line l on l.statement_id = s.id
    where r.jurisdiction_id = ${jurisdictionId} and r.status = 'closed' and r.period = any(${periods}::text[])
    group by l.provider_id order by l.provider_id`.execute(trx);
  return { months: periods, providers: rows };
}
