import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLoad, referenceTotalsSql } from '../../../bench/settle-data.ts';
import { testDatabaseUrl } from '../../../test/helpers.ts';
import { type Database, openDatabase } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';
import type { BeforeCommit } from './metering.engine.ts';
import { period } from './metering.period.ts';
import { SETTLE_PAUSE_MARKER, SETTLE_PAUSE_VARIABLE } from './metering.progress.ts';

// `yunguan settle` is one transaction: killed after it has written every statement and line but before its
// COMMIT, it leaves the previous state (nothing, or the previous complete statements); a rerun completes it.
// The kill point is exact, not a timer: the test-only pause (YUNGUAN_TEST_PAUSE_SETTLE=commit with
// NODE_ENV=test, metering.progress.ts) stops the CLI there and says so on stderr, with what it has written.
// Then the engine's totals are checked against the bench's hand-written reference SQL, to the fen.

const BIN = new URL('../../../bin/yunguan.js', import.meta.url).pathname;
const MONTH = '2026-10';
let url: string;
let dropDatabase: (() => Promise<void>) | undefined;
let database: Database<DB>;

beforeAll(async () => {
  const fresh = await testDatabaseUrl();
  url = fresh.url;
  dropDatabase = fresh.drop;
  database = await openDatabase<DB>({ url, poolSize: 2 });
  await migrateToLatest(database.db);
  await seedDemo(database.db);
  // small: the pause makes the kill point exact, so no load is needed to make a step slow
  await generateLoad(database.db, { units: 20, resources: 2_000, eventsPerResource: 30, itemsPerVersion: 10 });
}, 300_000);

afterAll(async () => {
  await database?.close();
  await dropDatabase?.();
});

interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** what the settlement had written when it paused before COMMIT (then it was killed) */
  paused?: BeforeCommit;
}

/** Runs `yunguan settle`; with `killAtCommit` it pauses before COMMIT and is SIGKILLed on the marker line. */
function cli(args: string[], options: { killAtCommit?: boolean } = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YUNGUAN_') && k !== 'DATABASE_URL'),
  );
  const env = {
    ...clean,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    ...(options.killAtCommit ? { [SETTLE_PAUSE_VARIABLE]: 'commit' } : {}),
  };
  const child = spawn(process.execPath, [BIN, ...args], { env });
  const result: CliResult = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    result.stdout += d;
  });
  child.stderr.on('data', (d) => {
    result.stderr += d;
    const marker = new RegExp(`^${SETTLE_PAUSE_MARKER} (\\{.*\\})$`, 'm').exec(result.stderr);
    if (options.killAtCommit && marker && !result.paused) {
      result.paused = JSON.parse(marker[1] as string);
      child.kill('SIGKILL');
    }
  });
  return new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ ...result, code, signal })));
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);

const count = async (table: 'statement' | 'statement_line' | 'settlement_run') =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(database.db)).rows[0]?.n);

/** Everything a run committed: the run, its statements, and a digest over every column of every line. */
async function committed() {
  const run = await sql`select id, status, content_hash, statement_count, line_count, total_fen::text, as_of
    from settlement_run where period = ${MONTH}`.execute(database.db);
  const statements = await sql`select id, organisation_id, coefficient::text, usage_fen::text, adjustment_fen::text,
    total_fen::text, line_count from statement where period = ${MONTH} order by organisation_id`.execute(database.db);
  const lines = await sql<{ n: number; digest: string }>`select count(*)::int as n,
      md5(string_agg(l::text, ',' order by l.statement_id, l.line_no)) as digest
    from statement_line l`.execute(database.db);
  return { run: run.rows, statements: statements.rows, lines: lines.rows[0] };
}

describe('yunguan settle', { timeout: 300_000 }, () => {
  it('killed before COMMIT with every statement and line written leaves nothing; a rerun completes it', async () => {
    const killed = await cli(['settle', '--month', MONTH], { killAtCommit: true });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.stdout).toBe('');
    expect(killed.stderr).toMatch(/settle \[.*\] 6\/6 totals/);
    // inside its transaction the run had written everything
    expect(killed.paused?.changed).toBe(true);
    expect(killed.paused?.written.statements).toBeGreaterThan(0);
    expect(killed.paused?.written.lines).toBeGreaterThan(killed.paused?.written.statements ?? 0);
    // the server rolls the orphaned transaction back: it never saw a COMMIT
    expect(await count('settlement_run')).toBe(0);
    expect(await count('statement')).toBe(0);
    expect(await count('statement_line')).toBe(0);
    const audit = await sql<{ n: number }>`select count(*)::int as n from audit_event
      where action = 'settlement.computed'`.execute(database.db);
    expect(audit.rows[0]?.n).toBe(0);

    const rerun = await cli(['settle', '--month', MONTH]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = lastJson(rerun.stdout);
    // the same inputs: the rerun commits exactly what the killed run had written
    expect(result.contentHash).toBe(killed.paused?.contentHash);
    expect(result.statements).toBe(killed.paused?.written.statements);
    expect(result.lines).toBe(killed.paused?.written.lines);
    expect(await count('statement')).toBe(result.statements);
    expect(await count('statement_line')).toBe(result.lines);
    const { rows } = await sql<{ total: string; lines: string }>`
      select (select sum(total_fen) from statement)::text as total,
        (select sum(line_count) from statement)::text as lines`.execute(database.db);
    expect(rows[0]?.total).toBe(result.totalFen);
    expect(Number(rows[0]?.lines)).toBe(result.lines);
  });

  it('killed before COMMIT of a changed recompute leaves the previous statements; a rerun reaches the new hash', async () => {
    const before = await committed();
    expect(before.run).toHaveLength(1);
    // a changed input: one unit's coefficient, so every line is deleted and written again with new amounts
    const unit = await database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'bench-unit-0001')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('efficiency_coefficient')
      .values({
        organisation_id: unit.id,
        jurisdiction_id: unit.jurisdiction_id,
        period: MONTH,
        coefficient: '0.5',
        set_by: 'test',
        set_at: new Date(),
      })
      .execute();

    const killed = await cli(['settle', '--month', MONTH], { killAtCommit: true });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.paused).toMatchObject({ runId: (before.run[0] as { id: string }).id, changed: true });
    expect(killed.paused?.contentHash).not.toBe((before.run[0] as { content_hash: string }).content_hash);
    expect(killed.paused?.written.lines).toBe(before.lines?.n);
    // nothing of the recompute is visible: the run, its statements and every line are as before
    expect(await committed()).toEqual(before);

    const rerun = await cli(['settle', '--month', MONTH]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const result = lastJson(rerun.stdout);
    expect(result.changed).toBe(true);
    expect(result.contentHash).toBe(killed.paused?.contentHash);
    const after = await committed();
    expect(after.run[0]).toMatchObject({ id: result.runId, content_hash: result.contentHash, status: 'draft' });
    expect(after.lines?.digest).not.toBe(before.lines?.digest);
    const { rows } = await sql<{ coefficient: string }>`select coefficient::text from statement
      where organisation_id = ${unit.id} and period = ${MONTH}`.execute(database.db);
    expect(rows[0]?.coefficient).toBe('0.5000');
  });

  it('the statements match the hand-written reference SQL of bench:settle to the fen, per unit', async () => {
    const city = await database.db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    const reference = (await referenceTotalsSql(city.id, period(MONTH)).execute(database.db)).rows;
    const { rows: engine } = await sql<{ organisation_id: string; total_fen: string }>`
      select organisation_id, total_fen::text from statement where period = ${MONTH}`.execute(database.db);
    const byUnit = (rows: { organisation_id: string; total_fen: string }[]) =>
      Object.fromEntries(rows.map((r) => [r.organisation_id, r.total_fen]));
    // the bench units, the east district's among them, one with coefficient 0.5
    expect(engine.length).toBeGreaterThanOrEqual(20);
    expect(byUnit(engine)).toEqual(byUnit(reference));
    const run = await sql<{ total_fen: string }>`select total_fen::text from settlement_run
      where period = ${MONTH}`.execute(database.db);
    expect(run.rows[0]?.total_fen).toBe(String(reference.reduce((a, r) => a + BigInt(r.total_fen), 0n)));
  });

  it('a district is not settled on its own: it rolls up to its city', async () => {
    const res = await cli(['settle', '--month', MONTH, '--jurisdiction', 'demo-east']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/demo-east is a district/);
    expect(res.stdout).toBe('');
    const { rows } = await sql<{ code: string }>`select j.code from settlement_run r
      join jurisdiction j on j.id = r.jurisdiction_id`.execute(database.db);
    expect(rows.map((r) => r.code)).toEqual(['demo-city']);
  });
});
