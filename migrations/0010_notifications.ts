import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Notifications: the in-app inbox (one `notification` row per recipient user, tenant-owned by the
// recipient's organisation), the outbox of e-mail and webhook deliveries written in the same transaction
// as the state change that caused them (`notification_delivery`, drained by a background job with
// retries), the webhook subscriptions of a jurisdiction, the log of every delivery attempt, and the
// jurisdiction's egress policy (allowed target hosts, and networks explicitly allowed despite being
// loopback/private/link-local).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id'))
    // the notify() call this row came from: the same id for every recipient, the webhook body's id
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind ~ '^[a-z][a-z0-9_.:-]{0,99}$'`))
    .addColumn('title_zh', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('body_zh', 'text')
    .addColumn('body_en', 'text')
    .addColumn('link', 'text')
    .addColumn('entity_type', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .execute();
  await sql`create index notification_user_idx on notification (user_id, created_at desc, id desc)`.execute(db);
  await sql`create index notification_unread_idx on notification (user_id) where read_at is null`.execute(db);
  await sql`alter table notification enable row level security`.execute(db);
  await sql`create policy tenant_isolation on notification to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);

  await db.schema
    .createTable('webhook_subscription')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('url', 'text', (c) => c.notNull().check(sql`length(url) between 8 and 2000`))
    // kinds delivered; '*' is every kind
    .addColumn('event_kinds', sql`text[]`, (c) => c.notNull().check(sql`cardinality(event_kinds) >= 1`))
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('webhook_subscription_jurisdiction_idx')
    .on('webhook_subscription')
    .column('jurisdiction_id')
    .execute();

  await db.schema
    .createTable('webhook_egress_policy')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.primaryKey().references('jurisdiction.id'))
    // host names (exact) or domains ('.example.gov.cn' or '*.example.gov.cn': the domain and its sub-domains)
    .addColumn('allowed_hosts', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // CIDR networks allowed although loopback, private, link-local...: an explicit, audited exception
    .addColumn('allowed_networks', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('notification_delivery')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'webhook')`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'uuid', (c) => c.references('webhook_subscription.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.references('user_account.id'))
    .addColumn('recipient', 'text')
    // webhook: the JSON body sent; e-mail: { subject, text }
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // null: due at once
    .addColumn('next_attempt_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('delivered_at', 'timestamptz')
    .addCheckConstraint(
      'notification_delivery_target_check',
      sql`(channel = 'webhook' and subscription_id is not null) or (channel = 'email' and recipient is not null)`,
    )
    .execute();
  await sql`create index notification_delivery_due_idx on notification_delivery (next_attempt_at nulls first) where status = 'pending'`.execute(
    db,
  );
  await sql`create index notification_delivery_subscription_idx on notification_delivery (subscription_id, created_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable('notification_delivery_attempt')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('notification_delivery.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('status_code', 'integer')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('delivered', 'retry', 'failed')`))
    .addColumn('error', 'text')
    .execute();
  await db.schema
    .createIndex('notification_delivery_attempt_delivery_idx')
    .on('notification_delivery_attempt')
    .columns(['delivery_id', 'attempt'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
