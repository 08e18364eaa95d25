import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/helpers.ts';
import type { Database } from '../db/database.ts';
import { ManualClock } from '../time/clock.ts';
import { type Job, jobLockKey, runJobOnce, startJobs } from './jobs.ts';

const log = { info() {}, warn() {}, error() {} };
let database: Database<any>;

beforeAll(async () => {
  database = await testDatabase({ migrate: false });
});
afterAll(async () => {
  await database.close();
});

describe('background jobs', () => {
  it('gives every job name its own stable lock key', () => {
    expect(jobLockKey('orders.deadlines')).toBe(jobLockKey('orders.deadlines'));
    expect(jobLockKey('orders.deadlines')).not.toBe(jobLockKey('notifications.deliveries'));
  });

  it('runs a job with the time it is given', async () => {
    const seen: Date[] = [];
    const job: Job = { name: 'test.now', everyMs: 1000, run: async ({ now }) => void seen.push(now) };
    expect(await runJobOnce(database.db, job, new Date('2026-10-08T01:00:00Z'), log)).toBe(true);
    expect(seen).toEqual([new Date('2026-10-08T01:00:00Z')]);
  });

  it('never runs the same job twice at once: the second instance skips (PostgreSQL) or waits (PGlite)', async () => {
    let active = 0;
    let most = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const job: Job = {
      name: 'test.exclusive',
      everyMs: 1000,
      run: async () => {
        active += 1;
        most = Math.max(most, active);
        await gate;
        active -= 1;
      },
    };
    const first = runJobOnce(database.db, job, new Date(), log);
    await new Promise((r) => setTimeout(r, 50));
    const second = runJobOnce(database.db, job, new Date(), log);
    await new Promise((r) => setTimeout(r, 50));
    release();
    const results = await Promise.all([first, second]);
    expect(most).toBe(1);
    if (database.kind === 'postgres') expect(results).toEqual([true, false]);
    else expect(results).toEqual([true, true]);
  });

  it('without the lock (the embedded database, one process) a run does not hold the session', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const job: Job = { name: 'test.unlocked', everyMs: 1000, run: async () => gate };
    const running = runJobOnce(database.db, job, new Date(), log, { lock: false });
    // While the job waits (on the network, say), other queries go through.
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(rows[0]?.one).toBe(1);
    release();
    expect(await running).toBe(true);
  });

  it('releases the lock when a run fails, so the next tick runs again', async () => {
    let calls = 0;
    const job: Job = {
      name: 'test.failing',
      everyMs: 1000,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
      },
    };
    await expect(runJobOnce(database.db, job, new Date(), log)).rejects.toThrow('boom');
    expect(await runJobOnce(database.db, job, new Date(), log)).toBe(true);
    expect(calls).toBe(2);
  });

  it('runs registered jobs on their interval with the clock, and stop() waits for a running one', async () => {
    const clock = new ManualClock('2026-10-08T01:00:00Z');
    const seen: string[] = [];
    const job: Job = {
      name: 'test.interval',
      everyMs: 20,
      run: async ({ now }) => {
        seen.push(now.toISOString());
        await new Promise((r) => setTimeout(r, 30));
      },
    };
    const runner = startJobs(database.db, [job], clock, log);
    await new Promise((r) => setTimeout(r, 120));
    await runner.stop();
    const count = seen.length;
    expect(count).toBeGreaterThanOrEqual(1);
    expect(seen.every((s) => s === '2026-10-08T01:00:00.000Z')).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(seen.length).toBe(count);
  });
});
