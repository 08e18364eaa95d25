import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull().check(sql`actor_kind in ('system', 'user', 'token')`))
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('organisation_id', 'uuid')
    .addColumn('role', 'text')
    .addColumn('source_ip', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('success', 'failure', 'denied')`))
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
  await db.schema.createIndex('audit_event_time_idx').on('audit_event').column('occurred_at').execute();

  // What a retention purge removed: the chain restarts from the last purged entry's hash.
  await db.schema
    .createTable('audit_purge')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('purged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('cutoff', 'timestamptz', (c) => c.notNull())
    .addColumn('last_purged_id', 'bigint', (c) => c.notNull())
    .addColumn('last_purged_hash', 'text', (c) => c.notNull())
    .addColumn('purged_count', 'bigint', (c) => c.notNull())
    .execute();

  // Append-only, enforced by the database for every role, owner included. The one exception is the
  // retention purge, which must announce itself in its transaction and may only remove entries older
  // than the retention period (never under 180 days).
  await sql`
    create function audit_event_guard() returns trigger language plpgsql as $$
    declare
      retention integer := greatest(coalesce(nullif(current_setting('yunguan.audit_retention_days', true), '')::integer, 180), 180);
    begin
      if tg_op = 'DELETE' and current_setting('yunguan.audit_purge', true) = 'on' then
        if old.occurred_at < now() - make_interval(days => retention) then
          return old;
        end if;
      end if;
      raise exception 'audit_event is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function audit_event_guard()`.execute(db);
  await sql`create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_guard()`.execute(db);

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
