import { MemoryFS, type PGlite, parse, protocol } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { PGliteWire, type WireField } from './pglite-wire.ts';
import { isPrepared, PreparedNames } from './prepared.ts';

const COMMIT = 'yunguan_commit';

/**
 * Kysely dialect for the embedded PGlite database.
 *
 * PGlite is one session, so the driver hands out its single connection to one holder at a time: a
 * transaction owns the session from BEGIN to COMMIT and nobody else's statement can slip in between.
 * The consequence, as with a pool of size one: code that holds a transaction must not wait on a
 * query made outside it.
 */
export class PGliteDialect implements Dialect {
  private driver: PGliteDriver | undefined;
  constructor(private readonly pglite: PGlite) {}
  /** Holders waiting for the session (exported as a pool metric). */
  waiting(): number {
    return this.driver?.waiting ?? 0;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    this.driver = new PGliteDriver(this.pglite);
    return this.driver;
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private queue: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;
  waiting = 0;

  constructor(pglite: PGlite) {
    this.connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.waiting++;
    await previous;
    this.waiting--;
    this.release = release;
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as PGliteConnection;
    // A plain `begin` waits for the transaction's first statement (none for a transaction that sends nothing).
    if (settings.isolationLevel || settings.accessMode) {
      const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
      await c.run(`begin${isolation}${settings.accessMode ? ` ${settings.accessMode}` : ''}`);
    } else c.beginDeferred = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteConnection).end('rollback');
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {}
}

class PGliteConnection implements DatabaseConnection {
  private readonly names = new PreparedNames();
  /** statements parsed in the session: name -> parameter type OIDs and result columns */
  private readonly parsed = new Map<string, { types: number[]; fields: WireField[] }>();
  private readonly wire: PGliteWire;
  /**
   * Whether the session's filesystem has anything to write out after a statement. Node's two (in memory and
   * NodeFS, a data folder) inherit Emscripten's built-in filesystem's empty syncToFs: PostgreSQL writes the files
   * itself, so the call would only take PGlite's lock again for nothing.
   */
  private readonly syncs: boolean;

  /** a transaction's `begin` not sent yet: it goes with the transaction's first statement */
  beginDeferred = false;
  constructor(private readonly pglite: PGlite) {
    this.wire = new PGliteWire(pglite);
    this.syncs = !(pglite.fs instanceof MemoryFS || pglite.fs instanceof NodeFS);
  }

  async run(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }

  /** `commit` or `rollback`; neither when the transaction sent no statement (nor its `begin`). */
  async end(sql: 'commit' | 'rollback'): Promise<void> {
    if (this.beginDeferred) this.beginDeferred = false;
    else if (sql === 'commit') await this.commit();
    else await this.run(sql);
  }

  /** `commit` as a prepared statement: bind, execute and sync in one protocol call (`exec` takes two, and more). */
  private commit() {
    const { serialize } = protocol;
    return this.pglite.runExclusive(async () => {
      if (!this.parsed.has(COMMIT)) {
        await this.pglite.execProtocol(serialize.parse({ name: COMMIT, text: 'commit' }), { syncToFs: false });
        this.parsed.set(COMMIT, { types: [], fields: [] });
      }
      await this.pglite.execProtocol(
        concat([serialize.bind({ statement: COMMIT, values: [] }), serialize.execute({}), serialize.sync()]),
        { syncToFs: false },
      );
      await this.pglite.syncToFs();
    });
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const name = isPrepared(compiled.sql) ? this.names.nameOf(compiled.sql) : undefined;
    const begin = this.beginDeferred;
    this.beginDeferred = false;
    if (begin) await this.run('begin');
    const result = name
      ? await this.executeNamed<R>(name, compiled.sql, compiled.parameters)
      : await this.pglite.query<R>(compiled.sql, compiled.parameters as unknown[], { rowMode: 'object' });
    const command = compiled.query.kind;
    const changes =
      command === 'InsertQueryNode' ||
      command === 'UpdateQueryNode' ||
      command === 'DeleteQueryNode' ||
      command === 'MergeQueryNode';
    return {
      rows: result.rows,
      numAffectedRows: changes && result.affectedRows !== undefined ? BigInt(result.affectedRows) : undefined,
    };
  }

  /**
   * A marked statement (prepared.ts) by name: parsed and described once in the session (its parameter types and its
   * columns), then bind, execute and sync in one protocol call whose answer is read in place (pglite-wire.ts). PGlite
   * runs every message of a call before it answers, so after an error the sync has already ended the failed
   * statement's cycle.
   */
  private executeNamed<R>(name: string, text: string, parameters: readonly unknown[]) {
    const { serialize } = protocol;
    return this.pglite.runExclusive(async () => {
      let statement = this.parsed.get(name);
      if (!statement) {
        try {
          await this.pglite.execProtocol(serialize.parse({ name, text }), { syncToFs: false });
          const described = await this.pglite.execProtocol(serialize.describe({ type: 'S', name }), {
            syncToFs: false,
          });
          const columns = described.messages.find((m) => m.name === 'rowDescription') as
            | { fields: { name: string; dataTypeID: number }[] }
            | undefined;
          statement = {
            types: parse.parseDescribeStatementResults(described.messages),
            fields: (columns?.fields ?? []).map((f) => ({ name: f.name, typeId: f.dataTypeID })),
          };
        } finally {
          await this.pglite.execProtocol(serialize.sync(), { syncToFs: false, throwOnError: false });
        }
        this.parsed.set(name, statement);
      }
      const { types, fields } = statement;
      const values = parameters.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = this.pglite.serializers[types[i] as number];
        const serialized: unknown = serializer ? serializer(value) : String(value);
        if (typeof serialized === 'string') return serialized;
        // bytes go in binary format, as PGlite's own bind sends an ArrayBuffer or a view of one
        if (serialized instanceof ArrayBuffer) return new Uint8Array(serialized);
        if (ArrayBuffer.isView(serialized)) {
          return new Uint8Array(serialized.buffer, serialized.byteOffset, serialized.byteLength);
        }
        return String(serialized);
      });
      const result = await this.wire.execute<R>(name, values, fields);
      if (this.syncs) await this.pglite.syncToFs();
      return result;
    });
  }

  // biome-ignore lint/correctness/useYield: streaming is refused before the first row
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database');
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
