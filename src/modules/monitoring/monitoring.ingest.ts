import { sql } from 'kysely';
import { jobLockKey } from '../../platform/jobs/jobs.ts';
import type { Db, Trx } from '../../schema.ts';
import { METRICS, type Metric } from './monitoring.table.ts';
import type { WireSample } from './monitoring.wire.ts';

const HOUR = 3_600_000;
/**
 * Writers of `monitoring_rollup` (the fold, pull mode) serialise on this transaction-level advisory lock: two of
 * them upserting the same rows in different orders could otherwise deadlock.
 */
export const ROLLUP_LOCK = jobLockKey('monitoring.rollups').toString();
/** Unmapped series listed one by one per fold transaction or pull; the rest are counted per caller. */
export const MAX_UNMAPPED_LISTED = 10_000;
/** Samples more than this far ahead of the server's clock are refused (clock skew of an agent). */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;

export interface Setting {
  jurisdictionId: string;
  mappingLabel: string;
  thresholds: Record<string, number>;
  retentionDays: number;
  outOfOrderMinutes: number;
  pullUrl: string | null;
  pullPulledUntil: Date | null;
}

/** The mapping label and accepted window of a jurisdiction without a settings row. */
export const DEFAULT_MAPPING_LABEL = 'instance_id';
export const DEFAULT_OUT_OF_ORDER_MINUTES = 120;

/** A jurisdiction's monitoring settings, the defaults where it has no row. */
export async function readSetting(db: Db | Trx, jurisdictionId: string): Promise<Setting> {
  const row = await db
    .selectFrom('monitoring_setting')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .executeTakeFirst();
  return {
    jurisdictionId,
    mappingLabel: row?.mapping_label ?? DEFAULT_MAPPING_LABEL,
    thresholds: row?.thresholds ?? {},
    retentionDays: row?.retention_days ?? 400,
    outOfOrderMinutes: row?.out_of_order_minutes ?? DEFAULT_OUT_OF_ORDER_MINUTES,
    pullUrl: row?.pull_url ?? null,
    pullPulledUntil: row?.pull_pulled_until ?? null,
  };
}

/** One series as any ingest path sees it: the metric, the mapping label's value, its samples. */
export interface IngestSeries {
  /** the series name as sent (`yunguan_cpu_utilisation_percent`, `up`, or the JSON metric) */
  name: string;
  metric: Metric | null;
  key: string | undefined;
  samples: WireSample[];
}

export interface IngestResult {
  series: number;
  samples: number;
  /** samples stored into rollups */
  accepted: number;
  /** stale markers (NaN) and other non-finite values, skipped */
  skipped: number;
  unmappedSeries: number;
  unsupportedSeries: number;
  rollups: number;
}

export function isMetric(name: string): name is Metric {
  return (METRICS as readonly string[]).includes(name);
}

interface Bucket {
  resourceId: string;
  organisationId: string;
  jurisdictionId: string;
  providerId: string;
  metric: Metric;
  hour: number;
  sum: number;
  max: number;
  count: number;
}

/**
 * Rolls the samples up by resource, metric and hour and upserts them directly, with each resource's last sample
 * and the unmapped series, in the caller's transaction: all of it or nothing. Pull mode uses it (its answers are
 * already minute points of several hours, aggregated here); pushed requests are staged and folded instead
 * (monitoring.staging.ts, monitoring.fold.ts).
 */
export async function storeSamples(
  trx: Trx,
  organisationId: string,
  jurisdictionId: string,
  label: string,
  series: IngestSeries[],
  now: Date,
  /** system callers (pull mode) run without row-level security: only this jurisdiction's resources map */
  onlyJurisdiction?: string,
  /** unmapped series listed one by one (default 10,000); the rest are counted in monitoring_unmapped_overflow */
  options: { maxUnmappedSeries?: number } = {},
): Promise<IngestResult & { notListed: number }> {
  await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}::bigint)`.execute(trx);
  const keys = [...new Set(series.filter((s) => s.metric && s.key).map((s) => s.key as string))];
  const resources = new Map<
    string,
    { id: string; organisation_id: string; jurisdiction_id: string; provider_id: string }
  >();
  for (let i = 0; i < keys.length; i += 20_000) {
    let query = trx
      .selectFrom('resource')
      .select(['id', 'organisation_id', 'jurisdiction_id', 'provider_id', 'external_id'])
      .where(sql<boolean>`external_id = any(${pgArray(keys.slice(i, i + 20_000))}::text[])`)
      .where('state', '<>', 'reclaimed');
    if (onlyJurisdiction) query = query.where('jurisdiction_id', '=', onlyJurisdiction);
    const rows = await query.execute();
    for (const r of rows) if (r.external_id && !resources.has(r.external_id)) resources.set(r.external_id, r);
  }

  const buckets = new Map<string, Bucket>();
  const lastSeen = new Map<string, { r: Bucket; at: number }>();
  const unmapped = new Map<string, { reason: 'no_label' | 'no_resource' | 'unsupported_metric'; samples: number }>();
  const result: IngestResult = {
    series: series.length,
    samples: 0,
    accepted: 0,
    skipped: 0,
    unmappedSeries: 0,
    unsupportedSeries: 0,
    rollups: 0,
  };
  for (const s of series) {
    result.samples += s.samples.length;
    if (!s.metric) {
      result.unsupportedSeries++;
      const name = s.name || '(no __name__)';
      const u = unmapped.get(name) ?? { reason: 'unsupported_metric' as const, samples: 0 };
      u.samples += s.samples.length;
      unmapped.set(name, u);
      continue;
    }
    const resource = s.key === undefined ? undefined : resources.get(s.key);
    if (!resource) {
      result.unmappedSeries++;
      const id = s.key === undefined ? `${s.name}{${label}=""}` : `${s.name}{${label}="${s.key}"}`;
      const u = unmapped.get(id) ?? {
        reason: s.key === undefined ? ('no_label' as const) : ('no_resource' as const),
        samples: 0,
      };
      u.samples += s.samples.length;
      unmapped.set(id, u);
      continue;
    }
    for (const sample of s.samples) {
      if (!Number.isFinite(sample.value)) {
        result.skipped++;
        continue;
      }
      result.accepted++;
      const hour = Math.floor(sample.timestamp / HOUR) * HOUR;
      const k = `${resource.id}|${s.metric}|${hour}`;
      let b = buckets.get(k);
      if (!b) {
        b = {
          resourceId: resource.id,
          organisationId: resource.organisation_id,
          jurisdictionId: resource.jurisdiction_id,
          providerId: resource.provider_id,
          metric: s.metric,
          hour,
          sum: 0,
          max: Number.NEGATIVE_INFINITY,
          count: 0,
        };
        buckets.set(k, b);
      }
      b.sum += sample.value;
      if (sample.value > b.max) b.max = sample.value;
      b.count++;
      const seen = lastSeen.get(resource.id);
      if (!seen || seen.at < sample.timestamp) lastSeen.set(resource.id, { r: b, at: sample.timestamp });
    }
  }

  // One set-based upsert per 50,000 rollups. The resources (and their owners) travel once each as small arrays
  // and every row carries only their position, the metric's position, the hour as an epoch-hour number and the
  // three figures: parsing a uuid or a timestamp literal per row costs more than the upsert itself (PGlite).
  const all = [...buckets.values()];
  result.rollups = all.length;
  for (let i = 0; i < all.length; i += 50_000) {
    const part = all.slice(i, i + 50_000);
    const position = new Map<string, number>();
    const rIds: string[] = [];
    const rOrgs: string[] = [];
    const rJurs: string[] = [];
    const rProvs: string[] = [];
    const ri = new Array<number>(part.length);
    const mi = new Array<number>(part.length);
    const hi = new Array<number>(part.length);
    const sums = new Array<number>(part.length);
    const maxes = new Array<number>(part.length);
    const counts = new Array<number>(part.length);
    for (let k = 0; k < part.length; k++) {
      const b = part[k] as Bucket;
      let p = position.get(b.resourceId);
      if (p === undefined) {
        rIds.push(b.resourceId);
        rOrgs.push(b.organisationId);
        rJurs.push(b.jurisdictionId);
        rProvs.push(b.providerId);
        p = rIds.length;
        position.set(b.resourceId, p);
      }
      ri[k] = p;
      mi[k] = METRIC_POSITION[b.metric];
      hi[k] = b.hour / HOUR;
      sums[k] = b.sum;
      maxes[k] = b.max;
      counts[k] = b.count;
    }
    await sql`
      insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
      select (${uuidArray(rIds)}::uuid[])[t.ri], (${METRIC_ARRAY}::text[])[t.mi], to_timestamp(t.hi * 3600),
        (${uuidArray(rOrgs)}::uuid[])[t.ri], (${uuidArray(rJurs)}::uuid[])[t.ri], (${uuidArray(rProvs)}::uuid[])[t.ri],
        t.s, t.x, t.c
      from unnest(${numArray(ri)}::int[], ${numArray(mi)}::int[], ${numArray(hi)}::int[],
        ${numArray(sums)}::float8[], ${numArray(maxes)}::float8[], ${numArray(counts)}::int[]) as t(ri, mi, hi, s, x, c)
      on conflict (resource_id, metric, hour) do update set
        sum = monitoring_rollup.sum + excluded.sum,
        max = greatest(monitoring_rollup.max, excluded.max),
        count = monitoring_rollup.count + excluded.count`.execute(trx);
  }
  const seen = [...lastSeen.values()];
  if (seen.length > 0) {
    await sql`
      insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
      select * from unnest(
        ${pgArray(seen.map((s) => s.r.resourceId))}::uuid[], ${pgArray(seen.map((s) => s.r.organisationId))}::uuid[],
        ${pgArray(seen.map((s) => s.r.jurisdictionId))}::uuid[], ${pgArray(seen.map((s) => s.r.providerId))}::uuid[],
        ${pgArray(seen.map((s) => new Date(s.at).toISOString()))}::timestamptz[])
      on conflict (resource_id) do update set
        last_sample_at = greatest(monitoring_agent.last_sample_at, excluded.last_sample_at)`.execute(trx);
  }
  const allGaps = [...unmapped.entries()];
  const gaps = allGaps.slice(0, Math.max(0, options.maxUnmappedSeries ?? MAX_UNMAPPED_LISTED));
  const rest = allGaps.slice(gaps.length);
  const at = now.toISOString();
  // over the listing limit: counted, with their samples, so the totals stay exact
  await countUnlisted(trx, jurisdictionId, organisationId, {
    series: rest.length,
    samples: rest.reduce((n, [, u]) => n + u.samples, 0),
    firstSeen: now,
    lastSeen: now,
  });
  if (gaps.length > 0) {
    await sql`
      insert into monitoring_unmapped (jurisdiction_id, organisation_id, series, reason, samples, first_seen_at, last_seen_at)
      select ${jurisdictionId}::uuid, ${organisationId}::uuid, s, r, n, ${at}::timestamptz, ${at}::timestamptz
      from unnest(${pgArray(gaps.map(([s]) => s))}::text[], ${pgArray(gaps.map(([, u]) => u.reason))}::text[],
        ${pgArray(gaps.map(([, u]) => u.samples))}::bigint[]) as t(s, r, n)
      on conflict (jurisdiction_id, organisation_id, series) do update set
        samples = monitoring_unmapped.samples + excluded.samples, reason = excluded.reason,
        last_seen_at = greatest(monitoring_unmapped.last_seen_at, excluded.last_seen_at)`.execute(trx);
  }
  return { ...result, notListed: rest.length };
}

/**
 * Unmapped series of one caller left out of the listing (over MAX_UNMAPPED_LISTED): added to its count in
 * `monitoring_unmapped_overflow`, with their samples and when they were seen. Nothing to add: nothing written.
 */
export async function countUnlisted(
  trx: Trx,
  jurisdictionId: string,
  organisationId: string,
  unlisted: { series: number; samples: number; firstSeen: Date; lastSeen: Date },
): Promise<void> {
  if (unlisted.series === 0) return;
  await sql`
    insert into monitoring_unmapped_overflow (jurisdiction_id, organisation_id, series, samples, first_seen_at, last_seen_at)
    values (${jurisdictionId}::uuid, ${organisationId}::uuid, ${unlisted.series}, ${unlisted.samples},
      ${unlisted.firstSeen.toISOString()}::timestamptz, ${unlisted.lastSeen.toISOString()}::timestamptz)
    on conflict (jurisdiction_id, organisation_id) do update set
      series = monitoring_unmapped_overflow.series + excluded.series,
      samples = monitoring_unmapped_overflow.samples + excluded.samples,
      first_seen_at = least(monitoring_unmapped_overflow.first_seen_at, excluded.first_seen_at),
      last_seen_at = greatest(monitoring_unmapped_overflow.last_seen_at, excluded.last_seen_at)`.execute(trx);
}

const METRIC_POSITION = Object.fromEntries(METRICS.map((m, i) => [m, i + 1])) as Record<Metric, number>;
const METRIC_ARRAY = `{${METRICS.join(',')}}`;

/** uuids (already validated, from the database) as an array literal: no quoting needed. */
function uuidArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/** Finite numbers as an array literal (the values are checked finite before they are rolled up). */
function numArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/**
 * An array parameter as PostgreSQL's text literal (`{a,b}`): both drivers (pg, PGlite) pass it as one
 * parameter, and the cast in the statement gives it its type. Strings are quoted and escaped.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values
    .map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`))
    .join(',')}}`;
}
