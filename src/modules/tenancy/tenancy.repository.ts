import type { Kysely } from 'kysely';
import { reusable } from '../../platform/db/reusable.ts';
import type { DB, Db } from '../../schema.ts';
import type { JurisdictionRow, NewJurisdiction } from './tenancy.table.ts';

export async function listJurisdictions(db: Db): Promise<(JurisdictionRow & { parent_code: string | null })[]> {
  return db
    .selectFrom('jurisdiction as j')
    .leftJoin('jurisdiction as p', 'p.id', 'j.parent_id')
    .selectAll('j')
    .select('p.code as parent_code')
    .orderBy('j.kind')
    .orderBy('j.code')
    .execute();
}

const byCode = reusable((db: Kysely<DB>, code: string) =>
  db
    .selectFrom('jurisdiction as j')
    .leftJoin('jurisdiction as p', 'p.id', 'j.parent_id')
    .selectAll('j')
    .select('p.code as parent_code')
    .where('j.code', '=', code),
);

export async function findJurisdictionByCode(db: Db, code: string) {
  return byCode.first(db, code);
}

export async function countJurisdictions(db: Db): Promise<number> {
  const { count } = await db
    .selectFrom('jurisdiction')
    .select((eb) => eb.fn.countAll<bigint>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** Inserts unless the code exists; returns the row's id either way and whether it was created. */
export async function insertJurisdictionIfAbsent(
  db: Db,
  row: NewJurisdiction,
): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insertInto('jurisdiction')
    .values(row)
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', row.code)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}

export async function updatePolicyPack(db: Db, id: string, policyPack: string, now: Date): Promise<void> {
  await db.updateTable('jurisdiction').set({ policy_pack: policyPack, updated_at: now }).where('id', '=', id).execute();
}
