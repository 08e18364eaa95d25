import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testDatabaseUrl } from '../../../test/helpers.ts';
import { type Database, openDatabase } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';
import { DEMO_PASSWORD } from '../identity/index.ts';
import { encodeWriteRequest, snappyEncode } from './monitoring.wire.ts';

// A remote-write answered 204 is durable: the server is killed (SIGKILL) before its fold job ever ran, and the
// restarted server's fold job rolls the staged samples up, exactly once. On PGlite (a data folder) in `npm test`,
// on PostgreSQL in `npm run test:pg`.

const BIN = new URL('../../../bin/yunguan.js', import.meta.url).pathname;
const REQUESTS = 8;
const VMS = 50;
const HOUR = 3_600_000;
let target: { url: string } | { dataDir: string };
let cleanup: () => Promise<void>;

function env(foldSeconds: number): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YUNGUAN_') && k !== 'DATABASE_URL' && k !== 'PORT'),
  );
  return {
    ...clean,
    ...('url' in target ? { DATABASE_URL: target.url } : { YUNGUAN_DATA_DIR: target.dataDir }),
    YUNGUAN_SEED_DEMO: 'false',
    YUNGUAN_MONITORING_FOLD_SECONDS: String(foldSeconds),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
}

/** `yunguan serve`; resolves with its URL and a way to wait for a line of its output. */
async function serve(foldSeconds: number) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], { env: env(foldSeconds) });
  let out = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    out += d;
    for (const w of waiters.filter((x) => x.re.test(out))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const base = await new Promise<string>((resolve, reject) => {
    waiters.push({
      re: /console and API at (http:\/\/\S+)/,
      resolve: () => resolve((/console and API at (http:\/\/\S+)/.exec(out) as RegExpExecArray)[1] as string),
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
  const waitFor = (re: RegExp, ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (re.test(out)) return resolve();
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms: ${out.slice(-2000)}`)), ms);
      waiters.push({
        re,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, base, waitFor, exited };
}

async function withDatabase<T>(fn: (db: Database<DB>['db']) => Promise<T>): Promise<T> {
  const database = await openDatabase<DB>('url' in target ? { url: target.url, poolSize: 2 } : target);
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) {
    const fresh = await testDatabaseUrl();
    target = { url: fresh.url };
    cleanup = fresh.drop;
  } else {
    const dir = await tempDir('yunguan-kill-');
    target = { dataDir: dir.path };
    cleanup = dir.remove;
  }
  await withDatabase(async (db) => {
    await migrateToLatest(db);
    await seedDemo(db);
    await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id,
        state, delivered_at)
      select (select id from organisation where code = 'demo-health'), (select id from jurisdiction where code = 'demo-city'),
        (select id from organisation where code = 'demo-provider-a'), 'ecs', 'k-' || i, 'k-' || i, 'active',
        now() - interval '60 days'
      from generate_series(1, ${VMS}) i`.execute(db);
  });
}, 180_000);

afterAll(async () => {
  await cleanup?.();
});

describe('killing the server with samples staged but not folded', { timeout: 240_000 }, () => {
  it('keeps every answered batch and folds it after the restart, once', async () => {
    // the fold job would first run after an hour: nothing is folded before the kill
    const first = await serve(3600);
    const login = await fetch(`${first.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'provideradmin', password: DEMO_PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await fetch(`${first.base}/api/v1/api-tokens`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent', scopes: ['monitoring:ingest'], expiresInDays: 1 }),
    });
    const { token } = (await created.json()) as { token: string };
    const at = Math.max(Math.floor(Date.now() / HOUR) * HOUR, Date.now() - 30 * 60_000) + 1000;
    for (let r = 0; r < REQUESTS; r++) {
      const body = encodeWriteRequest(
        Array.from({ length: VMS }, (_, i) => ({
          labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: `k-${i + 1}` },
          samples: [{ value: r + 1, timestamp: Math.min(at + r * 15, Date.now()) }],
        })),
      );
      const res = await fetch(`${first.base}/api/v1/monitoring/remote-write`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf' },
        body: Buffer.from(snappyEncode(body)),
      });
      expect(res.status, await res.text()).toBe(204);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await withDatabase(async (db) => {
      const { rows } = await sql<{ staged: string; rolled: string }>`select
        (select count(*) from monitoring_staged)::text as staged, (select count(*) from monitoring_rollup)::text as rolled`.execute(
        db,
      );
      return rows[0];
    });
    expect(before).toEqual({ staged: String(REQUESTS), rolled: '0' });

    // restarted with a fold every second: the job finds the staged batches
    const second = await serve(1);
    await second.waitFor(/monitoring fold/, 60_000);
    second.child.kill('SIGTERM');
    await second.exited;
    const after = await withDatabase(async (db) => {
      const { rows } = await sql<{ staged: string; resources: string; count: string; sum: number }>`select
        (select count(*) from monitoring_staged)::text as staged, count(distinct resource_id)::text as resources,
        sum(count)::text as count, sum(sum) as sum
        from monitoring_rollup where metric = 'cpu'`.execute(db);
      return rows[0];
    });
    // every VM got REQUESTS samples of 1..REQUESTS
    expect(after).toEqual({
      staged: '0',
      resources: String(VMS),
      count: String(VMS * REQUESTS),
      sum: (VMS * REQUESTS * (REQUESTS + 1)) / 2,
    });
  });
});
