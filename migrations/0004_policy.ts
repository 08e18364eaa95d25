import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
// A jurisdiction's local overrides of single values of its city policy pack (src/modules/policy/packs/).
// The pack itself is code; `jurisdiction.policy_pack` (0001) says which one a jurisdiction runs on. An
// override records the pack it was set against, so it never silently applies to another pack.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('policy_override')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('path', 'text', (c) => c.notNull().check(sql`path ~ '^[a-z][A-Za-z0-9_]*(\\.[a-z][A-Za-z0-9_]*){1,5}$'`))
    .addColumn('pack_id', 'text', (c) => c.notNull())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`length(reason) between 1 and 500`))
    .addColumn('set_by_id', 'text')
    .addColumn('set_by_name', 'text')
    .addColumn('set_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('policy_override_pkey', ['jurisdiction_id', 'path'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
