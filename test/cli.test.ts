import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const run = promisify(execFile);
const BIN = new URL('../bin/yunguan.js', import.meta.url).pathname;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function yunguan(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('YUNGUAN_') && k !== 'DATABASE_URL' && k !== 'PORT'),
  );
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...clean, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let data: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  data = await tempDir();
});
afterAll(() => data.remove());

describe('the yunguan command', { timeout: 120_000 }, () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const out = await yunguan(['--version']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the subcommands', async () => {
    const out = await yunguan(['--help']);
    expect(out.code).toBe(0);
    for (const command of ['serve', 'migrate', 'seed', 'audit']) expect(out.stdout).toContain(command);
  });

  it('an unknown subcommand exits 2', async () => {
    const out = await yunguan(['frobnicate']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('unknown command');
  });

  it('a bad DATABASE_URL stops start-up with exit 2 and one line naming it, no stack trace', async () => {
    const out = await yunguan(['serve'], { DATABASE_URL: 'not-a-url' });
    expect(out.code).toBe(2);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^yunguan: configuration error: DATABASE_URL: /);
    expect(out.stdout).toBe('');
  });

  it('migrate applies the migrations once with progress, then finds nothing to do', async () => {
    const env = { YUNGUAN_DATA_DIR: data.path };
    const first = await yunguan(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('applied 0001_platform');
    const second = await yunguan(['migrate'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('database is up to date');
  });

  it('seed applies the demo data idempotently and the audit trail verifies', async () => {
    const env = { YUNGUAN_DATA_DIR: data.path };
    const first = await yunguan(['seed'], env);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('jurisdictions: 3 created');
    const again = await yunguan(['seed'], env);
    expect(again.stderr).toContain('jurisdictions: 0 created');
    const verify = await yunguan(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stderr).toMatch(/audit trail intact: \d+ entries/);
  });

  it('audit verify fails at exactly the entry whose stored bytes were changed', async () => {
    const { openDatabase } = await import('../src/platform/db/database.ts');
    const { sql } = await import('kysely');
    const database = await openDatabase({ dataDir: data.path });
    const { rows } = await sql<{ id: bigint }>`select id from audit_event order by id offset 1 limit 1`.execute(
      database.db,
    );
    const target = String(rows[0]?.id);
    await database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      // One byte: the last character of the action.
      await sql`update audit_event set action = left(action, -1) || 'X' where id = ${target}`.execute(trx);
    });
    await database.close();
    const out = await yunguan(['audit', 'verify'], { YUNGUAN_DATA_DIR: data.path });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`audit trail BROKEN at entry ${target} (hash_mismatch)`);
  });

  it('audit checkpoint signs the head outside the database; audit verify then reports a cut tail', async () => {
    const own = await tempDir();
    const checkpoints = await tempDir('yunguan-checkpoints-');
    try {
      const env = {
        YUNGUAN_DATA_DIR: own.path,
        YUNGUAN_AUDIT_KEY: 'cli-test-audit-key-0123456',
        YUNGUAN_AUDIT_CHECKPOINT_DIR: checkpoints.path,
      };
      expect((await yunguan(['seed'], env)).code).toBe(0);
      const taken = await yunguan(['audit', 'checkpoint'], env);
      expect(taken.code).toBe(0);
      expect(taken.stderr).toMatch(/checkpoint written: \d+ entries, head \d+/);
      const fine = await yunguan(['audit', 'verify'], env);
      expect(fine.code).toBe(0);
      expect(fine.stderr).toMatch(/checkpoints agree: 1 checkpoints, \d+ entries vouched for/);

      // Someone with write access cuts the newest entries: the chain that is left still holds on its own.
      const { openDatabase } = await import('../src/platform/db/database.ts');
      const { sql } = await import('kysely');
      const database = await openDatabase({ dataDir: own.path });
      // Checkpoints name chain positions (seal_seq).
      const { rows } = await sql<{
        id: bigint;
      }>`select seal_seq as id from audit_event where seal_seq is not null order by seal_seq desc offset 2 limit 1`.execute(
        database.db,
      );
      const firstCut = String((rows[0]?.id ?? 0n) as bigint);
      await database.db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`delete from audit_event where seal_seq >= ${firstCut}`.execute(trx);
      });
      await database.close();
      const cut = await yunguan(['audit', 'verify'], env);
      expect(cut.code).toBe(1);
      expect(cut.stderr).toMatch(/audit trail intact/);
      expect(cut.stderr).toContain(`does NOT match its checkpoints (truncated): the chain was cut: entry ${firstCut}`);
    } finally {
      await own.remove();
      await checkpoints.remove();
    }
  });

  it('seed refuses in production', async () => {
    const out = await yunguan(['seed'], {
      YUNGUAN_ENV: 'production',
      YUNGUAN_DATA_KEY: '0123456789abcdef0123456789abcdef',
      YUNGUAN_AUDIT_KEY: 'cli-test-audit-key-0123456',
      YUNGUAN_DATA_DIR: data.path,
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('never applied when YUNGUAN_ENV=production');
  });
});
