/**
 * npm run bench:orders — order placement throughput and latency, against pgbench running the same
 * transaction in the same run.
 *
 * PostgreSQL only (DATABASE_URL or TEST_DATABASE_URL; a fresh schema, dropped afterwards). Seeds the demo
 * and one project with ample quota. Then N clients (BENCH_CLIENTS, default 200, fewer when the server's
 * max_connections cannot give pgbench that many connections: both sides then use the same number) each place
 * new-resources orders through the HTTP layer (app.inject, so the whole stack: auth, validation, rules, quota
 * lock, steps, deadline from the calendar, notification, audit entry, idempotency key) for BENCH_SECONDS
 * (default 10), each request with its own Idempotency-Key. Then pgbench runs, for the same time with the same
 * number of clients, the same database work per request, statement for statement: the authentication
 * look-ups, and the transaction with the RLS role and set_config calls, the idempotency-key claim, the
 * rule reads, order + line + events + steps + reservations, the project row lock, the notification, an
 * audit insert whose own SM3 hash is computed in SQL (pgcrypto; after both runs the chain is sealed and the
 * app's verifier checks every entry), and the stored idempotent answer. Its constant
 * values are those of an order the app placed, sent as parameters (pgbench -M extended), as the app sends
 * them. The last output line is one JSON object with both sides and their ratio.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { suspendFulfilmentHandlers } from '../src/modules/orders/index.ts';
import { canonicalJson, sealAudit, verifyAuditChain } from '../src/platform/audit/audit.ts';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';
import { sameStatements } from './orders-statements.ts';
import { forkSampler } from './orders-waits.ts';

const execFileAsync = promisify(execFile);
const UNITS = Math.max(1, Number(process.env.BENCH_UNITS ?? 1));
const say = (m: string) => process.stderr.write(`${m}\n`);
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;

/** pgbench variables (-D name=value): every constant the script sends, as a parameter like the app's. */
class Vars {
  readonly values = new Map<string, string>();
  /** A parameter for `value`; null becomes the literal NULL (pgbench variables cannot be null). */
  p(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    const text =
      value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
    for (const [k, v] of this.values) if (v === text) return `:${k}`;
    const name = `v${this.values.size}`;
    this.values.set(name, text);
    return `:${name}`;
  }
  args(): string[] {
    return [...this.values].flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  }
}

async function main() {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error('bench:orders needs DATABASE_URL or TEST_DATABASE_URL (PostgreSQL; pgbench runs against it)');
  // Many units: one client per unit unless told otherwise (the load a city sees); one project: 200.
  const requested = Number(process.env.BENCH_CLIENTS ?? (UNITS > 1 ? UNITS : 200));
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const setting = async (name: string) => Number((await admin.query(`show ${name}`)).rows[0][name]);
  const maxConnections = await setting('max_connections');
  const reserved = await setting('superuser_reserved_connections');
  const inUse = Number((await admin.query('select count(*)::int as n from pg_stat_activity')).rows[0].n);
  // pgbench needs one connection per client; the same count then runs on the app side.
  const available = Math.max(1, maxConnections - reserved - inUse - 10);
  const clients = Math.min(requested, available);
  // SM3 in SQL: pgcrypto, in this schema unless the database has it already (dropped with the schema).
  let crypto: string | null = null;
  const ext = await admin.query(
    `select extnamespace::regnamespace::text as s from pg_extension where extname = 'pgcrypto'`,
  );
  if (ext.rows[0]) crypto = ext.rows[0].s as string;
  else {
    try {
      await admin.query(`create extension pgcrypto schema ${schema}`);
      crypto = schema;
    } catch (error) {
      say(`pgcrypto unavailable (${(error as Error).message}): pgbench inserts a precomputed audit hash`);
    }
  }
  if (crypto) {
    const probe = await admin.query(`select encode(${crypto}.digest('abc', 'sm3'), 'hex') as h`);
    if (probe.rows[0].h !== '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0') crypto = null;
  }
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const pool = Math.min(40, clients, Math.max(4, maxConnections - 30));
  let database: Database<DB> | undefined = await openDatabase<DB>({ url: scoped.toString(), poolSize: pool });
  const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-orders-'));
  try {
    const db = database.db;
    await migrateToLatest(db);
    await seedDemo(db);
    suspendFulfilmentHandlers(); // the orders engine alone, no provider work orders
    const units = await benchUnits(db, UNITS, UNITS > 1 ? Math.ceil(clients / UNITS) : 1);
    const config = loadConfig({
      YUNGUAN_DATA_DIR: path.join(dir, 'unused'),
      YUNGUAN_RATE_LIMIT_LOGIN: '1000000',
      YUNGUAN_RATE_LIMIT_CREDENTIALS: '1000000',
    });
    if (config.auditKey) throw new Error('bench:orders computes the plain SM3 chain; run it without YUNGUAN_AUDIT_KEY');
    const app = await buildApp({ config, database });
    await app.ready();
    // One slot per project: with many units every client has a project of its own (client c orders for unit
    // c mod units, against that unit's project c div units), so no two clients queue on one project's row.
    const sessions: { cookie: string; csrf: string; body: Record<string, unknown>; unit: (typeof units)[number] }[] =
      [];
    for (const unit of units) {
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: unit.username, password: DEMO_PASSWORD },
      });
      if (login.statusCode !== 200) throw new Error(`bench:orders: ${unit.username} cannot sign in: ${login.body}`);
      const setCookie = login.headers['set-cookie'];
      const cookie = String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0] as string;
      for (const [projectId, systemId] of unit.projects) {
        const body = {
          type: 'new_resources',
          title: 'bench',
          projectId,
          systemId,
          lines: [
            {
              itemCode: 'cloud-vm',
              specification: { vcpu: 1, memoryGb: 1, systemDiskGb: 40, dataDiskGb: 0, os: 'CentOS 7.9' },
            },
          ],
        };
        sessions.push({ cookie, csrf: login.json().csrfToken as string, body, unit });
      }
    }
    // slot of client c: its unit c mod units, that unit's project c div units (one project: every client)
    const slotOf = (c: number) => (UNITS > 1 ? (c % UNITS) * Math.ceil(clients / UNITS) + Math.floor(c / UNITS) : 0);
    // One order placed alone first, its statements recorded (every query a pooled connection ran meanwhile).
    let scriptCheck = { statements: 0, same: false };
    const traced = await traceStatements(async () => {
      const { cookie, csrf, body } = sessions[0] as (typeof sessions)[number];
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/orders',
        payload: body,
        headers: { cookie, 'x-csrf-token': csrf, 'idempotency-key': 'bench-traced' },
      });
      if (res.statusCode !== 201) throw new Error(`bench:orders: the traced order was refused: ${res.body}`);
    });
    if (process.env.BENCH_TRACE) writeFileSync(process.env.BENCH_TRACE, `${traced.join(';\n')};\n`);
    say(
      `placing orders of ${units.length} unit(s) with ${clients} clients for ${seconds} s (pool ${pool}; max_connections ${maxConnections}, ${inUse} in use)`,
    );
    const latencies: number[] = [];
    let failed = 0;
    // The sampler runs in a child process: its queries and /proc reads are not the measured process's work.
    const appWaits = await forkSampler(url);
    const nodeCpu = process.cpuUsage();
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; performance.now() < end; i++) {
          const t0 = performance.now();
          const { cookie, csrf, body } = sessions[slotOf(c)] as (typeof sessions)[number];
          const res = await app.inject({
            method: 'POST',
            url: '/api/v1/orders',
            payload: body,
            headers: { cookie, 'x-csrf-token': csrf, 'idempotency-key': `bench-${c}-${i}` },
          });
          if (res.statusCode === 201) latencies.push(performance.now() - t0);
          else {
            failed++;
            if (failed === 1) say(`first refusal: ${res.statusCode} ${res.body.slice(0, 300)}`);
          }
        }
      }),
    );
    const elapsed = seconds + Math.max(0, (performance.now() - end) / 1000);
    const nodeCpuMs = (() => {
      const used = process.cpuUsage(nodeCpu);
      return (used.user + used.system) / 1000;
    })();
    const appWaitShares = await appWaits.stop();
    await app.close();
    const ordersPerSec = latencies.length / elapsed;

    // ---- pgbench: the same per-request database work, its constants taken from an order the app placed.
    // One project: one pgbench with every client on one script. Many units: one pgbench process per client,
    // each with the script of the client's own slot (pgbench -f picks scripts at random per transaction, which
    // would make clients collide on projects the app's clients never share).
    const runs: { file: string; vars: Vars }[] = [];
    let t: Awaited<ReturnType<typeof template>> | undefined;
    const slots = UNITS > 1 ? Array.from({ length: clients }, (_, c) => slotOf(c)) : [0];
    for (const [k, slot] of slots.entries()) {
      const session = sessions[slot] as (typeof sessions)[number];
      const copied = await template(db, String(session.body.projectId), session.unit.username);
      t ??= copied;
      const vars = new Vars();
      const file = path.join(dir, `place-${k}.sql`);
      const script = pgbenchScript(vars, copied, crypto);
      writeFileSync(file, script);
      runs.push({ file, vars });
      if (k === 0) {
        const same = sameStatements(traced, script);
        if (!same.same) say(`statements differ from the app's: ${same.diff}`);
        scriptCheck = { statements: same.scriptCount, same: same.same };
      }
    }
    if (!t) throw new Error('bench:orders: no unit');
    const pgbenchFrom = (
      await sql<{ at: Date }>`select coalesce(max(created_at), now()) as at from resource_order`.execute(db)
    ).rows[0]?.at as Date;
    // The app's pool is closed first: pgbench gets its connections.
    await database.close();
    database = undefined;
    say(`pgbench with ${clients} clients for ${seconds} s (${runs.length} process(es))`);
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
    const pgbenchWaits = await forkSampler(url);
    const perProcess = runs.length > 1 ? 1 : clients;
    // All started by one shell, at once: a spawn from this large process takes tens of milliseconds each, which
    // would stagger fifty starts by seconds. Each writes its summary to out-<k>.txt.
    const command = runs
      .map(({ file, vars }, k) =>
        [
          'pgbench',
          '-n',
          '-M',
          process.env.BENCH_PGBENCH_MODE ?? 'extended',
          '-c',
          String(perProcess),
          '-j',
          String(Math.min(4, perProcess)),
          '-T',
          String(seconds),
          '-f',
          file,
          '-l',
          `--log-prefix=${path.join(dir, `pgb${k}`)}`,
          ...vars.args(),
        ]
          .map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`)
          .join(' ')
          .concat(` > ${path.join(dir, `out-${k}.txt`)} 2>&1 &`),
      )
      .join('\n');
    writeFileSync(path.join(dir, 'run.sh'), `${command}\nwait\n`);
    const shell = execFileAsync('bash', [path.join(dir, 'run.sh')], {
      env,
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const shellPid = shell.child.pid;
    // the shell's children are the pgbench processes (their CPU is the client side's)
    const findChildren = setInterval(() => {
      try {
        for (const pid of readFileSync(`/proc/${shellPid}/task/${shellPid}/children`, 'utf8')
          .split(' ')
          .filter(Boolean))
          pgbenchWaits.addClient(Number(pid));
      } catch {}
    }, 20);
    await shell.finally(() => clearInterval(findChildren));
    const outs = runs.map((_, k) => readFileSync(path.join(dir, `out-${k}.txt`), 'utf8'));
    const aborted = outs.find((out) => /error/i.test(out) && !/tps = /.test(out));
    if (aborted) throw new Error(`bench:orders: pgbench failed: ${aborted.slice(0, 2000)}`);
    const pgbenchWaitShares = await pgbenchWaits.stop();
    const tps = outs.reduce((sum, out) => sum + Number(/tps = ([0-9.]+)/.exec(out)?.[1] ?? 0), 0);
    const pgFailed = outs.reduce(
      (sum, out) => sum + Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0),
      0,
    );
    const pgLatencies: number[] = [];
    for (const f of readdirSync(dir).filter((x) => x.startsWith('pgb'))) {
      for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        const us = Number(line.split(' ')[2]);
        if (Number.isFinite(us) && line) pgLatencies.push(us / 1000);
      }
    }

    // ---- the two sides wrote the same rows per order, and the audit chain (app and pgbench entries) holds.
    database = await openDatabase<DB>({ url: scoped.toString(), poolSize: 2 });
    const check = await sameRows(database.db, t.order.id as string, pgbenchFrom);
    // Neither side sealed during its run (the app's sealer is a job of `serve`): both sides' entries now.
    await sealAudit(database.db);
    const chain = await verifyAuditChain(database.db);
    const result = {
      bench: 'orders',
      units: units.length,
      clients,
      requestedClients: requested,
      maxConnections,
      seconds,
      pool,
      orders: latencies.length,
      failed,
      ordersPerSec: Math.round(ordersPerSec * 10) / 10,
      p99Ms: Math.round(p99(latencies)),
      pgbenchClients: clients,
      pgbenchTransactions: pgLatencies.length,
      pgbenchFailed: pgFailed,
      pgbenchTps: Math.round(tps * 10) / 10,
      pgbenchP99Ms: Math.round(p99(pgLatencies) * 10) / 10,
      auditHashInSql: crypto !== null,
      auditChainIntact: chain.intact,
      sameRowsPerOrder: check.same,
      ratio: tps ? Math.round((ordersPerSec / tps) * 1000) / 1000 : null,
      // CPU per order (ms): the Node process (app) or the pgbench processes, and the database backends serving them
      appCpuMsPerOrder: perOrder(nodeCpuMs, appWaitShares.backendCpuMs, latencies.length),
      pgbenchCpuMsPerOrder: perOrder(pgbenchWaitShares.clientCpuMs, pgbenchWaitShares.backendCpuMs, pgLatencies.length),
      appStatementsPerOrder: traced.length,
      pgbenchStatementsPerOrder: scriptCheck.statements,
      sameStatementsPerOrder: scriptCheck.same,
      // what the sessions of each side waited on (share of samples of active sessions, every 50 ms)
      appWaits: appWaitShares.waits,
      pgbenchWaits: pgbenchWaitShares.waits,
      // the statements that waited on a lock, as shares of all samples
      appLockedStatements: appWaitShares.lockedStatements,
      pgbenchLockedStatements: pgbenchWaitShares.lockedStatements,
    };
    if (!check.same)
      say(`rows per order differ: app ${JSON.stringify(check.app)}, pgbench ${JSON.stringify(check.pgbench)}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await database?.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  }
}

type Row = Record<string, unknown>;

const perOrder = (clientMs: number, databaseMs: number, orders: number) => ({
  client: Math.round((clientMs / Math.max(1, orders)) * 10) / 10,
  database: Math.round((databaseMs / Math.max(1, orders)) * 10) / 10,
});

// Every statement node-postgres sends goes through this wrapper, installed before any connection is made (the
// database module binds each connection's query method when it connects); it records texts while tracing.
let tracing: string[] | undefined;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string };
  tracing?.push(typeof first === 'string' ? first : String(first?.text ?? ''));
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

/** The texts of the statements sent while `fn` runs (every connection of the process). */
async function traceStatements(fn: () => Promise<void>): Promise<string[]> {
  const texts: string[] = [];
  tracing = texts;
  try {
    await fn();
  } finally {
    tracing = undefined;
  }
  return texts.map((t) => t.replace(/\s+/g, ' ').trim());
}

/**
 * The ordering units: with one, the demo's health bureau and its applicant; with more (BENCH_UNITS), that many
 * units of the demo city, each with its own applicant (the demo password), approved project with ample quota
 * and information system: the load a city sees, where units do not contend for one project's row lock.
 */
async function benchUnits(db: Database<DB>['db'], count: number, projectsPerUnit: number) {
  const health = await db
    .selectFrom('organisation')
    .select(['id', 'jurisdiction_id'])
    .where('code', '=', 'demo-health')
    .executeTakeFirstOrThrow();
  const applicant = await db
    .selectFrom('user_account')
    .select('password_hash')
    .where('username', '=', 'applicant')
    .executeTakeFirstOrThrow();
  const units: { organisationId: string; username: string; projects: [string, string][] }[] = [];
  for (let k = 0; k < count; k++) {
    let organisationId = health.id;
    let username = 'applicant';
    if (count > 1) {
      const { rows: org } = await sql<{ id: string }>`
        insert into organisation (jurisdiction_id, type, code, name)
        values (${health.jurisdiction_id}, 'using_unit', ${`bench-unit-${k}`}, ${`压测单位${k}`}) returning id`.execute(
        db,
      );
      organisationId = org[0]?.id as string;
      username = `bench-${k}`;
      const { rows: user } = await sql<{ id: string }>`
        insert into user_account (username, display_name, password_hash, password_changed_at)
        values (${username}, ${`压测申请人${k}`}, ${applicant.password_hash}, now()) returning id`.execute(db);
      await sql`insert into role_assignment (user_id, organisation_id, role, granted_by)
        values (${user[0]?.id}, ${organisationId}, 'unit_applicant', 'bench')`.execute(db);
    }
    const projects: [string, string][] = [];
    for (let j = 0; j < projectsPerUnit; j++) {
      const { rows } = await sql<{ id: string }>`
        insert into project (organisation_id, jurisdiction_id, approval_no, name, year, status, created_by)
        values (${organisationId}, ${health.jurisdiction_id}, ${`bench-${k}-${j}`}, ${`压测项目${k}-${j}`}, 2026, 'approved', 'bench')
        returning id`.execute(db);
      const projectId = rows[0]?.id as string;
      const { rows: sys } = await sql<{ id: string }>`
        insert into information_system (organisation_id, jurisdiction_id, name, mlps_level, filing_status,
          commitment_letter_on_file, created_by)
        values (${organisationId}, ${health.jurisdiction_id}, ${`压测系统${k}-${j}`}, 2, 'filed', true, 'bench') returning id`.execute(
        db,
      );
      const systemId = sys[0]?.id as string;
      await sql`insert into project_system (project_id, system_id, organisation_id, jurisdiction_id)
        values (${projectId}, ${systemId}, ${organisationId}, ${health.jurisdiction_id})`.execute(db);
      await sql`insert into project_quota (project_id, organisation_id, jurisdiction_id, dimension, quantity, set_by, set_at)
        select ${projectId}, ${organisationId}, ${health.jurisdiction_id}, d, 100000000, 'bench', now()
          from unnest(array['vcpu', 'memory_gb', 'storage_gb']) as d`.execute(db);
      projects.push([projectId, systemId]);
    }
    units.push({ organisationId, username, projects });
  }
  return units;
}

/** An order the app placed, with what it wrote, and the caller's session: the pgbench script's constants. */
async function template(db: Database<DB>['db'], projectId: string, username: string) {
  const one = async (q: ReturnType<typeof sql<Row>>) => {
    const { rows } = await q.execute(db);
    if (!rows[0]) throw new Error('bench:orders: the app placed no order to copy');
    return rows[0];
  };
  const order = await one(
    sql<Row>`select * from resource_order where project_id = ${projectId} and title = 'bench' and status = 'submitted' order by created_at limit 1`,
  );
  const all = async (q: ReturnType<typeof sql<Row>>) => (await q.execute(db)).rows;
  const id = order.id as string;
  return {
    order,
    line: await one(sql<Row>`select * from order_line where order_id = ${id}`),
    steps: await all(sql<Row>`select * from order_step where order_id = ${id} order by seq`),
    events: await all(sql<Row>`select * from order_event where order_id = ${id} order by id`),
    reservations: await all(sql<Row>`select * from quota_reservation where order_id = ${id} order by dimension`),
    notification: await one(sql<Row>`select * from notification where entity_id = ${id}`),
    audit: await one(sql<Row>`select * from audit_event where object_id = ${id}`),
    key: await one(sql<Row>`select * from idempotency_key where (response->>'id') = ${id}`),
    session: await one(
      sql<Row>`select s.id, s.user_id, s.organisation_id from user_session s join user_account u on u.id = s.user_id
        where u.username = ${username} and s.revoked_at is null order by s.created_at desc limit 1`,
    ),
    jurisdictionCode: (await one(sql<Row>`select code from jurisdiction where id = ${order.jurisdiction_id}`)).code,
    // what the app binds: the catalogue version's item ids, and the caller's organisations as the session has them
    itemIds: (
      await all(
        sql<Row>`select id from catalogue_item where version_id = (select catalogue_version_id from order_line
          where order_id = ${id}) order by position, code`,
      )
    ).map((r) => r.id as string),
    organisations: (
      (
        await one(sql<Row>`select organisations from session_for_request((select s.id from user_session s
          join user_account u on u.id = s.user_id where u.username = ${username} and s.revoked_at is null
          order by s.created_at desc limit 1))`)
      ).organisations as string[]
    ).join(','),
    recipients: Number(
      (
        await one(sql<Row>`select count(*)::int as n from notification where event_id = (
          select event_id from notification where entity_id = ${id} limit 1)`)
      ).n,
    ),
  };
}

/** The pgbench script: the app's placement, statement for statement (see the file comment). */
function pgbenchScript(v: Vars, t: Awaited<ReturnType<typeof template>>, crypto: string | null): string {
  const o = t.order;
  const org = v.p(o.organisation_id);
  const jur = v.p(o.jurisdiction_id);
  const project = v.p(o.project_id);
  const user = v.p(t.session.user_id);
  const day = v.p(new Date().toISOString().slice(0, 10));
  if (t.recipients !== 1) throw new Error(`bench:orders expects one recipient of the step notice, got ${t.recipients}`);
  const number = String(o.number);
  const prefix = number.slice(0, number.lastIndexOf('-') + 1);
  const num = `(${v.p(prefix)}::text || lpad(:n::text, 6, '0'))`;
  const evt = (e: Row, stepKey: string | null) =>
    `INSERT INTO order_event (order_id, organisation_id, jurisdiction_id, at, kind, step_key, actor_id, actor_name, comment, detail)
  VALUES (:o_id, ${org}, ${jur}, now(), ${v.p(e.kind)}, ${v.p(stepKey)}, ${user}, ${v.p(e.actor_name)}, NULL, ${v.p(e.detail)})
  RETURNING *;`;
  const stepCols = [
    'seq',
    'key',
    'name_zh',
    'name_en',
    'role',
    'acting_organisation_id',
    'fulfilment_action',
    'deadline_value',
    'deadline_unit',
    'deadline_article',
    'deadline_note',
  ];
  const stepRows = t.steps
    .map(
      (s) =>
        `(:o_id, ${org}, ${jur}, ${stepCols.map((c) => v.p(s[c])).join(', ')}, 'pending', NULL, NULL, NULL, '[]', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    )
    .join(',\n  ');
  const first = t.steps[0] as Row;
  const resRows = t.reservations
    .map((r) => `(:o_id, ${org}, ${jur}, ${project}, ${v.p(r.dimension)}, ${v.p(r.amount)}, 'reserved', now())`)
    .join(', ');
  const usage = `SELECT r.dimension, coalesce(sum(CASE WHEN r.status = 'reserved' THEN greatest(r.amount, 0) ELSE 0 END), 0)::text AS reserved,
  coalesce(sum(CASE WHEN r.status = 'consumed' THEN r.amount ELSE 0 END), 0)::text AS consumed
  FROM quota_reservation r JOIN resource_order o ON o.id = r.order_id
  WHERE r.project_id IN (${project}) AND r.status IN ('reserved', 'consumed') GROUP BY r.dimension;`;
  const quota = `SELECT * FROM project_quota WHERE project_id IN (${project}) AND (valid_from IS NULL OR (valid_from <= ${day} AND valid_to >= ${day}));`;
  const policy = `SELECT j.*, p.code AS parent_code FROM jurisdiction j LEFT JOIN jurisdiction p ON p.id = j.parent_id WHERE j.code = ${v.p(t.jurisdictionCode)};
SELECT * FROM policy_override WHERE jurisdiction_id = ${jur} ORDER BY set_at, path;`;
  const stop = `SELECT * FROM allocation_stop WHERE organisation_id = ${org} AND resumed_at IS NULL ORDER BY stopped_at DESC;`;
  const projectRow = `SELECT id, organisation_id, jurisdiction_id, status, name, review_passed_at FROM project WHERE id = ${project};`;
  const lockRow = `SELECT id, organisation_id, jurisdiction_id, status, name FROM project WHERE id = ${project} FOR UPDATE;`;
  const lingering = `SELECT CASE WHEN q.key IN ('vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps') THEN q.key ELSE 'item:' || r.catalogue_item_code END AS dimension,
  sum(q.value::numeric)::text AS amount FROM resource r LEFT JOIN resource_order o ON o.id = r.order_id CROSS JOIN LATERAL jsonb_each_text(r.quantities) q
  WHERE r.project_id = any(${v.p(`{${o.project_id}}`)}::uuid[]) AND r.purpose = any(${v.p('{test,trial}')}::text[]) AND r.state <> 'reclaimed'
  AND (o.id IS NULL OR o.status NOT IN ('draft', 'submitted', 'in_progress')) GROUP BY 1;`;
  const stepsOf = 'SELECT * FROM order_step WHERE order_id = :o_id ORDER BY seq;';
  const line = t.line;
  const n = t.notification;
  const a = t.audit;

  // The audit entry: the app's content, its chain hash SM3(prev_hash "\n" canonical JSON) computed here.
  const detail = a.detail as Record<string, unknown>;
  const detailParts = canonicalJson({ ...detail, number: 'XNUMBERX' }).split('"XNUMBERX"');
  const detailSql = `${v.p(detailParts[0])}::text || to_json(${num})::text || ${v.p(detailParts[1])}::text`;
  const content = canonicalJson({
    occurredAt: 'XATX',
    actorKind: a.actor_kind,
    actorId: a.actor_id,
    actorName: a.actor_name,
    organisationId: a.organisation_id,
    role: a.role,
    sourceIp: a.source_ip,
    requestId: 'XRIDX',
    action: a.action,
    outcome: a.outcome,
    objectType: a.object_type,
    objectId: 'XOBJX',
    detail: 'XDETAILX',
  });
  const piece: Record<string, string> = {
    XATX: `to_json(to_char(c.at AT TIME ZONE 'UTC', ${v.p('YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')}))::text`,
    XRIDX: 'to_json(c.rid)::text',
    XOBJX: 'to_json(:o_id::text)::text',
    XDETAILX: 'c.detail',
  };
  const contentSql = content
    .split(/"(XATX|XRIDX|XOBJX|XDETAILX)"/)
    .map((part, i) => (i % 2 ? piece[part] : part ? `${v.p(part)}::text` : null))
    .filter(Boolean)
    .join(' || ');
  const hash = crypto ? `encode(${crypto}.digest(${contentSql}, 'sm3'), 'hex')` : v.p(a.entry_hash as string);

  return `-- authentication, outside the transaction (the permission hook's one look-up)
SELECT * FROM session_for_request(${v.p(t.session.id)});
BEGIN;
SELECT set_config('role', 'yunguan_app', true), set_config('yunguan.scope', 'organisation', true),
  set_config('yunguan.organisations', ${v.p(t.organisations)}, true), set_config('yunguan.jurisdictions', '', true);
INSERT INTO idempotency_key (principal, key, request_hash) VALUES (${v.p(t.key.principal)}, 'pgbench-' || gen_random_uuid()::text, ${v.p(
    t.key.request_hash,
  )})
  ON CONFLICT (principal, key) DO NOTHING RETURNING key \\gset idem_
SELECT code FROM jurisdiction WHERE id = ${jur};
${policy.split('\n')[0]}
SELECT * FROM catalogue_version WHERE jurisdiction_id = ${jur} AND status = 'approved' AND effective_from <= ${day} ORDER BY effective_from DESC LIMIT 1;
SELECT * FROM catalogue_item WHERE version_id = ${v.p(line.catalogue_version_id)} ORDER BY position, code;
SELECT * FROM catalogue_price WHERE item_id IN (${t.itemIds.map((id) => v.p(id)).join(', ')}) ORDER BY dimension;
SELECT s.* FROM information_system s WHERE s.id = ${v.p(o.system_id)};
${policy.split('\n')[1]}
${stop}
${projectRow}
${quota}
${usage}
${lingering}
SELECT nextval('resource_order_no_seq')::text AS n \\gset
INSERT INTO resource_order (organisation_id, jurisdiction_id, type, status, title, reason, project_id, system_id, pack_id, pack_version, workflow, term_months, expires_on, parent_order_id, target_resource_ids, green_channel, quota_overrun, temporary_basis, source, placed_by, placed_by_name, submitted_at, closed_at, created_at, updated_at, number)
  VALUES (${org}, ${jur}, ${v.p(o.type)}, 'draft', ${v.p(o.title)}, NULL, ${project}, ${v.p(o.system_id)}, NULL, NULL, '[]', NULL, NULL, NULL, '[]', false, false, NULL, 'unit', ${user}, ${v.p(
    o.placed_by_name,
  )}, NULL, NULL, now(), now(), ${num})
  RETURNING * \\gset o_
INSERT INTO order_line (order_id, organisation_id, jurisdiction_id, line_no, catalogue_item_code, catalogue_version_id, specification, quantity, dimensions, request_form_id, request_form_row_no, target_resource_id)
  VALUES (:o_id, ${org}, ${jur}, 1, ${v.p(line.catalogue_item_code)}, ${v.p(line.catalogue_version_id)}, ${v.p(line.specification)}, ${v.p(
    line.quantity,
  )}, ${v.p(line.dimensions)}, NULL, NULL, NULL)
  RETURNING *;
${evt(t.events[0] as Row, null)}
${lockRow}
${quota}
${usage}
${lingering}
UPDATE resource_order SET status = 'submitted', submitted_at = now(), updated_at = now(), quota_overrun = false, workflow = ${v.p(
    o.workflow,
  )}, pack_id = ${v.p(o.pack_id)}, pack_version = ${v.p(o.pack_version)} WHERE id = :o_id;
INSERT INTO order_step (order_id, organisation_id, jurisdiction_id, ${stepCols.join(', ')}, status, opened_at, due_at, due_day, unconfirmed_years, acted_by, acted_by_name, acted_at, decision, comment, met_deadline, overdue_since, escalated_at, delivered_at)
  VALUES ${stepRows};
${evt(t.events[1] as Row, null)}
INSERT INTO quota_reservation (order_id, organisation_id, jurisdiction_id, project_id, dimension, amount, status, updated_at) VALUES ${resRows};
${stepsOf}
SELECT y.jurisdiction_id, y.status, y.source, y.confirmed_at, y.updated_at, d.day, d.kind, d.holiday_name FROM calendar_year y
  LEFT JOIN calendar_day d ON d.jurisdiction_id = y.jurisdiction_id AND d.day >= ${v.p(`${String(first.due_day).slice(0, 4)}-01-01`)} AND d.day <= ${v.p(
    `${String(first.due_day).slice(0, 4)}-12-31`,
  )}
  WHERE y.jurisdiction_id IN (${jur}) AND y.year = ${v.p(Number(String(first.due_day).slice(0, 4)))} ORDER BY d.day;
UPDATE order_step SET status = 'open', opened_at = now(), handled = false, due_at = ${v.p(first.due_at)}, due_day = ${v.p(
    first.due_day,
  )}, deadline_provisional = false, unconfirmed_years = '[]' WHERE order_id = :o_id AND seq = 1;
${evt(t.events[2] as Row, first.key as string)}
WITH w AS MATERIALIZED (SELECT current_user::text AS role)
  SELECT w.role, now() AS now, CASE WHEN w.role = 'yunguan_app' THEN set_config('role', 'none', true) END AS lifted FROM w;
SELECT u.id AS user_id, o.id AS organisation_id, o.jurisdiction_id, u.email FROM role_assignment ra
  JOIN user_account u ON u.id = ra.user_id JOIN organisation o ON o.id = ra.organisation_id
  WHERE u.disabled_at IS NULL AND o.jurisdiction_id = ${jur} AND ra.role = ${v.p(first.role)} ORDER BY ra.granted_at, u.id \\gset r_
INSERT INTO notification (organisation_id, jurisdiction_id, user_id, event_id, kind, title_zh, title_en, body_zh, body_en, link, entity_type, entity_id, created_at)
  VALUES (:r_organisation_id, :r_jurisdiction_id, :r_user_id, gen_random_uuid(), ${v.p(n.kind)}, ${num} || ${v.p(
    String(n.title_zh).slice(number.length),
  )}, ${num} || ${v.p(String(n.title_en).slice(number.length))}, NULL, NULL, '/orders/' || :o_id::text, 'order', :o_id, now());
SELECT id FROM webhook_subscription WHERE jurisdiction_id = ${jur} AND active = true AND (${v.p(n.kind)} = any(event_kinds) OR '*' = any(event_kinds));
SET LOCAL ROLE yunguan_app;
INSERT INTO audit_event (occurred_at, actor_kind, actor_id, actor_name, organisation_id, role, source_ip, request_id, action, outcome, object_type, object_id, detail, entry_hash)
  SELECT c.at, ${v.p(a.actor_kind)}, ${v.p(a.actor_id)}, ${v.p(a.actor_name)}, ${v.p(a.organisation_id)}, ${v.p(a.role)}, ${v.p(
    a.source_ip,
  )}, c.rid, ${v.p(a.action)}, ${v.p(a.outcome)}, ${v.p(a.object_type)}, :o_id, c.detail::jsonb, ${hash}
  FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS at, gen_random_uuid()::text AS rid, ${detailSql} AS detail) c;
UPDATE idempotency_key SET status_code = 201, response = ${v.p(t.key.response)} WHERE principal = ${v.p(t.key.principal)} AND key = :idem_key;
COMMIT;
`;
}

/** Rows written per order by the app (its template order) and by pgbench (its last order), by table. */
async function sameRows(db: Database<DB>['db'], appOrderId: string, pgbenchFrom: Date) {
  const { rows } = await sql<{ id: string }>`
    select id from resource_order where created_at > ${pgbenchFrom} order by created_at desc limit 1`.execute(db);
  const count = async (id: string | undefined) => {
    if (!id) return null;
    const { rows: r } = await sql<Record<string, number>>`select
      (select count(*)::int from order_line where order_id = ${id}) as lines,
      (select count(*)::int from order_step where order_id = ${id}) as steps,
      (select count(*)::int from order_step where order_id = ${id} and status = 'open') as open_steps,
      (select count(*)::int from order_event where order_id = ${id}) as events,
      (select count(*)::int from quota_reservation where order_id = ${id}) as reservations,
      (select count(*)::int from notification where entity_id = ${id}) as notifications,
      (select count(*)::int from audit_event where object_id = ${id}::text) as audits`.execute(db);
    return r[0];
  };
  const app = await count(appOrderId);
  const pgbench = await count(rows[0]?.id);
  const keys = await sql<{ n: number }>`select count(*)::int as n from idempotency_key
    where key like 'pgbench-%' and status_code = 201`.execute(db);
  return {
    same: !!pgbench && JSON.stringify(app) === JSON.stringify(pgbench) && (keys.rows[0]?.n ?? 0) > 0,
    app,
    pgbench,
  };
}

main().catch((error) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
