import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLoad } from '../../../bench/settle-data.ts';
import { requirePostgres } from '../../../test/helpers.ts';
import { type Database, openDatabase } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';

// Killing `yunguan settle` mid-run leaves no statement (the run is one transaction); a rerun completes it.

const BIN = new URL('../../../bin/yunguan.js', import.meta.url).pathname;
let url: string;
let schema: string;
let database: Database<DB>;

beforeAll(async () => {
  const base = requirePostgres();
  schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const scoped = new URL(base);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  url = scoped.toString();
  database = await openDatabase<DB>({ url, poolSize: 2 });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
  // enough work that the rating step takes a few seconds
  await generateLoad(database.db, { units: 50, resources: 30_000, eventsPerResource: 30, itemsPerVersion: 10 });
}, 300_000);

afterAll(async () => {
  await database?.close();
  const c = new pg.Client({ connectionString: requirePostgres() });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
});

function cli(args: string[], killOn?: RegExp) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YUNGUAN_') && k !== 'DATABASE_URL'),
  );
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...clean, DATABASE_URL: url } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    if (killOn?.test(stderr) && !child.killed) setTimeout(() => child.kill('SIGKILL'), 300);
  });
  return new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

const count = async (table: 'statement' | 'statement_line' | 'settlement_run') =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(database.db)).rows[0]?.n);

describe('yunguan settle', { timeout: 300_000 }, () => {
  it('killed during rating leaves no statement; a rerun completes it', async () => {
    const killed = await cli(['settle', '--month', '2026-10'], /rating usage/);
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toBe('');
    expect(killed.stderr).toMatch(/settle \[.*\] 2\/6 rating usage/);
    // the orphaned transaction is rolled back by the server (it never sees a COMMIT)
    expect(await count('settlement_run')).toBe(0);
    expect(await count('statement')).toBe(0);
    expect(await count('statement_line')).toBe(0);

    const rerun = await cli(['settle', '--month', '2026-10']);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = JSON.parse(rerun.stdout.trim().split('\n').at(-1) as string);
    expect(result.statements).toBeGreaterThan(0);
    expect(await count('statement')).toBe(result.statements);
    expect(await count('statement_line')).toBe(result.lines);
    const { rows } = await sql<{ total: string; lines: string }>`
      select (select sum(total_fen) from statement)::text as total,
        (select sum(line_count) from statement)::text as lines`.execute(database.db);
    expect(rows[0]?.total).toBe(result.totalFen);
    expect(Number(rows[0]?.lines)).toBe(result.lines);
  });

  it('killed during a recompute leaves the previous complete statements', async () => {
    const before = (
      await sql<{ content_hash: string; total_fen: string }>`select content_hash, total_fen::text
      from settlement_run`.execute(database.db)
    ).rows;
    const killed = await cli(['settle', '--month', '2026-10'], /rating usage/);
    expect(killed.signal).toBe('SIGKILL');
    const after = (
      await sql<{ content_hash: string; total_fen: string }>`select content_hash, total_fen::text
      from settlement_run`.execute(database.db)
    ).rows;
    expect(after).toEqual(before);
    const { rows } = await sql<{ total: string }>`select sum(total_fen)::text as total from statement`.execute(
      database.db,
    );
    expect(rows[0]?.total).toBe(before[0]?.total_fen);
  });
});
