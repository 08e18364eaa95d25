import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** A connected database: the Kysely handle plus what health checks and metrics need to know. */
export interface Database<DB> {
  readonly kind: DatabaseKind;
  readonly db: Kysely<DB>;
  poolStats(): PoolStats;
  /** Cheap round trip; rejects when the database cannot be reached within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { url: string; poolSize?: number; connectionTimeoutMs?: number }
  | { dataDir: string | undefined };

// Type OIDs whose default JavaScript mapping loses information: int8 and numeric must stay exact
// (money, counters), and a calendar `date` must not become a Date at local midnight.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const exactParsers: Record<number, (value: string) => unknown> = {
  [INT8]: (value) => BigInt(value),
  [NUMERIC]: (value) => value,
  [DATE]: (value) => value,
};

export async function openDatabase<DB>(target: DatabaseTarget): Promise<Database<DB>> {
  return 'url' in target
    ? openPostgres<DB>(target.url, target.poolSize ?? 10, target.connectionTimeoutMs ?? 20_000)
    : openPGlite<DB>(target.dataDir);
}

async function openPostgres<DB>(url: string, poolSize: number, connectionTimeoutMs: number): Promise<Database<DB>> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // How long a request waits for a free connection before it is answered 503 service_busy: a burst of
    // several hundred concurrent orders on a small pool queues here rather than failing.
    connectionTimeoutMillis: connectionTimeoutMs,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        exactParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its server emits 'error'; without a listener that would end the process.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: (timeoutMs = 2_000) => withTimeout(sql`select 1`.execute(db), timeoutMs),
    close: () => db.destroy(),
  };
}

async function openPGlite<DB>(dataDir: string | undefined): Promise<Database<DB>> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // pg_trgm: the inventory's text search index (migration 0014); an extension must be loaded to be created.
  const pglite = await PGlite.create({ dataDir, parsers: exactParsers, extensions: { pg_trgm } });
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<DB>({ dialect });
  let closed = false;
  return {
    kind: 'pglite',
    db,
    poolStats: () => ({ total: 1, idle: closed ? 0 : 1, waiting: dialect.waiting() }),
    ping: async (timeoutMs = 2_000) => {
      if (closed || pglite.closed) throw new Error('the embedded database is closed');
      await withTimeout(sql`select 1`.execute(db), timeoutMs);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
