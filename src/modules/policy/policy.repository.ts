import { type Kysely, sql } from 'kysely';
import { reusable } from '../../platform/db/reusable.ts';
import type { DB, Db } from '../../schema.ts';
import type { PolicyOverrideRow } from './policy.table.ts';

// Serialises policy changes of one jurisdiction (selecting a pack, setting or removing an override) within
// their transactions; an arbitrary fixed namespace plus the jurisdiction's id.
const POLICY_LOCK_NAMESPACE = 7_420_004;

export async function lockJurisdictionPolicy(db: Db, jurisdictionId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.lit(POLICY_LOCK_NAMESPACE)}, hashtext(${jurisdictionId}))`.execute(db);
}

const overridesOf = reusable((db: Kysely<DB>, jurisdictionId: string) =>
  db
    .selectFrom('policy_override')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('set_at')
    .orderBy('path'),
);

export async function listOverrides(db: Db, jurisdictionId: string): Promise<PolicyOverrideRow[]> {
  return overridesOf.execute(db, jurisdictionId);
}

export async function findOverride(db: Db, jurisdictionId: string, path: string) {
  return db
    .selectFrom('policy_override')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('path', '=', path)
    .executeTakeFirst();
}

export async function upsertOverride(
  db: Db,
  row: Omit<PolicyOverrideRow, 'value' | 'set_at'> & { value: unknown; set_at: Date },
): Promise<void> {
  const values = { ...row, value: JSON.stringify(row.value) };
  await db
    .insertInto('policy_override')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['jurisdiction_id', 'path']).doUpdateSet({
        pack_id: values.pack_id,
        value: values.value,
        reason: values.reason,
        set_by_id: values.set_by_id,
        set_by_name: values.set_by_name,
        set_at: values.set_at,
      }),
    )
    .execute();
}

export async function deleteOverride(db: Db, jurisdictionId: string, path: string): Promise<void> {
  await db
    .deleteFrom('policy_override')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('path', '=', path)
    .execute();
}

export async function deleteAllOverrides(db: Db, jurisdictionId: string): Promise<void> {
  await db.deleteFrom('policy_override').where('jurisdiction_id', '=', jurisdictionId).execute();
}
