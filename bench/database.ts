import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import pg from 'pg';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import type { DB } from '../src/schema.ts';

/**
 * The database a bench runs on: a fresh schema of DATABASE_URL (or TEST_DATABASE_URL), dropped again by
 * `cleanup`, or PGlite when neither is set: in memory, or in BENCH_PGLITE_DIR (on disk, as `npm start` keeps it).
 */
export async function openBenchDatabase(): Promise<{
  database: Database<DB>;
  kind: string;
  cleanup: () => Promise<void>;
  /**
   * PostgreSQL on this machine: a meter of the CPU seconds its backends serving this bench's pool spent
   * (from /proc; `read` answers the total since `start`). Undefined on PGlite (its CPU is the process's own)
   * and when the server's processes cannot be read (another machine).
   */
  databaseCpu?: () => Promise<{ read(): Promise<number> }>;
}> {
  const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase<DB>({ dataDir: process.env.BENCH_PGLITE_DIR });
    return { database, kind: 'pglite', cleanup: () => database.close() };
  }
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  scoped.searchParams.set('application_name', schema);
  // idle connections stay open: a backend that exited mid-run (pg-pool closes idle ones after 10 s, e.g. three
  // of four while one folds) would take its CPU seconds with it before the meter's last reading
  const database = await openDatabase<DB>({ url: scoped.toString(), poolSize: 4, idleTimeoutMs: 0 });
  const backends = async () =>
    (
      await database.db
        .selectFrom(sql<{ pid: number; application_name: string }>`pg_stat_activity`.as('a'))
        .select('a.pid')
        .where('a.application_name', '=', schema)
        .execute()
    ).map((r) => Number(r.pid));
  const readable = (await backends()).every((pid) => existsSync(`/proc/${pid}/stat`));
  return {
    database,
    kind: 'postgres',
    databaseCpu: readable
      ? async () => {
          // per backend: CPU at the start (0 for one that connects later) and the last reading
          const first = new Map<number, number>();
          const last = new Map<number, number>();
          const sample = async () => {
            for (const pid of await backends()) {
              const cpu = processCpuSeconds(pid);
              if (cpu === null) continue;
              if (!first.has(pid)) first.set(pid, started ? 0 : cpu);
              last.set(pid, cpu);
            }
          };
          let started = false;
          await sample();
          started = true;
          return {
            async read() {
              await sample();
              let total = 0;
              for (const [pid, cpu] of last) total += cpu - (first.get(pid) ?? 0);
              return total;
            },
          };
        }
      : undefined,
    cleanup: async () => {
      await database.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds of a process of this machine, null when it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}
