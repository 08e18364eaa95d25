import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Legacy data centres (存量数据中心, LZ 12-19, DOMAIN.md section 9): the register of departments' own and
// rented machine rooms with the systems they host (the self-check, LZ 14(1)); certification applications
// against the five criteria of LZ 13 with their evidence attachments (stored here, bounded), evaluated by the
// ops unit and decided by the authority in working days (LZ 14(3)(4), 17); the outcome on the room (retention,
// transition period, migration deadline); the migration plan per hosted system (LZ 16(1)(2)); closure with its
// evidence and equipment (LZ 16(3)(4)); the notices sent before a retention ends, once each.
//
// Every row belongs to the department that runs the room: row-level security shows it to that unit and to
// jurisdiction-wide roles (the ops unit, the authority), as for every tenant-owned table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('data_centre')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('construction', 'text', (c) => c.notNull().check(sql`construction in ('self_built', 'rented')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('area_square_metres', 'numeric(10, 2)', (c) => c.notNull().check(sql`area_square_metres >= 0`))
    .addColumn('racks', 'integer', (c) => c.notNull().check(sql`racks >= 0`))
    .addColumn('gb50174_class', 'text', (c) => c.notNull().check(sql`gb50174_class in ('A', 'B', 'C', 'none')`))
    .addColumn('extranet_connected', 'boolean', (c) => c.notNull())
    .addColumn('ipv6', 'boolean', (c) => c.notNull())
    .addColumn('cloud_platform_conformant', 'boolean', (c) => c.notNull())
    .addColumn('city_platform_interface', 'boolean', (c) => c.notNull())
    .addColumn('full_time_operators', 'integer', (c) => c.notNull().check(sql`full_time_operators >= 0`))
    .addColumn('service_7x24', 'boolean', (c) => c.notNull())
    .addColumn('mlps_level', 'integer', (c) => c.notNull().check(sql`mlps_level between 0 and 5`))
    .addColumn('mlps_cloud_extension', 'boolean', (c) => c.notNull())
    .addColumn('mlps_test_report', 'text')
    // rented rooms: the lease end as the register says now (the unit may correct it) ...
    .addColumn('lease_end', 'date')
    // ... and the current lease's end as first registered: the migration deadline (LZ 19: no extension)
    .addColumn('lease_end_registered', 'date')
    .addColumn('stage', 'text', (c) =>
      c
        .notNull()
        .defaultTo('registered')
        .check(sql`stage in ('registered', 'applied', 'retained', 'transition', 'migrating', 'closed')`),
    )
    .addColumn('approved_on', 'date')
    .addColumn('retention_ends', 'date')
    .addColumn('transition_ends', 'date')
    .addColumn('migration_deadline', 'date')
    .addColumn('deadline_article', 'text')
    .addColumn('closed_on', 'date')
    .addColumn('closure_note', 'text')
    // [{ kind, model, quantity, note }] listed for the authority to pool (LZ 16(4))
    .addColumn('equipment', 'jsonb')
    .addColumn('closed_by', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'data_centre_lease_check',
      sql`construction <> 'rented' or (lease_end is not null and lease_end_registered is not null)`,
    )
    .execute();
  await sql`create unique index data_centre_name_idx on data_centre (organisation_id, name)`.execute(db);
  await sql`create index data_centre_jurisdiction_idx on data_centre (jurisdiction_id, stage)`.execute(db);

  await db.schema
    .createTable('data_centre_system')
    .addColumn('data_centre_id', 'uuid', (c) => c.notNull().references('data_centre.id'))
    .addColumn('system_id', 'uuid', (c) => c.notNull().references('information_system.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('system_name', 'text', (c) => c.notNull())
    .addColumn('classified', 'boolean', (c) => c.notNull())
    // the migration plan (LZ 16(1)): how and by when
    .addColumn('plan', 'text', (c) => c.check(sql`plan in ('migrate', 'shut_down')`))
    .addColumn('target_date', 'date')
    // done: migrated to the city cloud, or shut down by consolidation with how its data was handled (LZ 16(2))
    .addColumn('done_on', 'date')
    .addColumn('data_handling', 'text')
    .addColumn('project_id', 'uuid')
    .addColumn('order_numbers', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('data_centre_system_pk', ['data_centre_id', 'system_id'])
    .addCheckConstraint(
      'data_centre_system_done_check',
      sql`done_on is null or plan is not null and (plan <> 'shut_down' or data_handling is not null)`,
    )
    .execute();
  await sql`create unique index data_centre_system_once_idx on data_centre_system (system_id)`.execute(db);

  await db.schema
    .createTable('data_centre_application')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('data_centre_id', 'uuid', (c) => c.notNull().references('data_centre.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('data_centre_name', 'text', (c) => c.notNull())
    .addColumn('organisation_name', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull().check(sql`path in ('standard', 'sensitive')`))
    .addColumn('sensitive_reason', 'text')
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'submitted', 'evaluated', 'approved', 'refused', 'withdrawn')`),
    )
    // { network: text, technology: text, scale: text, operations: text, security: text }
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    // the pre-check of the measurable criteria as it stood at submission
    .addColumn('precheck', 'jsonb')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('submitted_by', 'text')
    .addColumn('evaluation_working_days', 'integer')
    .addColumn('evaluation_article', 'text')
    .addColumn('evaluation_due_at', 'timestamptz')
    .addColumn('evaluation_due_day', 'date')
    .addColumn('evaluation_due_provisional', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('evaluation_overdue_since', 'timestamptz')
    .addColumn('evaluated_at', 'timestamptz')
    .addColumn('evaluated_by', 'text')
    .addColumn('site_survey_on', 'date')
    .addColumn('recommendation', 'text', (c) => c.check(sql`recommendation in ('approve', 'refuse')`))
    .addColumn('evaluation_opinion', 'text')
    .addColumn('approval_working_days', 'integer')
    .addColumn('approval_article', 'text')
    .addColumn('approval_due_at', 'timestamptz')
    .addColumn('approval_due_day', 'date')
    .addColumn('approval_due_provisional', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('approval_overdue_since', 'timestamptz')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One application open per room at a time.
  await sql`create unique index data_centre_application_open_idx on data_centre_application (data_centre_id)
    where status in ('draft', 'submitted', 'evaluated')`.execute(db);
  await sql`create index data_centre_application_due_idx on data_centre_application (jurisdiction_id, status)`.execute(
    db,
  );

  await db.schema
    .createTable('data_centre_attachment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('data_centre_id', 'uuid', (c) => c.notNull().references('data_centre.id'))
    .addColumn('application_id', 'uuid', (c) => c.references('data_centre_application.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('purpose', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`purpose in ('network', 'technology', 'scale', 'operations', 'security', 'site_survey', 'closure', 'mlps_report')`,
        ),
    )
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'text')
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index data_centre_attachment_idx on data_centre_attachment (data_centre_id, application_id)`.execute(
    db,
  );

  await db.schema
    .createTable('data_centre_notice')
    .addColumn('data_centre_id', 'uuid', (c) => c.notNull().references('data_centre.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('lead_days', 'integer', (c) => c.notNull())
    .addColumn('notice_day', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_centre_notice_pk', ['data_centre_id', 'kind', 'ends_on', 'lead_days'])
    .execute();

  const visible = sql`yunguan_visible(organisation_id, jurisdiction_id)`;
  for (const table of [
    'data_centre',
    'data_centre_system',
    'data_centre_application',
    'data_centre_attachment',
    'data_centre_notice',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (${visible}) with check (${visible})`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
