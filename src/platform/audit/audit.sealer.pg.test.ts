import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import type { Database } from '../db/database.ts';
import { sealAudit, verifyAuditChain, writeAudit } from './audit.ts';

// Issue 24: audited writes of different units no longer queue on one lock. A writer only inserts its entry;
// the sealer links committed entries into the chain in an order that no later commit can change.
let database: Database<DB>;
beforeAll(async () => {
  database = await testDatabase({ poolSize: 6 });
});
afterAll(() => database.close());

const actor = { kind: 'user' as const, id: 'u-1', name: 'alice' };

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function chainOrder() {
  return (
    await database.db
      .selectFrom('audit_event')
      .select(['object_id', 'seal_seq'])
      .where('seal_seq', 'is not', null)
      .orderBy('seal_seq')
      .execute()
  ).map((r) => r.object_id);
}

describe('the audit sealer on PostgreSQL', () => {
  it('a writer does not wait for another one still in its transaction; the chain follows the commits', async () => {
    const inA = gate();
    const releaseA = gate();
    const a = database.db.transaction().execute(async (trx) => {
      await writeAudit(trx, actor, { action: 'probe.a', objectType: 'probe', objectId: 'a' });
      inA.open();
      await releaseA.opened;
    });
    await inA.opened;
    // B writes and commits while A holds its entry uncommitted: no lock to wait for (1 s would be an error).
    await database.db.transaction().execute(async (trx) => {
      await sql`set local lock_timeout = '1s'`.execute(trx);
      await writeAudit(trx, actor, { action: 'probe.b', objectType: 'probe', objectId: 'b' });
    });
    // B's entry is committed: it is linked now; A's does not exist yet (its transaction may still roll back).
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 1, pending: 1 });
    expect(await sealAudit(database.db)).toBe(1);
    releaseA.open();
    await a;
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 2, pending: 1 });
    expect(await sealAudit(database.db)).toBe(1);
    expect(await chainOrder()).toEqual(['b', 'a']);
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 2 });
  });

  it('fifty concurrent writers, some rolling back: the committed entries form one chain, each once', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          await writeAudit(trx, actor, { action: 'burst', objectType: 'probe', objectId: `c${i}` });
          if (i % 5 === 4) throw new Error('abandon');
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(10);
    expect(await sealAudit(database.db, 7)).toBe(40);
    const order = await chainOrder();
    expect(order).toHaveLength(42);
    expect(new Set(order).size).toBe(42);
    expect(order.some((o) => o === 'c4' || o === 'c49')).toBe(false);
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 42 });
  });

  it('an entry edited before it is sealed is caught by its own hash, and sealing does not launder it', async () => {
    await database.db
      .transaction()
      .execute((trx) => writeAudit(trx, actor, { action: 'probe.c', objectType: 'probe', objectId: 'edited' }));
    await database.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update audit_event set action = 'probe.forged' where object_id = 'edited'`.execute(trx);
    });
    const before = await verifyAuditChain(database.db);
    expect(before).toMatchObject({ intact: false, brokenAt: { reason: 'hash_mismatch' } });
    await sealAudit(database.db);
    expect(await verifyAuditChain(database.db)).toMatchObject({ intact: false, brokenAt: { reason: 'hash_mismatch' } });
  });

  it('the table refuses any update but sealing, and a second seal of a sealed entry', async () => {
    const row = await database.db
      .selectFrom('audit_event')
      .select(['id', 'hash'])
      .where('seal_seq', 'is not', null)
      .limit(1)
      .executeTakeFirstOrThrow();
    await expect(
      sql`update audit_event set seal_seq = seal_seq + 1000 where id = ${row.id}`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`update audit_event set action = 'x' where id = ${row.id}`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
  });
});
