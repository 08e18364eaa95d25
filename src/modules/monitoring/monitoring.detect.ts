import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Db, Trx } from '../../schema.ts';
import { effectivePolicy } from '../policy/index.ts';
import { pgArray, readSetting } from './monitoring.ingest.ts';
import { DEFAULT_THRESHOLDS, RULE_VERSIONS, type Thresholds } from './monitoring.metrics.ts';
import type { Rule } from './monitoring.table.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface EffectiveThresholds {
  values: Thresholds;
  /**
   * where each value comes from: `default`, `policy monitoring.<key> (<article>[, overridden for the jurisdiction])`
   * (the pack, or its override through the policy API), `jurisdiction override` (the monitoring settings)
   */
  sources: Record<keyof Thresholds, string>;
}

const POLICY_KEYS: Partial<
  Record<keyof Thresholds, 'lowUtilisationPercent' | 'lowUtilisationDays' | 'zombieIdleDays'>
> = {
  lowAvgCpuPercent: 'lowUtilisationPercent',
  windowDays: 'lowUtilisationDays',
  zombieWindowDays: 'zombieIdleDays',
};

/** Where each threshold's platform default lives in the pack's `defaults` section. */
const DEFAULT_KEYS: Record<keyof Thresholds, string> = {
  windowDays: 'detectionWindowDays',
  lowAvgCpuPercent: 'detectionLowAvgCpuPercent',
  lowP95CpuPercent: 'detectionLowP95CpuPercent',
  zombieWindowDays: 'detectionZombieWindowDays',
  zombieMaxCpuPercent: 'detectionZombieMaxCpuPercent',
  zombieNetworkBytesPerSecond: 'detectionZombieNetworkBytesPerSecond',
  silentHours: 'detectionSilentHours',
  minCoverage: 'detectionMinCoverage',
};

/** The thresholds of a jurisdiction: its own override, else the policy pack's number, else the default. */
export async function thresholdsOf(db: Db | Trx, jurisdictionId: string): Promise<EffectiveThresholds> {
  const j = await db
    .selectFrom('jurisdiction')
    .select('code')
    .where('id', '=', jurisdictionId)
    .executeTakeFirstOrThrow();
  const policy = await effectivePolicy(db as Db, j.code);
  const setting = await readSetting(db, jurisdictionId);
  // The platform's defaults come from the pack's `defaults` section (a jurisdiction may override them there).
  const values = { ...DEFAULT_THRESHOLDS };
  const sources = Object.fromEntries(Object.keys(values).map((k) => [k, 'default'])) as Record<
    keyof Thresholds,
    string
  >;
  for (const [k, path] of Object.entries(DEFAULT_KEYS) as [keyof Thresholds, keyof typeof policy.defaults][]) {
    const cited = policy.defaults[path] as { value: unknown; overridden?: boolean };
    const value = typeof cited.value === 'string' ? Number(cited.value) : cited.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    values[k] = value;
    if (cited.overridden) sources[k] = `policy defaults.${path} (overridden for the jurisdiction)`;
  }
  for (const [k, path] of Object.entries(POLICY_KEYS) as [keyof Thresholds, string][]) {
    const cited = (
      policy.monitoring as Record<string, { value: unknown; article: string | null; overridden?: boolean }>
    )[path];
    if (cited && typeof cited.value === 'number') {
      values[k] = cited.value;
      // e.g. `policy monitoring.lowUtilisationPercent (SH 25, overridden for the jurisdiction)`
      const notes = [cited.article, cited.overridden ? 'overridden for the jurisdiction' : null].filter(Boolean);
      sources[k] = `policy monitoring.${path}${notes.length ? ` (${notes.join(', ')})` : ''}`;
    }
  }
  for (const [k, v] of Object.entries(setting.thresholds)) {
    if (k in values && typeof v === 'number') {
      values[k as keyof Thresholds] = v;
      sources[k as keyof Thresholds] = 'jurisdiction override';
    }
  }
  return { values, sources };
}

interface CpuStats {
  avg: number;
  max: number;
  /** filled in for the candidates only (second pass) */
  p95: number;
  hours: number;
}

interface WindowStats {
  low: Map<string, CpuStats>;
  zombie: Map<string, CpuStats>;
  /** per resource: the highest hourly average of network_in and of network_out (each a lower bound of the peak) */
  netIn: Map<string, number>;
  netOut: Map<string, number>;
}

/**
 * One pass over the rollups of the jurisdiction's window (both rule windows, CPU and network): per resource,
 * the CPU average (sum of sums / sum of counts), peak and hours covered of each window, and the highest hourly
 * average of network_in and of network_out. The percentile and the exact network peak (in + out of the same
 * hour) are only needed for the few resources that can still match, so they are computed in `candidateStats`.
 */
async function windowStats(
  trx: Trx,
  jurisdictionId: string,
  lowFrom: Date,
  zombieFrom: Date,
  to: Date,
): Promise<WindowStats> {
  const from = lowFrom < zombieFrom ? lowFrom : zombieFrom;
  const later = lowFrom < zombieFrom ? zombieFrom : lowFrom;
  const differ = lowFrom.getTime() !== zombieFrom.getTime();
  // Grouped by resource and metric with plain aggregates (no per-row FILTER unless the two windows differ):
  // per-row expression work is what such a scan costs.
  const { rows } = await sql<{
    resource_id: string;
    metric: string;
    s: number;
    c: string;
    mx: number;
    hours: number;
    peak: number;
    s2: number | null;
    c2: string | null;
    mx2: number | null;
    hours2: number;
    peak2: number | null;
  }>`
    select resource_id, metric, sum(sum) as s, sum(count) as c, max(max) as mx, count(*)::int as hours,
      max(sum / count) as peak,
      ${
        differ
          ? sql`sum(sum) filter (where hour >= ${later}) as s2, sum(count) filter (where hour >= ${later}) as c2,
        max(max) filter (where hour >= ${later}) as mx2, (count(*) filter (where hour >= ${later}))::int as hours2,
        max(sum / count) filter (where hour >= ${later}) as peak2`
          : sql`null::float8 as s2, null::bigint as c2, null::float8 as mx2, 0 as hours2, null::float8 as peak2`
      }
    from monitoring_rollup
    where jurisdiction_id = ${jurisdictionId} and metric in ('cpu', 'network_in', 'network_out')
      and hour >= ${from} and hour < ${to}
    group by resource_id, metric`.execute(trx);
  const out: WindowStats = { low: new Map(), zombie: new Map(), netIn: new Map(), netOut: new Map() };
  const lowIsLater = differ && lowFrom > zombieFrom;
  const zombieIsLater = differ && zombieFrom > lowFrom;
  for (const r of rows) {
    const full = { avg: Number(r.s) / Number(r.c), max: Number(r.mx), p95: Number.NaN, hours: r.hours };
    const part =
      r.hours2 > 0
        ? { avg: Number(r.s2) / Number(r.c2), max: Number(r.mx2), p95: Number.NaN, hours: r.hours2 }
        : undefined;
    if (r.metric === 'cpu') {
      const low = lowIsLater ? part : full;
      const zombie = zombieIsLater ? part : full;
      if (low) out.low.set(r.resource_id, low);
      if (zombie) out.zombie.set(r.resource_id, zombie);
    } else {
      const peak = zombieIsLater ? (r.hours2 > 0 ? Number(r.peak2) : undefined) : Number(r.peak);
      if (peak !== undefined) (r.metric === 'network_in' ? out.netIn : out.netOut).set(r.resource_id, peak);
    }
  }
  return out;
}

/**
 * For the candidate resources only: the 95th percentile of the hourly CPU averages of each window, and the
 * network peak (the highest hourly in + out) of the zombie window. Reads by the primary key.
 */
async function candidateStats(
  trx: Trx,
  ids: string[],
  lowFrom: Date,
  zombieFrom: Date,
  to: Date,
): Promise<Map<string, { lowP95: number; zombieP95: number; peak: number | undefined }>> {
  const out = new Map<string, { lowP95: number; zombieP95: number; peak: number | undefined }>();
  for (let i = 0; i < ids.length; i += 5000) {
    const part = `{${ids.slice(i, i + 5000).join(',')}}`;
    const { rows } = await sql<{ resource_id: string; low_p95: number | null; zombie_p95: number | null }>`
      select resource_id,
        percentile_cont(0.95) within group (order by sum / count) filter (where hour >= ${lowFrom}) as low_p95,
        percentile_cont(0.95) within group (order by sum / count) filter (where hour >= ${zombieFrom}) as zombie_p95
      from monitoring_rollup
      where resource_id = any(${part}::uuid[]) and metric = 'cpu'
        and hour >= ${lowFrom < zombieFrom ? lowFrom : zombieFrom} and hour < ${to}
      group by resource_id`.execute(trx);
    for (const r of rows)
      out.set(r.resource_id, { lowP95: Number(r.low_p95), zombieP95: Number(r.zombie_p95), peak: undefined });
    const peaks = await sql<{ resource_id: string; peak: number }>`
      select resource_id, max(bps) as peak from (
        select resource_id, hour, sum(sum / count) as bps
        from monitoring_rollup
        where resource_id = any(${part}::uuid[]) and metric in ('network_in', 'network_out')
          and hour >= ${zombieFrom} and hour < ${to}
        group by resource_id, hour) h
      group by resource_id`.execute(trx);
    for (const r of peaks.rows) {
      const o = out.get(r.resource_id) ?? { lowP95: Number.NaN, zombieP95: Number.NaN, peak: undefined };
      o.peak = Number(r.peak);
      out.set(r.resource_id, o);
    }
  }
  return out;
}

interface Detected {
  resource: { id: string; organisation_id: string; jurisdiction_id: string; provider_id: string; name: string };
  rule: Rule;
  evidence: Record<string, unknown>;
}

export interface DetectionResult {
  jurisdictionId: string;
  resources: number;
  found: Record<Rule, number>;
  created: number;
  refreshed: number;
  cleared: number;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** Resources whose silence is explained at `now` (an agreed maintenance window, JQ 13): no silent-agent finding. */
export type SilenceExemption = (trx: Trx, jurisdictionId: string, now: Date) => Promise<readonly string[]>;
let silenceExemption: SilenceExemption = async () => [];

/** Set once by app.ts (the operations module's agreed windows): monitoring imports no later module. */
export function configureSilenceExemption(exemption: SilenceExemption): void {
  silenceExemption = exemption;
}

/**
 * Runs the rules over one jurisdiction's active resources at `now` and reconciles the findings: a finding
 * that still holds is refreshed (never duplicated), a new one is opened, an open one that no longer holds is
 * cleared. Runs with the same data and `now` change nothing (idempotent). One transaction, audited.
 */
export async function detect(trx: Trx, actor: Actor, jurisdictionId: string, now: Date): Promise<DetectionResult> {
  const { values: t, sources } = await thresholdsOf(trx, jurisdictionId);
  const to = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const lowFrom = new Date(to.getTime() - t.windowDays * DAY);
  const zombieFrom = new Date(to.getTime() - t.zombieWindowDays * DAY);
  const stats = await windowStats(trx, jurisdictionId, lowFrom, zombieFrom, to);
  const resources = await trx
    .selectFrom('resource')
    .leftJoin('monitoring_agent', 'monitoring_agent.resource_id', 'resource.id')
    .select([
      'resource.id',
      'resource.organisation_id',
      'resource.jurisdiction_id',
      'resource.provider_id',
      'resource.name',
      'resource.delivered_at',
      'monitoring_agent.last_sample_at',
    ])
    .where('resource.jurisdiction_id', '=', jurisdictionId)
    .where('resource.state', '=', 'active')
    .execute();

  const silentSince = new Date(now.getTime() - t.silentHours * HOUR);
  const exempt = new Set(await silenceExemption(trx, jurisdictionId, now));
  // Candidates: resources the cheap figures do not rule out (a peak is at least each direction's own peak).
  const candidates: string[] = [];
  for (const r of resources) {
    if (!r.last_sample_at || r.last_sample_at < silentSince) {
      if (!r.delivered_at || r.delivered_at <= silentSince) continue; // silent: no figures needed
    }
    const z = stats.zombie.get(r.id);
    const nIn = stats.netIn.get(r.id);
    const nOut = stats.netOut.get(r.id);
    const zombieCandidate =
      z !== undefined &&
      (nIn !== undefined || nOut !== undefined) &&
      z.hours >= t.zombieWindowDays * 24 * t.minCoverage &&
      z.max < t.zombieMaxCpuPercent &&
      (nIn ?? 0) < t.zombieNetworkBytesPerSecond &&
      (nOut ?? 0) < t.zombieNetworkBytesPerSecond;
    const l = stats.low.get(r.id);
    const lowCandidate = l !== undefined && l.hours >= t.windowDays * 24 * t.minCoverage && l.avg < t.lowAvgCpuPercent;
    if (zombieCandidate || lowCandidate) candidates.push(r.id);
  }
  const exact = await candidateStats(trx, candidates, lowFrom, zombieFrom, to);
  const lowStats = new Map<string, CpuStats>();
  const zombieStats = new Map<string, CpuStats>();
  const network = new Map<string, number>();
  for (const id of candidates) {
    const e = exact.get(id);
    const l = stats.low.get(id);
    const z = stats.zombie.get(id);
    if (l) lowStats.set(id, { ...l, p95: e?.lowP95 ?? Number.NaN });
    if (z) zombieStats.set(id, { ...z, p95: e?.zombieP95 ?? Number.NaN });
    if (e?.peak !== undefined) network.set(id, e.peak);
  }

  const detected: Detected[] = [];
  for (const r of resources) {
    const resource = {
      id: r.id,
      organisation_id: r.organisation_id,
      jurisdiction_id: r.jurisdiction_id,
      provider_id: r.provider_id,
      name: r.name,
    };
    const base = { thresholds: t, thresholdSources: sources, evaluatedAt: now.toISOString() };
    // Silent agent: active for longer than the silence limit, and no sample within it.
    const deliveredBefore = !r.delivered_at || r.delivered_at <= silentSince;
    if (deliveredBefore && (!r.last_sample_at || r.last_sample_at < silentSince)) {
      if (exempt.has(r.id)) continue; // under an agreed maintenance window: its silence is planned
      detected.push({
        resource,
        rule: 'silent_agent',
        evidence: {
          ...base,
          lastSampleAt: r.last_sample_at?.toISOString() ?? null,
          silentHours: r.last_sample_at ? round((now.getTime() - r.last_sample_at.getTime()) / HOUR) : null,
        },
      });
      continue; // a silent agent's utilisation figures are not evidence of anything
    }
    const z = zombieStats.get(r.id);
    const peak = network.get(r.id);
    const zHours = t.zombieWindowDays * 24;
    if (
      z &&
      peak !== undefined &&
      z.hours >= zHours * t.minCoverage &&
      z.max < t.zombieMaxCpuPercent &&
      peak < t.zombieNetworkBytesPerSecond
    ) {
      detected.push({
        resource,
        rule: 'zombie',
        evidence: {
          ...base,
          window: { from: zombieFrom.toISOString(), to: to.toISOString() },
          cpu: { avg: round(z.avg), max: round(z.max), p95: round(z.p95), hours: z.hours },
          networkPeakBytesPerSecond: round(peak),
        },
      });
      continue; // a zombie is also under-used; the stronger finding is the one reported
    }
    const l = lowStats.get(r.id);
    const lHours = t.windowDays * 24;
    if (l && l.hours >= lHours * t.minCoverage && l.avg < t.lowAvgCpuPercent && l.p95 < t.lowP95CpuPercent) {
      detected.push({
        resource,
        rule: 'low_utilisation',
        evidence: {
          ...base,
          window: { from: lowFrom.toISOString(), to: to.toISOString() },
          cpu: { avg: round(l.avg), max: round(l.max), p95: round(l.p95), hours: l.hours },
        },
      });
    }
  }

  // The chart of each finding: daily CPU averages and peaks over its window (Asia/Shanghai days).
  const charted = detected.filter((d) => d.rule !== 'silent_agent').map((d) => d.resource.id);
  const charts = new Map<string, { day: string; avg: number; max: number }[]>();
  for (let i = 0; i < charted.length; i += 5000) {
    const { rows } = await sql<{ resource_id: string; day: string; avg: number; max: number }>`
      select resource_id, to_char((hour at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD') as day,
        sum(sum) / sum(count) as avg, max(max) as max
      from monitoring_rollup
      where resource_id = any(${`{${charted.slice(i, i + 5000).join(',')}}`}::uuid[]) and metric = 'cpu'
        and hour >= ${new Date(to.getTime() - Math.max(t.windowDays, t.zombieWindowDays) * DAY)} and hour < ${to}
      group by 1, 2 order by 1, 2`.execute(trx);
    for (const row of rows) {
      const list = charts.get(row.resource_id) ?? [];
      list.push({ day: row.day, avg: round(Number(row.avg)), max: round(Number(row.max)) });
      charts.set(row.resource_id, list);
    }
  }
  for (const d of detected)
    if (d.rule !== 'silent_agent') d.evidence.series = { cpuDaily: charts.get(d.resource.id) ?? [] };

  const live = await trx
    .selectFrom('monitoring_finding')
    .select(['id', 'resource_id', 'rule', 'status'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('status', 'in', ['open', 'in_rectification', 'escalated'])
    .execute();
  const liveByKey = new Map(live.map((f) => [`${f.resource_id}|${f.rule}`, f]));
  const result: DetectionResult = {
    jurisdictionId,
    resources: resources.length,
    found: { low_utilisation: 0, zombie: 0, silent_agent: 0 },
    created: 0,
    refreshed: 0,
    cleared: 0,
  };
  const seen = new Set<string>();
  const refresh: { id: string; d: Detected }[] = [];
  const fresh: Detected[] = [];
  for (const d of detected) {
    result.found[d.rule]++;
    const key = `${d.resource.id}|${d.rule}`;
    seen.add(key);
    const existing = liveByKey.get(key);
    if (existing) refresh.push({ id: existing.id, d });
    else fresh.push(d);
  }
  // Set-based writes: one statement per 1,000 findings.
  for (let i = 0; i < refresh.length; i += 1000) {
    const part = refresh.slice(i, i + 1000);
    await sql`
      update monitoring_finding f set evidence = u.evidence::jsonb, rule_version = u.rule_version,
        last_detected_at = ${now}, updated_at = ${now}
      from unnest(${pgArray(part.map((p) => p.id))}::uuid[], ${pgArray(part.map((p) => JSON.stringify(p.d.evidence)))}::text[],
        ${pgArray(part.map((p) => RULE_VERSIONS[p.d.rule]))}::text[]) as u(id, evidence, rule_version)
      where f.id = u.id`.execute(trx);
  }
  result.refreshed = refresh.length;
  for (let i = 0; i < fresh.length; i += 1000) {
    await trx
      .insertInto('monitoring_finding')
      .values(
        fresh.slice(i, i + 1000).map((d) => ({
          resource_id: d.resource.id,
          organisation_id: d.resource.organisation_id,
          jurisdiction_id: d.resource.jurisdiction_id,
          provider_id: d.resource.provider_id,
          rule: d.rule,
          rule_version: RULE_VERSIONS[d.rule],
          evidence: JSON.stringify(d.evidence),
          first_detected_at: now,
          last_detected_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }
  result.created = fresh.length;
  const stale = live.filter((f) => f.status === 'open' && !seen.has(`${f.resource_id}|${f.rule}`)).map((f) => f.id);
  if (stale.length > 0) {
    await trx
      .updateTable('monitoring_finding')
      .set({ status: 'cleared', updated_at: now })
      .where(sql<boolean>`id = any(${pgArray(stale)}::uuid[])`)
      .execute();
    result.cleared = stale.length;
  }
  if (result.created > 0 || result.cleared > 0) {
    await writeAudit(trx, actor, {
      action: 'monitoring.detection_run',
      objectType: 'jurisdiction',
      objectId: jurisdictionId,
      detail: { ...result, at: now.toISOString(), ruleVersions: RULE_VERSIONS },
    });
  }
  return result;
}
