import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Orders and the approval workflow (DOMAIN.md sections 4, 5; SH 18-24, LZ 21, JQ 24). An order of a using
// unit carries its lines, a snapshot of its policy pack's steps taken at submission (so later pack edits
// never change a running order), one row per step instance, an append-only timeline, its quota
// reservation, and the allocation stops that bar new orders. Idempotency keys make retried writes harmless.
export async function up(db: Kysely<any>): Promise<void> {
  // Human order numbers: <JURISDICTION CODE>-<year>-<6 digits> from one sequence (no row lock, so
  // concurrent placements do not queue on a counter; a refused placement leaves a gap).
  await sql`create sequence resource_order_no_seq`.execute(db);

  await db.schema
    .createTable('resource_order')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`type in ('new_resources', 'scale_up', 'change', 'reclaim', 'development', 'emergency', 'temporary', 'extension', 'backup_extraction', 'green_channel')`,
        ),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'submitted', 'in_progress', 'completed', 'rejected', 'cancelled')`),
    )
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn('reason', 'text')
    .addColumn('project_id', 'uuid')
    .addColumn('system_id', 'uuid')
    .addColumn('pack_id', 'text')
    .addColumn('pack_version', 'text')
    // The pack's steps as they were at submission (applicable ones only), with the order's own conditions.
    .addColumn('workflow', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('term_months', 'integer', (c) => c.check(sql`term_months between 1 and 120`))
    .addColumn('expires_on', 'date')
    .addColumn('parent_order_id', 'uuid', (c) => c.references('resource_order.id'))
    .addColumn('target_resource_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('green_channel', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('quota_overrun', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source', 'text', (c) =>
      c.notNull().defaultTo('unit').check(sql`source in ('unit', 'expiry', 'monitoring')`),
    )
    .addColumn('placed_by', 'text')
    .addColumn('placed_by_name', 'text')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('resource_order_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id'])
    .execute();
  await db.schema
    .createIndex('resource_order_organisation_idx')
    .on('resource_order')
    .columns(['organisation_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('resource_order_jurisdiction_idx')
    .on('resource_order')
    .columns(['jurisdiction_id', 'status'])
    .execute();
  await db.schema.createIndex('resource_order_project_idx').on('resource_order').column('project_id').execute();

  await db.schema
    .createTable('order_line')
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull().check(sql`line_no between 1 and 100000`))
    .addColumn('catalogue_item_code', 'text', (c) => c.notNull())
    // The catalogue version in force when the order was placed (the item as it was then).
    .addColumn('catalogue_version_id', 'uuid')
    .addColumn('specification', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity between 1 and 10000`))
    // The quota dimensions the line consumes, as decimal strings: {"vcpu": "8", "memory_gb": "16"}.
    .addColumn('dimensions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('request_form_id', 'uuid')
    .addColumn('request_form_row_no', 'integer')
    .addColumn('target_resource_id', 'uuid')
    .addPrimaryKeyConstraint('order_line_pkey', ['order_id', 'line_no'])
    .addForeignKeyConstraint(
      'order_line_order_fkey',
      ['order_id', 'organisation_id', 'jurisdiction_id'],
      'resource_order',
      ['id', 'organisation_id', 'jurisdiction_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('order_step')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // Unit steps are acted on by the order's own unit; jurisdiction steps by the role in the jurisdiction.
    .addColumn('acting_organisation_id', 'uuid')
    .addColumn('fulfilment_action', 'text', (c) =>
      c.check(sql`fulfilment_action in ('open_test', 'open', 'scale_up', 'change', 'reclaim', 'allocate')`),
    )
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'open', 'done', 'rejected', 'skipped')`),
    )
    // A fulfilment step for which a provisioning handler was registered when it opened: it is completed by
    // completeFulfilmentStep (the unit's confirmed delivery receipt), not by a reviewer's approval.
    .addColumn('handled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('opened_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz')
    .addColumn('due_day', 'date')
    .addColumn('deadline_value', 'integer')
    .addColumn('deadline_unit', 'text')
    .addColumn('deadline_article', 'text')
    .addColumn('deadline_note', 'text')
    // The due day lies in (or is counted over) a year whose calendar is not confirmed.
    .addColumn('deadline_provisional', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('unconfirmed_years', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('acted_by', 'text')
    .addColumn('acted_by_name', 'text')
    .addColumn('acted_at', 'timestamptz')
    .addColumn('decision', 'text', (c) =>
      c.check(sql`decision in ('approve', 'reject', 'return', 'done', 'failed', 'cancelled')`),
    )
    .addColumn('comment', 'text')
    .addColumn('met_deadline', 'boolean')
    .addColumn('overdue_since', 'timestamptz')
    .addColumn('escalated_at', 'timestamptz')
    .addUniqueConstraint('order_step_seq_unique', ['order_id', 'seq'])
    .addForeignKeyConstraint(
      'order_step_order_fkey',
      ['order_id', 'organisation_id', 'jurisdiction_id'],
      'resource_order',
      ['id', 'organisation_id', 'jurisdiction_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await sql`create index order_step_open_idx on order_step (jurisdiction_id, role, due_at) where status = 'open'`.execute(
    db,
  );

  await db.schema
    .createTable('order_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('step_key', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('comment', 'text')
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addForeignKeyConstraint(
      'order_event_order_fkey',
      ['order_id', 'organisation_id', 'jurisdiction_id'],
      'resource_order',
      ['id', 'organisation_id', 'jurisdiction_id'],
    )
    .execute();
  await db.schema.createIndex('order_event_order_idx').on('order_event').columns(['order_id', 'id']).execute();
  await sql`
    create function order_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'order_event is append-only';
    end $$`.execute(db);
  await sql`create trigger order_event_append_only before update or delete on order_event
    for each row execute function order_event_append_only()`.execute(db);

  // The quota ledger of a project per order and dimension: reserved at submission, consumed when the order
  // completes (a reclaim consumes a negative amount), released on rejection or cancellation.
  await db.schema
    .createTable('quota_reservation')
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('project_id', 'uuid', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric(20, 6)', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('reserved', 'consumed', 'released')`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('quota_reservation_pkey', ['order_id', 'dimension'])
    .addForeignKeyConstraint(
      'quota_reservation_order_fkey',
      ['order_id', 'organisation_id', 'jurisdiction_id'],
      'resource_order',
      ['id', 'organisation_id', 'jurisdiction_id'],
    )
    .execute();
  await db.schema
    .createIndex('quota_reservation_project_idx')
    .on('quota_reservation')
    .columns(['project_id', 'status'])
    .execute();

  await db.schema
    .createTable('allocation_stop')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('stopped_at', 'timestamptz', (c) => c.notNull())
    .addColumn('stopped_by', 'text')
    .addColumn('resumed_at', 'timestamptz')
    .addColumn('resumed_by', 'text')
    .execute();
  await sql`create index allocation_stop_active_idx on allocation_stop (organisation_id) where resumed_at is null`.execute(
    db,
  );

  // Idempotency keys of writes, per caller: the first answer is kept and replayed for the same body.
  await db.schema
    .createTable('idempotency_key')
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_key_pkey', ['principal', 'key'])
    .execute();

  for (const table of [
    'resource_order',
    'order_line',
    'order_step',
    'order_event',
    'quota_reservation',
    'allocation_stop',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
