/**
 * npm run bench:federation — how fast the city applies what a district reports, and the end-to-end lag.
 *
 * PostgreSQL (DATABASE_URL or TEST_DATABASE_URL): two fresh databases on that server, `<db>_fed_district` and
 * `<db>_fed_city`, migrated, dropped afterwards. The city's API listens on loopback in this process; the district's
 * sender (the `federation.send` job's code) posts to it over HTTP through the egress guard, as between two machines.
 *   bulk     BENCH_RESOURCES (10,000) resources with their delivery events and BENCH_ROLLUP_RESOURCES (40) x 720
 *            hours of cpu rollups written in the district, then delivered: changes applied per second by the city.
 *   stream   for BENCH_STREAM_SECONDS (10) the district writes a transaction of 20 rollups every 50 ms while the
 *            sender runs every second as the job does: the lag from a change's commit to the city's application
 *            (p50, p99, from the city's `federation_received.lag_ms`, measured to the oldest change of each batch).
 *   baseline the same rows copied between the same two databases by PostgreSQL itself: logical replication when
 *            `wal_level` is `logical`; otherwise (the usual default, `replica`) one `INSERT ... SELECT` per table over
 *            postgres_fdw, which is the fastest PostgreSQL-native copy between two databases without a replication
 *            slot. The JSON says which was used and why.
 * Last line: one JSON object; goal: the city's rate at least half the baseline's.
 */
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import * as fed from '../src/modules/federation/federation.service.ts';
import { deliver } from '../src/modules/federation/index.ts';
import { seedScaleInventory } from '../src/modules/inventory/index.ts';
import { SYSTEM_ACTOR } from '../src/platform/audit/audit.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { systemClock } from '../src/platform/time/clock.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';

const say = (m: string) => process.stderr.write(`${m}\n`);
const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 10_000);
const ROLLUP_RESOURCES = Number(process.env.BENCH_ROLLUP_RESOURCES ?? 40);
const STREAM_SECONDS = Number(process.env.BENCH_STREAM_SECONDS ?? 10);
const log = { info: () => {}, warn: () => {}, error: () => {} };

async function main() {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    say('bench:federation needs PostgreSQL: set DATABASE_URL or TEST_DATABASE_URL');
    process.exit(2);
  }
  const base = new URL(url);
  const stem = base.pathname.slice(1) || 'postgres';
  const names = { district: `${stem}_fed_district`, city: `${stem}_fed_city` };
  const urlOf = (name: string) => {
    const u = new URL(url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  for (const n of Object.values(names)) {
    await admin.query(`drop database if exists ${n} with (force)`);
    await admin.query(`create database ${n}`);
  }
  const district = await openDatabase<DB>({ url: urlOf(names.district), poolSize: 4 });
  const city = await openDatabase<DB>({ url: urlOf(names.city), poolSize: 4 });
  const app = await buildApp({
    config: loadConfig({ YUNGUAN_MAX_EVENT_LOOP_DELAY_MS: '0', YUNGUAN_DATA_DIR: '/tmp/yunguan-bench-unused' }),
    database: city,
    clock: systemClock,
  });
  try {
    say('migrating and seeding both databases ...');
    await Promise.all([migrateToLatest(district.db), migrateToLatest(city.db)]);
    await seedDemo(district.db);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const cityUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const { enrolmentCode } = await city.db
      .transaction()
      .execute((trx) =>
        fed.createDistrict(trx, SYSTEM_ACTOR, { name: 'bench district', districtCode: 'bench' }, new Date()),
      );
    await fed.linkCity(
      district.db,
      SYSTEM_ACTOR,
      { url: cityUrl, enrolmentCode, districtCode: 'bench', allowedNetworks: ['127.0.0.1/32'] },
      new Date(),
    );

    // ---- bulk
    say(`bulk: ${RESOURCES} resources and ${ROLLUP_RESOURCES} x 720 hours of rollups ...`);
    await seedScaleInventory(district.db, SYSTEM_ACTOR, RESOURCES);
    await sql`insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
      select r.id, 'cpu', timestamptz '2026-10-01 00:00+08' + h * interval '1 hour', r.organisation_id, r.jurisdiction_id,
        r.provider_id, (h % 97) * 0.37 + 1.5, 90, 12
      from (select * from resource order by id limit ${ROLLUP_RESOURCES}) r cross join generate_series(0, 719) h`.execute(
      district.db,
    );
    const { rows: pending } = await sql<{ n: string }>`select count(*)::text as n from federation_outbox`.execute(
      district.db,
    );
    const changes = Number(pending[0]?.n);
    const t0 = performance.now();
    for (;;) {
      await deliver({ db: district.db, now: new Date(), log });
      const { rows } = await sql<{ left: string; open: boolean }>`
        select (select count(*) from federation_outbox)::text as left,
          (select sealed_seq > acked_seq from federation_peer) as open`.execute(district.db);
      if (rows[0]?.left === '0' && !rows[0]?.open) break;
    }
    const bulkMs = performance.now() - t0;
    const { rows: applied } = await sql<{ n: string; b: string }>`
      select coalesce(sum(change_count), 0)::text as n, count(*)::text as b from federation_received`.execute(city.db);
    const bulk = {
      changes,
      applied: Number(applied[0]?.n),
      batches: Number(applied[0]?.b),
      ms: Math.round(bulkMs),
      perSecond: Math.round((Number(applied[0]?.n) / bulkMs) * 1000),
    };
    say(`  ${JSON.stringify(bulk)}`);

    // ---- stream
    say(`stream: ${STREAM_SECONDS} s of small transactions, the sender every second ...`);
    const { rows: before } = await sql<{ seq: string }>`select max(seq)::text as seq from federation_received`.execute(
      city.db,
    );
    let writing = true;
    let hour = 720;
    const writer = (async () => {
      while (writing) {
        await sql`insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
          select r.id, 'cpu', timestamptz '2026-10-01 00:00+08' + ${hour}::int * interval '1 hour', r.organisation_id,
            r.jurisdiction_id, r.provider_id, 3.5, 9, 1
          from (select * from resource order by id limit 20) r`.execute(district.db);
        hour++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const sender = (async () => {
      const end = Date.now() + STREAM_SECONDS * 1000;
      while (Date.now() < end + 2000) {
        await deliver({ db: district.db, now: new Date(), log });
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    await new Promise((r) => setTimeout(r, STREAM_SECONDS * 1000));
    writing = false;
    await writer;
    await sender;
    await deliver({ db: district.db, now: new Date(), log });
    const { rows: lags } = await sql<{ lag: string }>`
      select lag_ms::text as lag from federation_received where seq > ${before[0]?.seq ?? '0'} order by lag_ms`.execute(
      city.db,
    );
    const sorted = lags.map((l) => Number(l.lag));
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
    const stream = { batches: sorted.length, transactions: hour - 720, lagP50Ms: pct(50), lagP99Ms: pct(99) };
    say(`  ${JSON.stringify(stream)}`);

    // ---- totals equal
    const totals = async (db: typeof city.db, federated: boolean) => {
      const q = federated
        ? sql<{ r: string; e: string; m: string }>`select
            count(*) filter (where source = 'resource')::text as r, count(*) filter (where source = 'resource_event')::text as e,
            count(*) filter (where source = 'monitoring_rollup')::text as m from federation_record`
        : sql<{ r: string; e: string; m: string }>`select (select count(*) from resource)::text as r,
            (select count(*) from resource_event)::text as e, (select count(*) from monitoring_rollup)::text as m`;
      return (await q.execute(db)).rows[0];
    };
    const equal = JSON.stringify(await totals(city.db, true)) === JSON.stringify(await totals(district.db, false));

    // ---- baseline
    const { rows: wal } = await sql<{ wal_level: string }>`show wal_level`.execute(city.db);
    const walLevel = wal[0]?.wal_level ?? 'unknown';
    say(`baseline: wal_level is ${walLevel} ...`);
    const baseline =
      walLevel === 'logical'
        ? await logicalReplication(city.db, district.db, urlOf(names.district))
        : await fdwCopy(city.db, urlOf(names.district), names.district, walLevel);
    say(`  ${JSON.stringify(baseline)}`);
    const ratio = Number((bulk.perSecond / (baseline.perSecond as number)).toFixed(3));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'federation',
        walLevel,
        bulk,
        stream,
        baseline,
        totalsEqual: equal,
        ratio,
        goal: { ratioAtLeast: 0.5 },
        met: equal && ratio >= 0.5,
      })}\n`,
    );
  } finally {
    await app.close();
    await district.close();
    await city.close();
    for (const n of Object.values(names)) await admin.query(`drop database if exists ${n} with (force)`);
    await admin.end();
  }
}

type Database = Awaited<ReturnType<typeof openDatabase<DB>>>['db'];
const TABLES = ['resource', 'resource_event', 'monitoring_rollup'];

/**
 * Logical replication between the two databases, streaming (no initial copy): the district's rows are written in
 * one transaction into published copies of the three tables, and the time runs from that commit until the city's
 * subscription has applied the last row (PostgreSQL's apply worker, row by row, as a standby city would receive
 * them). The slot is made first: a subscription to a database of the same cluster cannot create its own.
 */
async function logicalReplication(cityDb: Database, districtDb: Database, districtUrl: string) {
  const d = new URL(districtUrl);
  const conninfo = `host=${d.hostname} port=${d.port || '5432'} dbname=${d.pathname.slice(1)} user=${decodeURIComponent(d.username || 'postgres')}${d.password ? ` password=${decodeURIComponent(d.password)}` : ''}`;
  for (const db of [districtDb, cityDb]) {
    await sql.raw('create schema bench_src').execute(db);
    for (const t of TABLES) await sql.raw(`create table bench_src.${t} (like public.${t} including all)`).execute(db);
  }
  await sql
    .raw(`create publication bench_pub for table ${TABLES.map((t) => `bench_src.${t}`).join(', ')}`)
    .execute(districtDb);
  await sql.raw(`select pg_create_logical_replication_slot('bench_slot', 'pgoutput')`).execute(districtDb);
  await sql
    .raw(
      `create subscription bench_sub connection '${conninfo}' publication bench_pub with (create_slot = false, slot_name = 'bench_slot', copy_data = false)`,
    )
    .execute(cityDb);
  try {
    for (let i = 0; i < 200; i++) {
      const { rows } = await sql<{ ready: boolean }>`
        select exists (select 1 from pg_stat_subscription where subname = 'bench_sub' and pid is not null) as ready`.execute(
        cityDb,
      );
      if (rows[0]?.ready) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    let rows = 0;
    await districtDb.transaction().execute(async (trx) => {
      for (const t of TABLES) {
        const res = await sql.raw(`insert into bench_src.${t} select * from public.${t}`).execute(trx);
        rows += Number(res.numAffectedRows ?? 0);
      }
    });
    const b0 = performance.now();
    const count = sql<{
      n: string;
    }>`select (${sql.raw(TABLES.map((t) => `(select count(*) from bench_src.${t})`).join(' + '))})::text as n`;
    for (;;) {
      const { rows: c } = await count.execute(cityDb);
      if (Number(c[0]?.n) >= rows) break;
      if (performance.now() - b0 > 600_000) throw new Error('logical replication did not catch up in 10 minutes');
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - b0;
    return {
      method: 'PostgreSQL logical replication (pgoutput, streaming apply, no initial copy)',
      why: 'wal_level is logical',
      rows,
      ms: Math.round(ms),
      perSecond: Math.round((rows / ms) * 1000),
    };
  } finally {
    await sql.raw('alter subscription bench_sub disable').execute(cityDb);
    await sql.raw('alter subscription bench_sub set (slot_name = none)').execute(cityDb);
    await sql.raw('drop subscription bench_sub').execute(cityDb);
    for (let i = 0; i < 100; i++) {
      try {
        await sql.raw(`select pg_drop_replication_slot('bench_slot')`).execute(districtDb);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // the walsender lets go of the slot a moment later
      }
    }
  }
}

/** Without wal_level=logical: one INSERT ... SELECT per table over postgres_fdw (an upper bound: a bulk copy). */
async function fdwCopy(cityDb: Database, districtUrl: string, districtName: string, walLevel: string) {
  const d = new URL(districtUrl);
  await sql.raw(`create extension if not exists postgres_fdw`).execute(cityDb);
  await sql
    .raw(
      `create server bench_district foreign data wrapper postgres_fdw options (host '${d.hostname}', port '${d.port || '5432'}', dbname '${districtName}')`,
    )
    .execute(cityDb);
  await sql
    .raw(
      `create user mapping for current_user server bench_district options (user '${decodeURIComponent(d.username || 'postgres')}'${d.password ? `, password '${decodeURIComponent(d.password)}'` : ''})`,
    )
    .execute(cityDb);
  await sql.raw(`create schema bench_src; create schema bench_copy`).execute(cityDb);
  await sql
    .raw(`import foreign schema public limit to (${TABLES.join(', ')}) from server bench_district into bench_src`)
    .execute(cityDb);
  let copied = 0;
  const b0 = performance.now();
  for (const table of TABLES) {
    await sql.raw(`create table bench_copy.${table} (like public.${table})`).execute(cityDb);
    const res = await sql.raw(`insert into bench_copy.${table} select * from bench_src.${table}`).execute(cityDb);
    copied += Number(res.numAffectedRows ?? 0);
  }
  const ms = performance.now() - b0;
  return {
    method: 'postgres_fdw INSERT ... SELECT',
    why: `wal_level is ${walLevel}, not logical: logical replication needs a server restart with wal_level=logical`,
    rows: copied,
    ms: Math.round(ms),
    perSecond: Math.round((copied / ms) * 1000),
  };
}

main().catch((error) => {
  say(String(error?.stack ?? error));
  process.exit(1);
});
