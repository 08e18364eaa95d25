/**
 * npm run bench:outbox — draining the notification outbox: 10,000 deliveries (BENCH_DELIVERIES), half
 * e-mail, half webhook, against a local SMTP sink and a local webhook receiver started here.
 *
 * PostgreSQL only (DATABASE_URL or TEST_DATABASE_URL; a fresh schema, dropped afterwards): two instances
 * need a shared database. Each instance is a process of its own (bench/outbox-worker.ts). Three phases on the
 * same database, sinks and kind of work, measured from "go" to the last instance's end:
 *   baseline  the job as it was (bench/outbox-baseline.ts, verbatim): one at a time, one instance, on
 *             BENCH_BASELINE_DELIVERIES (default 500: its cost per delivery is constant, one at a time and
 *             one transaction each, so its rate on 500 is its rate on 10,000; set 10000 to measure it all,
 *             about 20 minutes);
 *   one       today's job, one instance, all deliveries;
 *   two       today's job, two instances at once, all deliveries again.
 * Both sinks answer after BENCH_SINK_LATENCY_MS (default 100 ms: the review measured about 105 ms per
 * e-mail against its relay; 0 for a pure CPU comparison); every phase pays the same. Every phase writes the same rows:
 * the delivery's state, its attempt and an audit entry. The database's CPU is spent in the same
 * PostgreSQL for all. Checks: every delivery delivered exactly once (receivers count distinct ids).
 * Last line: one JSON object with the rates and the ratios (goal: one >= 20x baseline, two > one).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { sealSecret } from '../src/platform/crypto.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import type { DB } from '../src/schema.ts';

const say = (m: string) => process.stderr.write(`${m}\n`);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 10_000);
const BASELINE = Number(process.env.BENCH_BASELINE_DELIVERIES ?? Math.min(500, DELIVERIES));
const LATENCY = Number(process.env.BENCH_SINK_LATENCY_MS ?? 100);

async function main() {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    say('bench:outbox needs PostgreSQL (two instances share one database): set DATABASE_URL or TEST_DATABASE_URL');
    process.exit(2);
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const database = await openDatabase<DB>({ url: scoped.toString(), poolSize: 4 });

  // ---- the sinks: count distinct delivery ids, answer after the latency
  const seen = new Set<string>();
  let duplicates = 0;
  const count = (id: string | undefined) => {
    if (!id) return;
    if (seen.has(id)) duplicates++;
    else seen.add(id);
  };
  const later = (fn: () => void) => (LATENCY > 0 ? setTimeout(fn, LATENCY) : setImmediate(fn));
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count(req.headers['x-yunguan-delivery'] as string | undefined);
      later(() => res.writeHead(200).end('ok'));
    });
  });
  receiver.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 1000,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('utf8');
      });
      stream.on('end', () => {
        count(/^X-Yunguan-Delivery: (\S+)/im.exec(head)?.[1]);
        later(() => callback());
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  try {
    say(`migrating a fresh schema ${schema}`);
    await migrateToLatest(database.db);
    const { rows } = await sql<{ id: string }>`
      insert into jurisdiction (code, name, name_en, kind) values ('bench-city', '基准市', 'Bench City', 'city')
      returning id`.execute(database.db);
    const jurisdictionId = rows[0]?.id as string;
    await sql`insert into webhook_egress_policy (jurisdiction_id, allowed_hosts, allowed_networks, updated_by)
              values (${jurisdictionId}, '{127.0.0.1}', '{127.0.0.1/32}', 'bench')`.execute(database.db);
    const sub = await sql<{ id: string }>`
      insert into webhook_subscription (jurisdiction_id, name, url, event_kinds, secret_sealed, created_by)
      values (${jurisdictionId}, 'bench', ${hookUrl}, '{*}', ${sealSecret('whsec_bench')}, 'bench') returning id`.execute(
      database.db,
    );
    const subscriptionId = sub.rows[0]?.id as string;

    /** n deliveries, every other one an e-mail: one statement. */
    const enqueue = async (n: number) => {
      await sql`
        insert into notification_delivery (channel, jurisdiction_id, event_id, kind, subscription_id, recipient, payload)
        select case when i % 2 = 0 then 'email' else 'webhook' end, ${jurisdictionId}::uuid, gen_random_uuid(),
               'order.submitted', case when i % 2 = 1 then ${subscriptionId}::uuid end,
               case when i % 2 = 0 then 'unit' || i || '@yunguan.bench' end,
               case when i % 2 = 0 then jsonb_build_object('subject', '订单已提交 ' || i, 'text', '您的订单已提交，等待审核。')
                    else jsonb_build_object('id', gen_random_uuid(), 'kind', 'order.submitted', 'title', '订单已提交 ' || i) end
          from generate_series(1, ${n}) as i`.execute(database.db);
    };

    const phase = async (name: string, instances: number, mode: 'serial' | 'parallel', n: number) => {
      await enqueue(n);
      seen.clear();
      duplicates = 0;
      say(`${name}: ${n} deliveries, ${instances} instance(s), ${mode}`);
      const results = await runWorkers(instances, mode, scoped.toString(), smtpUrl);
      const ms = Math.max(...results.map((r) => r.finished)) - Math.min(...results.map((r) => r.started));
      const left = await sql<{
        n: string;
      }>`select count(*) as n from notification_delivery where status <> 'delivered'`.execute(database.db);
      const pending = Number(left.rows[0]?.n ?? 0);
      const perSecond = Number(((n / ms) * 1000).toFixed(1));
      say(`  ${ms} ms, ${perSecond}/s, received ${seen.size} distinct, ${duplicates} twice, ${pending} not delivered`);
      if (pending > 0 || seen.size !== n)
        throw new Error(`${name}: ${pending} not delivered, ${seen.size} of ${n} received`);
      return { deliveries: n, instances, ms, perSecond, duplicates };
    };

    const baseline = await phase('baseline (the job before: one at a time)', 1, 'serial', BASELINE);
    const one = await phase('today, one instance', 1, 'parallel', DELIVERIES);
    const two = await phase('today, two instances', 2, 'parallel', DELIVERIES);
    const speedup = Number((one.perSecond / baseline.perSecond).toFixed(1));
    const twoOverOne = Number((two.perSecond / one.perSecond).toFixed(2));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'outbox',
        sinkLatencyMs: LATENCY,
        baseline,
        one,
        two,
        speedup,
        twoOverOne,
        goal: { speedupAtLeast: 20, twoFasterThanOne: true },
        met: speedup >= 20 && twoOverOne > 1,
      })}\n`,
    );
  } finally {
    await database.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}

interface WorkerResult {
  started: number;
  finished: number;
  attempted: number;
}

/** Starts the workers, waits until all are connected, says "go" to all at once, collects their lines. */
async function runWorkers(count: number, mode: string, url: string, smtpUrl: string): Promise<WorkerResult[]> {
  const here = path.dirname(new URL(import.meta.url).pathname);
  const workers = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', path.join(here, 'outbox-worker.ts')], {
      env: { ...process.env, BENCH_WORKER_URL: url, BENCH_WORKER_MODE: mode, BENCH_WORKER_SMTP: smtpUrl },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const lines = workers.map((w) => {
    let buffer = '';
    const waiting: ((line: string) => void)[] = [];
    w.stdout.on('data', (c: Buffer) => {
      if (process.env.BENCH_DEBUG) say(`worker: ${c.toString()}`);
      buffer += c.toString('utf8');
      let i = buffer.indexOf('\n');
      while (i >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        waiting.shift()?.(line);
        i = buffer.indexOf('\n');
      }
    });
    return () => new Promise<string>((resolve) => waiting.push(resolve));
  });
  // Each worker prints two lines: "ready", then its result.
  const ready = lines.map((next) => next());
  const results = lines.map((next) => next());
  await Promise.all(ready);
  for (const w of workers) w.stdin.end('go\n');
  const done = await Promise.all(results);
  await Promise.all(
    workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.on('exit', resolve)))),
  );
  return done.map((line) => JSON.parse(line) as WorkerResult);
}

await main();
