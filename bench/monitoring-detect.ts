/**
 * npm run bench:detect — a full detection run over 30 days of hourly rollups against Prometheus answering the
 * equivalent queries, in one run.
 *
 * BENCH_VMS (default 5,000; the issue's size is 50,000) virtual machines with 30 x 24 hourly figures of CPU and
 * network in and out each. Detection reads only the day tables (monitoring_rollup_daily and _day_hours, which
 * triggers on monitoring_rollup keep in step with the hourly rows): they are written directly, set-based, from
 * the 1,000 VM profiles the figures depend on (i mod 1,000), with the same numeric expressions the hourly rows
 * would hold. BENCH_HOURLY=1 also loads the 3 x 720 hourly rows per VM (one statement per hour, indexes after)
 * and checks that the migration's rebuild derives exactly the day tables written (checked at 300 and 3,000 VMs).
 * It times `detect()` for the jurisdiction (low utilisation, zombie, silent agent, the evidence charts, the
 * findings written), twice.
 * Prometheus (Debian's package) gets the same hourly values as TSDB blocks written by `promtool tsdb
 * create-blocks-from openmetrics` (a back-fill, the way a month of history is loaded), retention 10 years, and
 * is timed answering avg_over_time, quantile_over_time(0.95), max_over_time of CPU and max_over_time of network
 * over [30d] for every VM, twice. The Prometheus back-fill runs while PostgreSQL writes its tables; both sides are
 * timed after both set-ups. BENCH_PROM_CACHE=<dir> keeps Prometheus's blocks for the next run of the same size.
 * `speedup` = Prometheus's faster run / Yunguan's faster run. The last line is one JSON object (sizes, both
 * sides' times, the machine's load). BENCH_KEEP=1 leaves the bench's schema in place afterwards (to read plans).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { detect } from '../src/modules/monitoring/monitoring.detect.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';
import {
  openBenchDatabase,
  PROMETHEUS,
  pool,
  type RunningPrometheus,
  say,
  startPrometheus,
} from './monitoring-common.ts';

const VMS = Number(process.env.BENCH_VMS ?? 5_000);
const HOURS = 720;
const HOUR = 3_600_000;

/** The hourly CPU of VM i at hour h: 2% of the VMs idle, 1% zombie, the rest busy. */
const cpu = (i: number, h: number) => {
  const f = ((h * 7919 + i * 104729) % 1000) / 1000;
  return i % 50 === 0 ? 2 + 6 * f : i % 100 === 1 ? 0.5 + 2 * f : 20 + 40 * f;
};
/** Each direction's rate. */
const net = (i: number) => (i % 100 === 1 ? 50 : 600_000);
/** The same CPU figure in SQL (numeric, as the hourly rows' values are computed), of hour offset h and VM i. */
const cpuSql = (h: string, i: string) =>
  sql.raw(`case when ${i} % 50 = 0 then 2 + 6 * (((${h} * 7919 + ${i} * 104729) % 1000) / 1000.0)
    when ${i} % 100 = 1 then 0.5 + 2 * (((${h} * 7919 + ${i} * 104729) % 1000) / 1000.0)
    else 20 + 40 * (((${h} * 7919 + ${i} * 104729) % 1000) / 1000.0) end`);
/** BENCH_HOURLY=1: the hourly rollups loaded too (detection never reads them), and the day tables checked against them. */
const HOURLY = process.env.BENCH_HOURLY === '1';
/**
 * BENCH_PROM_CACHE=<dir>: Prometheus's blocks kept there and reused by the next run of the same size (the
 * back-fill of 72 million samples at 50,000 VMs takes half an hour on this machine); the run then takes the
 * cached blocks' `now`.
 */
const PROM_CACHE = process.env.BENCH_PROM_CACHE;

/**
 * The hourly rollups (BENCH_HOURLY=1): set-based one hour per statement (the heap laid out by time, as live
 * ingest lays it out), into the table unlogged and without its indexes or triggers (built after).
 */
async function loadHourly(db: Kysely<DB>, now: Date): Promise<{ loadSeconds: number; indexSeconds: number }> {
  const started = performance.now();
  await sql`alter table monitoring_rollup disable trigger user`.execute(db);
  await sql`alter table monitoring_rollup set unlogged`.execute(db);
  await sql`alter table monitoring_rollup drop constraint monitoring_rollup_pkey`.execute(db);
  await sql`drop index monitoring_rollup_hour_idx`.execute(db);
  for (let h = HOURS - 1; h >= 0; h--) {
    await sql`
      insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
      select r.id, m.metric, ${new Date(now.getTime() - (h + 1) * HOUR)}::timestamptz, r.organisation_id, r.jurisdiction_id,
        r.provider_id, 60 * v.v, v.v, 60
      from bench_vm r, (values ('cpu'), ('network_in'), ('network_out')) m(metric),
        lateral (select case when m.metric = 'cpu' then ${cpuSql(String(h), 'r.i')}
          else case when r.i % 100 = 1 then 50.0 else 600000.0 end end as v) v`.execute(db);
    if (h % 120 === 0)
      say(`  ${(HOURS - h) / 24} days of hourly rows (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  const loadSeconds = seconds(performance.now() - started);
  const i0 = performance.now();
  await db.transaction().execute(async (trx) => {
    await sql`set local maintenance_work_mem = '1GB'`.execute(trx);
    await sql`alter table monitoring_rollup add constraint monitoring_rollup_pkey primary key (resource_id, metric, hour)`.execute(
      trx,
    );
    await sql`create index monitoring_rollup_hour_idx on monitoring_rollup (jurisdiction_id, metric, hour)`.execute(
      trx,
    );
  });
  await sql`alter table monitoring_rollup enable trigger user`.execute(db);
  await sql`analyze monitoring_rollup`.execute(db);
  return { loadSeconds, indexSeconds: seconds(performance.now() - i0) };
}

/** The day tables as written equal those the migration's rebuild derives from the hourly rollups (BENCH_HOURLY=1). */
async function verifyDayTables(db: Kysely<DB>): Promise<void> {
  await sql`create table bench_daily as select * from monitoring_rollup_daily`.execute(db);
  await sql`create table bench_day_hours as select * from monitoring_rollup_day_hours`.execute(db);
  await sql`select monitoring_rollup_daily_rebuild()`.execute(db);
  const close = (a: string, b: string) => sql.raw(`(${a} = ${b} or abs(${a} - ${b}) <= 1e-9 * abs(${b}))`);
  const { rows } = await sql<{ daily: number; hours: number }>`
    select (select count(*) from monitoring_rollup_daily d full join bench_daily b using (resource_id, day)
        where b.day is null or d.day is null or not (${close('d.cpu_sum', 'b.cpu_sum')} and d.cpu_count = b.cpu_count
          and d.cpu_hours = b.cpu_hours and d.cpu_max = b.cpu_max and d.cpu_min_avg = b.cpu_min_avg
          and d.in_hours = b.in_hours and d.in_peak = b.in_peak and d.out_hours = b.out_hours
          and d.out_peak = b.out_peak and d.organisation_id = b.organisation_id))::int as daily,
      (select count(*) from monitoring_rollup_day_hours d full join bench_day_hours b using (resource_id, day)
        where b.day is null or d.day is null or d.cpu_sum is distinct from b.cpu_sum
          or d.cpu_count is distinct from b.cpu_count or d.cpu_max is distinct from b.cpu_max
          or d.in_avg is distinct from b.in_avg or d.out_avg is distinct from b.out_avg)::int as hours`.execute(db);
  const diff = rows[0] as { daily: number; hours: number };
  if (diff.daily > 0 || diff.hours > 0)
    throw new Error(
      `day tables written differ from the rebuild: ${diff.daily} daily rows, ${diff.hours} day-hours rows`,
    );
  say('day tables equal the rebuild from the hourly rollups');
}

const seconds = (ms: number) => +(ms / 1000).toFixed(3);

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** The month as OpenMetrics text, turned into TSDB blocks by promtool: the back-fill of a month of history. */
async function backfillPrometheus(dir: string, now: Date): Promise<{ samples: number; seconds: number }> {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'month.om');
  const out = createWriteStream(file);
  const write = (text: string) =>
    out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  const ts = (h: number) => (now.getTime() - (h + 1) * HOUR) / 1000;
  let samples = 0;
  for (const [name, value] of [
    ['yunguan_cpu_utilisation_percent', cpu],
    ['yunguan_network_bytes_per_second', (i: number) => 2 * net(i)],
  ] as const) {
    await write(`# TYPE ${name} gauge\n`);
    for (let i = 1; i <= VMS; i++) {
      let text = '';
      for (let h = HOURS - 1; h >= 0; h--) text += `${name}{instance_id="i-${i}"} ${value(i, h)} ${ts(h)}\n`;
      samples += HOURS;
      await write(text);
    }
  }
  await write('# EOF\n');
  await new Promise<void>((r) => out.end(() => r()));
  // blocks of up to 486 h (Prometheus's compaction sizes), as a compacted month would be stored
  await run(path.join(path.dirname(PROMETHEUS), 'promtool'), [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    '--max-block-duration=744h',
    '--quiet',
    file,
    path.join(dir, 'data'),
  ]);
  rmSync(file);
  if (PROM_CACHE) writeFileSync(path.join(dir, 'now'), now.toISOString());
  return { samples, seconds: seconds(performance.now() - started) };
}

async function queryPrometheus(prometheus: RunningPrometheus, now: Date): Promise<{ ms: number; series: number }> {
  const at = now.getTime() / 1000;
  const queries = [
    'avg_over_time(yunguan_cpu_utilisation_percent[30d])',
    'quantile_over_time(0.95, yunguan_cpu_utilisation_percent[30d])',
    'max_over_time(yunguan_cpu_utilisation_percent[30d])',
    'max_over_time(yunguan_network_bytes_per_second[30d])',
  ];
  const p0 = performance.now();
  let series = 0;
  for (const q of queries) {
    const res = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(q)}&time=${at}`);
    const body = (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus: ${body.error}`);
    series += body.data?.result.length ?? 0;
  }
  return { ms: performance.now() - p0, series };
}

async function main() {
  const { database, kind, cleanup } = await openBenchDatabase();
  const db = database.db;
  const promDir = PROM_CACHE
    ? path.join(PROM_CACHE, `vms-${VMS}`)
    : mkdtempSync(path.join(tmpdir(), 'yunguan-bench-detect-'));
  const anchorFile = path.join(promDir, 'now');
  const cachedAnchor = PROM_CACHE && existsSync(anchorFile) ? new Date(readFileSync(anchorFile, 'utf8').trim()) : null;
  const now = cachedAnchor ?? new Date(Math.floor(Date.now() / HOUR) * HOUR);
  if (cachedAnchor) say(`prometheus blocks cached in ${promDir} (now = ${now.toISOString()})`);
  let prometheus: RunningPrometheus | null = null;
  try {
    await migrateToLatest(db);
    await seedDemo(db);
    const orgs = await db.selectFrom('organisation').select(['id', 'code']).execute();
    const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
    const city = await db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    say(`${VMS} resources and ${VMS * HOURS * 3} rollup rows...`);
    const started = performance.now();
    await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, delivered_at)
      select (array[${id('demo-health')}::uuid, ${id('demo-education')}::uuid])[1 + i % 2], ${city.id}, ${id('demo-provider-a')},
        'ecs', 'bench-' || i, 'i-' || i, 'active', ${new Date(now.getTime() - 60 * 24 * HOUR)}
      from generate_series(1, ${VMS}) i`.execute(db);
    await sql`create table bench_vm as
      select id, organisation_id, jurisdiction_id, provider_id, substr(external_id, 3)::bigint as i
      from resource where external_id like 'i-%'`.execute(db);
    // Prometheus's back-fill meanwhile (another process), unless its blocks are cached.
    const promFill = (
      cachedAnchor ? Promise.resolve({ samples: VMS * HOURS * 2, seconds: 0 }) : backfillPrometheus(promDir, now)
    ).catch((error: unknown) => {
      say(`prometheus back-fill failed: ${error}`);
      return null;
    });
    // The hours of the window by Asia/Shanghai day: h (0 = the last hour before now) and slot (1 = 00:00-01:00).
    await sql`create table bench_day as
      select day, array_agg(h order by slot) as hs, array_agg(slot order by slot) as slots, count(*)::int as n
      from (select h, (t at time zone 'Asia/Shanghai')::date as day,
          extract(hour from t at time zone 'Asia/Shanghai')::int + 1 as slot
        from generate_series(0, ${HOURS - 1}) h, lateral (select ${now}::timestamptz - (h + 1) * interval '1 hour' as t) x) d
      group by day`.execute(db);
    // A VM's hourly CPU depends on i only through i mod 1,000 (its class and its phase): each of the 1,000
    // profiles' days computed once, the same numeric expression as the hourly rows', then every VM's day rows
    // written directly from its profile, set-based, one statement per 2,500 VMs (two connections): the rows the
    // triggers on monitoring_rollup keep for these hours (BENCH_HOURLY=1 checks them against the rebuild).
    const daily0 = performance.now();
    await sql`create table bench_profile as
      select p, day, n, net, total, peak, low, monitoring_day_slots(slots, s) as cs,
        monitoring_day_slots(slots, array_fill(60::float8, array[n])) as cc, monitoring_day_slots(slots, m) as cm,
        monitoring_day_slots(slots, array_fill(net, array[n])) as na
      from (select p.p, d.day, d.slots, d.n, ((60 * case when p.p % 100 = 1 then 50.0 else 600000.0 end)::float8 / 60) as net, x.*
      from generate_series(0, 999) p(p) cross join bench_day d
      cross join lateral (select array_agg((60 * c.v)::float8) as s, array_agg(c.v::float8) as m,
          sum((60 * c.v)::float8) as total, max(c.v::float8) as peak, min((60 * c.v)::float8 / 60) as low
        from unnest(d.hs) u(h), lateral (select ${cpuSql('u.h', 'p.p')} as v) c) x) y`.execute(db);
    const chunks = Array.from({ length: Math.ceil(VMS / 2_500) }, (_, k) => k * 2_500);
    await pool(chunks, 2, async (lo) => {
      await sql`
        with g as (
          select r.id, r.organisation_id, r.jurisdiction_id, r.provider_id, x.*
          from bench_vm r join bench_profile x on x.p = r.i % 1000
          where r.i > ${lo} and r.i <= ${lo + 2_500}),
        daily as (
          insert into monitoring_rollup_daily (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum,
            cpu_count, cpu_hours, cpu_max, cpu_min_avg, in_hours, in_peak, out_hours, out_peak)
          select id, day, organisation_id, jurisdiction_id, provider_id, total, 60 * n, n, peak, low, n, net, n, net
          from g)
        insert into monitoring_rollup_day_hours (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum,
          cpu_count, cpu_max, in_avg, out_avg)
        select id, day, organisation_id, jurisdiction_id, provider_id, cs, cc, cm, na, na
        from g`.execute(db);
    });
    const dailySeconds = seconds(performance.now() - daily0);
    say(`day tables: ${dailySeconds} s`);
    let loadSeconds = 0;
    let indexSeconds = 0;
    if (HOURLY) {
      ({ loadSeconds, indexSeconds } = await loadHourly(db, now));
      await verifyDayTables(db);
    }
    await sql`insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
      select id, organisation_id, jurisdiction_id, provider_id, ${new Date(now.getTime() - 600_000)} from bench_vm`.execute(
      db,
    );
    // Statistics, as autovacuum gathers them (the hourly table analysed only: vacuuming 108 million fresh rows would
    // take longer than the run; detection reads it only by the primary key).
    await sql`analyze monitoring_rollup`.execute(db);
    await sql`vacuum analyze monitoring_rollup_daily`.execute(db);
    await sql`vacuum analyze monitoring_rollup_day_hours`.execute(db);
    const setupSeconds = seconds(performance.now() - started);
    // Both sides timed on a machine the other's set-up no longer loads.
    const fill = await promFill;
    const { rows: counts } = await sql<{ daily: string }>`
      select (select count(*) from monitoring_rollup_daily)::text as daily`.execute(db);

    const yunguanMs: number[] = [];
    let found: unknown = null;
    for (let k = 0; k < 2; k++) {
      const t0 = performance.now();
      const result = await db.transaction().execute((trx) => detect(trx, SYSTEM_ACTOR, city.id, now));
      yunguanMs.push(performance.now() - t0);
      found = result.found;
      say(`yunguan detection: ${seconds(yunguanMs[k] as number)} s, found ${JSON.stringify(result.found)}`);
    }

    let prom: { seconds: number; runs: number[]; series: number; samples: number; backfillSeconds: number } | null =
      null;
    if (fill) {
      prometheus = await startPrometheus('global: { scrape_interval: 1h }\n', {
        dir: promDir,
        keep: Boolean(PROM_CACHE),
        args: ['--storage.tsdb.retention.time=10y'],
      });
    }
    if (fill && prometheus) {
      const runs: number[] = [];
      let series = 0;
      for (let k = 0; k < 2; k++) {
        const r = await queryPrometheus(prometheus, now);
        runs.push(r.ms);
        series = r.series;
        say(`prometheus queries: ${seconds(r.ms)} s over ${series} series`);
      }
      prom = {
        seconds: seconds(Math.min(...runs)),
        runs: runs.map(seconds),
        series,
        samples: fill.samples,
        backfillSeconds: fill.seconds,
      };
    }
    const yunguanBest = Math.min(...yunguanMs) / 1000;
    console.log(
      JSON.stringify({
        bench: 'monitoring-detect',
        vms: VMS,
        hours: HOURS,
        database: kind,
        rollupRows: VMS * HOURS * 3,
        dailyRows: Number(counts[0]?.daily),
        setupSeconds,
        loadSeconds,
        indexSeconds,
        dailySeconds,
        yunguan: { seconds: +yunguanBest.toFixed(3), runs: yunguanMs.map(seconds), found },
        prometheus: prom,
        // > 1: Yunguan's full detection is faster than Prometheus answering the equivalent queries (goal: 10 at 50,000)
        speedup: prom ? +(prom.seconds / yunguanBest).toFixed(3) : null,
        loadAverage: loadavg().map((l) => +l.toFixed(2)),
      }),
    );
  } finally {
    prometheus?.stop();
    // Prometheus's blocks (gigabytes at 50,000 VMs): removed once it has let go of them
    if (prometheus) await new Promise((r) => setTimeout(r, 2000));
    if (!PROM_CACHE) rmSync(promDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP) await database.close();
    else await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
