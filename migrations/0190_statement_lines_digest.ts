import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// A statement remembers the digest of the lines it was written with (the unit's part of its run's content
// hash), so a recompute rewrites only the lines of the units whose lines changed (issue 24): a correction of
// one unit no longer deletes and rewrites a whole city's lines. Null (statements written before this
// migration) counts as changed: their lines are rewritten once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table statement add column lines_digest text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
