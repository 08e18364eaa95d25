import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedScaleInventory } from '../src/modules/inventory/index.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';
import { testDatabaseUrl } from './helpers.ts';
import { serve } from './processes.ts';
import { DEMO_PASSWORD, enableTotp, totpCode } from './sessions.ts';
import { pgliteTemplate } from './templates.ts';

// Issue 22's acceptance: two installations on loopback, two processes (`yunguan serve`), two databases. The
// city runs on the embedded database (PGlite) in a data folder of its own, the district on PostgreSQL. The
// district's work is written into its database by this test (the inventory's scale seed and a month of cpu
// rollups), as its own services would: the outbox triggers see every change whoever makes it.

type Server = Awaited<ReturnType<typeof serve>>;
const RESOURCES = 10_000;
const ROLLUP_RESOURCES = 40;
const HOURS = 30 * 24;

let cityDir: string;
let city: Server | undefined;
let districtDb: { url: string; drop(): Promise<void> };
let district: Server | undefined;
let direct: Database<DB>;
let cityPort: string | undefined;
// The city comes back on the same port: the district's link names its address.
const cityEnv = (): Record<string, string> => ({
  YUNGUAN_DATA_DIR: cityDir,
  YUNGUAN_EMBEDDED_TEMPLATE: 'false',
  YUNGUAN_SEED_DEMO: 'false',
  ...(cityPort ? { PORT: cityPort } : {}),
});
const districtEnv = () => ({ DATABASE_URL: districtDb.url, YUNGUAN_SEED_DEMO: 'false' });

async function signIn(url: string, username: string, totp?: string) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD, totp }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  return async (method: string, route: string, body?: unknown) => {
    const answer = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await answer.text();
    return { status: answer.status, json: text ? JSON.parse(text) : null };
  };
}

interface Summary {
  resources: number;
  lifecycleEvents: number;
  rollups: number;
  rollupSamples: number;
  cpuAverage: string | null;
  appliedSeq: number;
  batchesApplied: number;
  changesApplied: number;
  lagMs: number | null;
}

async function cityTotals(): Promise<Summary> {
  const reviewer = await signIn((city as Server).url, 'reviewer');
  const res = await reviewer('GET', '/federation/districts');
  expect(res.status).toBe(200);
  return res.json[0];
}

async function districtTotals() {
  const { rows } = await sql<{
    resources: string;
    events: string;
    rollups: string;
    samples: string;
    cpu: string;
    sealed: string;
    acked: string;
    acked_changes: string;
    outbox: string;
  }>`select (select count(*) from resource)::text as resources,
      (select count(*) from resource_event)::text as events,
      (select count(*) from monitoring_rollup)::text as rollups,
      (select sum(count) from monitoring_rollup)::text as samples,
      (select (sum(sum)::numeric / sum(count))::numeric(20, 4)::text from monitoring_rollup where metric = 'cpu') as cpu,
      (select sealed_seq::text from federation_peer where direction = 'city') as sealed,
      (select acked_seq::text from federation_peer where direction = 'city') as acked,
      (select coalesce(sum(change_count), 0)::text from federation_batch where acked_at is not null) as acked_changes,
      (select count(*)::text from federation_outbox) as outbox`.execute(direct.db);
  return rows[0] as NonNullable<(typeof rows)[0]>;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, seconds = 120): Promise<T> {
  for (let i = 0; i < seconds * 4; i++) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}: ${await explain()}`);
}

/** Where the district's delivery stands: its totals and the link's attempts and last error. */
async function explain(): Promise<string> {
  try {
    const { rows } = await sql<{
      attempts: number;
      next_attempt_at: Date | null;
      last_error: string | null;
    }>`select attempts, next_attempt_at, last_error from federation_peer where direction = 'city'`.execute(direct.db);
    return JSON.stringify({ district: await districtTotals(), link: rows[0], at: new Date().toISOString() });
  } catch (error) {
    return `(the district's state could not be read: ${(error as Error).message})`;
  }
}

/** Delivered: the outbox is empty and every sealed batch acknowledged. */
const drained = async () => {
  const d = await districtTotals();
  return d.outbox === '0' && d.sealed === d.acked ? d : undefined;
};

async function rollups(fromHour: number, hours: number) {
  await sql`insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
    select r.id, 'cpu', timestamptz '2026-10-01 00:00+08' + h * interval '1 hour', r.organisation_id, r.jurisdiction_id,
      r.provider_id, ((h * 7 + r.n) % 97) * 0.37 + 1.5, 90, 12
    from (select *, row_number() over (order by id) as n from resource order by id limit ${ROLLUP_RESOURCES}) r
      cross join generate_series(${fromHour}::int, ${fromHour + hours - 1}::int) h`.execute(direct.db);
}

function expectEqual(c: Summary, d: Awaited<ReturnType<typeof districtTotals>>) {
  expect(c.resources).toBe(Number(d.resources));
  expect(c.lifecycleEvents).toBe(Number(d.events));
  expect(c.rollups).toBe(Number(d.rollups));
  expect(c.rollupSamples).toBe(Number(d.samples));
  expect(c.cpuAverage).toBe(d.cpu);
  // nothing applied twice: one application per sequence number, and the changes the district had
  // acknowledged are exactly the changes the city applied
  expect(c.appliedSeq).toBe(Number(d.acked));
  expect(c.batchesApplied).toBe(Number(d.acked));
  expect(c.changesApplied).toBe(Number(d.acked_changes));
}

beforeAll(async () => {
  // The city: an embedded database prepared in its folder (migrated, demo reference data, a known TOTP).
  cityDir = mkdtempSync(path.join(tmpdir(), 'yunguan-city-'));
  const prepared = await openDatabase<DB>({
    dataDir: cityDir,
    loadDataDir: new Blob([readFileSync(await pgliteTemplate())]),
  });
  await migrateToLatest(prepared.db);
  await seedDemo(prepared.db);
  await enableTotp(prepared.db, 'sysadmin');
  await prepared.close();
  // The district: PostgreSQL.
  districtDb = await testDatabaseUrl();
  direct = await openDatabase<DB>({ url: districtDb.url, poolSize: 2 });
  await seedDemo(direct.db);
  await enableTotp(direct.db, 'sysadmin');
  [city, district] = await Promise.all([serve(cityEnv()), serve(districtEnv())]);
  cityPort = new URL(city.url).port;
}, 300_000);

afterAll(async () => {
  await district?.stop();
  await city?.stop();
  await direct?.close();
  await districtDb?.drop();
  if (cityDir) rmSync(cityDir, { recursive: true, force: true });
});

it('delivers 10,000 resources and a month of rollups; survives the city stopping and the district being killed', async () => {
  const c = city as Server;
  const d = district as Server;
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  const citySys = await signIn(c.url, 'sysadmin', await totpCode(secret));
  const made = await citySys('POST', '/federation/districts', {
    name: '东城区政务云',
    districtCode: 'east',
    url: d.url,
    allowedNetworks: ['127.0.0.1/32'],
  });
  expect(made.status).toBe(201);
  const districtSys = await signIn(d.url, 'sysadmin', await totpCode(secret, 1));
  const linked = await districtSys('POST', '/federation/city', {
    url: c.url,
    enrolmentCode: made.json.enrolmentCode,
    districtCode: 'east',
    allowedNetworks: ['127.0.0.1/32'],
  });
  expect(linked.status).toBe(201);

  // 1. the bulk: 10,000 resources (each with its delivery event) and 30 days x 24 hours of cpu rollups
  await seedScaleInventory(direct.db, SYSTEM_ACTOR, RESOURCES);
  await rollups(0, HOURS);
  const first = await waitFor('the first delivery', drained, 180);
  expect(Number(first.resources)).toBe(RESOURCES);
  expectEqual(await cityTotals(), first);

  // 2. the city stops; the district keeps working
  await c.stop();
  await seedScaleInventory(direct.db, SYSTEM_ACTOR, RESOURCES + 4000);
  await rollups(HOURS, 24 * 5);
  await waitFor('a failed attempt', async () => {
    const { rows } = await sql<{ attempts: number }>`select attempts from federation_peer`.execute(direct.db);
    return (rows[0]?.attempts ?? 0) >= 2;
  });
  city = await serve(cityEnv());
  // the sender is in back-off (at most a minute); it resumes on its own. Killed mid-delivery:
  const before = await districtTotals();
  await waitFor(
    'delivery under way',
    async () => {
      const now = await districtTotals();
      // changes left in the outbox, or batches sealed ahead and not yet acknowledged (the sender seals one ahead)
      return Number(now.acked) > Number(before.acked) && (now.outbox !== '0' || Number(now.sealed) > Number(now.acked));
    },
    // the back-off reached while the city was away is up to a minute, and a send that times out (30 s) waits its
    // back-off again: a loaded CI machine saw 120 s pass with no acknowledgement (a timeout prints the link's state)
    300,
  );
  d.child.kill('SIGKILL');
  await new Promise((r) => d.child.once('exit', r));
  const killedAt = await districtTotals();
  // killed mid-delivery: changes still in the outbox or sealed batches not yet acknowledged
  expect(killedAt.outbox !== '0' || Number(killedAt.sealed) > Number(killedAt.acked), JSON.stringify(killedAt)).toBe(
    true,
  );
  district = await serve(districtEnv());
  const second = await waitFor('delivery after the restarts', drained, 180);
  expect(Number(second.resources)).toBe(RESOURCES + 4000);
  expectEqual(await cityTotals(), second);

  // 3. the lag returns to seconds: a fresh change arrives within seconds
  await seedScaleInventory(direct.db, SYSTEM_ACTOR, RESOURCES + 4001);
  const third = await waitFor('a fresh change', async () => {
    const t = await drained();
    return t && t.resources === String(RESOURCES + 4001) ? t : undefined;
  });
  const last = await cityTotals();
  expectEqual(last, third);
  expect(last.lagMs).not.toBeNull();
  expect(last.lagMs as number).toBeLessThan(5_000);
}, 900_000);
