/**
 * npm run bench:detect — a full detection run over 30 days of hourly rollups against Prometheus answering the
 * equivalent queries, in one run.
 *
 * BENCH_VMS (default 10,000) virtual machines; Yunguan gets 30 x 24 hourly rollups of CPU and network per VM
 * (generated set-based in SQL, one day per statement, in hour order as a live ingest lays them out) and times
 * `detect()` for the jurisdiction (low utilisation, zombie, silent agent, the evidence charts, the findings
 * written). Prometheus (Debian's package, out-of-order window 31 days so it accepts the back-filled month) gets
 * the same hourly values by remote-write and is timed answering avg_over_time, quantile_over_time(0.95),
 * max_over_time of CPU and max_over_time of network over [30d] for every VM.
 * The default is 5,000 VMs (10.8 million rollup rows; about 2 min of set-up on PostgreSQL and 1 min of
 * Prometheus back-fill on a 2-core machine) so a run finishes in a few minutes; BENCH_VMS=10000 takes ~7 min;
 * BENCH_VMS=50000 (108 million rows, 72 million Prometheus samples) is the full size of the issue and takes the
 * better part of an hour. The JSON line states the size (vms, rollupRows). The last line is one
 * JSON object.
 */
import { sql } from 'kysely';
import { detect } from '../src/modules/monitoring/monitoring.detect.ts';
import { encodeWriteRequest, snappyEncode } from '../src/modules/monitoring/monitoring.wire.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { openBenchDatabase, pool, say, startPrometheus } from './monitoring-common.ts';

const VMS = Number(process.env.BENCH_VMS ?? 5_000);
const HOURS = 720;
const HOUR = 3_600_000;

/** The hourly CPU of VM i at hour h: 2% of the VMs idle, 1% zombie, the rest busy. */
const cpu = (i: number, h: number) => {
  const f = ((h * 7919 + i * 104729) % 1000) / 1000;
  return i % 50 === 0 ? 2 + 6 * f : i % 100 === 1 ? 0.5 + 2 * f : 20 + 40 * f;
};
const net = (i: number) => (i % 100 === 1 ? 50 : 600_000);

async function main() {
  const { database, kind, cleanup } = await openBenchDatabase();
  const prometheus = await startPrometheus(
    'global: { scrape_interval: 1h }\nstorage: { tsdb: { out_of_order_time_window: 31d } }\n',
  );
  const now = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  try {
    await migrateToLatest(database.db);
    await seedDemo(database.db);
    const orgs = await database.db.selectFrom('organisation').select(['id', 'code']).execute();
    const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
    const city = await database.db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    say(`${VMS} resources and ${VMS * HOURS * 3} rollup rows...`);
    await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, delivered_at)
      select (array[${id('demo-health')}::uuid, ${id('demo-education')}::uuid])[1 + i % 2], ${city.id}, ${id('demo-provider-a')},
        'ecs', 'bench-' || i, 'i-' || i, 'active', ${new Date(now.getTime() - 60 * 24 * HOUR)}
      from generate_series(1, ${VMS}) i`.execute(database.db);
    // Set-based generation, one day of hours per statement, in hour order like a live ingest (so the heap is laid
    // out by time, as in production).
    const started = Date.now();
    await sql`create table bench_vm as
      select id, organisation_id, jurisdiction_id, provider_id, substr(external_id, 3)::bigint as i
      from resource where external_id like 'i-%'`.execute(database.db);
    for (let day = HOURS / 24 - 1; day >= 0; day--) {
      await sql`
        insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
        select r.id, m.metric, ${now}::timestamptz - (h + 1) * interval '1 hour', r.organisation_id, r.jurisdiction_id, r.provider_id,
          60 * v.v, v.v, 60
        from generate_series(${day * 24 + 23}, ${day * 24}, -1) h, bench_vm r,
          (values ('cpu'), ('network_in'), ('network_out')) m(metric),
          lateral (select case when m.metric = 'cpu' then
            case when r.i % 50 = 0 then 2 + 6 * (((h * 7919 + r.i * 104729) % 1000) / 1000.0)
                 when r.i % 100 = 1 then 0.5 + 2 * (((h * 7919 + r.i * 104729) % 1000) / 1000.0)
                 else 20 + 40 * (((h * 7919 + r.i * 104729) % 1000) / 1000.0) end
            else case when r.i % 100 = 1 then 50.0 else 600000.0 end end as v) v`.execute(database.db);
      if (day % 5 === 0) say(`  ${HOURS / 24 - day} days (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    await sql`insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
      select id, organisation_id, jurisdiction_id, provider_id, ${new Date(now.getTime() - 600_000)} from bench_vm`.execute(
      database.db,
    );
    const setupSeconds = (Date.now() - started) / 1000;
    // What autovacuum does to settled rollups in production (statistics, visibility map).
    await sql`vacuum analyze monitoring_rollup`.execute(database.db);

    const t0 = performance.now();
    const result = await database.db.transaction().execute((trx) => detect(trx, SYSTEM_ACTOR, city.id, now));
    const yunguanSeconds = (performance.now() - t0) / 1000;
    say(`yunguan detection: ${yunguanSeconds.toFixed(2)} s, found ${JSON.stringify(result.found)}`);

    let prom: { seconds: number; series: number; samples: number } | null = null;
    if (prometheus) {
      say('back-filling Prometheus...');
      const bodies: Buffer[] = [];
      let batch: Parameters<typeof encodeWriteRequest>[0] = [];
      let samples = 0;
      for (let i = 1; i <= VMS; i++) {
        const hours = Array.from({ length: HOURS }, (_, k) => HOURS - 1 - k);
        const ts = (h: number) => now.getTime() - (h + 1) * HOUR;
        batch.push({
          labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: `i-${i}` },
          samples: hours.map((h) => ({ value: cpu(i, h), timestamp: ts(h) })),
        });
        batch.push({
          labels: { __name__: 'yunguan_network_bytes_per_second', instance_id: `i-${i}` },
          samples: hours.map((h) => ({ value: 2 * net(i), timestamp: ts(h) })),
        });
        samples += 2 * HOURS;
        if (batch.length >= 20) {
          bodies.push(Buffer.from(snappyEncode(encodeWriteRequest(batch))));
          batch = [];
        }
      }
      if (batch.length) bodies.push(Buffer.from(snappyEncode(encodeWriteRequest(batch))));
      await pool(bodies, 4, async (body) => {
        const res = await fetch(`${prometheus.url}/api/v1/write`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
          },
          body,
        });
        if (res.status >= 300) throw new Error(`prometheus answered ${res.status} ${await res.text()}`);
      });
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
      prom = { seconds: +((performance.now() - p0) / 1000).toFixed(3), series, samples };
      say(`prometheus queries: ${prom.seconds} s over ${series} series`);
    }
    console.log(
      JSON.stringify({
        bench: 'monitoring-detect',
        vms: VMS,
        hours: HOURS,
        database: kind,
        rollupRows: VMS * HOURS * 3,
        setupSeconds: +setupSeconds.toFixed(1),
        yunguan: { seconds: +yunguanSeconds.toFixed(3), found: result.found },
        prometheus: prom,
        // > 1: Yunguan's full detection is faster than Prometheus answering the equivalent queries (the goal)
        speedup: prom ? +(prom.seconds / yunguanSeconds).toFixed(3) : null,
      }),
    );
  } finally {
    prometheus?.stop();
    await cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
