/**
 * One API instance's delivery job for bench:outbox, in a process of its own (as on a real node): connects,
 * says "ready", waits for "go" on stdin, runs the job tick after tick until a run finds nothing due, and
 * prints one JSON line with its start and end (epoch ms) and what it attempted.
 */
import { createInterface } from 'node:readline';
import { deliveryJob } from '../src/modules/notifications/index.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { type Job, runJobOnce } from '../src/platform/jobs/jobs.ts';
import type { DB } from '../src/schema.ts';
import { serialDeliveryJob } from './outbox-baseline.ts';

const url = process.env.BENCH_WORKER_URL as string;
const mode = process.env.BENCH_WORKER_MODE as 'serial' | 'parallel';
const mail = { smtpUrl: process.env.BENCH_WORKER_SMTP as string, from: 'Yunguan <noreply@yunguan.bench>' };
const log = { info() {}, warn() {}, error() {} };

const database = await openDatabase<DB>({ url, poolSize: 10 });
const inner: Job<DB> = mode === 'serial' ? serialDeliveryJob({ mail }) : deliveryJob({ mail });
let last: { attempted: number } = { attempted: 0 };
const job: Job<DB> = { ...inner, run: async (ctx) => (last = (await inner.run(ctx)) as { attempted: number }) };

process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
const started = Date.now();
let attempted = 0;
let idle = 0;
// Ticks back to back (the real job waits 15 s between ticks; the serial one needs a tick per 100 deliveries).
// Two empty ticks in a row end it: with two instances, the other may still be recording its last batch.
while (idle < 2) {
  last = { attempted: 0 };
  const ran = await runJobOnce(database.db, job, new Date(), log);
  attempted += last.attempted;
  idle = ran && last.attempted === 0 ? idle + 1 : 0;
  if (!ran) await new Promise((r) => setTimeout(r, 5));
}
const finished = Date.now();
process.stdout.write(`${JSON.stringify({ started, finished, attempted })}\n`);
await database.close();
process.exit(0);
