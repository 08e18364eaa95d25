import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/database.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../src/platform/db/migrate.ts';

/*
 * Migrated templates, made once per test run (globalSetup) instead of once per test file: creating an
 * embedded database and applying every migration took 3-8 s per file on the 2-core CI machine. The embedded
 * suite loads PGlite's dump of a migrated data folder; the PostgreSQL suite copies a migrated template
 * database (CREATE DATABASE ... TEMPLATE), which also lets its files run side by side, each in a database
 * of its own. Both are keyed by the migrations' content, so a changed migration makes a new template.
 */

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) {
    hash.update(file);
    hash.update(await readFile(path.join(MIGRATIONS_DIR, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The gzip dump of a migrated embedded database, written once into the temporary folder. */
export async function pgliteTemplate(): Promise<string> {
  const file = path.join(tmpdir(), `yunguan-test-template-${await migrationsHash()}.tar.gz`);
  if (existsSync(file)) return file;
  const database = await openDatabase({ dataDir: undefined });
  try {
    await migrateToLatest(database.db);
    const { archive } = await (database.dumpEmbedded as NonNullable<typeof database.dumpEmbedded>)(async () => 0);
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, archive);
    await rename(partial, file);
  } finally {
    await database.close();
  }
  return file;
}

/** A database URL on the same server as `url`, naming another database. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A migrated template database on TEST_DATABASE_URL's server, made once; its name. */
export async function postgresTemplate(url: string): Promise<string> {
  const name = `yunguan_template_${await migrationsHash()}`;
  const exists = await admin(
    url,
    async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount,
  );
  if (exists) return name;
  const building = `${name}_${process.pid}`;
  await admin(url, (c) => c.query(`create database ${building}`));
  const database = await openDatabase({ url: databaseUrl(url, building), poolSize: 2 });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  // Renamed when complete: a run that died half-way never leaves a template that looks finished.
  try {
    await admin(url, (c) => c.query(`alter database ${building} rename to ${name}`));
  } catch (error) {
    // another run finished the same template first: use it
    await admin(url, (c) => c.query(`drop database if exists ${building}`));
    if ((error as { code?: string }).code !== '42P04') throw error;
  }
  return name;
}

/** A fresh database copied from the migrated template (empty when `migrated` is false); dropped by `drop`. */
export async function freshPostgresDatabase(
  url: string,
  options: { migrated?: boolean; template?: string } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const template = options.template;
  const name = `test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(url, (c) =>
    c.query(
      options.migrated !== false && template
        ? `create database ${name} template ${template}`
        : `create database ${name}`,
    ),
  );
  return {
    url: databaseUrl(url, name),
    drop: () => admin(url, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
