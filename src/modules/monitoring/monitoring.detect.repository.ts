// What detection reads (issue 24: detection that scales with resources, not with resources x hours).
// `dailyBounds` reads one row per resource and Asia/Shanghai day of `monitoring_rollup_daily` (kept by triggers
// on monitoring_rollup, migrations/0140) and gives, per resource, bounds that rule most resources out; the few
// it cannot rule out are evaluated exactly from their hours as `monitoring_rollup_day_hours` keeps them (one row per
// resource and day, by the primary key: `exactCpu`, `exactNetwork`), with the same expressions over the same
// hourly values as a scan of the hourly rollups would use.
import { sql } from 'kysely';
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

/**
 * Per resource of the jurisdiction with daily rows in either window: bounds of its low-utilisation window's
 * figures and of its zombie window's. One grouped read of the daily rows of the longer window.
 */
export async function dailyBounds(
  trx: Trx,
  jurisdictionId: string,
  low: DayRange,
  zombie: DayRange,
): Promise<Map<string, { low: WindowBounds; zombie: WindowBounds }>> {
  const from = low.anyFrom < zombie.anyFrom ? low.anyFrom : zombie.anyFrom;
  const to = low.anyTo > zombie.anyTo ? low.anyTo : zombie.anyTo;
  const lAny = sql`day >= ${low.anyFrom}::date and day < ${low.anyTo}::date`;
  const lFull = sql`day >= ${low.fullFrom}::date and day < ${low.fullTo}::date`;
  const zAny = sql`day >= ${zombie.anyFrom}::date and day < ${zombie.anyTo}::date`;
  const zFull = sql`day >= ${zombie.fullFrom}::date and day < ${zombie.fullTo}::date`;
  const { rows } = await sql<BoundRow>`
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
    group by resource_id`.execute(trx);
  const out = new Map<string, { low: WindowBounds; zombie: WindowBounds }>();
  for (const r of rows) {
    out.set(r.resource_id, {
      low: {
        hoursAtMost: r.l_hours,
        avgAtLeast: averageAtLeast(r.l_fs, r.l_fc, r.l_ec, r.l_em),
        maxAtLeast: Number.NEGATIVE_INFINITY,
        networkHoursAtMost: 0,
      },
      zombie: {
        hoursAtMost: r.z_hours,
        avgAtLeast: Number.NaN,
        maxAtLeast: r.z_max === null ? Number.NEGATIVE_INFINITY : Number(r.z_max),
        networkHoursAtMost: r.z_net,
      },
    });
  }
  return out;
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

interface DayHoursRow {
  resource_id: string;
  day: string;
  own: boolean;
  cpu_sum: (number | null)[] | null;
  cpu_count: (number | null)[] | null;
  cpu_max: (number | null)[] | null;
  in_avg: (number | null)[] | null;
  out_avg: (number | null)[] | null;
}

/** The 95th percentile as PostgreSQL's percentile_cont(0.95) computes it (sorted values, linear interpolation). */
function percentile95(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const pos = 0.95 * (values.length - 1);
  const lower = Math.floor(pos);
  const first = values[lower] as number;
  if (Math.ceil(pos) === lower) return first;
  const second = values[lower + 1] as number;
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
  for (let i = 0; i < ids.length; i += 5000) {
    const part = `{${ids.slice(i, i + 5000).join(',')}}`;
    const zombies = `{${zombieIds.join(',')}}`;
    const { rows } = await sql<DayHoursRow>`
      select resource_id, to_char(day, 'YYYY-MM-DD') as day, jurisdiction_id = ${jurisdictionId} as own, cpu_sum,
        cpu_count, cpu_max,
        case when resource_id = any(${zombies}::uuid[]) then in_avg end as in_avg,
        case when resource_id = any(${zombies}::uuid[]) then out_avg end as out_avg
      from monitoring_rollup_day_hours
      where resource_id = any(${part}::uuid[]) and day >= ${days.anyFrom}::date and day < ${days.anyTo}::date
      order by resource_id, day`.execute(trx);
    let k = 0;
    while (k < rows.length) {
      const id = (rows[k] as DayHoursRow).resource_id;
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
      const lowAvgs: number[] = [];
      const zombieAvgs: number[] = [];
      let nIn: number | undefined;
      let nOut: number | undefined;
      let peak: number | undefined;
      for (; k < rows.length && (rows[k] as DayHoursRow).resource_id === id; k++) {
        const r = rows[k] as DayHoursRow;
        // 00:00 Asia/Shanghai of the day, in UTC milliseconds
        const midnight = Date.parse(`${r.day}T00:00:00Z`) - SHANGHAI;
        let ds = 0;
        let dc = 0;
        let dmx = Number.NEGATIVE_INFINITY;
        let dn = 0;
        for (let slot = 0; slot < 24; slot++) {
          const hour = midnight + slot * 3_600_000;
          if (hour < fromT || hour >= toT) continue;
          const a = r.in_avg?.[slot] ?? null;
          const b = r.out_avg?.[slot] ?? null;
          if (hour >= zombieT && (a !== null || b !== null)) {
            const both = a === null ? (b as number) : b === null ? a : a + b;
            if (peak === undefined || both > peak) peak = both;
            if (r.own && a !== null && (nIn === undefined || a > nIn)) nIn = a;
            if (r.own && b !== null && (nOut === undefined || b > nOut)) nOut = b;
          }
          const c = r.cpu_count?.[slot] ?? null;
          if (c === null) continue;
          const s = r.cpu_sum?.[slot] as number;
          const x = r.cpu_max?.[slot] as number;
          ds += s;
          dc += c;
          if (x > dmx) dmx = x;
          dn++;
          if (hour >= lowT) {
            lowAvgs.push(s / c);
            if (r.own) {
              ls += s;
              lc += c;
              if (x > lmx) lmx = x;
              e.lowHours++;
            }
          }
          if (hour >= zombieT) {
            zombieAvgs.push(s / c);
            if (r.own) {
              zs += s;
              zc += c;
              if (x > zmx) zmx = x;
              e.zombieHours++;
            }
          }
        }
        if (dn > 0) e.daily.push({ day: r.day, avg: ds / dc, max: dmx });
      }
      if (e.lowHours > 0) Object.assign(e, { lowS: ls, lowC: lc, lowMax: lmx });
      if (e.zombieHours > 0) Object.assign(e, { zombieS: zs, zombieC: zc, zombieMax: zmx });
      e.lowP95 = percentile95(lowAvgs);
      e.zombieP95 = percentile95(zombieAvgs);
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

/** The jurisdiction's active resources, with their agent's last sample (null: none or no agent). */
export function activeResources(trx: Trx, jurisdictionId: string) {
  return trx
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
}
