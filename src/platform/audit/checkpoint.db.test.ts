import { appendFile, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Kysely, sql, type Transaction } from 'kysely';
import { sm2 } from 'sm-crypto-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import type { Database } from '../db/database.ts';
import {
  canonicalJson,
  chainLink,
  entryHash,
  GENESIS_HASH,
  rowContent,
  setAuditKey,
  verifyAuditChain,
  writeAudit,
} from './audit.ts';
import {
  CHECKPOINT_FILE,
  type Checkpoint,
  type CheckpointVerification,
  checkpointKeys,
  pushCheckpoints,
  readCheckpoints,
  verifyAgainstCheckpoints,
  writeCheckpoint,
} from './checkpoint.ts';

// Issue 15: someone who can write to the database, even one holding the audit key, can edit an entry and
// recompute every later hash, or cut the newest entries; the chain alone then verifies. The signed
// checkpoints outside the database catch each of these, naming the first entry that differs.
let database: Database<DB>;
let dir: Awaited<ReturnType<typeof tempDir>>;
const AUDIT_KEY = 'checkpoint-test-audit-key';
const keys = checkpointKeys(AUDIT_KEY);
let ids: string[] = [];

const actor = { kind: 'user' as const, id: 'u-1', name: 'alice' };

async function write(n: number, prefix: string) {
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < n; i++)
      await writeAudit(trx, actor, { action: `${prefix}.${i}`, objectType: 'thing', objectId: String(i) });
  });
}

beforeAll(async () => {
  setAuditKey(AUDIT_KEY);
  database = await testDatabase();
  dir = await tempDir('yunguan-checkpoints-');
  await write(6, 'first');
  expect(await writeCheckpoint(database.db, dir.path, keys)).not.toBeNull();
  await write(6, 'second');
  expect(await writeCheckpoint(database.db, dir.path, keys, { onlyIfNew: true })).not.toBeNull();
  expect(await writeCheckpoint(database.db, dir.path, keys, { onlyIfNew: true })).toBeNull();
  // Chain positions: what checkpoints record and name.
  ids = (await database.db.selectFrom('audit_event').select('seal_seq').orderBy('seal_seq').execute()).map((r) =>
    String(r.seal_seq),
  );
  expect(ids).toHaveLength(12);
});
afterAll(async () => {
  setAuditKey(undefined);
  await database.close();
  await dir.remove();
});

/** Tampers in a transaction with triggers off (as a superuser could), checks, then rolls everything back. */
async function tampered(change: (trx: Transaction<DB>) => Promise<void>): Promise<CheckpointVerification> {
  let result: CheckpointVerification | undefined;
  await database.db
    .transaction()
    .execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await change(trx);
      result = await verifyAgainstCheckpoints(trx, dir.path, keys.publicKey);
      throw new Error('roll back');
    })
    .catch((error: Error) => {
      if (error.message !== 'roll back') throw error;
    });
  return result as CheckpointVerification;
}

/** Recomputes every hash from chain position `fromSeq` on, with the audit key: the chain then verifies again. */
async function rebuildFrom(trx: Kysely<DB>, fromSeq: string) {
  const before = await trx
    .selectFrom('audit_event')
    .select('hash')
    .where('seal_seq', '<', BigInt(fromSeq))
    .orderBy('seal_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let prev = before?.hash ?? GENESIS_HASH;
  const rows = await trx
    .selectFrom('audit_event')
    .selectAll()
    .where('seal_seq', '>=', BigInt(fromSeq))
    .orderBy('seal_seq')
    .execute();
  for (const row of rows) {
    const own = entryHash(rowContent(row));
    const hash = chainLink(prev, own);
    await trx
      .updateTable('audit_event')
      .set({ prev_hash: prev, hash, entry_hash: own })
      .where('id', '=', row.id)
      .execute();
    prev = hash;
  }
  expect((await verifyAuditChain(trx)).intact).toBe(true);
}

const at = (i: number) => ids[i] as string;

describe('signed checkpoints of the audit chain', () => {
  it('an untouched chain agrees with its checkpoints', async () => {
    const result = await verifyAgainstCheckpoints(database.db, dir.path, keys.publicKey);
    expect(result).toEqual({ ok: true, checkpoints: 2, covered: 12 });
    const lines = (await readFile(path.join(dir.path, CHECKPOINT_FILE), 'utf8')).trim().split('\n');
    const last = JSON.parse(lines[1] as string);
    expect(last).toMatchObject({ v: 1, count: 12, headId: at(11), publicKey: keys.publicKey });
    expect(sm2.doVerifySignature('x', last.signature, keys.publicKey, { hash: true })).toBe(false);
  });

  it('one changed byte: the entry named', async () => {
    const result = await tampered(async (trx) => {
      await sql`update audit_event set action = left(action, -1) || 'X' where seal_seq = ${at(3)}`.execute(trx);
    });
    expect(result.ok).toBe(false);
    expect(result.problem).toMatchObject({ kind: 'chain_broken', entryId: at(3) });
  });

  it('a rebuilt chain (an entry changed, every later hash recomputed with the key): the first differing entry', async () => {
    const result = await tampered(async (trx) => {
      await sql`update audit_event set actor_name = 'mallory' where seal_seq = ${at(4)}`.execute(trx);
      await rebuildFrom(trx, at(4));
    });
    expect(result.problem).toMatchObject({ kind: 'changed', entryId: at(4) });
    expect(result.problem?.message).toContain('rebuilt');
  });

  it('a deleted tail: truncation, from the first missing entry', async () => {
    const result = await tampered(async (trx) => {
      await sql`delete from audit_event where seal_seq >= ${at(9)}`.execute(trx);
    });
    expect(result.problem).toMatchObject({ kind: 'truncated', entryId: at(9) });
  });

  it('a deleted middle entry, the chain rebuilt around the gap', async () => {
    const result = await tampered(async (trx) => {
      await sql`delete from audit_event where seal_seq = ${at(7)}`.execute(trx);
      await rebuildFrom(trx, at(8));
    });
    expect(result.problem).toMatchObject({ kind: 'deleted', entryId: at(7) });
  });

  it('a reordering (two entries swapped, the chain rebuilt)', async () => {
    const result = await tampered(async (trx) => {
      await sql`update audit_event set action = case seal_seq when ${at(5)} then 'second.0' else 'first.5' end,
                                       object_id = case seal_seq when ${at(5)} then '0' else '5' end
                 where seal_seq in (${at(5)}, ${at(6)})`.execute(trx);
      await rebuildFrom(trx, at(5));
    });
    expect(result.problem).toMatchObject({ kind: 'changed', entryId: at(5) });
  });

  it('a checkpoint file edited or forged is refused', async () => {
    const file = path.join(dir.path, CHECKPOINT_FILE);
    const original = await readFile(file, 'utf8');
    try {
      const lines = original
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      lines[1].count = 11;
      await writeFile(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
      expect((await verifyAgainstCheckpoints(database.db, dir.path, keys.publicKey)).problem?.kind).toBe(
        'bad_signature',
      );
      await writeFile(file, original);
      // A checkpoint signed by another key (someone rebuilding the chain and its checkpoints) counts as forged.
      const other = sm2.generateKeyPairHex();
      const forged = { ...lines[1], count: 12, publicKey: other.publicKey };
      forged.signature = sm2.doSignature('whatever', other.privateKey as string, { hash: true });
      await appendFile(file, `${JSON.stringify(forged)}\n`);
      expect((await verifyAgainstCheckpoints(database.db, dir.path, keys.publicKey)).problem?.kind).toBe(
        'bad_signature',
      );
    } finally {
      await writeFile(file, original);
    }
  });
});

describe('checkpoints pushed to a receiver outside this installation', () => {
  it('sends each checkpoint once, in order; a receiver that was down gets every one when it is back', async () => {
    const { createServer } = await import('node:http');
    const received: { body: Checkpoint; auth: string | undefined }[] = [];
    let up = false;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        if (!up) {
          res.writeHead(503).end();
          return;
        }
        received.push({ body: JSON.parse(body) as Checkpoint, auth: req.headers.authorization });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const push = { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/checkpoints`, token: 't0ken' };
    const own = await tempDir('yunguan-checkpoints-push-');
    try {
      await writeCheckpoint(database.db, own.path, keys);
      await write(1, 'third');
      await writeCheckpoint(database.db, own.path, keys, { onlyIfNew: true });

      expect(await pushCheckpoints(own.path, push)).toMatchObject({ pushed: 0, pending: 2, error: 'HTTP 503' });
      up = true;
      expect(await pushCheckpoints(own.path, push)).toEqual({ pushed: 2, pending: 0 });
      expect(await pushCheckpoints(own.path, push)).toEqual({ pushed: 0, pending: 0 });
      await write(1, 'fourth');
      await writeCheckpoint(database.db, own.path, keys, { onlyIfNew: true });
      expect(await pushCheckpoints(own.path, push)).toEqual({ pushed: 1, pending: 0 });

      expect(received.map((r) => r.body.count)).toEqual([12, 13, 14]);
      expect(received.every((r) => r.auth === 'Bearer t0ken')).toBe(true);
      // The receiver can check each one with the public key it carries, without the database.
      for (const { body } of received) {
        const { signature, ...unsigned } = body;
        expect(sm2.doVerifySignature(canonicalJson(unsigned), signature, keys.publicKey, { hash: true })).toBe(true);
      }
      expect(received.map((r) => r.body)).toEqual(await readCheckpoints(own.path));
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
      await own.remove();
    }
  });
});
