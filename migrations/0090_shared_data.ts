import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Shared data (NB 13-15, DOMAIN.md section 11): the shared-data catalogue of data resources registered by
// their providing units (versioned, reviewed and published by the ops unit), authorised use (applications
// that become grants), the traces of every call through the data gateway, the gateway's rate counters, and
// data error reports fed back to the provider.
//
// Data sharing is between two units by nature, so the row-level security policies here name both parties:
// a grant, a trace and an error report are visible to the consuming unit, to the providing unit and to
// jurisdiction-wide roles of either's jurisdiction. Published catalogue versions are visible to every
// signed-in organisation (the catalogue is published, NB 15); drafts only to the provider and the ops unit.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('data_resource')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    // the name of the newest version: unique within the providing unit (imports match on it)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('published_version', 'integer')
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('withdrawn_by', 'text')
    .addColumn('withdraw_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index data_resource_name_idx on data_resource (organisation_id, name)`.execute(db);

  await db.schema
    .createTable('data_resource_version')
    .addColumn('resource_id', 'uuid', (c) => c.notNull().references('data_resource.id'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'submitted', 'returned', 'published', 'superseded')`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // [{ name, type, meaning, sensitivity }]
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('json', 'csv')`))
    .addColumn('update_schedule', 'text', (c) =>
      c
        .notNull()
        .check(sql`update_schedule in ('realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular')`),
    )
    .addColumn('sharing_type', 'text', (c) =>
      c.notNull().check(sql`sharing_type in ('unconditional', 'conditional', 'not_shared')`),
    )
    .addColumn('sharing_condition', 'text')
    .addColumn('not_shared_reason', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('system_id', 'uuid', (c) => c.notNull())
    .addColumn('system_name', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('delivery', 'text', (c) => c.notNull().check(sql`delivery in ('api', 'file')`))
    .addColumn('endpoint_url', 'text')
    .addColumn('default_rate_limit_per_minute', 'integer', (c) => c.check(sql`default_rate_limit_per_minute > 0`))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('submitted_by', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('reviewed_by', 'text')
    .addColumn('review_comment', 'text')
    .addColumn('published_at', 'timestamptz')
    .addPrimaryKeyConstraint('data_resource_version_pk', ['resource_id', 'version'])
    .addCheckConstraint(
      'data_resource_version_reason_check',
      sql`(sharing_type <> 'not_shared' or not_shared_reason is not null)
        and (sharing_type <> 'conditional' or sharing_condition is not null)
        and (sharing_type = 'not_shared' or endpoint_url is not null)`,
    )
    .execute();
  // At most one version being edited or reviewed at a time.
  await sql`create unique index data_resource_version_open_idx on data_resource_version (resource_id)
    where status in ('draft', 'submitted', 'returned')`.execute(db);
  await sql`create index data_resource_version_status_idx on data_resource_version (jurisdiction_id, status)`.execute(
    db,
  );

  await db.schema
    .createTable('data_resource_credential')
    .addColumn('resource_id', 'uuid', (c) => c.primaryKey().references('data_resource.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('header_name', 'text', (c) => c.notNull())
    // sealSecret (SM4-CBC): never returned by any route
    .addColumn('sealed_value', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('data_grant')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('resource_id', 'uuid', (c) => c.notNull().references('data_resource.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('consumer_organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('consumer_jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('consumer_name', 'text', (c) => c.notNull())
    .addColumn('project_id', 'uuid', (c) => c.notNull())
    .addColumn('project_name', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('sharing_type', 'text', (c) => c.notNull().check(sql`sharing_type in ('unconditional', 'conditional')`))
    .addColumn('requested_fields', sql`text[]`, (c) => c.notNull())
    .addColumn('requested_from', 'date', (c) => c.notNull())
    .addColumn('requested_to', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`status in ('pending_provider', 'pending_ops', 'active', 'refused', 'withdrawn', 'revoked', 'superseded')`,
        ),
    )
    .addColumn('granted_fields', sql`text[]`)
    .addColumn('valid_from', 'date')
    .addColumn('valid_to', 'date')
    .addColumn('rate_limit_per_minute', 'integer', (c) => c.check(sql`rate_limit_per_minute > 0`))
    .addColumn('applied_by', 'text')
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull())
    .addColumn('provider_decided_at', 'timestamptz')
    .addColumn('provider_decided_by', 'text')
    .addColumn('provider_comment', 'text')
    .addColumn('ops_reviewed_at', 'timestamptz')
    .addColumn('ops_reviewed_by', 'text')
    .addColumn('ops_comment', 'text')
    .addColumn('refused_by', 'text', (c) => c.check(sql`refused_by in ('provider', 'ops')`))
    .addColumn('refusal_reason', 'text')
    .addColumn('activated_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('ended_by', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'data_grant_active_check',
      sql`status not in ('active', 'revoked', 'superseded') or (granted_fields is not null and valid_from is not null and valid_to is not null and valid_from <= valid_to)`,
    )
    .execute();
  // One grant in force per resource and consuming unit (a new one supersedes it), one application pending.
  await sql`create unique index data_grant_active_idx on data_grant (resource_id, consumer_organisation_id)
    where status = 'active'`.execute(db);
  await sql`create unique index data_grant_pending_idx on data_grant (resource_id, consumer_organisation_id)
    where status in ('pending_provider', 'pending_ops')`.execute(db);
  await sql`create index data_grant_provider_idx on data_grant (provider_organisation_id, status)`.execute(db);
  await sql`create index data_grant_consumer_idx on data_grant (consumer_organisation_id, resource_id)`.execute(db);
  await sql`create index data_grant_jurisdiction_idx on data_grant (jurisdiction_id, status)`.execute(db);

  await db.schema
    .createTable('data_call_trace')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    // the providing unit's jurisdiction; the caller's when the resource does not exist
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_organisation_id', 'uuid')
    .addColumn('consumer_organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('consumer_jurisdiction_id', 'uuid', (c) => c.notNull())
    // the id the call named (no foreign key: a call may name a resource that does not exist)
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('resource_name', 'text')
    .addColumn('provider_name', 'text')
    .addColumn('consumer_name', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'uuid')
    .addColumn('token_id', 'uuid')
    .addColumn('token_name', 'text')
    .addColumn('purpose', 'text')
    .addColumn('fields', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('parameters', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('record_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .execute();
  for (const column of ['provider_organisation_id', 'consumer_organisation_id', 'jurisdiction_id', 'resource_id']) {
    await sql`create index ${sql.id(`data_call_trace_${column}_idx`)} on data_call_trace (${sql.ref(column)}, occurred_at)`.execute(
      db,
    );
  }
  // The trace is evidence: append-only, like resource_event.
  await sql`
    create function data_call_trace_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'data_call_trace is append-only';
    end $$`.execute(db);
  await sql`create trigger data_call_trace_append_only before update or delete on data_call_trace
    for each row execute function data_call_trace_append_only()`.execute(db);

  // The gateway's rate limit counters: one row per grant and minute, shared by every API instance.
  await db.schema
    .createTable('data_rate_window')
    .addColumn('grant_id', 'uuid', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('calls', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('data_rate_window_pk', ['grant_id', 'window_start'])
    .execute();

  await db.schema
    .createTable('data_error_report')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('resource_id', 'uuid', (c) => c.notNull().references('data_resource.id'))
    .addColumn('grant_id', 'uuid', (c) => c.notNull().references('data_grant.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('consumer_organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('consumer_jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('provider_name', 'text', (c) => c.notNull())
    .addColumn('consumer_name', 'text', (c) => c.notNull())
    .addColumn('record_reference', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('reported', 'acknowledged', 'corrected', 'confirmed')`),
    )
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reported_by', 'text')
    // null: the policy gives no deadline (sharedData.errorCorrectionWorkingDays is null)
    .addColumn('deadline_working_days', 'integer')
    .addColumn('due_at', 'timestamptz')
    .addColumn('due_provisional', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledgement', 'text')
    .addColumn('corrected_at', 'timestamptz')
    .addColumn('corrected_by', 'text')
    .addColumn('correction', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('confirmed_by', 'text')
    .addColumn('rejections', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_rejection', 'text')
    .addColumn('overdue_since', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index data_error_report_provider_idx on data_error_report (provider_organisation_id, status)`.execute(
    db,
  );
  await sql`create index data_error_report_consumer_idx on data_error_report (consumer_organisation_id, status)`.execute(
    db,
  );
  await sql`create index data_error_report_due_idx on data_error_report (due_at)
    where status in ('reported', 'acknowledged') and overdue_since is null`.execute(db);

  // Row-level security.
  const provider = sql`yunguan_visible(organisation_id, jurisdiction_id)`;
  await sql`alter table data_resource enable row level security`.execute(db);
  await sql`create policy tenant_isolation on data_resource to yunguan_app
    using (${provider} or published_version is not null)
    with check (${provider})`.execute(db);
  await sql`alter table data_resource_version enable row level security`.execute(db);
  await sql`create policy tenant_isolation on data_resource_version to yunguan_app
    using (${provider} or status in ('published', 'superseded'))
    with check (${provider})`.execute(db);
  await sql`alter table data_resource_credential enable row level security`.execute(db);
  await sql`create policy tenant_isolation on data_resource_credential to yunguan_app
    using (${provider}) with check (${provider})`.execute(db);
  const parties = sql`yunguan_visible(consumer_organisation_id, consumer_jurisdiction_id)
    or yunguan_visible(provider_organisation_id, jurisdiction_id)`;
  for (const table of ['data_grant', 'data_call_trace', 'data_error_report']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (${parties}) with check (${parties})`.execute(db);
  }
  // The rate counters belong to the gateway alone, never to a tenant transaction.
  await sql`revoke all on data_rate_window from yunguan_app`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
