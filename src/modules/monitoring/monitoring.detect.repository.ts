// What detection reads (issue 24: detection that scales with resources, not with resources x hours).
// `dailyBounds` reads one row per resource and Asia/Shanghai day of `monitoring_rollup_daily` (kept by triggers
// on monitoring_rollup, migrations/0140) and gives, per resource, bounds that rule most resources out; the few
// it cannot rule out are evaluated exactly from their hours as `monitoring_rollup_day_hours` keeps them (one row per
// resource and day, by the primary key: `exactCpu`, `exactNetwork`), with the same expressions over the same
// hourly values as a scan of the hourly rollups would use.
import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';

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

/**
 * For the given resources, from their hourly CPU figures over [from, to) (their day rows, by the primary key): each window's
 * figures, its 95th percentile of the hourly averages, and the daily averages and peaks (the findings' chart).
 */
export async function exactCpu(
  trx: Trx,
  jurisdictionId: string,
  ids: readonly string[],
  lowFrom: Date,
  zombieFrom: Date,
  to: Date,
): Promise<Map<string, ExactCpu>> {
  const out = new Map<string, ExactCpu>();
  const from = lowFrom < zombieFrom ? lowFrom : zombieFrom;
  const days = dayRange(from, to);
  const inLow = sql`hour >= ${lowFrom} and jurisdiction_id = ${jurisdictionId}`;
  const inZombie = sql`hour >= ${zombieFrom} and jurisdiction_id = ${jurisdictionId}`;
  for (let i = 0; i < ids.length; i += 5000) {
    const part = `{${ids.slice(i, i + 5000).join(',')}}`;
    const { rows } = await sql<{
      resource_id: string;
      day: string | null;
      ls: number | null;
      lc: string | number | null;
      lmx: number | null;
      lh: number;
      lp: number | null;
      zs: number | null;
      zc: string | number | null;
      zmx: number | null;
      zh: number;
      zp: number | null;
      avg: number;
      max: number;
    }>`
      select resource_id, day,
        sum(sum) filter (where ${inLow}) as ls, sum(count) filter (where ${inLow}) as lc,
        max(max) filter (where ${inLow}) as lmx, (count(*) filter (where ${inLow}))::int as lh,
        case when day is null then percentile_cont(0.95) within group (order by sum / count) filter (where hour >= ${lowFrom}) end as lp,
        sum(sum) filter (where ${inZombie}) as zs, sum(count) filter (where ${inZombie}) as zc,
        max(max) filter (where ${inZombie}) as zmx, (count(*) filter (where ${inZombie}))::int as zh,
        case when day is null then percentile_cont(0.95) within group (order by sum / count) filter (where hour >= ${zombieFrom}) end as zp,
        sum(sum) / sum(count) as avg, max(max) as max
      from (select d.resource_id, d.jurisdiction_id, u.s as sum, u.c as count, u.x as max, h.hour,
          to_char(d.day, 'YYYY-MM-DD') as day
        from monitoring_rollup_day_hours d
        cross join lateral unnest(d.cpu_sum, d.cpu_count, d.cpu_max) with ordinality as u(s, c, x, i)
        cross join lateral (select (d.day::timestamp at time zone 'Asia/Shanghai') + (u.i - 1) * interval '1 hour' as hour) h
        where d.resource_id = any(${part}::uuid[]) and d.day >= ${days.anyFrom}::date and d.day < ${days.anyTo}::date
          and u.c is not null and h.hour >= ${from} and h.hour < ${to}) r
      group by grouping sets ((resource_id), (resource_id, day))`.execute(trx);
    for (const r of rows) {
      let e = out.get(r.resource_id);
      if (!e) {
        e = {
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
        out.set(r.resource_id, e);
      }
      if (r.day !== null) {
        e.daily.push({ day: r.day, avg: Number(r.avg), max: Number(r.max) });
        continue;
      }
      Object.assign(e, {
        lowS: r.ls,
        lowC: r.lc,
        lowMax: r.lmx,
        lowHours: r.lh,
        lowP95: r.lp,
        zombieS: r.zs,
        zombieC: r.zc,
        zombieMax: r.zmx,
        zombieHours: r.zh,
        zombieP95: r.zp,
      });
    }
  }
  for (const e of out.values()) e.daily.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return out;
}

export interface ExactNetwork {
  /** the highest hourly average of network_in, of network_out (the jurisdiction's rollups); undefined: none */
  in: number | undefined;
  out: number | undefined;
  /** the highest hourly in + out; undefined: no network rollups */
  peak: number | undefined;
}

/** For the given resources, over [from, to) (their day rows, by the primary key): each direction's peak and the in + out peak. */
export async function exactNetwork(
  trx: Trx,
  jurisdictionId: string,
  ids: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, ExactNetwork>> {
  const out = new Map<string, ExactNetwork>();
  const days = dayRange(from, to);
  for (let i = 0; i < ids.length; i += 5000) {
    const part = `{${ids.slice(i, i + 5000).join(',')}}`;
    const { rows } = await sql<{ resource_id: string; i: number | null; o: number | null; peak: number }>`
      select d.resource_id,
        max(u.a) filter (where d.jurisdiction_id = ${jurisdictionId}) as i,
        max(u.b) filter (where d.jurisdiction_id = ${jurisdictionId}) as o,
        max(case when u.a is null then u.b when u.b is null then u.a else u.a + u.b end) as peak
      from monitoring_rollup_day_hours d
      cross join lateral unnest(d.in_avg, d.out_avg) with ordinality as u(a, b, i)
      where d.resource_id = any(${part}::uuid[]) and d.day >= ${days.anyFrom}::date and d.day < ${days.anyTo}::date
        and (u.a is not null or u.b is not null)
        and (d.day::timestamp at time zone 'Asia/Shanghai') + (u.i - 1) * interval '1 hour' >= ${from}
        and (d.day::timestamp at time zone 'Asia/Shanghai') + (u.i - 1) * interval '1 hour' < ${to}
      group by resource_id`.execute(trx);
    for (const r of rows)
      out.set(r.resource_id, {
        in: r.i === null ? undefined : Number(r.i),
        out: r.o === null ? undefined : Number(r.o),
        peak: Number(r.peak),
      });
  }
  return out;
}
