/**
 * npm run bench:ingest — the same remote-write stream into Yunguan and into Prometheus (Debian's package,
 * remote-write receiver enabled), in one run.
 *
 * BENCH_VMS (default 50,000) virtual machines x 6 metrics (the five yunguan_* gauges and `up`), BENCH_ROUNDS
 * (default 3) scrapes 15 s apart, 2,000 series per request (Prometheus's default max_samples_per_send),
 * 4 requests in flight (as 4 remote-write shards). The bodies (snappy + protobuf) are encoded once, before
 * timing, and both receivers get exactly the same bytes. Yunguan runs in this process (HTTP through Fastify's
 * inject; on PGlite the database too, so its CPU is all counted; on PostgreSQL the server's CPU is NOT in the
 * figure and `cpuIncludesDatabase` says so); Prometheus's CPU comes from /proc/<pid>/stat. The last line is
 * one JSON object.
 */
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { encodeWriteRequest, snappyEncode } from '../src/modules/monitoring/monitoring.wire.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { cpuSecondsOf, openBenchDatabase, pool, say, startPrometheus } from './monitoring-common.ts';

const VMS = Number(process.env.BENCH_VMS ?? 50_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

async function main() {
  const { database, kind, cleanup } = await openBenchDatabase();
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

    say(`encoding ${VMS * NAMES.length * ROUNDS} samples...`);
    const t0 = Date.now() - ROUNDS * 15_000;
    const bodies: Buffer[] = [];
    let samples = 0;
    for (let r = 0; r < ROUNDS; r++) {
      let batch: { labels: Record<string, string>; samples: { value: number; timestamp: number }[] }[] = [];
      for (let i = 1; i <= VMS; i++) {
        for (const [m, name] of NAMES.entries()) {
          const value = name === 'up' ? 1 : m < 2 ? (i * 7 + r * 13) % 100 : ((i * 7919 + r) % 100_000) * 10;
          batch.push({
            labels: { __name__: name, instance_id: `i-${i}`, job: 'node' },
            samples: [{ value, timestamp: t0 + r * 15_000 }],
          });
          samples++;
          if (batch.length === PER_REQUEST) {
            bodies.push(Buffer.from(snappyEncode(encodeWriteRequest(batch))));
            batch = [];
          }
        }
      }
      if (batch.length) bodies.push(Buffer.from(snappyEncode(encodeWriteRequest(batch))));
    }
    const bytes = bodies.reduce((n, b) => n + b.length, 0);
    say(`${bodies.length} requests, ${(bytes / 1e6).toFixed(1)} MB compressed`);

    // Yunguan
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    };
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    await pool(bodies, IN_FLIGHT, async (payload) => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/monitoring/remote-write', headers, payload });
      if (res.statusCode !== 204) throw new Error(`yunguan answered ${res.statusCode} ${res.body}`);
    });
    const yWall = (performance.now() - w0) / 1000;
    const c = process.cpuUsage(cpu0);
    const yCpu = (c.user + c.system) / 1e6;
    const { rows } = await sql<{ n: string }>`select sum(count) as n from monitoring_rollup`.execute(database.db);
    if (Number(rows[0]?.n) !== samples) throw new Error(`rolled up ${rows[0]?.n} of ${samples} samples`);
    say(`yunguan: ${yWall.toFixed(1)} s wall, ${yCpu.toFixed(1)} CPU s`);
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
      await pool(bodies, IN_FLIGHT, async (body) => {
        const res = await fetch(`${prometheus.url}/api/v1/write`, { method: 'POST', headers, body });
        if (res.status !== 204 && res.status !== 200)
          throw new Error(`prometheus answered ${res.status} ${await res.text()}`);
      });
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
      database: kind,
      cpuIncludesDatabase: kind === 'pglite',
    };
    console.log(
      JSON.stringify({
        bench: 'monitoring-ingest',
        vms: VMS,
        metrics: NAMES.length,
        rounds: ROUNDS,
        samples,
        requests: bodies.length,
        yunguan,
        prometheus: prom,
        // > 1: Yunguan ingests more samples per CPU second than Prometheus (the goal)
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
