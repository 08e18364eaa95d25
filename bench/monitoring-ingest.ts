/**
 * npm run bench:ingest — the same remote-write stream into Yunguan and into Prometheus (Debian's package,
 * remote-write receiver enabled), in one run.
 *
 * The stream models Prometheus remote-writing scrapes: BENCH_VMS (default 50,000) virtual machines x 6 series
 * (the five yunguan_* gauges and `up`), BENCH_ROUNDS (default 20) scrapes BENCH_SCRAPE_SECONDS (default 15 s)
 * apart, so each series has one sample per round; 2,000 series per request (Prometheus's default
 * max_samples_per_send), 4 requests in flight (as 4 remote-write shards). The bodies (snappy + protobuf) are
 * encoded once, before timing, and both receivers get exactly the same bytes in the same order.
 *
 * Yunguan runs in this process (HTTP through Fastify's inject; on PGlite the database too, so its CPU is all
 * counted; on PostgreSQL the CPU of the server's backends serving the bench's pool is added from /proc, and
 * `cpuIncludesDatabase` says false only when the server runs elsewhere). Its fold job
 * runs as it would in production: after every round that completes BENCH_FOLD_SECONDS (default: the server's
 * default, 300 s) of scrape time, and once more at the end until nothing is staged; its CPU is inside the
 * measured figure. Prometheus's CPU comes from /proc/<pid>/stat. The last line is one JSON object.
 */
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { DEFAULT_FOLD_SECONDS, foldStaged } from '../src/modules/monitoring/monitoring.fold.ts';
import { encodeWriteRequest, snappyEncode } from '../src/modules/monitoring/monitoring.wire.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { cpuSecondsOf, openBenchDatabase, pool, say, startPrometheus } from './monitoring-common.ts';

const VMS = Number(process.env.BENCH_VMS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const SCRAPE_SECONDS = Number(process.env.BENCH_SCRAPE_SECONDS ?? 15);
const FOLD_SECONDS = Number(process.env.BENCH_FOLD_SECONDS ?? DEFAULT_FOLD_SECONDS);
const FOLD_EVERY = Math.max(1, Math.round(FOLD_SECONDS / SCRAPE_SECONDS));
const PER_REQUEST = 2000;
const IN_FLIGHT = 4;
const NAMES = [
  'yunguan_cpu_utilisation_percent',
  'yunguan_memory_utilisation_percent',
  'yunguan_disk_io_bytes_per_second',
  'yunguan_network_receive_bytes_per_second',
  'yunguan_network_transmit_bytes_per_second',
  'up',
];

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

async function main() {
  if (ROUNDS * SCRAPE_SECONDS > 110 * 60) throw new Error('the rounds must fit in the accepted window (120 min)');
  if (ROUNDS < 1 || SCRAPE_SECONDS <= 0 || FOLD_SECONDS <= 0)
    throw new Error('BENCH_ROUNDS, _SCRAPE_SECONDS, _FOLD_SECONDS');
  const { database, kind, cleanup, databaseCpu } = await openBenchDatabase();
  const prometheus = await startPrometheus();
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
    say(`${VMS} resources...`);
    await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, delivered_at)
      select (array[${id('demo-health')}::uuid, ${id('demo-education')}::uuid])[1 + i % 2], ${city.id}, ${id('demo-provider-a')},
        'ecs', 'bench-' || i, 'i-' || i, 'active', now() - interval '60 days'
      from generate_series(1, ${VMS}) i`.execute(database.db);
    await sql`analyze`.execute(database.db);

    const app = await buildApp({ config: loadConfig({ YUNGUAN_DATA_DIR: '/tmp/yunguan-bench-unused' }), database });
    await app.ready();
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'provideradmin', password: DEMO_PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      headers: { cookie, 'x-csrf-token': login.json().csrfToken },
      payload: { name: 'bench', scopes: ['monitoring:ingest'], expiresInDays: 1 },
    });
    const token = created.json().token as string;

    say(`encoding ${VMS * NAMES.length * ROUNDS} samples (${ROUNDS} rounds ${SCRAPE_SECONDS} s apart)...`);
    // The rounds start on an hour (the last one that leaves room for them before now), so that a run's rollup
    // writes do not depend on the minute it was started: one row per series and hour.
    const span = ROUNDS * SCRAPE_SECONDS * 1000;
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const t0 = span > 55 * 60_000 ? Date.now() - span : Date.now() - hour >= span ? hour : hour - 3_600_000;
    const rounds: Buffer[][] = [];
    let samples = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const bodies: Buffer[] = [];
      let batch: { labels: Record<string, string>; samples: { value: number; timestamp: number }[] }[] = [];
      for (let i = 1; i <= VMS; i++) {
        for (const [m, name] of NAMES.entries()) {
          const value = name === 'up' ? 1 : m < 2 ? ((i * 7 + r * 13) % 1000) / 10 : ((i * 7919 + r) % 100_000) * 10.5;
          batch.push({
            labels: {
              __name__: name,
              instance_id: `i-${i}`,
              instance: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}:9100`,
              job: 'node',
            },
            // each VM is scraped at its own offset within the interval, as Prometheus spreads its targets
            samples: [{ value, timestamp: t0 + r * SCRAPE_SECONDS * 1000 + ((i * 7919) % (SCRAPE_SECONDS * 1000)) }],
          });
          samples++;
          if (batch.length === PER_REQUEST) {
            bodies.push(Buffer.from(snappyEncode(encodeWriteRequest(batch))));
            batch = [];
          }
        }
      }
      if (batch.length) bodies.push(Buffer.from(snappyEncode(encodeWriteRequest(batch))));
      rounds.push(bodies);
    }
    const all = rounds.flat();
    const bytes = all.reduce((n, b) => n + b.length, 0);
    say(`${all.length} requests, ${(bytes / 1e6).toFixed(1)} MB compressed; a fold every ${FOLD_EVERY} round(s)`);

    // Yunguan: the requests of each round, then the fold when its interval is up, then a final fold
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    };
    let ingestCpu = 0;
    let foldCpu = 0;
    let folds = 0;
    let rollupWrites = 0;
    const fold = async () => {
      const c0 = cpuNow();
      const r = await foldStaged(database.db);
      foldCpu += cpuNow() - c0;
      if (r.quarantined > 0) throw new Error(`the fold quarantined ${r.quarantined} staged batches`);
      if (r.batches > 0) folds++;
      rollupWrites += r.rollups;
    };
    // PostgreSQL's backends do part of Yunguan's work (staging, the fold): their CPU counts on Yunguan's side,
    // as Prometheus's storage counts on its own.
    const dbMeter = databaseCpu ? await databaseCpu() : undefined;
    const w0 = performance.now();
    for (const [r, bodies] of rounds.entries()) {
      const c0 = cpuNow();
      await pool(bodies, IN_FLIGHT, async (payload) => {
        const res = await app.inject({ method: 'POST', url: '/api/v1/monitoring/remote-write', headers, payload });
        if (res.statusCode !== 204) throw new Error(`yunguan answered ${res.statusCode} ${res.body}`);
      });
      ingestCpu += cpuNow() - c0;
      if ((r + 1) % FOLD_EVERY === 0) await fold();
    }
    await fold();
    const yWall = (performance.now() - w0) / 1000;
    const databaseCpuSeconds = dbMeter ? await dbMeter.read() : 0;
    const yCpu = ingestCpu + foldCpu + databaseCpuSeconds;
    const { rows } = await sql<{ n: string; staged: string }>`select (select sum(count) from monitoring_rollup) as n,
      (select count(*) from monitoring_staged) as staged`.execute(database.db);
    if (Number(rows[0]?.n) !== samples || Number(rows[0]?.staged) !== 0) {
      throw new Error(`rolled up ${rows[0]?.n} of ${samples} samples, ${rows[0]?.staged} batches still staged`);
    }
    say(
      `yunguan: ${yWall.toFixed(1)} s wall, ${yCpu.toFixed(1)} CPU s (ingest ${ingestCpu.toFixed(1)}, ` +
        `${folds} folds ${foldCpu.toFixed(1)}, PostgreSQL backends ${databaseCpuSeconds.toFixed(1)}, ${rollupWrites} rollup writes)`,
    );
    await app.close();

    let prom: {
      samplesPerSecond: number;
      cpuSecondsPerMillion: number;
      wallSeconds: number;
      cpuSeconds: number;
    } | null = null;
    if (prometheus) {
      const p0 = cpuSecondsOf(prometheus.pid);
      const pw0 = performance.now();
      for (const bodies of rounds) {
        await pool(bodies, IN_FLIGHT, async (body) => {
          const res = await fetch(`${prometheus.url}/api/v1/write`, { method: 'POST', headers, body });
          if (res.status !== 204 && res.status !== 200)
            throw new Error(`prometheus answered ${res.status} ${await res.text()}`);
        });
      }
      const wall = (performance.now() - pw0) / 1000;
      const cpu = cpuSecondsOf(prometheus.pid) - p0;
      prom = {
        samplesPerSecond: Math.round(samples / wall),
        cpuSecondsPerMillion: +(cpu / (samples / 1e6)).toFixed(3),
        wallSeconds: +wall.toFixed(2),
        cpuSeconds: +cpu.toFixed(2),
      };
      say(`prometheus: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU s`);
    }
    const yunguan = {
      samplesPerSecond: Math.round(samples / yWall),
      cpuSecondsPerMillion: +(yCpu / (samples / 1e6)).toFixed(3),
      wallSeconds: +yWall.toFixed(2),
      cpuSeconds: +yCpu.toFixed(2),
      ingestCpuSeconds: +ingestCpu.toFixed(2),
      foldCpuSeconds: +foldCpu.toFixed(2),
      folds,
      rollupWrites,
      databaseCpuSeconds: +databaseCpuSeconds.toFixed(2),
      database: kind,
      cpuIncludesDatabase: kind === 'pglite' || dbMeter !== undefined,
    };
    console.log(
      JSON.stringify({
        bench: 'monitoring-ingest',
        vms: VMS,
        metrics: NAMES.length,
        rounds: ROUNDS,
        scrapeIntervalSeconds: SCRAPE_SECONDS,
        foldIntervalSeconds: FOLD_SECONDS,
        samples,
        requests: all.length,
        yunguan,
        prometheus: prom,
        // > 1: Yunguan ingests more samples per CPU second than Prometheus (the goal), folding included
        samplesPerCpuSecondRatio: prom ? +(prom.cpuSecondsPerMillion / yunguan.cpuSecondsPerMillion).toFixed(3) : null,
        samplesPerSecondRatio: prom ? +(yunguan.samplesPerSecond / prom.samplesPerSecond).toFixed(3) : null,
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
