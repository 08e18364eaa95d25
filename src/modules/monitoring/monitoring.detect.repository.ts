// What detection reads (issue 24: detection that scales with resources, not with resources x hours).
// `detectionRows` reads one row per resource and Asia/Shanghai day of `monitoring_rollup_daily` (kept by triggers
// on monitoring_rollup, migrations/0140) and gives, per resource, bounds that rule most resources out; the few
// it cannot rule out are evaluated exactly from their hours as `monitoring_rollup_day_hours` keeps them (one row per
// resource and day, by the primary key: `exactCpu`, `exactNetwork`), with the same expressions over the same
// hourly values as a scan of the hourly rollups would use.
import { sql } from 'kysely';
import { readFloat8Slots } from '../../platform/db/arrays.ts';
import type { Trx } from '../../schema.ts';
import { pgArray } from './monitoring.ingest.ts';
import type { Rule } from './monitoring.table.ts';

const DAY = 86_400_000;
/** Asia/Shanghai is UTC+8 all year. */
const SHANGHAI = 8 * 3_600_000;

/** A window [from, to) as days of the daily table: every day it touches, and the days wholly inside it. */
export interface DayRange {
  /** first day touched, and the day after the last one touched */
  anyFrom: string;
  anyTo: string;
  /** first whole day, and the day after the last whole day (anyFrom = anyTo: none) */
  fullFrom: string;
  fullTo: string;
}

const dayText = (index: number) => new Date(index * DAY).toISOString().slice(0, 10);

export function dayRange(from: Date, to: Date): DayRange {
  const f = from.getTime() + SHANGHAI;
  const t = to.getTime() + SHANGHAI;
  const fullFrom = Math.ceil(f / DAY);
  const fullTo = Math.max(fullFrom, Math.floor(t / DAY));
  return {
    anyFrom: dayText(Math.floor(f / DAY)),
    anyTo: dayText(Math.floor((t - 1) / DAY) + 1),
    fullFrom: dayText(fullFrom),
    fullTo: dayText(fullTo),
  };
}

export interface WindowBounds {
  /** at least the hours of CPU rollups in the window */
  hoursAtMost: number;
  /** at most the CPU average of the window (sum of sums / sum of counts); NaN: no CPU figures */
  avgAtLeast: number;
  /** at most the CPU peak of the window; -Infinity when no whole day is known */
  maxAtLeast: number;
  /** at least the hours of network rollups (both directions) in the window */
  networkHoursAtMost: number;
}

interface BoundRow {
  resource_id: string;
  l_hours: number;
  l_fs: number | null;
  l_fc: string | null;
  l_ec: string | null;
  l_em: number | null;
  z_hours: number;
  z_max: number | null;
  z_net: number;
}

/** What a resource's bounds are tested against: a window's hours needed, the zombie CPU limit, the average limit. */
export interface RuleOutLimits {
  lowHours: number;
  zombieHours: number;
  zombieMaxCpuPercent: number;
  lowAvgCpuPercent: number;
}

export interface DetectionRow {
  id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  name: string;
  delivered_at: Date | null;
  last_sample_at: Date | null;
  /** bounds of its windows' figures; null: none needed (ruled out, or no daily rows) */
  bounds: { low: WindowBounds; zombie: WindowBounds } | null;
}

/**
 * The jurisdiction's active resources that detection must look at (the count of all of them beside): those
 * without a sample since `silentSince` (the silent-agent rule), and those whose daily rows cannot rule them out,
 * with the bounds of their windows' figures. One statement: a grouped read of the daily rows of the longer window
 * (one row per resource and day), tested in SQL against limits looser than the caller's own test (an average
 * bound that is at most the caller's, a limit 1e-6 higher), so every resource the caller's test keeps is
 * returned; the caller then tests the returned bounds exactly as before.
 */
export async function detectionRows(
  trx: Trx,
  jurisdictionId: string,
  low: DayRange,
  zombie: DayRange,
  silentSince: Date,
  limits: RuleOutLimits,
): Promise<{ resources: number; rows: DetectionRow[] }> {
  // the grouped read sorts or hashes one row per resource and day: in memory, and no JIT compilation for it
  await sql`set local work_mem = '64MB'`.execute(trx);
  await sql`set local jit = off`.execute(trx);
  const from = low.anyFrom < zombie.anyFrom ? low.anyFrom : zombie.anyFrom;
  const to = low.anyTo > zombie.anyTo ? low.anyTo : zombie.anyTo;
  const lAny = sql`day >= ${low.anyFrom}::date and day < ${low.anyTo}::date`;
  const lFull = sql`day >= ${low.fullFrom}::date and day < ${low.fullTo}::date`;
  const zAny = sql`day >= ${zombie.anyFrom}::date and day < ${zombie.anyTo}::date`;
  const zFull = sql`day >= ${zombie.fullFrom}::date and day < ${zombie.fullTo}::date`;
  const avgLimit = limits.lowAvgCpuPercent + 1e-6 * (Math.abs(limits.lowAvgCpuPercent) + 1);
  // Both steps materialized: computed once. Inlined, the planner (no statistics yet on freshly written day rows,
  // estimating one row) chose a nested loop that re-ran the grouped read for every resource: 6-15x slower at
  // 400-2,000 VMs on PGlite and PostgreSQL (the reverted lane mon24).
  const { rows } = await sql<Omit<DetectionRow, 'bounds'> & Partial<Omit<BoundRow, 'resource_id'>> & { kept: boolean }>`
    with b as materialized (
      select resource_id,
        coalesce(sum(cpu_hours) filter (where ${lAny}), 0)::int as l_hours,
        sum(cpu_sum) filter (where ${lFull}) as l_fs, sum(cpu_count) filter (where ${lFull}) as l_fc,
        sum(cpu_count) filter (where ${lAny} and not (${lFull})) as l_ec,
        min(cpu_min_avg) filter (where ${lAny} and not (${lFull})) as l_em,
        coalesce(sum(cpu_hours) filter (where ${zAny}), 0)::int as z_hours,
        max(cpu_max) filter (where ${zFull}) as z_max,
        coalesce(sum(in_hours + out_hours) filter (where ${zAny}), 0)::int as z_net
      from monitoring_rollup_daily
      where jurisdiction_id = ${jurisdictionId} and day >= ${from}::date and day < ${to}::date
      group by resource_id),
    c as materialized (
      select * from b
      where (z_hours > 0 and z_net > 0 and z_hours >= ${limits.zombieHours}::float8
          and not coalesce(z_max >= ${limits.zombieMaxCpuPercent}::float8, false))
        or (l_hours > 0 and l_hours >= ${limits.lowHours}::float8
          and not coalesce(least(l_fs / nullif(l_fc, 0)::float8, l_em) >= ${avgLimit}::float8, false)))
    select r.id, r.organisation_id, r.jurisdiction_id, r.provider_id, r.name, r.delivered_at, a.last_sample_at,
      c.resource_id is not null as kept, c.l_hours, c.l_fs, c.l_fc, c.l_ec, c.l_em, c.z_hours, c.z_max, c.z_net
    from resource r
    left join monitoring_agent a on a.resource_id = r.id
    left join c on c.resource_id = r.id
    where r.jurisdiction_id = ${jurisdictionId} and r.state = 'active'
      and (c.resource_id is not null or a.last_sample_at is null or a.last_sample_at < ${silentSince})`.execute(trx);
  const { count } = await trx
    .selectFrom('resource')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('state', '=', 'active')
    .executeTakeFirstOrThrow();
  return {
    resources: Number(count),
    rows: rows.map(({ kept, l_hours, l_fs, l_fc, l_ec, l_em, z_hours, z_max, z_net, ...r }) => ({
      ...r,
      bounds: kept
        ? {
            low: {
              hoursAtMost: l_hours as number,
              avgAtLeast: averageAtLeast(l_fs ?? null, l_fc ?? null, l_ec ?? null, l_em ?? null),
              maxAtLeast: Number.NEGATIVE_INFINITY,
              networkHoursAtMost: 0,
            },
            zombie: {
              hoursAtMost: z_hours as number,
              avgAtLeast: Number.NaN,
              maxAtLeast: z_max === null || z_max === undefined ? Number.NEGATIVE_INFINITY : Number(z_max),
              networkHoursAtMost: z_net as number,
            },
          }
        : null,
    })),
  };
}

/**
 * The window's average is the count-weighted mean of its whole days' (sum fs over count fc) and of its hours on
 * the partly covered days (each hourly average at least em, their count at most ec): at least the smaller of
 * fs / fc and (fs + em x ec) / (fc + ec).
 */
function averageAtLeast(fs: number | null, fc: string | null, ec: string | null, em: number | null): number {
  const s = Number(fs ?? 0);
  const c = Number(fc ?? 0);
  const e = Number(ec ?? 0);
  if (c <= 0) return em === null ? Number.NaN : Number(em);
  const whole = s / c;
  if (e <= 0 || em === null || Number(em) >= whole) return whole;
  return (s + Number(em) * e) / (c + e);
}

export interface ExactCpu {
  /** sum of sums, sum of counts, max, hours of the window (the jurisdiction's rollups) */
  lowS: number | null;
  lowC: string | number | null;
  lowMax: number | null;
  lowHours: number;
  lowP95: number | null;
  zombieS: number | null;
  zombieC: string | number | null;
  zombieMax: number | null;
  zombieHours: number;
  zombieP95: number | null;
  /** the daily CPU averages and peaks over [from, to) (Asia/Shanghai days), by day */
  daily: { day: string; avg: number; max: number }[];
}

/**
 * The 95th percentile of the first n values as PostgreSQL's percentile_cont(0.95) computes it (sorted values,
 * linear interpolation). Sorts them in place.
 */
function percentile95(values: Float64Array, n: number): number | null {
  if (n === 0) return null;
  // a typed array sorts numerically without a comparator call per comparison (the same order for finite values)
  const sorted = values.subarray(0, n).sort();
  const pos = 0.95 * (n - 1);
  const lower = Math.floor(pos);
  const first = sorted[lower] as number;
  if (Math.ceil(pos) === lower) return first;
  const second = sorted[lower + 1] as number;
  return first + (second - first) * (pos - lower);
}

/**
 * For the given resources, from their hourly figures over [from, to) as their day rows hold them (by the primary
 * key, one row per day): each window's CPU figures (sum of sums, sum of counts, peak, hours of the jurisdiction's
 * rollups; the 95th percentile of the hourly averages), the daily CPU averages and peaks (the findings' chart),
 * and for `zombieIds` each network direction's peak and the in + out peak over [zombieFrom, to). The same
 * figures, summed in the same order (day by day, hour by hour), as the grouped SQL over the unnested hours
 * gave; computed here from the fetched arrays instead of per hour in SQL.
 */
export async function exactFigures(
  trx: Trx,
  jurisdictionId: string,
  ids: readonly string[],
  zombieIds: readonly string[],
  lowFrom: Date,
  zombieFrom: Date,
  to: Date,
): Promise<{ cpu: Map<string, ExactCpu>; net: Map<string, ExactNetwork> }> {
  const cpu = new Map<string, ExactCpu>();
  const net = new Map<string, ExactNetwork>();
  const from = lowFrom < zombieFrom ? lowFrom : zombieFrom;
  const days = dayRange(from, to);
  const lowT = lowFrom.getTime();
  const zombieT = zombieFrom.getTime();
  const fromT = from.getTime();
  const toT = to.getTime();
  // the zombie candidates with their network arrays, the others without (5,000 resources per statement)
  const zombieSet = new Set(zombieIds);
  const batches: { part: string; network: boolean }[] = [];
  for (const network of [true, false]) {
    const some = ids.filter((id) => zombieSet.has(id) === network);
    for (let i = 0; i < some.length; i += 5000)
      batches.push({ part: `{${some.slice(i, i + 5000).join(',')}}`, network });
  }
  // the windows' hourly averages of one resource at a time (at most one per hour of the window)
  const span = Math.ceil((toT - fromT) / 3_600_000) + 1;
  const lowAvgs = new Float64Array(span);
  const zombieAvgs = new Float64Array(span);
  // one day's slots of each array
  const cpuSum = new Float64Array(24);
  const cpuCount = new Float64Array(24);
  const cpuMax = new Float64Array(24);
  const inAvg = new Float64Array(24);
  const outAvg = new Float64Array(24);
  for (const { part, network } of batches) {
    // one row per resource, its days as bytes: per day (in order) the day (days since 1970-01-01, 4 bytes), 1 if
    // the jurisdiction's, then the CPU sums, counts, peaks (and for zombie candidates network in and out) each in
    // PostgreSQL's binary array format (`array_send`; a missing array as an empty one). The doubles travel as
    // their 8 bytes: no decimal formatting in the server (the most of this statement's time as JSON at 50,000 VMs)
    // and no parsing or boxed numbers in Node.
    const arrays = network
      ? sql`array_send(coalesce(cpu_sum, '{}')) || array_send(coalesce(cpu_count, '{}'))
          || array_send(coalesce(cpu_max, '{}')) || array_send(coalesce(in_avg, '{}')) || array_send(coalesce(out_avg, '{}'))`
      : sql`array_send(coalesce(cpu_sum, '{}')) || array_send(coalesce(cpu_count, '{}'))
          || array_send(coalesce(cpu_max, '{}'))`;
    const { rows: resources } = await sql<{ resource_id: string; days: Uint8Array }>`
      select resource_id, string_agg(int4send(day - date '1970-01-01')
          || decode(case when jurisdiction_id = ${jurisdictionId} then '01' else '00' end, 'hex') || ${arrays},
          ''::bytea order by day) as days
      from monitoring_rollup_day_hours
      where resource_id = any(${part}::uuid[]) and day >= ${days.anyFrom}::date and day < ${days.anyTo}::date
      group by resource_id`.execute(trx);
    for (const { resource_id: id, days: bytes } of resources) {
      const e: ExactCpu = {
        lowS: null,
        lowC: null,
        lowMax: null,
        lowHours: 0,
        lowP95: null,
        zombieS: null,
        zombieC: null,
        zombieMax: null,
        zombieHours: 0,
        zombieP95: null,
        daily: [],
      };
      let ls = 0;
      let lc = 0;
      let lmx = Number.NEGATIVE_INFINITY;
      let zs = 0;
      let zc = 0;
      let zmx = Number.NEGATIVE_INFINITY;
      let nLow = 0;
      let nZombie = 0;
      let nIn: number | undefined;
      let nOut: number | undefined;
      let peak: number | undefined;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let pos = 0;
      while (pos < bytes.byteLength) {
        const dayIndex = view.getInt32(pos);
        const own = view.getUint8(pos + 4) === 1;
        let noCpu: number;
        let noIn = 0xffffff;
        let noOut = 0xffffff;
        [pos] = readFloat8Slots(view, pos + 5, cpuSum);
        [pos, noCpu] = readFloat8Slots(view, pos, cpuCount);
        [pos] = readFloat8Slots(view, pos, cpuMax);
        if (network) {
          [pos, noIn] = readFloat8Slots(view, pos, inAvg);
          [pos, noOut] = readFloat8Slots(view, pos, outAvg);
        }
        // 00:00 Asia/Shanghai of the day, in UTC milliseconds
        const midnight = dayIndex * DAY - SHANGHAI;
        let ds = 0;
        let dc = 0;
        let dmx = Number.NEGATIVE_INFINITY;
        let dn = 0;
        for (let slot = 0; slot < 24; slot++) {
          const hour = midnight + slot * 3_600_000;
          if (hour < fromT || hour >= toT) continue;
          const bit = 1 << slot;
          const a = noIn & bit ? null : (inAvg[slot] as number);
          const b = noOut & bit ? null : (outAvg[slot] as number);
          if (hour >= zombieT && (a !== null || b !== null)) {
            const both = a === null ? (b as number) : b === null ? a : a + b;
            if (peak === undefined || both > peak) peak = both;
            if (own && a !== null && (nIn === undefined || a > nIn)) nIn = a;
            if (own && b !== null && (nOut === undefined || b > nOut)) nOut = b;
          }
          if (noCpu & bit) continue;
          const c = cpuCount[slot] as number;
          const s = cpuSum[slot] as number;
          const x = cpuMax[slot] as number;
          ds += s;
          dc += c;
          if (x > dmx) dmx = x;
          dn++;
          if (hour >= lowT) {
            lowAvgs[nLow++] = s / c;
            if (own) {
              ls += s;
              lc += c;
              if (x > lmx) lmx = x;
              e.lowHours++;
            }
          }
          if (hour >= zombieT) {
            zombieAvgs[nZombie++] = s / c;
            if (own) {
              zs += s;
              zc += c;
              if (x > zmx) zmx = x;
              e.zombieHours++;
            }
          }
        }
        if (dn > 0) e.daily.push({ day: dayText(dayIndex), avg: ds / dc, max: dmx });
      }
      if (e.lowHours > 0) Object.assign(e, { lowS: ls, lowC: lc, lowMax: lmx });
      if (e.zombieHours > 0) Object.assign(e, { zombieS: zs, zombieC: zc, zombieMax: zmx });
      e.lowP95 = percentile95(lowAvgs, nLow);
      e.zombieP95 = percentile95(zombieAvgs, nZombie);
      if (e.daily.length > 0) cpu.set(id, e);
      if (peak !== undefined) net.set(id, { in: nIn, out: nOut, peak });
    }
  }
  return { cpu, net };
}

export interface ExactNetwork {
  /** the highest hourly average of network_in, of network_out (the jurisdiction's rollups); undefined: none */
  in: number | undefined;
  out: number | undefined;
  /** the highest hourly in + out; undefined: no network rollups */
  peak: number | undefined;
}

/** The jurisdiction's findings still open, in rectification or escalated (what a detection run reconciles). */
export function liveFindings(trx: Trx, jurisdictionId: string) {
  return trx
    .selectFrom('monitoring_finding')
    .select(['id', 'resource_id', 'rule', 'status'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('status', 'in', ['open', 'in_rectification', 'escalated'])
    .execute();
}

/** Findings that still hold: their evidence and rule version replaced, seen again at `now` (1,000 per statement). */
export async function refreshFindings(
  trx: Trx,
  findings: readonly { id: string; evidence: Record<string, unknown>; ruleVersion: string }[],
  now: Date,
): Promise<void> {
  for (let i = 0; i < findings.length; i += 1000) {
    const part = findings.slice(i, i + 1000);
    await sql`
      update monitoring_finding f set evidence = u.evidence::jsonb, rule_version = u.rule_version,
        last_detected_at = ${now}, updated_at = ${now}
      from unnest(${pgArray(part.map((p) => p.id))}::uuid[], ${pgArray(part.map((p) => JSON.stringify(p.evidence)))}::text[],
        ${pgArray(part.map((p) => p.ruleVersion))}::text[]) as u(id, evidence, rule_version)
      where f.id = u.id`.execute(trx);
  }
}

/** New findings, first detected at `now` (1,000 per statement). */
export async function insertFindings(
  trx: Trx,
  findings: readonly {
    id: string;
    organisation_id: string;
    jurisdiction_id: string;
    provider_id: string;
    rule: Rule;
    ruleVersion: string;
    evidence: Record<string, unknown>;
  }[],
  now: Date,
): Promise<void> {
  for (let i = 0; i < findings.length; i += 1000) {
    await trx
      .insertInto('monitoring_finding')
      .values(
        findings.slice(i, i + 1000).map((d) => ({
          resource_id: d.id,
          organisation_id: d.organisation_id,
          jurisdiction_id: d.jurisdiction_id,
          provider_id: d.provider_id,
          rule: d.rule,
          rule_version: d.ruleVersion,
          evidence: JSON.stringify(d.evidence),
          first_detected_at: now,
          last_detected_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }
}

/** Open findings that no longer hold, cleared; how many. */
export async function clearFindings(trx: Trx, ids: readonly string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  await trx
    .updateTable('monitoring_finding')
    .set({ status: 'cleared', updated_at: now })
    .where(sql<boolean>`id = any(${pgArray(ids)}::uuid[])`)
    .execute();
  return ids.length;
}
