import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { classifyDatabaseError } from '../db/availability.ts';
import type { Clock } from '../time/clock.ts';

export interface JobContext<DB> {
  db: Kysely<DB>;
  now: Date;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** aborted when the process is stopping: a job that loops (draining a queue) stops between batches */
  signal?: AbortSignal;
}

/**
 * A periodic background task (deadline sweeps, expiry notices, webhook retries, detection). Its state
 * lives in the database, never in timers, so a restart loses nothing: the next run picks up what is due.
 * `run` must be idempotent: running it twice for the same `now` changes nothing the second time.
 */
export interface Job<DB = any> {
  name: string;
  everyMs: number;
  /**
   * false: every instance runs it at once (no advisory lock), because the job divides the work itself
   * (the notification outbox claims rows with FOR UPDATE SKIP LOCKED). Default true: one instance at a time.
   */
  exclusive?: boolean;
  run(ctx: JobContext<DB>): Promise<unknown>;
}

/** 64-bit advisory lock key of a job name: the same on every instance. */
export function jobLockKey(name: string): bigint {
  return createHash('sha256').update(`yunguan-job:${name}`).digest().readBigInt64BE(0);
}

/**
 * Runs `job` once if no other instance is running it right now: the run holds a session advisory lock
 * (pg_try_advisory_lock) on a connection of its own, so with several API nodes on one PostgreSQL only
 * one sweeps at a time; the others skip that tick. Returns false when it skipped.
 */
export async function runJobOnce<DB>(
  db: Kysely<DB>,
  job: Job<DB>,
  now: Date,
  log: JobContext<DB>['log'],
  options: { lock?: boolean; signal?: AbortSignal } = {},
): Promise<boolean> {
  const { signal } = options;
  // The embedded database is one session in one process (its data folder is locked to it): there is no
  // other instance to exclude, and holding its only session for a whole run would stall every request
  // while a job waits on the network (a webhook, an SMTP server).
  if (options.lock === false || job.exclusive === false) {
    await job.run({ db, now, log, signal });
    return true;
  }
  const key = jobLockKey(job.name).toString();
  return db.connection().execute(async (conn) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${key}::bigint) as locked`.execute(
      conn,
    );
    if (!rows[0]?.locked) return false;
    try {
      await job.run({ db: conn, now, log, signal });
    } finally {
      // When the connection died under the job (PostgreSQL restarted), the server already dropped the
      // session and its lock, and the pool discards the broken client: the unlock's failure is expected
      // and must not hide the job's own error.
      await sql`select pg_advisory_unlock(${key}::bigint)`.execute(conn).catch((error: unknown) => {
        log.warn({ job: job.name, err: error }, 'job lock not released: its connection is gone, and the lock with it');
      });
    }
    return true;
  });
}

export interface JobRunner {
  stop(): Promise<void>;
}

/** Starts every job on its own interval (first run after one interval); `stop` waits for running ones. */
export function startJobs<DB>(
  db: Kysely<DB>,
  jobs: readonly Job<DB>[],
  clock: Clock,
  log: JobContext<DB>['log'],
  options: { lock?: boolean } = {},
): JobRunner {
  const running = new Set<Promise<unknown>>();
  const stopping = new AbortController();
  let stopped = false;
  // Within one process a job never overlaps itself (PGlite's single session would re-enter the lock).
  const busy = new Set<string>();
  const timers = jobs.map((job) =>
    setInterval(() => {
      if (stopped || busy.has(job.name)) return;
      busy.add(job.name);
      const run = runJobOnce(db, job, clock.now(), log, { ...options, signal: stopping.signal })
        .catch((error: unknown) => {
          const unavailable = classifyDatabaseError(error);
          if (unavailable) log.warn({ job: job.name, reason: unavailable }, 'background job skipped this tick');
          else log.error({ err: error, job: job.name }, 'background job failed');
        })
        .finally(() => {
          busy.delete(job.name);
          running.delete(run);
        });
      running.add(run);
    }, job.everyMs),
  );
  for (const t of timers) t.unref();
  return {
    async stop() {
      stopped = true;
      stopping.abort();
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}
