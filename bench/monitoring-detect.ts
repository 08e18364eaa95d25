/**
 * npm run bench:detect — a full detection run over 30 days of hourly rollups against Prometheus answering the
 * equivalent queries, in one run.
 *
 * BENCH_VMS (default 5,000; the issue's size is 50,000) virtual machines; Yunguan gets 30 x 24 hourly rollups
 * of CPU and network in and out per VM, generated set-based in SQL one hour per statement (so the heap is laid
 * out by time, as a live ingest lays it out), into the table unlogged and without its indexes (built after, as
 * a bulk load does; reads are unaffected), and its daily rows derived set-based from them by the same function
 * the migration's backfill runs (monitoring_rollup_daily_rebuild). It times `detect()` for the jurisdiction (low
 * utilisation, zombie, silent agent, the evidence charts, the findings written), twice.
 * Prometheus (Debian's package) gets the same hourly values as TSDB blocks written by `promtool tsdb
 * create-blocks-from openmetrics` (a back-fill, the way a month of history is loaded), retention 10 years, and
 * is timed answering avg_over_time, quantile_over_time(0.95), max_over_time of CPU and max_over_time of network
 * over [30d] for every VM, twice. The Prometheus back-fill runs while PostgreSQL builds its indexes.
 * `speedup` = Prometheus's faster run / Yunguan's faster run. The last line is one JSON object (sizes, both
 * sides' times, the machine's load). BENCH_KEEP=1 leaves the bench's schema in place afterwards (to read plans).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { detect } from '../src/modules/monitoring/monitoring.detect.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { openBenchDatabase, PROMETHEUS, type RunningPrometheus, say, startPrometheus } from './monitoring-common.ts';

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
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const promDir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-detect-'));
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
    // A bulk load: the table unlogged and without indexes or triggers while it fills (built after).
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
          lateral (select case when m.metric = 'cpu' then
            case when r.i % 50 = 0 then 2 + 6 * (((${h} * 7919 + r.i * 104729) % 1000) / 1000.0)
                 when r.i % 100 = 1 then 0.5 + 2 * (((${h} * 7919 + r.i * 104729) % 1000) / 1000.0)
                 else 20 + 40 * (((${h} * 7919 + r.i * 104729) % 1000) / 1000.0) end
            else case when r.i % 100 = 1 then 50.0 else 600000.0 end end as v) v`.execute(db);
      if (h % 120 === 0) say(`  ${(HOURS - h) / 24} days (${Math.round((performance.now() - started) / 1000)} s)`);
    }
    const loadSeconds = seconds(performance.now() - started);
    // Prometheus's back-fill meanwhile (another process; PostgreSQL builds its indexes).
    const promFill = backfillPrometheus(promDir, now).catch((error: unknown) => {
      say(`prometheus back-fill failed: ${error}`);
      return null;
    });
    // The indexes, and meanwhile (another connection) the daily rows derived set-based from the hourly ones: what
    // the migration's back-fill does.
    const i0 = performance.now();
    let indexSeconds = 0;
    let dailySeconds = 0;
    await Promise.all([
      db.transaction().execute(async (trx) => {
        await sql`set local maintenance_work_mem = '1GB'`.execute(trx);
        await sql`alter table monitoring_rollup add constraint monitoring_rollup_pkey primary key (resource_id, metric, hour)`.execute(
          trx,
        );
        await sql`create index monitoring_rollup_hour_idx on monitoring_rollup (jurisdiction_id, metric, hour)`.execute(
          trx,
        );
        indexSeconds = seconds(performance.now() - i0);
        say(`indexes: ${indexSeconds} s`);
      }),
      ...['bounds', 'hours'].map((part) =>
        db.transaction().execute(async (trx) => {
          await sql`set local work_mem = '256MB'`.execute(trx);
          await sql`select ${sql.raw(`monitoring_rollup_daily_rebuild_${part}`)}()`.execute(trx);
          dailySeconds = seconds(performance.now() - i0);
          say(`daily rows derived (${part}): ${dailySeconds} s`);
        }),
      ),
    ]);
    await sql`alter table monitoring_rollup enable trigger user`.execute(db);
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

    const fill = await promFill;
    let prom: { seconds: number; runs: number[]; series: number; samples: number; backfillSeconds: number } | null =
      null;
    if (fill) {
      prometheus = await startPrometheus('global: { scrape_interval: 1h }\n', {
        dir: promDir,
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
    rmSync(promDir, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP) await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
