import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { verifyAuditChain } from '../audit/audit.ts';
import type { Database } from './database.ts';
import { migrationStatus } from './migrate.ts';
import { tenantIsolationProblems } from './readiness.ts';

/**
 * Backup and restore (`yunguan backup`, `yunguan restore`). A backup is a folder: `manifest.json` (what
 * it holds: engine, schema, migrations, the row count of every table and the audit chain's head, all
 * read in the same snapshot as the dump) and the dump itself:
 * - embedded: `database.tar.gz`, PGlite's own dump of its data folder (`dumpDataDir`), taken while holding
 *   its one session, so no statement runs between the counts and the dump;
 * - PostgreSQL: `database.dump`, `pg_dump --format=custom` of the application's schema, in the snapshot
 *   exported by the transaction that read the counts (`--snapshot`).
 * A restore goes into an empty target only, creates the role `yunguan_app` first (without it pg_restore
 * loses every grant and row-level security policy), then checks before reporting success: the counts
 * equal the manifest's, the audit chain verifies and ends at the manifest's head, and the role, its grants
 * and the policies are in place.
 */
export interface BackupManifest {
  format: 'yunguan-backup/1';
  engine: 'pglite' | 'postgres';
  createdAt: string;
  version: string;
  /** PostgreSQL: the schema dumped (restored under the same name) */
  schema: string;
  migrations: string[];
  counts: Record<string, number>;
  audit: { entries: number; lastHash: string | null };
  file: string;
}

export const MANIFEST = 'manifest.json';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

interface Snapshot {
  schema: string;
  migrations: string[];
  counts: Record<string, number>;
  audit: { entries: number; lastHash: string | null };
}

/**
 * Row counts of every table of the current schema and the audit chain's head, on one connection. Unlogged
 * tables (the request counters, migration 0250) are left out: a restored embedded database starts them empty,
 * as PostgreSQL does after a crash, so they are not part of what a backup promises to keep.
 */
export async function readSnapshot(db: Kysely<any>): Promise<Snapshot> {
  const { rows: tables } = await sql<{ schema: string; name: string }>`
    select current_schema() as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind in ('r', 'p') and c.relpersistence <> 'u'
     order by c.relname`.execute(db);
  const counts: Record<string, number> = {};
  if (tables.length > 0) {
    const union = sql.join(
      tables.map((t) => sql`select ${t.name}::text as name, count(*)::bigint as n from ${sql.table(t.name)}`),
      sql` union all `,
    );
    const { rows } = await sql<{ name: string; n: bigint }>`${union}`.execute(db);
    for (const r of rows) counts[r.name] = Number(r.n);
  }
  const { rows: head } = await sql<{
    hash: string;
  }>`select hash from audit_event where seal_seq is not null order by seal_seq desc limit 1`.execute(db);
  const status = await migrationStatus(db);
  return {
    schema: tables[0]?.schema ?? 'public',
    migrations: status.applied,
    counts,
    audit: { entries: counts.audit_event ?? 0, lastHash: head[0]?.hash ?? null },
  };
}

function manifestOf(engine: BackupManifest['engine'], version: string, snap: Snapshot, file: string): BackupManifest {
  return { format: 'yunguan-backup/1', engine, createdAt: new Date().toISOString(), version, ...snap, file };
}

function prepareOut(outDir: string): void {
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new BackupError(`${outDir} is not empty: a backup goes into a new folder`);
  }
  mkdirSync(outDir, { recursive: true });
}

/** The embedded database's backup, from an open database (the server's, or one the CLI opened). */
export async function backupEmbedded(
  database: Database<any>,
  version: string,
): Promise<{ manifest: BackupManifest; archive: Uint8Array }> {
  if (!database.dumpEmbedded) throw new BackupError('not an embedded database');
  const { archive, before } = await database.dumpEmbedded((db) => readSnapshot(db));
  return { manifest: manifestOf('pglite', version, before, 'database.tar.gz'), archive };
}

export function writeBackup(outDir: string, manifest: BackupManifest, archive: Uint8Array): void {
  prepareOut(outDir);
  writeFileSync(path.join(outDir, manifest.file), archive);
  writeFileSync(path.join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** PostgreSQL: counts in a repeatable-read snapshot, pg_dump of the same snapshot. */
export async function backupPostgres(url: string, outDir: string, version: string): Promise<BackupManifest> {
  prepareOut(outDir);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const { rows } = await client.query<{ id: string }>('select pg_export_snapshot() as id');
    const { Kysely, PostgresDialect } = await import('kysely');
    const single = new Kysely<any>({
      dialect: new PostgresDialect({
        pool: { connect: async () => Object.assign(client, { release() {} }), end: async () => {} } as never,
      }),
    });
    const snap = await readSnapshot(single);
    const file = 'database.dump';
    await run('pg_dump', [
      '--format=custom',
      `--snapshot=${rows[0]?.id}`,
      // The whole database when the application lives in `public` (as it should in production: pg_dump
      // would otherwise write a CREATE SCHEMA public that fails on restore), else its schema and pg_trgm.
      ...(snap.schema === 'public' ? [] : [`--schema=${snap.schema}`, '--extension=pg_trgm']),
      `--file=${path.join(outDir, file)}`,
      `--dbname=${url}`,
    ]);
    await client.query('commit');
    const manifest = manifestOf('postgres', version, snap, file);
    writeFileSync(path.join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await client.end().catch(() => {});
  }
}

export function readManifest(fromDir: string): BackupManifest {
  const file = path.join(fromDir, MANIFEST);
  if (!existsSync(file)) throw new BackupError(`${fromDir} holds no ${MANIFEST}: not a yunguan backup`);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  if (manifest.format !== 'yunguan-backup/1') throw new BackupError(`unknown backup format ${manifest.format}`);
  return manifest;
}

/** Refuses a PostgreSQL target that already has tables in the schema, then creates the role and restores. */
export async function restorePostgres(url: string, fromDir: string, manifest: BackupManifest): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = $1 and c.relkind in ('r', 'p')`,
      [manifest.schema],
    );
    if (Number(rows[0]?.n) > 0) {
      throw new BackupError(
        `the target database already has tables in schema ${manifest.schema}: restore into an empty one`,
      );
    }
    // The role first: the dump's grants and `create policy ... to yunguan_app` need it.
    await client.query(`do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'yunguan_app') then
        create role yunguan_app nologin nosuperuser nobypassrls;
      end if;
      if not pg_has_role(current_user, 'yunguan_app', 'MEMBER') then
        execute format('grant yunguan_app to %I', current_user);
      end if;
    end $$`);
  } finally {
    await client.end().catch(() => {});
  }
  await run('pg_restore', [
    '--no-owner',
    '--exit-on-error',
    '--single-transaction',
    `--dbname=${url}`,
    path.join(fromDir, manifest.file),
  ]);
}

export interface RestoreCheck {
  counts: Record<string, number>;
  auditEntries: number;
}

/** What a restore must show before it reports success; throws BackupError naming what does not hold. */
export async function verifyRestore(database: Database<any>, manifest: BackupManifest): Promise<RestoreCheck> {
  const snap = await readSnapshot(database.db);
  const differing = Object.keys({ ...manifest.counts, ...snap.counts }).filter(
    (t) => manifest.counts[t] !== snap.counts[t],
  );
  if (differing.length > 0) {
    const detail = differing.map(
      (t) => `${t}: ${snap.counts[t] ?? 'missing'} (backup ${manifest.counts[t] ?? 'none'})`,
    );
    throw new BackupError(`the restored counts differ: ${detail.join('; ')}`);
  }
  const chain = await verifyAuditChain(database.db);
  if (!chain.intact) throw new BackupError(`the restored audit chain is broken at entry ${chain.brokenAt?.id}`);
  if (snap.audit.lastHash !== manifest.audit.lastHash) {
    throw new BackupError('the restored audit chain does not end where the backup did');
  }
  const isolation = await tenantIsolationProblems(database);
  if (isolation) throw new BackupError(`tenant isolation is not in place after the restore: ${isolation}`);
  return { counts: snap.counts, auditEntries: chain.checked };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', (error) =>
      reject(
        new BackupError(`${command} could not be started (${error.message}); install the PostgreSQL client tools`),
      ),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new BackupError(`${command} failed (exit ${code}): ${stderr.trim().slice(-2000)}`)),
    );
  });
}
