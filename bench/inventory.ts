import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { seedScaleInventory } from '../src/modules/inventory/index.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { seedDemo } from '../src/seed.ts';
import { openBenchDatabase } from './database.ts';

const say = (m: string) => process.stderr.write(`${m}\n`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main() {
  const count = Math.round(100_000 * Number(process.env.BENCH_SCALE ?? 1));
  const { database, kind, cleanup } = await openBenchDatabase();
  try {
    await migrateToLatest(database.db);
    await seedDemo(database.db);
    let t0 = performance.now();
    const made = await seedScaleInventory(database.db, SYSTEM_ACTOR, count);
    const seedMs = Math.round(performance.now() - t0);
    say(`seeded ${made} resources in ${seedMs} ms (${kind})`);
    const app = await buildApp({
      config: loadConfig({ YUNGUAN_DATA_DIR: path.join(tmpdir(), 'yunguan-bench-unused') }),
      database,
    });
    await app.ready();
    const cookies: Record<string, string> = {};
    for (const user of ['applicant', 'provider', 'reviewer']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user, password: DEMO_PASSWORD },
      });
      const header = res.headers['set-cookie'];
      cookies[user] = String(Array.isArray(header) ? header[0] : header).split(';')[0] as string;
    }
    const queries: [string, string, string][] = [
      ['unit_first_page', 'applicant', 'limit=50'],
      ['provider_first_page', 'provider', 'limit=50'],
      ['ops_first_page', 'reviewer', 'limit=50'],
      ['ops_deep_page', 'reviewer', 'limit=50&offset=50000'],
      ['ops_filtered', 'reviewer', 'limit=50&state=active&item=database-server&purpose=formal'],
      ['ops_text', 'reviewer', 'limit=50&q=vm-0999'],
      ['ops_sort_name', 'reviewer', 'limit=50&sort=name&order=asc'],
    ];
    const result: Record<string, unknown> = { bench: 'inventory', database: kind, resources: made, seedMs };
    for (const [name, user, qs] of queries) {
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < 5; i++) {
        t0 = performance.now();
        const res = await app.inject({
          url: `/api/v1/inventory/resources?${qs}`,
          headers: { cookie: cookies[user] as string },
        });
        times.push(performance.now() - t0);
        if (res.statusCode !== 200) throw new Error(`${name}: ${res.statusCode} ${res.body}`);
        total = res.json().total;
      }
      result[`${name}Ms`] = Math.round(median(times));
      result[`${name}Total`] = total;
    }
    await app.close();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  say(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
