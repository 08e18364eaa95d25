import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../test/helpers.ts';
import { type Database, openDatabase } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';
import { DEMO_PASSWORD } from '../identity/index.ts';
import { project, vm, withSystem } from './orders.fixtures.ts';

// Killing the server (SIGKILL, no shutdown) while transitions are in flight: every order is afterwards in
// the state before or after its transition, never in between, and the audit chain verifies.

const BIN = new URL('../../../bin/yunguan.js', import.meta.url).pathname;
const ORDERS = 40;
let url: string;
let dropDatabase: (() => Promise<void>) | undefined;
let database: Database<DB>;

function env(): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YUNGUAN_') && k !== 'DATABASE_URL' && k !== 'PORT'),
  );
  return { ...clean, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
}

async function serve(): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: env() });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /console and API at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  return { child, base };
}

async function login(base: string, username: string) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const me = (await res.json()) as { csrfToken: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  return (path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

function auditVerify(): Promise<number | null> {
  const child = spawn(process.execPath, [BIN, 'audit', 'verify'], { env: env() });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

beforeAll(async () => {
  const fresh = await testDatabaseUrl();
  url = fresh.url;
  dropDatabase = fresh.drop;
  database = await openDatabase<DB>({ url, poolSize: 2 });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
}, 180_000);

afterAll(async () => {
  await database?.close();
  await dropDatabase?.();
});

describe('killing the server in the middle of transitions', { timeout: 240_000 }, () => {
  it('leaves every order before or after its transition, and the audit chain verifies', async () => {
    const projectId = await project(database.db, 'demo-health', { vcpu: 1000, memory_gb: 2000, storage_gb: 100000 });
    const first = await serve();
    const applicant = await login(first.base, 'applicant');
    const econ = await login(first.base, 'econ');
    const ids: string[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const res = await applicant(
        '/api/v1/orders',
        withSystem({ type: 'emergency', title: `应急资源 ${i}`, projectId, termMonths: 1, lines: [vm(2, 4)] }),
      );
      expect(res.status, await res.clone().text()).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    // The economy & IT authority approves all of them at once; the process dies (SIGKILL) the moment the
    // first approval is answered, so some transitions have committed and the rest are in flight.
    let killed = false;
    const inFlight = ids.map((id) =>
      econ(`/api/v1/orders/${id}/act`, { decision: 'approve', stepKey: 'approval' }).then(
        (r) => {
          if (r.status === 200 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
          return r.status;
        },
        () => 'cut' as const,
      ),
    );
    const outcomes = await Promise.all(inFlight);
    expect(killed).toBe(true);
    // Requests in flight when the process died got no answer.
    expect(outcomes.filter((o) => o === 'cut').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o === 200).length).toBeLessThan(ORDERS);
    expect(outcomes.every((o) => o === 200 || o === 'cut')).toBe(true);

    const { rows } = await sql<{
      id: string;
      status: string;
      approval: string;
      allocation: string;
      done_events: number;
      opened_events: number;
      audits: number;
    }>`
      select o.id, o.status,
        (select status from order_step s where s.order_id = o.id and s.key = 'approval') as approval,
        (select status from order_step s where s.order_id = o.id and s.key = 'allocation') as allocation,
        (select count(*)::int from order_event e where e.order_id = o.id and e.kind = 'step_done') as done_events,
        (select count(*)::int from order_event e where e.order_id = o.id and e.kind = 'step_opened' and e.step_key = 'allocation') as opened_events,
        (select count(*)::int from audit_event a where a.object_id = o.id::text and a.action = 'order.step_done') as audits
      from resource_order o where o.id in (${sql.join(ids)})`.execute(database.db);
    expect(rows).toHaveLength(ORDERS);
    const before = rows.filter((r) => r.approval === 'open');
    const after = rows.filter((r) => r.approval === 'done');
    expect(before.length + after.length).toBe(ORDERS);
    // Both outcomes occur: the kill fell between transitions, not before or after all of them.
    expect(after.length).toBeGreaterThanOrEqual(outcomes.filter((o) => o === 200).length);
    expect(after.length).toBeGreaterThan(0);
    expect(before.length).toBeGreaterThan(0);
    for (const r of before) {
      expect(r).toMatchObject({
        status: 'submitted',
        allocation: 'pending',
        done_events: 0,
        opened_events: 0,
        audits: 0,
      });
    }
    for (const r of after) {
      expect(r).toMatchObject({
        status: 'in_progress',
        allocation: 'open',
        done_events: 1,
        opened_events: 1,
        audits: 1,
      });
    }
    expect(await auditVerify()).toBe(0);

    // After a restart the interrupted ones simply go on.
    const second = await serve();
    try {
      const econAgain = await login(second.base, 'econ');
      for (const r of before) {
        const res = await econAgain(`/api/v1/orders/${r.id}/act`, { decision: 'approve', stepKey: 'approval' });
        expect(res.status, await res.clone().text()).toBe(200);
      }
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await auditVerify()).toBe(0);
  });
});
