// npm run bench:gateway: what the data gateway adds to a call. A providing system is started on 127.0.0.1;
// the same request goes to it directly and through Yunguan's gateway (token authentication, grant, database
// rate counter, sealed credential, egress guard, field filtering, trace), alternately, in the same run, over
// real HTTP with keep-alive clients. Prints calls per second and latencies of both, the added p99, whether
// every gateway call was traced, and one JSON line last. PGlite unless DATABASE_URL / TEST_DATABASE_URL.
//   BENCH_CALLS (default 2000) sequential calls per side for latency; BENCH_SECONDS (5) per side for
//   throughput with BENCH_CLIENTS (8) concurrent clients. BENCH_PHASES=1: each sequential gateway call cut into
//   its phases, the median and the slowest 1 % printed (gateway-phases.ts); the event loop's delay and the GC
//   pauses of the sequential phase are printed always.
// Latency on a shared 2-core machine swings with everyone else's load; the CPU each side spends per call in the
// throughput phase (this process: clients, gateway and providing system; plus, on PostgreSQL, its backends for
// the gateway side) moves much less, so it is printed beside the latencies (`cpuMsPerCall`).
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { randomSecret, sm3 } from '../src/platform/crypto.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { openBenchDatabase } from './database.ts';
import { startPhaseProbe } from './gateway-phases.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const GOAL_MS = 2;
const say = (line: string) => process.stderr.write(`${line}\n`);

const RECORDS = Array.from({ length: 20 }, (_, i) => ({
  personId: `P${String(i).padStart(4, '0')}`,
  name: `居民${i}`,
  idNumber: `33020319900101${String(i).padStart(4, '0')}`,
  birthDate: '1990-01-01',
  bloodType: 'A',
}));
const ANSWER = JSON.stringify({ code: 0, data: { records: RECORDS } });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
const round = (n: number) => Math.round(n * 1000) / 1000;

function request(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

async function main() {
  const { database, kind, cleanup, databaseCpu } = await openBenchDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-gateway-'));
  const provider = http.createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer bench-secret') {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(ANSWER);
  });
  provider.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  // the machine-call limit (6,000 a minute per token by default) still counts every call, but must not refuse the
  // bench's: a refused call would be a cheap 429 instead of the work measured
  const config = loadConfig({ YUNGUAN_DATA_DIR: path.join(dir, 'unused'), YUNGUAN_RATE_LIMIT_MACHINE: '10000000' });
  const app = await buildApp({ config, database });
  try {
    const db = database.db;
    await migrateToLatest(db);
    await seedDemo(db);
    // Setup as the people concerned would do it, through the API (policy, egress policy and the token directly).
    await db.updateTable('jurisdiction').set({ policy_pack: 'ningbo-2014' }).where('code', '=', 'demo-city').execute();
    const city = await db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('webhook_egress_policy')
      .values({
        jurisdiction_id: city.id,
        allowed_hosts: ['127.0.0.1'],
        allowed_networks: ['127.0.0.1/32'],
        updated_by: 'bench',
      })
      .execute();
    const session = async (username: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: DEMO_PASSWORD },
      });
      const cookie = String([res.headers['set-cookie']].flat()[0]).split(';')[0] as string;
      const csrf = res.json().csrfToken as string;
      return async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
        const r = await app.inject({
          method,
          url: `/api/v1${url}`,
          payload,
          headers: { cookie, 'x-csrf-token': csrf },
        });
        if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
        return r.json();
      };
    };
    const health = await session('unitadmin');
    const reviewer = await session('reviewer');
    const edu = await session('edu');
    const system = (await health('GET', '/systems')).items.find((s: { name: string }) => s.name === '全民健康信息平台');
    const project = (await edu('GET', '/projects')).items[0];
    const resource = await health('POST', '/shared-data/resources', {
      name: '居民电子健康档案摘要',
      description: 'bench',
      fields: ['personId', 'name', 'idNumber', 'birthDate', 'bloodType'].map((name) => ({
        name,
        type: 'string',
        meaning: name,
        sensitivity: 'internal',
      })),
      format: 'json',
      updateSchedule: 'daily',
      sharingType: 'conditional',
      sharingCondition: 'bench',
      notSharedReason: null,
      scope: 'bench',
      systemId: system.id,
      delivery: 'api',
      endpointUrl: `${providerUrl}/people`,
      defaultRateLimitPerMinute: null,
    });
    await health('PUT', `/shared-data/resources/${resource.id}/credential`, {
      headerName: 'Authorization',
      value: 'Bearer bench-secret',
    });
    await health('POST', `/shared-data/resources/${resource.id}/submit`);
    await reviewer('POST', `/shared-data/resources/${resource.id}/review`, { decision: 'publish', comment: null });
    const today = new Date().toISOString().slice(0, 10);
    const grant = await edu('POST', '/shared-data/applications', {
      resourceId: resource.id,
      projectId: project.id,
      purpose: 'bench',
      fields: ['personId', 'name', 'idNumber', 'birthDate', 'bloodType'],
      validFrom: today,
      validTo: '2099-12-31',
    });
    // Two of five fields, and a rate limit so the database counter is on the measured path.
    await health('POST', `/shared-data/applications/${grant.id}/decision`, {
      decision: 'approve',
      fields: ['name', 'birthDate'],
      validFrom: today,
      rateLimitPerMinute: 100_000,
    });
    await reviewer('POST', `/shared-data/applications/${grant.id}/review`, { decision: 'approve', reason: null });
    const org = await db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-education')
      .executeTakeFirstOrThrow();
    const issuer = await db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'edu')
      .executeTakeFirstOrThrow();
    const secret = randomSecret();
    const token = await db
      .insertInto('api_token')
      .values({
        organisation_id: org.id,
        jurisdiction_id: org.jurisdiction_id,
        name: 'bench',
        scopes: ['shared-data:call'],
        secret_hash: sm3(secret),
        expires_at: new Date(Date.now() + 86_400_000),
        created_by_user_id: issuer.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    await app.listen({ port: 0, host: '127.0.0.1' });
    const gatewayUrl = new URL(
      `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/shared-data/gateway/${resource.id}`,
    );
    const directUrl = new URL(`${providerUrl}/people`);
    const sides = {
      direct: { url: directUrl, headers: { authorization: 'Bearer bench-secret' } },
      gateway: { url: gatewayUrl, headers: { authorization: `Bearer ygt_${token.id}.${secret}` } },
    };
    const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const first = await request(agent, gatewayUrl, sides.gateway.headers);
    if (first !== 200) throw new Error(`the gateway answered ${first}`);
    const before = Number((await sql<{ n: string }>`select count(*) as n from data_call_trace`.execute(db)).rows[0]?.n);

    say(`warming up, then ${CALLS} sequential calls per side, alternating (${kind})`);
    for (let i = 0; i < 200; i++) {
      await request(agent, directUrl, sides.direct.headers);
      await request(agent, gatewayUrl, sides.gateway.headers);
    }
    const latency = { direct: [] as number[], gateway: [] as number[] };
    let failures = 0;
    const probe = startPhaseProbe(process.env.BENCH_PHASES === '1', db, app.server, provider);
    for (let i = 0; i < CALLS; i++) {
      for (const side of i % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const)) {
        const t0 = performance.now();
        const status = await request(agent, sides[side].url, sides[side].headers);
        const t1 = performance.now();
        latency[side].push(t1 - t0);
        if (side === 'gateway') probe.call(t0, t1);
        if (status !== 200) failures++;
      }
    }
    const sequential = probe.report(say);
    const throughput: Record<'direct' | 'gateway', number> = { direct: 0, gateway: 0 };
    const counted: Record<'direct' | 'gateway', number> = { direct: 0, gateway: 0 };
    const cpuPerCall: Record<'direct' | 'gateway', number> = { direct: 0, gateway: 0 };
    for (const side of ['direct', 'gateway'] as const) {
      say(`${side}: ${CLIENTS} clients for ${SECONDS} s`);
      let calls = 0;
      const cpu = process.cpuUsage();
      const dbMeter = databaseCpu ? await databaseCpu() : undefined;
      const end = performance.now() + SECONDS * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() < end) {
            const status = await request(agent, sides[side].url, sides[side].headers);
            if (status !== 200) failures++;
            calls++;
          }
        }),
      );
      throughput[side] = calls / ((performance.now() - started) / 1000);
      const own = process.cpuUsage(cpu);
      const dbSeconds = dbMeter ? await dbMeter.read() : 0;
      cpuPerCall[side] = ((own.user + own.system) / 1000 + dbSeconds * 1000) / calls;
      counted[side] = calls;
    }
    const after = Number((await sql<{ n: string }>`select count(*) as n from data_call_trace`.execute(db)).rows[0]?.n);
    const gatewayCalls = 200 + CALLS + counted.gateway;
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return {
        p50: round(percentile(s, 50)),
        p99: round(percentile(s, 99)),
        mean: round(s.reduce((a, b) => a + b, 0) / s.length),
      };
    };
    const direct = {
      ...stats(latency.direct),
      callsPerSecond: Math.round(throughput.direct),
      cpuMsPerCall: round(cpuPerCall.direct),
    };
    const gateway = {
      ...stats(latency.gateway),
      callsPerSecond: Math.round(throughput.gateway),
      cpuMsPerCall: round(cpuPerCall.gateway),
    };
    const addedP99 = round(gateway.p99 - direct.p99);
    const result = {
      bench: 'gateway',
      database: kind,
      sequentialCallsPerSide: CALLS,
      clients: CLIENTS,
      seconds: SECONDS,
      loadAverage: os.loadavg()[0],
      direct,
      gateway,
      addedP50Ms: round(gateway.p50 - direct.p50),
      addedP99Ms: addedP99,
      addedCpuMsPerCall: round(gateway.cpuMsPerCall - direct.cpuMsPerCall),
      sequential,
      goalAddedP99Ms: GOAL_MS,
      goalMet: addedP99 <= GOAL_MS,
      gatewayCalls,
      traced: after - before,
      everyCallTraced: after - before === gatewayCalls,
      failures,
    };
    say(
      `direct p50 ${direct.p50} ms p99 ${direct.p99} ms ${direct.callsPerSecond}/s (CPU ${direct.cpuMsPerCall} ms a call); gateway p50 ${gateway.p50} ms p99 ${gateway.p99} ms ${gateway.callsPerSecond}/s (CPU ${gateway.cpuMsPerCall} ms a call); added p99 ${addedP99} ms (goal ${GOAL_MS}); traced ${after - before}/${gatewayCalls}`,
    );
    agent.destroy();
    console.log(JSON.stringify(result));
  } finally {
    await app.close();
    await new Promise<void>((r) => provider.close(() => r()));
    await cleanup();
  }
}

await main();
