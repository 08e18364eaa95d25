import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The live resource inventory (DOMAIN.md sections 1, 4, 5; JQ 6, 10; TZ 7, 12; SH 13). A resource belongs
// to a using unit (organisation_id) and is run by a provider (provider_id). Its lifecycle events are
// append-only and are the single input of metering; its specification is kept as a history of intervals
// (derived from the events, one open interval per live resource).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('resource')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('system_id', 'uuid')
    .addColumn('project_id', 'uuid')
    .addColumn('order_id', 'uuid')
    .addColumn('catalogue_item_code', 'text', (c) => c.notNull())
    .addColumn('zone', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    // The provider's own identifier (instance id); what pushed snapshots and monitoring series name.
    .addColumn('external_id', 'text')
    .addColumn('addresses', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('provisioning')
        .check(sql`state in ('provisioning', 'active', 'suspended', 'reclaiming', 'reclaimed')`),
    )
    .addColumn('purpose', 'text', (c) =>
      c
        .notNull()
        .defaultTo('formal')
        .check(sql`purpose in ('formal', 'test', 'trial', 'development', 'emergency', 'temporary')`),
    )
    .addColumn('specification', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('quantities', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('expires_on', 'date')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('reclaimed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('resource_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id'])
    .execute();
  await sql`create unique index resource_external_idx on resource (provider_id, external_id) where external_id is not null`.execute(
    db,
  );
  await db.schema
    .createIndex('resource_organisation_idx')
    .on('resource')
    .columns(['organisation_id', 'state'])
    .execute();
  await db.schema
    .createIndex('resource_jurisdiction_idx')
    .on('resource')
    .columns(['jurisdiction_id', 'state'])
    .execute();
  await db.schema.createIndex('resource_order_idx').on('resource').column('order_id').execute();

  // What the resource had from valid_from until valid_to (null: still). quantities are the pricing
  // dimensions of its catalogue item (catalogue_price.dimension): {"vcpu": 4, "memory_gb": 8, "storage_gb": 140}.
  await db.schema
    .createTable('resource_spec_interval')
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull())
    .addColumn('valid_to', 'timestamptz')
    .addColumn('specification', 'jsonb', (c) => c.notNull())
    .addColumn('quantities', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_spec_interval_pkey', ['resource_id', 'valid_from'])
    .addForeignKeyConstraint(
      'resource_spec_interval_resource_fkey',
      ['resource_id', 'organisation_id', 'jurisdiction_id'],
      'resource',
      ['id', 'organisation_id', 'jurisdiction_id'],
    )
    .addCheckConstraint('resource_spec_interval_order_check', sql`valid_to is null or valid_to > valid_from`)
    .execute();

  // Lifecycle events: append-only (a trigger refuses update and delete), the single input of metering.
  // quantities: the billable quantities from occurred_at on ({} after reclaimed).
  await db.schema
    .createTable('resource_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('catalogue_item_code', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('delivered', 'resized', 'suspended', 'resumed', 'reclaimed')`),
    )
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('quantities', 'jsonb', (c) => c.notNull())
    .addColumn('specification', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql`source in ('receipt', 'push', 'order', 'manual', 'seed')`),
    )
    .addColumn('reference', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addForeignKeyConstraint(
      'resource_event_resource_fkey',
      ['resource_id', 'organisation_id', 'jurisdiction_id'],
      'resource',
      ['id', 'organisation_id', 'jurisdiction_id'],
    )
    .execute();
  await db.schema
    .createIndex('resource_event_resource_idx')
    .on('resource_event')
    .columns(['resource_id', 'occurred_at'])
    .execute();
  await db.schema
    .createIndex('resource_event_period_idx')
    .on('resource_event')
    .columns(['jurisdiction_id', 'occurred_at'])
    .execute();
  await db.schema.createIndex('resource_event_recorded_idx').on('resource_event').column('recorded_at').execute();
  await sql`
    create function resource_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'resource_event is append-only';
    end $$`.execute(db);
  await sql`create trigger resource_event_append_only before update or delete on resource_event
    for each row execute function resource_event_append_only()`.execute(db);

  // A unit sees its resources; a provider sees those it runs; jurisdiction-wide roles see their jurisdiction.
  // The same rule as yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, ...),
  // written so that the caller's scope is read once per query (uncorrelated sub-selects become InitPlans)
  // instead of once per row: listing 100,000 resources must not parse the settings 100,000 times.
  const scope = sql`(select current_setting('yunguan.scope', true))`;
  const ids = (setting: string) =>
    sql`cast((select string_to_array(nullif(current_setting(${sql.lit(setting)}, true), ''), ',')) as uuid[])`;
  const visible = sql`case ${scope}
      when 'jurisdiction' then jurisdiction_id = any (${ids('yunguan.jurisdictions')})
      when 'organisation' then organisation_id = any (${ids('yunguan.organisations')})
        or provider_id = any (${ids('yunguan.organisations')})
      else false
    end`;
  for (const table of ['resource', 'resource_spec_interval', 'resource_event']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
  }
  await sql`create policy tenant_isolation on resource to yunguan_app using (${visible}) with check (${visible})`.execute(
    db,
  );
  await sql`create policy tenant_isolation on resource_spec_interval to yunguan_app
    using (exists (select 1 from resource r where r.id = resource_id))
    with check (exists (select 1 from resource r where r.id = resource_id))`.execute(db);
  await sql`create policy tenant_isolation on resource_event to yunguan_app using (${visible}) with check (${visible})`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
