import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { classifyDatabaseError, DatabaseConditions } from './availability.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { isPrepared, PreparedNames } from './prepared.ts';

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
  /** The embedded database only: its data folder was empty and filled from a template at this start. */
  readonly copiedFromTemplate?: boolean;
  /** Conditions recently seen on this database (a lost connection, a full disk), for /readyz. */
  readonly conditions?: DatabaseConditions;
  /** Bytes free where the embedded database keeps its files; undefined for PostgreSQL (not ours to see). */
  freeBytes?(): Promise<number | undefined>;
  /**
   * The embedded database only: holds its one session, runs `before` on it (counts for a manifest), then
   * takes PGlite's own dump of the data folder (gzip tarball) before anyone else's statement runs.
   */
  dumpEmbedded?<T>(before: (db: Kysely<DB>) => Promise<T>): Promise<{ archive: Uint8Array; before: T }>;
}

export type DatabaseTarget =
  | {
      url: string;
      poolSize?: number;
      connectionTimeoutMs?: number;
      /** how long an idle connection stays open (default 10 s; 0 keeps it, as a bench metering its backends does) */
      idleTimeoutMs?: number;
    }
  | { dataDir: string | undefined; loadDataDir?: Blob };

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

// PGlite's own bytea serializer turns bytes into a hex literal one byte at a time (an array and a string per
// byte); its protocol layer sends a Uint8Array as a binary parameter as it is, which node-postgres does for a
// Buffer too. Same value, ~20x less work for a 20 kB staged ingest batch (docs/decisions.md, issue 24).
// Arrays of numbers go the same way when given as bytes in PostgreSQL's binary array format (arrays.ts,
// float8Array and its kin: the monitoring fold's hundreds of thousands of numbers); as text otherwise, as before.
const BYTEA = 17;
const INT4_ARRAY = 1007;
const INT8_ARRAY = 1016;
const FLOAT8_ARRAY = 1022;
const bytesOrText = (value: unknown) => (ArrayBuffer.isView(value) ? value : String(value)) as string;
const bytesAsBinary = {
  [BYTEA]: (value: unknown) => value as string,
  [INT4_ARRAY]: bytesOrText,
  [INT8_ARRAY]: bytesOrText,
  [FLOAT8_ARRAY]: bytesOrText,
};

/** What node-postgres answers `begin`, `commit` and `rollback` (Kysely reads `command`, `rowCount` and `rows`). */
const DEFERRED = {
  begin: { command: 'BEGIN', rowCount: null, rows: [], fields: [] },
  commit: { command: 'COMMIT', rowCount: null, rows: [], fields: [] },
  rollback: { command: 'ROLLBACK', rowCount: null, rows: [], fields: [] },
};

export async function openDatabase<DB>(target: DatabaseTarget): Promise<Database<DB>> {
  return 'url' in target
    ? openPostgres<DB>(target.url, target.poolSize ?? 10, target.connectionTimeoutMs ?? 20_000, target.idleTimeoutMs)
    : openPGlite<DB>(target.dataDir, target.loadDataDir);
}

async function openPostgres<DB>(
  url: string,
  poolSize: number,
  connectionTimeoutMs: number,
  idleTimeoutMs = 10_000,
): Promise<Database<DB>> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // How long a request waits for a free connection before it is answered 503 service_busy: a burst of
    // several hundred concurrent orders on a small pool queues here rather than failing.
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: idleTimeoutMs,
    // A connection whose server vanished without a word (a network cut) is noticed by TCP keep-alive.
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        exactParsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  const conditions = new DatabaseConditions();
  const noteError = (error: Error) => {
    const condition = classifyDatabaseError(error) ?? 'database_unavailable';
    conditions.record(condition, error.message);
  };
  // A client that loses its server (PostgreSQL restarted: 57P01, ECONNRESET) emits 'error'; an unheard
  // 'error' event ends the process. pg-pool listens only while a client is idle and Kysely not at all, so
  // every client gets its own listener for its whole life, checked out or not. The query it was running
  // fails on its own (the request answers 503), and the pool discards the broken client on release.
  const names = new PreparedNames();
  pool.on('connect', (client) => {
    client.on('error', noteError);
    // A statement marked in prepared.ts goes by name: node-postgres parses it once per connection.
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const run = (...args: unknown[]) => {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && isPrepared(text) ? names.nameOf(text) : undefined;
      return name ? query({ name, text, values }) : query(...args);
    };
    // A transaction's `begin` waits for its first statement: a transaction that sends nothing sends neither
    // `begin` nor `commit`.
    let beginDeferred = false;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      const kyselys = args.length === 2 && typeof text === 'string' && Array.isArray(values);
      if (kyselys && text === 'begin' && values.length === 0 && !beginDeferred) {
        beginDeferred = true;
        return Promise.resolve(DEFERRED.begin);
      }
      if (!beginDeferred) return run(...args);
      beginDeferred = false;
      if (kyselys && (text === 'commit' || text === 'rollback') && values.length === 0) {
        return Promise.resolve(DEFERRED[text]); // nothing was sent: nothing to end
      }
      if (kyselys) return (query('begin', []) as Promise<unknown>).then(() => run(...args));
      // Another form (a callback, a cursor): node-postgres runs a client's statements in the order given.
      (query('begin') as Promise<unknown>).catch(noteError);
      return run(...args);
    }) as typeof client.query;
  });
  pool.on('error', noteError);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: (timeoutMs = 2_000) => withTimeout(sql`select 1`.execute(db), timeoutMs),
    close: () => db.destroy(),
    conditions,
    freeBytes: async () => undefined,
  };
}

async function openPGlite<DB>(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database<DB>> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // pg_trgm: the inventory's text search index (migration 0014); an extension must be loaded to be created.
  const pglite = await PGlite.create({
    dataDir,
    parsers: exactParsers,
    serializers: bytesAsBinary,
    extensions: { pg_trgm },
    loadDataDir,
  });
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
    conditions: new DatabaseConditions(),
    freeBytes: async () => {
      if (!dataDir) return undefined;
      const fs = await statfs(dataDir);
      return Number(fs.bavail) * Number(fs.bsize);
    },
    dumpEmbedded: <T>(before: (db: Kysely<DB>) => Promise<T>) =>
      db.connection().execute(async (conn) => {
        const result = await before(conn);
        const file = await pglite.dumpDataDir('gzip');
        return { archive: new Uint8Array(await file.arrayBuffer()), before: result };
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
