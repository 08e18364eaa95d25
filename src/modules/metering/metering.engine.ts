import { createHash } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { sqlArray } from '../../platform/db/arrays.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { startOfShanghaiDay } from '../../platform/time/time.ts';
import type { DB, Trx } from '../../schema.ts';
import { type Period, period } from './metering.period.ts';

// The rating and settlement engine. The heavy part (events -> usage segments -> priced pieces -> lines)
// is one SQL statement over window functions, so it runs where the data is; the exact rounding of each
// line (half-up to the fen, once) is done in SQL with integer division of exact numerics.
//
// Rating rule (docs/decisions.md): a month-price p applies per second as p / (seconds in that calendar
// month), so a line is  fen = round_half_up( 100 x coefficient x sum(quantity x seconds x p) / monthSeconds ).
// A full month at quantity q costs exactly q x p. Suspended and reclaimed segments are not billed.

export const FAR_FUTURE = new Date('9999-01-01T00:00:00Z');

export interface JurisdictionScope {
  rootId: string;
  rootCode: string;
  ids: string[];
}

export type Progress = (step: string, done: number, total: number) => void;

/** What a settlement has written inside its still open transaction, just before COMMIT. */
export interface BeforeCommit {
  runId: string;
  contentHash: string;
  changed: boolean;
  /** rows of this run in statement and statement_line as the transaction sees them (uncommitted) */
  written: { statements: number; lines: number };
}

export async function jurisdictionScope(db: Kysely<DB>, code: string): Promise<JurisdictionScope> {
  const root = await db
    .selectFrom('jurisdiction')
    .select(['id', 'code', 'parent_id'])
    .where('code', '=', code)
    .executeTakeFirst();
  if (!root) throw notFound(`jurisdiction ${code} / 辖区不存在`);
  if (root.parent_id) {
    throw new AppError(
      'validation_failed',
      `settlement runs for a city with its districts; ${code} is a district / 结算按市级（含区县）进行`,
      [{ field: 'body.jurisdiction', message: 'a district rolls up to its city: settle the city' }],
    );
  }
  const { rows } = await sql<{ id: string }>`
    with recursive tree as (
      select id from jurisdiction where id = ${root.id}
      union all
      select j.id from jurisdiction j join tree t on j.parent_id = t.id
    ) select id from tree`.execute(db);
  return { rootId: root.id, rootCode: root.code, ids: rows.map((r) => r.id) };
}

interface PriceInterval {
  jurisdictionId: string;
  itemCode: string;
  dimension: string;
  unitPrice: string;
  versionId: string;
  validFrom: Date;
  validTo: Date;
}

/**
 * Every price of the scope's jurisdictions as intervals: an approved version is in force from its
 * effective_from 00:00 Asia/Shanghai until the next approved version's; a district without a version of
 * its own in force uses its parent's (as catalogueInForce does).
 */
export async function priceIntervals(db: Kysely<DB>, scope: JurisdictionScope): Promise<PriceInterval[]> {
  const jurisdictions = await db
    .selectFrom('jurisdiction')
    .select(['id', 'parent_id'])
    .where('id', 'in', scope.ids)
    .execute();
  const rows = await db
    .selectFrom('catalogue_version as v')
    .innerJoin('catalogue_item as i', 'i.version_id', 'v.id')
    .innerJoin('catalogue_price as p', 'p.item_id', 'i.id')
    .select(['v.id as version_id', 'v.jurisdiction_id', 'v.effective_from', 'i.code', 'p.dimension', 'p.unit_price'])
    .where('v.status', '=', 'approved')
    .where('v.jurisdiction_id', 'in', scope.ids)
    .execute();
  const parentOf = new Map(jurisdictions.map((j) => [j.id, j.parent_id]));
  const own = new Map<string, { versionId: string; from: Date; prices: typeof rows }[]>();
  for (const r of rows) {
    const list = own.get(r.jurisdiction_id) ?? [];
    let v = list.find((x) => x.versionId === r.version_id);
    if (!v) {
      v = { versionId: r.version_id, from: startOfShanghaiDay(String(r.effective_from).slice(0, 10)), prices: [] };
      list.push(v);
    }
    v.prices.push(r);
    own.set(r.jurisdiction_id, list);
  }
  const memo = new Map<string, PriceInterval[]>();
  const of = (jurisdictionId: string): PriceInterval[] => {
    const cached = memo.get(jurisdictionId);
    if (cached) return cached;
    const versions = (own.get(jurisdictionId) ?? []).sort((a, b) => a.from.getTime() - b.from.getTime());
    const result: PriceInterval[] = [];
    versions.forEach((v, k) => {
      const validTo = versions[k + 1]?.from ?? FAR_FUTURE;
      for (const p of v.prices) {
        result.push({
          jurisdictionId,
          itemCode: p.code,
          dimension: p.dimension,
          unitPrice: String(p.unit_price),
          versionId: v.versionId,
          validFrom: v.from,
          validTo,
        });
      }
    });
    const parent = parentOf.get(jurisdictionId);
    if (parent) {
      const ownFrom = versions[0]?.from ?? FAR_FUTURE;
      for (const p of of(parent)) {
        if (p.validFrom >= ownFrom) continue;
        result.push({ ...p, jurisdictionId, validTo: p.validTo < ownFrom ? p.validTo : ownFrom });
      }
    }
    memo.set(jurisdictionId, result);
    return result;
  };
  return scope.ids.flatMap(of);
}

/** Loads the price intervals into a transaction-local table `metering_price` (one statement, arrays). */
export async function loadPrices(trx: Kysely<DB>, prices: PriceInterval[]): Promise<void> {
  await sql`create temp table if not exists metering_price (
      jurisdiction_id uuid not null, item_code text not null, dimension text not null,
      unit_price numeric not null, version_id uuid not null, valid_from timestamptz not null, valid_to timestamptz not null
    ) on commit drop`.execute(trx);
  await sql`delete from metering_price`.execute(trx);
  const column = (pick: (p: PriceInterval) => string) => sqlArray(prices.map(pick));
  await sql`insert into metering_price
    select * from unnest(${column((p) => p.jurisdictionId)}::uuid[], ${column((p) => p.itemCode)}::text[],
      ${column((p) => p.dimension)}::text[], ${column((p) => p.unitPrice)}::numeric[], ${column((p) => p.versionId)}::uuid[],
      ${column((p) => p.validFrom.toISOString())}::timestamptz[], ${column((p) => p.validTo.toISOString())}::timestamptz[])`.execute(
    trx,
  );
  await sql`analyze metering_price`.execute(trx);
}

/**
 * Which resources to rate: some by id (bound as one array), or those listed in the transaction's
 * `metering_late` table (the late resources of a closed month: any number of them).
 */
export type ResourceFilter = { ids: readonly string[] } | { lateTable: true };

const LATE: ResourceFilter = { lateTable: true };

function resourceCondition(column: RawBuilder<unknown>, filter: ResourceFilter | undefined): RawBuilder<unknown> {
  if (filter === undefined) return sql`true`;
  if ('lateTable' in filter) return sql`${column} in (select resource_id from metering_late)`;
  return sql`${column} = any(${sqlArray(filter.ids)}::uuid[])`;
}

/** The scope's jurisdictions as one array parameter. */
const inScope = (scope: JurisdictionScope) => sql`any(${sqlArray(scope.ids)}::uuid[])`;

/**
 * The priced pieces of a period: one row per usage segment (an event's quantities until the next event),
 * pricing dimension and catalogue price interval, with its length in seconds. Only events recorded by
 * `asOf` count; `resources` narrows it (adjustments, explanations).
 */
export function ratedPieces(
  scope: JurisdictionScope,
  p: Period,
  asOf: Date,
  resources?: ResourceFilter,
): RawBuilder<unknown> {
  const start = p.start.toISOString();
  const end = p.end.toISOString();
  return sql`
    with ev as (
      select e.id, e.resource_id, e.organisation_id, e.jurisdiction_id, e.provider_id, e.catalogue_item_code,
        e.kind, e.quantities, date_trunc('second', e.occurred_at) as at,
        lead(date_trunc('second', e.occurred_at)) over (partition by e.resource_id order by e.occurred_at, e.id) as next_at
      from resource_event e
      where e.jurisdiction_id = ${inScope(scope)}
        and e.occurred_at < ${end}::timestamptz and e.recorded_at <= ${asOf.toISOString()}::timestamptz
        and ${resourceCondition(sql`e.resource_id`, resources)}
    ),
    seg as (
      select ev.id, ev.resource_id, ev.organisation_id, ev.jurisdiction_id, ev.provider_id, ev.catalogue_item_code,
        ev.quantities, greatest(ev.at, ${start}::timestamptz) as s, least(coalesce(ev.next_at, ${end}::timestamptz), ${end}::timestamptz) as t
      from ev
      where ev.kind in ('delivered', 'resized', 'resumed') and coalesce(ev.next_at, ${end}::timestamptz) > ${start}::timestamptz
    )
    select seg.id, seg.resource_id, seg.organisation_id, seg.jurisdiction_id, seg.provider_id, seg.catalogue_item_code,
      q.key as dimension, q.value::numeric as quantity, pr.unit_price, pr.version_id,
      greatest(seg.s, pr.valid_from) as piece_from, least(seg.t, pr.valid_to) as piece_to, pr.valid_from <= seg.s as first_piece,
      extract(epoch from least(seg.t, pr.valid_to) - greatest(seg.s, pr.valid_from)) as secs
    from seg
    cross join lateral jsonb_each_text(seg.quantities) q
    join metering_price pr on pr.jurisdiction_id = seg.jurisdiction_id and pr.item_code = seg.catalogue_item_code
      and pr.dimension = q.key and pr.valid_from < seg.t and pr.valid_to > seg.s
    where seg.t > seg.s and q.value::numeric <> 0`;
}

/**
 * The rated usage of a period as rows (one per resource and pricing dimension), before the coefficient:
 * quantity_seconds = sum(quantity x seconds), price_seconds = sum(quantity x seconds x month-price).
 */
export function ratedUsage(
  scope: JurisdictionScope,
  p: Period,
  asOf: Date,
  resources?: ResourceFilter,
): RawBuilder<unknown> {
  return sql`
    select resource_id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, dimension,
      sum(quantity * secs) as quantity_seconds, sum(quantity * secs * unit_price) as price_seconds,
      array_agg(id order by id) filter (where first_piece) as event_ids, array_agg(distinct version_id) as version_ids
    from (${ratedPieces(scope, p, asOf, resources)}) piece
    group by resource_id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, dimension`;
}

/** fen = round_half_up(100 x coefficient x price_seconds / monthSeconds), exact (numeric integer division). */
export function fenOf(priceSeconds: RawBuilder<unknown>, coefficient: RawBuilder<unknown>, monthSeconds: number) {
  return sql`div(200 * ${priceSeconds} * ${coefficient} + ${monthSeconds}, ${2 * monthSeconds})`;
}

export interface SettleResult {
  runId: string;
  jurisdiction: string;
  month: string;
  status: 'draft' | 'reviewed' | 'closed';
  statements: number;
  lines: number;
  adjustments: number;
  totalFen: string;
  contentHash: string;
  changed: boolean;
}

/**
 * Computes (or recomputes) one city's statements for one month in ONE transaction: a crash leaves the
 * previous state (no statement, or the previous complete one); a rerun completes it. Idempotent: the same
 * inputs give identical statements (same ids, lines, amounts, content hash). A closed month is refused.
 */
export async function settle(
  db: Kysely<DB>,
  actor: Actor,
  input: {
    jurisdiction: string;
    month: string;
    now: Date;
    progress?: Progress;
    /** called last inside the transaction, before COMMIT (the test-only pause of `yunguan settle`) */
    beforeCommit?: (state: BeforeCommit) => Promise<void>;
  },
): Promise<SettleResult> {
  const p = period(input.month);
  if (input.now < p.end) {
    throw new AppError(
      'conflict',
      `${input.month} has not ended yet; settle after ${p.end.toISOString()} / 当月未结束`,
      [{ field: 'body.month', message: 'the month must have ended' }],
    );
  }
  const tick = input.progress ?? (() => {});
  const STEPS = 6;
  return db.transaction().execute(async (trx) => {
    const scope = await jurisdictionScope(trx, input.jurisdiction);
    // One settlement of a city and month at a time (a second one waits here, then sees the first's result).
    await sql`select pg_advisory_xact_lock(7420012, hashtext(${`${scope.rootId}:${input.month}`}))`.execute(trx);
    const existing = await trx
      .selectFrom('settlement_run')
      .selectAll()
      .where('jurisdiction_id', '=', scope.rootId)
      .where('period', '=', input.month)
      .executeTakeFirst();
    if (existing?.status === 'closed') {
      throw new AppError('conflict', `${input.month} is closed and never changes / 该月已核定关账`);
    }
    const asOf = input.now;
    tick('prices', 1, STEPS);
    await loadPrices(trx, await priceIntervals(trx, scope));

    tick('rating usage', 2, STEPS);
    await sql`create temp table if not exists metering_line (
        kind text not null, organisation_id uuid not null, jurisdiction_id uuid not null, resource_id uuid not null,
        provider_id uuid not null, catalogue_item_code text not null, dimension text not null,
        quantity_seconds numeric not null, price_seconds numeric not null, month_seconds integer not null,
        coefficient numeric not null, amount_fen bigint not null, event_ids bigint[] not null, version_ids uuid[] not null,
        adjusts_period text, adjusts_statement_id uuid, adjusts_line_no integer
      ) on commit drop`.execute(trx);
    await sql`delete from metering_line`.execute(trx);
    await sql`
      insert into metering_line
      select 'usage', u.organisation_id, u.jurisdiction_id, u.resource_id, u.provider_id, u.catalogue_item_code, u.dimension,
        u.quantity_seconds, u.price_seconds, ${p.seconds}, coalesce(c.coefficient, 1),
        ${fenOf(sql`u.price_seconds`, sql`coalesce(c.coefficient, 1)`, p.seconds)},
        u.event_ids, u.version_ids, null, null, null
      from (${ratedUsage(scope, p, asOf)}) u
      left join efficiency_coefficient c on c.organisation_id = u.organisation_id and c.period = ${input.month}`.execute(
      trx,
    );

    tick('late events', 3, STEPS);
    const adjustments = await addAdjustments(trx, scope, input.month, asOf);

    // What the statements will hold, and its hash: an unchanged result is not rewritten (identical statements).
    // Each unit's lines as text, joined in the unit's line order: md5 of one is the unit's digest (kept on its
    // statement), md5 of all of them joined in unit order is the run's (the same text as one string_agg over
    // every line ordered by unit, then line).
    await sql`create temp table if not exists metering_unit (organisation_id uuid primary key, digest text not null)
      on commit drop`.execute(trx);
    await sql`delete from metering_unit`.execute(trx);
    const totals = await sql<{ statements: number; lines: number; total: string; digest: string | null }>`
      with u as (
        select organisation_id, count(*) as n, sum(amount_fen) as fen,
          string_agg(concat_ws('|', organisation_id, kind, adjusts_period, resource_id, dimension, quantity_seconds,
            price_seconds, coefficient, amount_fen, adjusts_statement_id, adjusts_line_no),
            ',' order by kind desc, adjusts_period, resource_id, dimension) as body
        from metering_line group by organisation_id
      ),
      saved as (insert into metering_unit select organisation_id, md5(body) from u)
      select count(*)::int as statements, coalesce(sum(n), 0)::int as lines, coalesce(sum(fen), 0)::text as total,
        md5(string_agg(body, ',' order by organisation_id)) as digest
      from u`.execute(trx);
    const units = await sql<{ digest: string | null }>`
      select md5(string_agg(o.id || ':' || o.outside_city_budget || ':' || o.jurisdiction_id, ',' order by o.id)) as digest
      from organisation o where o.id in (select organisation_id from metering_unit)`.execute(trx);
    const t = totals.rows[0] ?? { statements: 0, lines: 0, total: '0', digest: null };
    const contentHash = createHash('sha256')
      .update(`${input.month}:${t.digest ?? ''}:${units.rows[0]?.digest ?? ''}`)
      .digest('hex');
    const changed = !existing || existing.content_hash !== contentHash;
    let runId = existing?.id;
    if (changed) {
      tick('statements', 4, STEPS);
      const run = existing
        ? existing
        : await trx
            .insertInto('settlement_run')
            .values({
              jurisdiction_id: scope.rootId,
              period: input.month,
              status: 'draft',
              as_of: asOf,
              content_hash: '',
              statement_count: 0,
              line_count: 0,
              total_fen: 0,
              computed_by: actor.name ?? actor.kind,
              computed_at: asOf,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
      // The units whose lines are (re)written: those without a statement of this run or whose statement's lines
      // digest differs (a first computation: all of them; a correction of one unit: that unit).
      await sql`create temp table if not exists metering_rewrite (organisation_id uuid primary key) on commit drop`.execute(
        trx,
      );
      await sql`delete from metering_rewrite`.execute(trx);
      await sql`
        insert into metering_rewrite
        select u.organisation_id from metering_unit u
        left join statement s on s.organisation_id = u.organisation_id and s.period = ${input.month}
        where s.id is null or s.run_id <> ${run.id}::uuid or s.lines_digest is distinct from u.digest`.execute(trx);
      // Statements keep their ids across recomputes: upsert per unit.
      await sql`
      insert into statement (run_id, organisation_id, jurisdiction_id, period, outside_city_budget, coefficient,
        usage_fen, adjustment_fen, total_fen, line_count, lines_digest)
      select ${run.id}::uuid, u.organisation_id, o.jurisdiction_id, ${input.month}, o.outside_city_budget,
        coalesce(c.coefficient, 1), 0, 0, 0, 0, u.digest
      from metering_unit u
      join organisation o on o.id = u.organisation_id
      left join efficiency_coefficient c on c.organisation_id = u.organisation_id and c.period = ${input.month}
      on conflict (organisation_id, period) do update set run_id = excluded.run_id,
        outside_city_budget = excluded.outside_city_budget, coefficient = excluded.coefficient,
        lines_digest = excluded.lines_digest`.execute(trx);

      // The lines of the units rewritten go, and those of the units with no line left, with their statements.
      await sql`delete from statement_line where statement_id in (select id from statement where run_id = ${run.id}::uuid
        and (organisation_id in (select organisation_id from metering_rewrite)
          or organisation_id not in (select organisation_id from metering_unit)))`.execute(trx);
      await sql`delete from statement where run_id = ${run.id}::uuid
        and organisation_id not in (select organisation_id from metering_unit)`.execute(trx);

      tick('lines', 5, STEPS);
      await sql`
      insert into statement_line (statement_id, line_no, organisation_id, jurisdiction_id, kind, resource_id, provider_id,
        project_id, system_id, catalogue_item_code, dimension, quantity_seconds, price_seconds, month_seconds, coefficient,
        amount_fen, event_ids, version_ids, adjusts_period, adjusts_statement_id, adjusts_line_no)
      select s.id, row_number() over (partition by s.id order by l.kind desc, l.adjusts_period, l.resource_id, l.dimension),
        s.organisation_id, s.jurisdiction_id, l.kind, l.resource_id, l.provider_id, r.project_id, r.system_id,
        l.catalogue_item_code, l.dimension, l.quantity_seconds, l.price_seconds, l.month_seconds, l.coefficient,
        l.amount_fen, l.event_ids, l.version_ids, l.adjusts_period, l.adjusts_statement_id, l.adjusts_line_no
      from metering_line l
      join statement s on s.organisation_id = l.organisation_id and s.period = ${input.month}
      join resource r on r.id = l.resource_id
      where l.organisation_id in (select organisation_id from metering_rewrite)`.execute(trx);
      await sql`
      update statement s set usage_fen = t.usage_fen, adjustment_fen = t.adjustment_fen,
        total_fen = t.usage_fen + t.adjustment_fen, line_count = t.n
      from (select organisation_id,
              coalesce(sum(amount_fen) filter (where kind = 'usage'), 0) as usage_fen,
              coalesce(sum(amount_fen) filter (where kind = 'adjustment'), 0) as adjustment_fen, count(*)::int as n
            from metering_line group by organisation_id) t
      where s.organisation_id = t.organisation_id and s.period = ${input.month}`.execute(trx);

      runId = run.id;
    }
    tick('totals', 6, STEPS);
    const status = existing && !changed ? existing.status : 'draft';
    await trx
      .updateTable('settlement_run')
      .set({
        status,
        as_of: asOf,
        content_hash: contentHash,
        statement_count: t.statements,
        line_count: t.lines,
        total_fen: t.total,
        computed_by: actor.name ?? actor.kind,
        computed_at: asOf,
        ...(changed ? { reviewed_by: null, reviewed_at: null } : {}),
      })
      .where('id', '=', runId as string)
      .execute();
    await writeAudit(trx, actor, {
      action: 'settlement.computed',
      objectType: 'settlement_run',
      objectId: runId,
      detail: {
        jurisdiction: scope.rootCode,
        month: input.month,
        statements: t.statements,
        lines: t.lines,
        adjustments,
        totalFen: t.total,
        contentHash,
        changed,
      },
    });
    if (input.beforeCommit) {
      const { rows } = await sql<{ statements: number; lines: number }>`
        select (select count(*)::int from statement where run_id = ${runId}::uuid) as statements,
          (select count(*)::int from statement_line l join statement s on s.id = l.statement_id
            where s.run_id = ${runId}::uuid) as lines`.execute(trx);
      await input.beforeCommit({
        runId: runId as string,
        contentHash,
        changed,
        written: rows[0] ?? { statements: 0, lines: 0 },
      });
    }
    return {
      runId: runId as string,
      jurisdiction: scope.rootCode,
      month: input.month,
      status,
      statements: t.statements,
      lines: t.lines,
      adjustments,
      totalFen: t.total,
      contentHash,
      changed,
    };
  });
}

/**
 * Late events (recorded after a closed month's cut-off) and the corrections they carry: each earlier
 * closed month is re-rated for the resources they touch, and every difference from what was billed for
 * that month (its lines plus adjustments already made in other months) becomes an adjustment line here.
 */
async function addAdjustments(trx: Trx, scope: JurisdictionScope, month: string, asOf: Date): Promise<number> {
  const closed = await trx
    .selectFrom('settlement_run')
    .select(['id', 'period', 'as_of'])
    .where('jurisdiction_id', '=', scope.rootId)
    .where('status', '=', 'closed')
    .where('period', '<', month)
    .orderBy('period')
    .execute();
  if (closed.length === 0) return 0;
  // The late resources of each closed month, as a table: there may be any number of them.
  await sql`create temp table if not exists metering_late (resource_id uuid primary key) on commit drop`.execute(trx);
  for (const run of closed) {
    const p = period(run.period);
    await sql`delete from metering_late`.execute(trx);
    const { rows } = await sql<{ n: number }>`
      with late as (
        insert into metering_late
        select distinct resource_id from resource_event
        where jurisdiction_id = ${inScope(scope)}
          and recorded_at > ${run.as_of.toISOString()}::timestamptz and recorded_at <= ${asOf.toISOString()}::timestamptz
          and occurred_at < ${p.end.toISOString()}::timestamptz
        returning 1
      ) select count(*)::int as n from late`.execute(trx);
    if (!rows[0]?.n) continue;
    await sql`analyze metering_late`.execute(trx);
    await sql`
      insert into metering_line
      with rerated as (
        select u.*, coalesce(c.coefficient, 1) as coefficient,
          ${fenOf(sql`u.price_seconds`, sql`coalesce(c.coefficient, 1)`, p.seconds)} as amount_fen
        from (${ratedUsage(scope, p, asOf, LATE)}) u
        left join efficiency_coefficient c on c.organisation_id = u.organisation_id and c.period = ${run.period}
      ),
      billed as (
        select l.organisation_id, l.resource_id, l.dimension, sum(l.amount_fen) as amount_fen,
          max(l.statement_id::text) filter (where l.kind = 'usage') as statement_id,
          max(l.line_no) filter (where l.kind = 'usage') as line_no,
          max(l.provider_id::text) as provider_id, max(l.catalogue_item_code) as catalogue_item_code
        from statement_line l join statement s on s.id = l.statement_id
        where l.resource_id in (select resource_id from metering_late)
          and ((s.period = ${run.period} and l.kind = 'usage')
            or (l.kind = 'adjustment' and l.adjusts_period = ${run.period} and s.period <> ${month}))
        group by l.organisation_id, l.resource_id, l.dimension
      ),
      late_events as (
        select resource_id, array_agg(id order by id) as ids from resource_event
        where resource_id in (select resource_id from metering_late)
          and recorded_at > ${run.as_of.toISOString()}::timestamptz and recorded_at <= ${asOf.toISOString()}::timestamptz
        group by resource_id
      )
      select 'adjustment', coalesce(r.organisation_id, b.organisation_id), coalesce(r.jurisdiction_id, res.jurisdiction_id),
        coalesce(r.resource_id, b.resource_id), coalesce(r.provider_id, b.provider_id::uuid),
        coalesce(r.catalogue_item_code, b.catalogue_item_code), coalesce(r.dimension, b.dimension),
        coalesce(r.quantity_seconds, 0), coalesce(r.price_seconds, 0), ${p.seconds}, coalesce(r.coefficient, 1),
        coalesce(r.amount_fen, 0) - coalesce(b.amount_fen, 0), coalesce(le.ids, '{}'), coalesce(r.version_ids, '{}'),
        ${run.period}, coalesce(b.statement_id::uuid, st.id), b.line_no
      from rerated r
      full join billed b on b.organisation_id = r.organisation_id and b.resource_id = r.resource_id and b.dimension = r.dimension
      join resource res on res.id = coalesce(r.resource_id, b.resource_id)
      left join late_events le on le.resource_id = coalesce(r.resource_id, b.resource_id)
      left join statement st on st.organisation_id = coalesce(r.organisation_id, b.organisation_id) and st.period = ${run.period}
      where coalesce(r.amount_fen, 0) <> coalesce(b.amount_fen, 0)`.execute(trx);
  }
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from metering_line where kind = 'adjustment'`.execute(trx);
  return rows[0]?.n ?? 0;
}

/**
 * Rates a window (any part of a calendar month; `p.seconds` stays the month's) for some resources, with
 * coefficient 1: what a statement line would hold. For explanations and the half-month property test.
 */
export async function rateWindow(
  db: Kysely<DB>,
  jurisdiction: string,
  p: Period,
  asOf: Date,
  resourceIds: readonly string[],
): Promise<
  { resource_id: string; dimension: string; quantity_seconds: string; price_seconds: string; amount_fen: string }[]
> {
  return db.transaction().execute(async (trx) => {
    const scope = await jurisdictionScope(trx, jurisdiction);
    await loadPrices(trx, await priceIntervals(trx, scope));
    const { rows } = await sql<{
      resource_id: string;
      dimension: string;
      quantity_seconds: string;
      price_seconds: string;
      amount_fen: string;
    }>`select u.resource_id, u.dimension, u.quantity_seconds::text, u.price_seconds::text,
         ${fenOf(sql`u.price_seconds`, sql`1`, p.seconds)}::text as amount_fen
       from (${ratedUsage(scope, p, asOf, { ids: resourceIds })}) u order by u.resource_id, u.dimension`.execute(trx);
    return rows;
  });
}
