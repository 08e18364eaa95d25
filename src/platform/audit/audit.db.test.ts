import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabase } from '../../../test/helpers.ts';
import type { DB } from '../../schema.ts';
import type { Database } from '../db/database.ts';
import { canonicalJson, GENESIS_HASH, sealAudit, verifyAuditChain, writeAudit } from './audit.ts';

let database: Database<DB>;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const actor = { kind: 'user' as const, id: 'u-1' };

/** Runs a statement with triggers off, as only a superuser could: what verification must catch. */
async function tamper(statement: ReturnType<typeof sql>) {
  await database.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await statement.execute(trx);
  });
}

describe('the tamper-evident audit trail', () => {
  it('chains each entry to the one before it with SM3', async () => {
    await database.db.transaction().execute(async (trx) => {
      await writeAudit(trx, actor, {
        action: 'thing.created',
        objectType: 'thing',
        objectId: '1',
        detail: { b: 2, a: 1 },
      });
      await writeAudit(trx, actor, { action: 'thing.renamed', objectType: 'thing', objectId: '1' });
    });
    // Written, not linked yet: each entry's own hash holds; the sealer links them.
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 2, pending: 2 });
    expect(await sealAudit(database.db)).toBe(2);
    expect(await sealAudit(database.db)).toBe(0);
    const rows = await database.db.selectFrom('audit_event').selectAll().orderBy('id').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 2 });
  });

  it('concurrent writers still form one unbroken chain', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        database.db
          .transaction()
          .execute((trx) => writeAudit(trx, actor, { action: 'burst', objectType: 'n', objectId: String(i) })),
      ),
    );
    expect(await sealAudit(database.db)).toBe(10);
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 12 });
  });

  it('an entry written in a transaction that rolls back does not exist', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await writeAudit(trx, actor, { action: 'ghost', objectType: 'n' });
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    const ghosts = await database.db.selectFrom('audit_event').select('id').where('action', '=', 'ghost').execute();
    expect(ghosts).toEqual([]);
  });

  it('detects an edited entry and a deleted one', async () => {
    const second = await database.db
      .selectFrom('audit_event')
      .select('id')
      .orderBy('id')
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow();
    // The table refuses edits; an attacker with the database's superuser would switch the guard off.
    await tamper(sql`update audit_event set detail = '{"forged": true}' where id = ${second.id}`);
    expect(await verifyAuditChain(database.db)).toMatchObject({
      intact: false,
      checked: 1,
      brokenAt: { id: String(second.id), reason: 'hash_mismatch' },
    });
    await tamper(sql`delete from audit_event where id = ${second.id}`);
    const result = await verifyAuditChain(database.db);
    expect(result.intact).toBe(false);
    expect(result.brokenAt?.reason).toBe('link_mismatch');
  });

  it('a retention purge removes only entries older than the retention period and the chain still verifies', async () => {
    const { purgeAudit } = await import('./audit.ts');
    const before = await database.db.selectFrom('audit_event').select('id').execute();
    // Nothing is old enough: nothing goes.
    expect(await database.db.transaction().execute((trx) => purgeAudit(trx, 180))).toBe(0);
    // A purge claiming a shorter retention is raised to the 180-day minimum.
    expect(await database.db.transaction().execute((trx) => purgeAudit(trx, 1))).toBe(0);
    const later = new Date(Date.now() + 400 * 86_400_000);
    await expect(database.db.transaction().execute((trx) => purgeAudit(trx, 180, later))).rejects.toThrow(
      /append-only/,
    );
    expect(await database.db.selectFrom('audit_event').select('id').execute()).toHaveLength(before.length);
  });

  it('LZ 23: an entry is kept six calendar months, not 180 days; the database refuses an earlier purge', async () => {
    const { purgeAudit } = await import('./audit.ts');
    // An empty trail to start from (the one above was tampered with; a purge removes a prefix of the chain).
    await tamper(sql`delete from audit_event`);
    const now = Date.now();
    const DAY = 86_400_000;
    // Six calendar months are 181 to 184 days, whatever today is: 200 days ago is past them, 180.5 days
    // ago is past 180 days but never past six months.
    const write = async (daysAgo: number, objectId: string) => {
      vi.useFakeTimers({ toFake: ['Date'], now: now - daysAgo * DAY });
      try {
        await database.db
          .transaction()
          .execute((trx) => writeAudit(trx, actor, { action: 'retention.probe', objectType: 'n', objectId }));
      } finally {
        vi.useRealTimers();
      }
    };
    await write(200, 'old');
    await write(180.5, 'inside-six-months');
    await write(0, 'today');
    await sealAudit(database.db);
    expect(await database.db.transaction().execute((trx) => purgeAudit(trx, 180))).toBe(1);
    const left = await database.db.selectFrom('audit_event').select('object_id').orderBy('id').execute();
    expect(left.map((r) => r.object_id)).toEqual(['inside-six-months', 'today']);
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, checked: 2 });
    // The database's own floor: deleting the 180.5-day-old entry under the purge's flag is refused.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`select set_config('yunguan.audit_purge', 'on', true)`.execute(trx);
        await trx.deleteFrom('audit_event').where('object_id', '=', 'inside-six-months').execute();
      }),
    ).rejects.toThrow(/append-only/);
  });

  it('the purge boundary is six calendar months back on Shanghai’s calendar, month-end clamped', async () => {
    const { auditPurgeCutoff } = await import('./audit.ts');
    // now 2027-02-28 10:00 (+08:00): 180 days back is 2026-09-01 10:00, inside six months; the boundary is
    // 2026-08-28 10:00, so everything from then on stays (entries of 29-31 August wait for 1 March).
    expect(auditPurgeCutoff(new Date('2027-02-28T10:00:00+08:00'), 180).toISOString()).toBe(
      new Date('2026-08-28T10:00:00+08:00').toISOString(),
    );
    // now 2027-03-01 00:30 (+08:00): 2026-09-01 00:30; 180 days would have been 2026-09-02 00:30.
    expect(auditPurgeCutoff(new Date('2027-03-01T00:30:00+08:00'), 180).toISOString()).toBe(
      new Date('2026-09-01T00:30:00+08:00').toISOString(),
    );
    // now 2026-08-31 (+08:00): 2026-02-28 (clamped back); a longer retention in days wins when it is longer.
    expect(auditPurgeCutoff(new Date('2026-08-31T12:00:00+08:00'), 180).toISOString()).toBe(
      new Date('2026-02-28T12:00:00+08:00').toISOString(),
    );
    expect(auditPurgeCutoff(new Date('2027-02-28T10:00:00+08:00'), 400).toISOString()).toBe(
      new Date(new Date('2027-02-28T10:00:00+08:00').getTime() - 400 * 86_400_000).toISOString(),
    );
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: 'x' })).toBe(canonicalJson({ a: 'x', b: [1, { c: 2, d: 1 }] }));
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });
});
