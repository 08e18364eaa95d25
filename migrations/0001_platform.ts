import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('system', 'user', 'token')`))
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('request_id', 'text')
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createIndex('audit_event_object_idx')
    .on('audit_event')
    .columns(['object_type', 'object_id'])
    .execute();

  await db.schema
    .createTable('jurisdiction')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (c) => c.notNull().unique().check(sql`code ~ '^[a-z][a-z0-9-]{1,62}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('city', 'district', 'dedicated_domain')`))
    .addColumn('parent_id', 'uuid', (c) => c.references('jurisdiction.id'))
    .addColumn('policy_pack', 'text', (c) => c.notNull().defaultTo('shanghai-2022'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('jurisdiction_parent_check', sql`(kind = 'city') = (parent_id is null)`)
    .execute();
  await db.schema.createIndex('jurisdiction_parent_idx').on('jurisdiction').column('parent_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
