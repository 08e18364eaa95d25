/**
 * npm run bench:orders — order placement throughput and latency, against pgbench running the same
 * transaction in the same run.
 *
 * PostgreSQL only (DATABASE_URL or TEST_DATABASE_URL; a fresh schema, dropped afterwards). Seeds the demo
 * and one project with ample quota, then 200 clients (BENCH_CLIENTS) each place new-resources orders through
 * the HTTP layer (app.inject, so the whole stack: auth, validation, rules, quota lock, steps, deadline from
 * the calendar, notifications, audit) for BENCH_SECONDS (default 10). Then pgbench runs, for the same time,
 * the placement's SQL core (project row lock, usage sum, order + line + steps + events + reservations,
 * commit) with as many clients as the server allows. The last output line is one JSON object with both
 * and their ratio.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { suspendFulfilmentHandlers } from '../src/modules/orders/index.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';

const say = (m: string) => process.stderr.write(`${m}\n`);
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;

async function main() {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error('bench:orders needs DATABASE_URL or TEST_DATABASE_URL (PostgreSQL; pgbench runs against it)');
  const clients = Number(process.env.BENCH_CLIENTS ?? 200);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const maxConnections = Number((await admin.query('show max_connections')).rows[0].max_connections);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const pool = Math.min(40, Math.max(4, maxConnections - 30));
  const database = await openDatabase<DB>({ url: scoped.toString(), poolSize: pool });
  const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-orders-'));
  try {
    await migrateToLatest(database.db);
    await seedDemo(database.db);
    suspendFulfilmentHandlers(); // the orders engine alone, no provider work orders
    const org = await database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    const { rows } = await sql<{
      id: string;
    }>`insert into project (organisation_id, jurisdiction_id, approval_no, name, year, created_by)
      values (${org.id}, ${org.jurisdiction_id}, 'bench-1', 'bench', 2026, 'bench') returning id`.execute(database.db);
    const projectId = rows[0]?.id as string;
    for (const d of ['vcpu', 'memory_gb', 'storage_gb']) {
      await sql`insert into project_quota (project_id, organisation_id, jurisdiction_id, dimension, quantity, set_by, set_at)
        values (${projectId}, ${org.id}, ${org.jurisdiction_id}, ${d}, 100000000, 'bench', now())`.execute(database.db);
    }
    const app = await buildApp({ config: loadConfig({ YUNGUAN_DATA_DIR: path.join(dir, 'unused') }), database });
    await app.ready();
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'applicant', password: DEMO_PASSWORD },
    });
    const setCookie = login.headers['set-cookie'];
    const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0] as string;
    const csrf = login.json().csrfToken as string;
    const body = {
      type: 'new_resources',
      title: 'bench',
      projectId,
      lines: [
        {
          itemCode: 'cloud-vm',
          specification: { vcpu: 1, memoryGb: 1, systemDiskGb: 40, dataDiskGb: 0, os: 'CentOS 7.9' },
        },
      ],
    };
    say(`placing orders with ${clients} clients for ${seconds} s (pool ${pool})`);
    const latencies: number[] = [];
    let failed = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          const t0 = performance.now();
          const res = await app.inject({
            method: 'POST',
            url: '/api/v1/orders',
            payload: body,
            headers: { cookie, 'x-csrf-token': csrf },
          });
          if (res.statusCode === 201) latencies.push(performance.now() - t0);
          else failed++;
        }
      }),
    );
    const elapsed = seconds + Math.max(0, (performance.now() - end) / 1000);
    await app.close();
    const ordersPerSec = latencies.length / elapsed;

    // pgbench: the same transaction's SQL core.
    const script = path.join(dir, 'place.sql');
    writeFileSync(
      script,
      `\\set n random(1, 1000000000)
BEGIN;
SELECT id FROM project WHERE id = '${projectId}' FOR UPDATE;
SELECT dimension, sum(amount) FROM quota_reservation WHERE project_id = '${projectId}' AND status IN ('reserved', 'consumed') GROUP BY dimension;
SELECT quantity FROM project_quota WHERE project_id = '${projectId}' AND valid_from IS NULL;
INSERT INTO resource_order (id, organisation_id, jurisdiction_id, number, type, status, title, project_id, created_at, updated_at, submitted_at)
  VALUES (gen_random_uuid(), '${org.id}', '${org.jurisdiction_id}', 'PGB-' || nextval('resource_order_no_seq'), 'new_resources', 'submitted', 'pgbench', '${projectId}', now(), now(), now());
INSERT INTO order_line (order_id, organisation_id, jurisdiction_id, line_no, catalogue_item_code, quantity, dimensions)
  SELECT id, organisation_id, jurisdiction_id, 1, 'cloud-vm', 1, '{"vcpu":"1","memory_gb":"1","storage_gb":"40"}' FROM resource_order WHERE number = 'PGB-' || currval('resource_order_no_seq');
INSERT INTO order_step (order_id, organisation_id, jurisdiction_id, seq, key, name_zh, name_en, role, status)
  SELECT id, organisation_id, jurisdiction_id, s, 'step' || s, '环节', 'step', 'ops_reviewer', CASE WHEN s = 1 THEN 'open' ELSE 'pending' END
  FROM resource_order, generate_series(1, 3) s WHERE number = 'PGB-' || currval('resource_order_no_seq');
INSERT INTO order_event (order_id, organisation_id, jurisdiction_id, at, kind)
  SELECT id, organisation_id, jurisdiction_id, now(), k FROM resource_order, unnest(array['created', 'submitted', 'step_opened']) k
  WHERE number = 'PGB-' || currval('resource_order_no_seq');
INSERT INTO quota_reservation (order_id, organisation_id, jurisdiction_id, project_id, dimension, amount, status, updated_at)
  SELECT id, organisation_id, jurisdiction_id, project_id, d, 1, 'reserved', now() FROM resource_order, unnest(array['vcpu', 'memory_gb', 'storage_gb']) d
  WHERE number = 'PGB-' || currval('resource_order_no_seq');
COMMIT;
`,
    );
    // The server caps connections (max_connections, shared with the app pool still open): pgbench gets what is left.
    const pgClients = Math.min(clients, Math.max(1, Math.floor((maxConnections - pool) / 2)));
    say(`pgbench with ${pgClients} clients for ${seconds} s`);
    const u = new URL(url);
    const env = {
      ...process.env,
      PGHOST: u.hostname,
      PGPORT: u.port || '5432',
      PGUSER: decodeURIComponent(u.username || 'postgres'),
      PGPASSWORD: decodeURIComponent(u.password),
      PGDATABASE: u.pathname.slice(1),
      PGOPTIONS: `-c search_path=${schema}`,
    };
    const out = execFileSync(
      'pgbench',
      [
        '-n',
        '-c',
        String(pgClients),
        '-j',
        '4',
        '-T',
        String(seconds),
        '-f',
        script,
        '-l',
        `--log-prefix=${path.join(dir, 'pgb')}`,
      ],
      { env, cwd: dir, encoding: 'utf8' },
    );
    const tps = Number(/tps = ([0-9.]+)/.exec(out)?.[1] ?? 0);
    const pgLatencies: number[] = [];
    for (const f of readdirSync(dir).filter((x) => x.startsWith('pgb'))) {
      for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        const us = Number(line.split(' ')[2]);
        if (Number.isFinite(us) && line) pgLatencies.push(us / 1000);
      }
    }
    const result = {
      bench: 'orders',
      clients,
      seconds,
      pool,
      orders: latencies.length,
      failed,
      ordersPerSec: Math.round(ordersPerSec * 10) / 10,
      p99Ms: Math.round(p99(latencies)),
      pgbenchClients: pgClients,
      pgbenchTps: Math.round(tps * 10) / 10,
      pgbenchP99Ms: Math.round(p99(pgLatencies) * 10) / 10,
      ratio: tps ? Math.round((ordersPerSec / tps) * 1000) / 1000 : null,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await database.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  }
}

main().catch((error) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
