import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Provider fulfilment (DOMAIN.md sections 1, 5, 6; JQ 6, 10 and annex 3; TZ 7, 10, 12; SH 21, 26; LZ 26):
// - work_order: what one provider must do for one fulfilment step of an order, with the order data it
//   needs copied onto it (a provider never reads the orders tables), its due time from the pack;
// - delivery_receipt / delivery_receipt_line: the 交付回执单 (JQ annex 3), one revision per submission;
// - inventory_snapshot / inventory_finding: providers' pushed inventory and the reconciliation findings;
// - expiry_notice: which expiry notices and reclaim orders the expiry job has already sent (idempotency).
// Every table carries the unit (organisation_id), its jurisdiction and, where a provider may see the row,
// provider_id; row-level security lets the unit, the provider and jurisdiction-wide roles see it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('work_order')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('step_key', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) =>
      c.notNull().check(sql`action in ('open_test', 'open', 'scale_up', 'change', 'reclaim', 'allocate')`),
    )
    .addColumn('zone', 'text')
    .addColumn('driver', 'text', (c) => c.notNull().defaultTo('manual'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open', 'submitted', 'disputed', 'completed', 'failed')`),
    )
    .addColumn('due_at', 'timestamptz')
    // While a receipt is disputed: the provider's own deadline to answer.
    .addColumn('dispute_due_at', 'timestamptz')
    // The order data the provider may see: order number, type, unit name, system, purpose, expiry.
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Reclaim: the unit confirms backup and data migration first (SH 26).
    .addColumn('backup_confirmed_at', 'timestamptz')
    .addColumn('backup_confirmed_by', 'text')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('work_order_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id', 'provider_id'])
    .execute();
  // One work order per provider and zone for one step of one order: the step-opened handler is idempotent.
  await sql`create unique index work_order_step_idx on work_order (order_id, step_key, provider_id, coalesce(zone, ''))`.execute(
    db,
  );
  await db.schema
    .createIndex('work_order_provider_idx')
    .on('work_order')
    .columns(['provider_id', 'status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('work_order_organisation_idx')
    .on('work_order')
    .columns(['organisation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('work_order_line')
    .addColumn('work_order_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('order_line_id', 'uuid')
    .addColumn('catalogue_item_code', 'text', (c) => c.notNull())
    .addColumn('specification', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('quantity', 'integer', (c) => c.notNull().defaultTo(1).check(sql`quantity between 1 and 10000`))
    // change / scale-up / reclaim: the resource the line acts on
    .addColumn('resource_id', 'uuid')
    .addColumn('system_id', 'uuid')
    .addColumn('project_id', 'uuid')
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('formal'))
    .addColumn('expires_on', 'date')
    .addPrimaryKeyConstraint('work_order_line_pkey', ['work_order_id', 'line_no'])
    .addForeignKeyConstraint(
      'work_order_line_work_order_fkey',
      ['work_order_id', 'organisation_id', 'jurisdiction_id', 'provider_id'],
      'work_order',
      ['id', 'organisation_id', 'jurisdiction_id', 'provider_id'],
    )
    .execute();

  await db.schema
    .createTable('delivery_receipt')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('work_order_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('submitted').check(sql`status in ('submitted', 'confirmed', 'disputed')`),
    )
    .addColumn('notes', 'text')
    // Reclaim: the provider confirms the data was erased (LZ 26).
    .addColumn('data_erased', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addUniqueConstraint('delivery_receipt_revision_unique', ['work_order_id', 'revision'])
    .addForeignKeyConstraint(
      'delivery_receipt_work_order_fkey',
      ['work_order_id', 'organisation_id', 'jurisdiction_id', 'provider_id'],
      'work_order',
      ['id', 'organisation_id', 'jurisdiction_id', 'provider_id'],
    )
    .execute();

  await db.schema
    .createTable('delivery_receipt_line')
    .addColumn('receipt_id', 'uuid', (c) => c.notNull().references('delivery_receipt.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('work_order_line_no', 'integer', (c) => c.notNull())
    // the resource the line created (set on confirmation) or acted on (change, reclaim)
    .addColumn('resource_id', 'uuid')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('addresses', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('specification', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('quantities', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('delivered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('notes', 'text')
    // the unit's objection to this line (the receipt is then disputed)
    .addColumn('dispute', 'text')
    .addPrimaryKeyConstraint('delivery_receipt_line_pkey', ['receipt_id', 'line_no'])
    .execute();

  await db.schema
    .createTable('inventory_snapshot')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('full', 'changes')`))
    .addColumn('items', 'integer', (c) => c.notNull())
    .addColumn('content_sm3', 'text', (c) => c.notNull())
    .addColumn('findings_raised', 'integer', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('inventory_finding')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('organisation_id', 'uuid')
    .addColumn('resource_id', 'uuid')
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('unknown_resource', 'missing_resource', 'size_mismatch')`),
    )
    // what was found, e.g. {"reported": {...}, "expected": {...}}; fingerprint: the same finding twice is one
    .addColumn('detail', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'resolved')`))
    .addColumn('snapshot_id', 'uuid', (c) => c.notNull().references('inventory_snapshot.id'))
    .addColumn('raised_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text')
    .execute();
  await sql`create unique index inventory_finding_fingerprint_idx on inventory_finding (provider_id, kind, external_id, fingerprint)`.execute(
    db,
  );
  await db.schema
    .createIndex('inventory_finding_status_idx')
    .on('inventory_finding')
    .columns(['jurisdiction_id', 'status', 'due_at'])
    .execute();

  await db.schema
    .createTable('expiry_notice')
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('expires_on', 'date', (c) => c.notNull())
    // notice: lead_working_days ahead of expiry; reclaim: the reclaim order opened at expiry (lead 0)
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('notice', 'reclaim', 'extended')`))
    .addColumn('lead_working_days', 'integer', (c) => c.notNull())
    .addColumn('sent_on', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addColumn('order_id', 'uuid')
    .addPrimaryKeyConstraint('expiry_notice_pkey', ['resource_id', 'expires_on', 'kind', 'lead_working_days'])
    .execute();

  // Inventory list: the indexes its filters and its default sort (newest first) need at 100,000 rows.
  await sql`create index resource_list_jurisdiction_idx on resource (jurisdiction_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index resource_list_organisation_idx on resource (organisation_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index resource_list_provider_idx on resource (provider_id, created_at desc, id desc)`.execute(db);
  await sql`create index resource_item_idx on resource (catalogue_item_code)`.execute(db);
  await sql`create index resource_system_idx on resource (system_id) where system_id is not null`.execute(db);
  await sql`create index resource_project_idx on resource (project_id) where project_id is not null`.execute(db);
  await sql`create index resource_expiry_idx on resource (expires_on) where expires_on is not null`.execute(db);

  for (const table of ['work_order', 'work_order_line', 'delivery_receipt', 'delivery_receipt_line']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))`.execute(
      db,
    );
  }
  // Snapshots and findings: the provider that pushed and jurisdiction-wide roles (the ops unit); not units.
  for (const table of ['inventory_snapshot', 'inventory_finding']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(provider_id, jurisdiction_id))
      with check (yunguan_visible(provider_id, jurisdiction_id))`.execute(db);
  }
  await sql`alter table expiry_notice enable row level security`.execute(db);
  await sql`create policy tenant_isolation on expiry_notice to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
