import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The versioned, priced service catalogue (SH 15-16, LZ annex 4). A version is drafted by the cloud
// operations unit, submitted, approved by the competent authority and in force from its effective date;
// a version that has left draft is never rewritten (the trigger below enforces it for everyone).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalogue_version')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('version_no', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'submitted', 'approved')`))
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('based_on_id', 'uuid', (c) => c.references('catalogue_version.id'))
    .addColumn('note', 'text')
    .addColumn('rejection_note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('submitted_by', 'uuid')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('approved_by', 'uuid')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('catalogue_version_no_unique', ['jurisdiction_id', 'version_no'])
    .execute();
  // Two approved versions of one jurisdiction never start on the same day: "the version in force" is unique.
  await sql`create unique index catalogue_version_effective_idx on catalogue_version (jurisdiction_id, effective_from)
    where status = 'approved'`.execute(db);

  await db.schema
    .createTable('catalogue_item')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('version_id', 'uuid', (c) => c.notNull().references('catalogue_version.id'))
    .addColumn('code', 'text', (c) => c.notNull().check(sql`code ~ '^[a-z0-9][a-z0-9-]{1,62}$'`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('layer', 'text', (c) => c.notNull().check(sql`layer in ('IaaS', 'PaaS', 'SaaS')`))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('specification', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('provider_id', 'uuid', (c) => c.references('organisation.id'))
    .addUniqueConstraint('catalogue_item_code_unique', ['version_id', 'code'])
    .execute();

  await db.schema
    .createTable('catalogue_price')
    .addColumn('item_id', 'uuid', (c) => c.notNull().references('catalogue_item.id'))
    .addColumn('dimension', 'text', (c) => c.notNull().check(sql`dimension ~ '^[a-z][a-z0-9_]{0,31}$'`))
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('unit_price', sql`numeric(14, 4)`, (c) => c.notNull().check(sql`unit_price >= 0`))
    .addPrimaryKeyConstraint('catalogue_price_pk', ['item_id', 'dimension'])
    .execute();

  await sql`
    create function catalogue_frozen_guard() returns trigger language plpgsql as $$
    declare
      v uuid;
      s text;
    begin
      if tg_table_name = 'catalogue_item' then
        v := coalesce(old.version_id, new.version_id);
      else
        select version_id into v from catalogue_item where id = coalesce(old.item_id, new.item_id);
      end if;
      select status into s from catalogue_version where id = v;
      if s is distinct from 'draft' then
        raise exception 'catalogue version % is %, its items are frozen', v, s using errcode = 'insufficient_privilege';
      end if;
      return coalesce(new, old);
    end $$`.execute(db);
  for (const table of ['catalogue_item', 'catalogue_price']) {
    await sql`create trigger ${sql.id(`${table}_frozen`)} before insert or update or delete on ${sql.table(table)}
      for each row execute function catalogue_frozen_guard()`.execute(db);
  }
  await sql`
    create function catalogue_version_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        if old.status <> 'draft' then
          raise exception 'catalogue version % is %, it cannot be deleted', old.id, old.status using errcode = 'insufficient_privilege';
        end if;
        return old;
      end if;
      if old.status = 'approved' then
        raise exception 'catalogue version % is approved and never rewritten', old.id using errcode = 'insufficient_privilege';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger catalogue_version_history before update or delete on catalogue_version
    for each row execute function catalogue_version_guard()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
