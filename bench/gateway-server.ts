// The gateway's side of `npm run bench:gateway`, in a process of its own as a deployed gateway runs: the database
// (in-memory PGlite, or a fresh schema of DATABASE_URL / TEST_DATABASE_URL), the app, the set-up through the API
// (resource, credential, publication, grant of two of five fields with a rate limit, an API token of the
// consuming unit), then listening on 127.0.0.1. It talks to bench/gateway.ts over the IPC channel: `ready` with
// the gateway's URL and the token's header; asked, the number of traces and the CPU it (and, on PostgreSQL, its
// backends) spent since the last `cpu-start`.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { randomSecret, sm3 } from '../src/platform/crypto.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { openBenchDatabase } from './database.ts';

export type GatewayServerMessage =
  | { kind: 'ready'; gatewayUrl: string; authorization: string; database: string }
  | { kind: 'traces'; count: number }
  | { kind: 'cpu'; processMs: number; databaseMs: number };
export type GatewayServerRequest =
  | { kind: 'traces' }
  | { kind: 'cpu-start' }
  | { kind: 'cpu-read' }
  | { kind: 'close' };

const send = (message: GatewayServerMessage) => process.send?.(message);

async function main() {
  const providerUrl = process.env.BENCH_PROVIDER_URL;
  if (!providerUrl || !process.send) throw new Error('started by bench/gateway.ts only');
  const { database, kind, cleanup, databaseCpu } = await openBenchDatabase();
  const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-gateway-'));
  const app = await buildApp({ config: loadConfig({ YUNGUAN_DATA_DIR: path.join(dir, 'unused') }), database });
  const close = async () => {
    await app.close();
    await cleanup();
    process.exit(0);
  };
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
    const port = (app.server.address() as AddressInfo).port;
    let cpu = process.cpuUsage();
    let dbMeter: { read(): Promise<number> } | undefined;
    process.on('message', async (message: GatewayServerRequest) => {
      if (message.kind === 'traces') {
        const n = (await sql<{ n: string }>`select count(*) as n from data_call_trace`.execute(db)).rows[0]?.n;
        send({ kind: 'traces', count: Number(n) });
      } else if (message.kind === 'cpu-start') {
        (globalThis as any).__sqlprof = new Map();
        cpu = process.cpuUsage();
        dbMeter = databaseCpu ? await databaseCpu() : undefined;
      } else if (message.kind === 'cpu-read') {
        const own = process.cpuUsage(cpu);
        const databaseMs = dbMeter ? (await dbMeter.read()) * 1000 : 0;
        for (const [k, [n, ms]] of [...((globalThis as any).__sqlprof ?? new Map())]
          .sort((a: any, b: any) => b[1][1] - a[1][1])
          .slice(0, 12))
          process.stderr.write(`${n} ${(ms / n).toFixed(3)} ${k}\n`);
        send({ kind: 'cpu', processMs: (own.user + own.system) / 1000, databaseMs });
      } else if (message.kind === 'close') {
        await close();
      }
    });
    process.on('disconnect', () => void close());
    send({
      kind: 'ready',
      gatewayUrl: `http://127.0.0.1:${port}/api/v1/shared-data/gateway/${resource.id}`,
      authorization: `Bearer ygt_${token.id}.${secret}`,
      database: kind,
    });
  } catch (error) {
    await app.close();
    await cleanup();
    throw error;
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
