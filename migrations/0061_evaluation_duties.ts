import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Separated duties of an evaluation (SH 33-34: the ops unit drafts, reviews; the authority approves): the accounts
// that computed the draft, recomputed it or entered a score on it. The review is refused to any of them, so the
// draft and its review are always two people (a person who holds both roles included).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('evaluation')
    .addColumn('contributor_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
