import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Db, Trx } from '../../schema.ts';
import { effectivePolicy } from '../policy/index.ts';
import {
  clearFindings,
  dayRange,
  detectionRows,
  exactFigures,
  insertFindings,
  liveFindings,
  refreshFindings,
} from './monitoring.detect.repository.ts';
import { readSetting } from './monitoring.ingest.ts';
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
  p95: number;
  hours: number;
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
/** A limit raised by far more than floating-point order can move a sum: bounds compared to it never rule out a match. */
const above = (limit: number) => limit + 1e-9 * (Math.abs(limit) + 1);

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
  const silentSince = new Date(now.getTime() - t.silentHours * HOUR);
  const exempt = new Set(await silenceExemption(trx, jurisdictionId, now));
  const lowHours = t.windowDays * 24 * t.minCoverage;
  const zombieHours = t.zombieWindowDays * 24 * t.minCoverage;
  // First the daily rows (one per resource and day): bounds of each window's figures rule out every resource
  // that cannot match (monitoring.detect.repository.ts; already in SQL, with looser limits, for all but the
  // resources returned); the rest are evaluated exactly from their hourly figures.
  const { resources: count, rows: resources } = await detectionRows(
    trx,
    jurisdictionId,
    dayRange(lowFrom, to),
    dayRange(zombieFrom, to),
    silentSince,
    { lowHours, zombieHours, zombieMaxCpuPercent: t.zombieMaxCpuPercent, lowAvgCpuPercent: t.lowAvgCpuPercent },
  );
  const possible: string[] = [];
  const possibleZombies: string[] = [];
  for (const r of resources) {
    if (!r.last_sample_at || r.last_sample_at < silentSince) {
      if (!r.delivered_at || r.delivered_at <= silentSince) continue; // silent: no figures needed
    }
    const b = r.bounds;
    if (!b) continue;
    const zombie =
      b.zombie.hoursAtMost > 0 &&
      b.zombie.networkHoursAtMost > 0 &&
      b.zombie.hoursAtMost >= zombieHours &&
      !(b.zombie.maxAtLeast >= t.zombieMaxCpuPercent);
    const low =
      b.low.hoursAtMost > 0 && b.low.hoursAtMost >= lowHours && !(b.low.avgAtLeast >= above(t.lowAvgCpuPercent));
    if (zombie || low) possible.push(r.id);
    if (zombie) possibleZombies.push(r.id);
  }
  const { cpu, net } = await exactFigures(trx, jurisdictionId, possible, possibleZombies, lowFrom, zombieFrom, to);
  // Candidates, as a scan of every hourly rollup would choose them (a peak is at least each direction's own peak).
  const lowStats = new Map<string, CpuStats>();
  const zombieStats = new Map<string, CpuStats>();
  const network = new Map<string, number>();
  const charts = new Map<string, { day: string; avg: number; max: number }[]>();
  for (const id of possible) {
    const e = cpu.get(id);
    if (!e) continue;
    const l =
      e.lowHours > 0
        ? { avg: Number(e.lowS) / Number(e.lowC), max: Number(e.lowMax), p95: Number(e.lowP95), hours: e.lowHours }
        : undefined;
    const z =
      e.zombieHours > 0
        ? {
            avg: Number(e.zombieS) / Number(e.zombieC),
            max: Number(e.zombieMax),
            p95: Number(e.zombieP95),
            hours: e.zombieHours,
          }
        : undefined;
    const n = net.get(id);
    const nIn = n?.in;
    const nOut = n?.out;
    const zombieCandidate =
      z !== undefined &&
      (nIn !== undefined || nOut !== undefined) &&
      z.hours >= zombieHours &&
      z.max < t.zombieMaxCpuPercent &&
      (nIn ?? 0) < t.zombieNetworkBytesPerSecond &&
      (nOut ?? 0) < t.zombieNetworkBytesPerSecond;
    const lowCandidate = l !== undefined && l.hours >= lowHours && l.avg < t.lowAvgCpuPercent;
    if (!zombieCandidate && !lowCandidate) continue;
    if (l) lowStats.set(id, l);
    if (z) zombieStats.set(id, z);
    if (n?.peak !== undefined) network.set(id, n.peak);
    charts.set(
      id,
      e.daily.map((d) => ({ day: d.day, avg: round(d.avg), max: round(d.max) })),
    );
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

  for (const d of detected)
    if (d.rule !== 'silent_agent') d.evidence.series = { cpuDaily: charts.get(d.resource.id) ?? [] };

  const live = await liveFindings(trx, jurisdictionId);
  const liveByKey = new Map(live.map((f) => [`${f.resource_id}|${f.rule}`, f]));
  const result: DetectionResult = {
    jurisdictionId,
    resources: count,
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
  await refreshFindings(
    trx,
    refresh.map((p) => ({ id: p.id, evidence: p.d.evidence, ruleVersion: RULE_VERSIONS[p.d.rule] })),
    now,
  );
  result.refreshed = refresh.length;
  await insertFindings(
    trx,
    fresh.map((d) => ({ ...d.resource, rule: d.rule, ruleVersion: RULE_VERSIONS[d.rule], evidence: d.evidence })),
    now,
  );
  result.created = fresh.length;
  const stale = live.filter((f) => f.status === 'open' && !seen.has(`${f.resource_id}|${f.rule}`)).map((f) => f.id);
  result.cleared = await clearFindings(trx, stale, now);
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
