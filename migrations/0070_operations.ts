import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Operations (issue 18): the service desk (TZ 12: response within the pack's minutes, 7x24 wall-clock time) and
// planned maintenance (JQ 13: the provider applies at least the pack's working days ahead; the authority notifies
// the affected units, derived from the inventory, and agrees the window with them).
//
// A ticket belongs to the using unit that opened it and to the provider it is routed to: row-level security
// shows it to both and to jurisdiction-wide roles. A maintenance window belongs to its provider
// (organisation_id); each affected unit's row (maintenance_unit) is visible to that unit and the provider, and
// the window itself to the units it affects.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_ticket')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    // the unit's name as it opened the ticket: the provider sees no using unit's organisation row
    .addColumn('unit_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('fault', 'request', 'consultation')`))
    .addColumn('priority', 'text', (c) => c.notNull().check(sql`priority in ('urgent', 'high', 'normal', 'low')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'uuid')
    .addColumn('resource_name', 'text')
    .addColumn('system_id', 'uuid')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open', 'responded', 'resolved', 'confirmed')`),
    )
    // the response target as the pack stated it when the ticket was opened (null: the regulation gives none)
    .addColumn('response_minutes', 'integer')
    .addColumn('response_article', 'text')
    .addColumn('response_due_at', 'timestamptz')
    .addColumn('first_response_at', 'timestamptz')
    .addColumn('first_response_by', 'text')
    .addColumn('response_breached', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'text')
    .addColumn('resolution', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('confirmed_by', 'text')
    .addColumn('satisfaction', 'integer', (c) => c.check(sql`satisfaction between 1 and 5`))
    .addColumn('satisfaction_comment', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index service_ticket_provider_idx on service_ticket (provider_id, status, created_at desc)`.execute(
    db,
  );
  await sql`create index service_ticket_unit_idx on service_ticket (organisation_id, created_at desc)`.execute(db);
  await sql`create index service_ticket_due_idx on service_ticket (response_due_at)
    where first_response_at is null and escalated_at is null and response_due_at is not null`.execute(db);

  await db.schema
    .createTable('service_ticket_entry')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('ticket_id', 'uuid', (c) => c.notNull().references('service_ticket.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('opened', 'response', 'update', 'resolution', 'confirmation', 'escalation')`),
    )
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index service_ticket_entry_ticket_idx on service_ticket_entry (ticket_id, seq)`.execute(db);

  await db.schema
    .createTable('maintenance_window')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    // the provider that applies
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('planned', 'sudden')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('zone', 'text')
    .addColumn('resource_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('applied')
        .check(sql`status in ('applied', 'consulting', 'agreed', 'refused', 'withdrawn')`),
    )
    .addColumn('lead_working_days', 'integer')
    .addColumn('lead_article', 'text')
    .addColumn('lead_due_day', 'date')
    .addColumn('affected_resources', 'integer', (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull())
    .addColumn('notified_at', 'timestamptz')
    .addColumn('notified_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('decision_note', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('maintenance_window_span_check', sql`ends_at > starts_at`)
    .addCheckConstraint('maintenance_window_scope_check', sql`zone is not null or cardinality(resource_ids) > 0`)
    .execute();
  await sql`create index maintenance_window_time_idx on maintenance_window (jurisdiction_id, status, starts_at)`.execute(
    db,
  );

  await db.schema
    .createTable('maintenance_unit')
    .addColumn('maintenance_id', 'uuid', (c) => c.notNull().references('maintenance_window.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('resource_ids', sql`uuid[]`, (c) => c.notNull())
    // filled by the authority's notification (the provider applying sees no using unit's organisation row)
    .addColumn('unit_name', 'text')
    .addColumn('notified_at', 'timestamptz')
    .addColumn('answer', 'text', (c) => c.check(sql`answer in ('confirmed', 'objected')`))
    .addColumn('answer_note', 'text')
    .addColumn('answered_at', 'timestamptz')
    .addColumn('answered_by', 'text')
    .addPrimaryKeyConstraint('maintenance_unit_pk', ['maintenance_id', 'organisation_id'])
    .execute();

  for (const table of ['service_ticket', 'service_ticket_entry', 'maintenance_unit']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))`.execute(
      db,
    );
  }
  await sql`alter table maintenance_window enable row level security`.execute(db);
  await sql`create policy tenant_isolation on maintenance_window to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id) or exists (
      select 1 from maintenance_unit u where u.maintenance_id = maintenance_window.id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
