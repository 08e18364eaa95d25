import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Usage monitoring (DOMAIN.md section 6; SH 25, TZ 12, LZ 22): hourly rollups of utilisation samples per
// resource and metric (raw samples are not kept), each resource's last sample (silent agents), series that
// map to no resource, findings of the detection rules, and the warning -> rectification -> reclaim flow.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per jurisdiction: the label series map by, overridden thresholds, retention, pull mode.
  await db.schema
    .createTable('monitoring_setting')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.primaryKey().references('jurisdiction.id'))
    .addColumn('mapping_label', 'text', (c) => c.notNull().defaultTo('instance_id'))
    // {"lowAvgCpuPercent": 10, ...}: only the keys set here override the pack and the defaults
    .addColumn('thresholds', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('retention_days', 'integer', (c) =>
      c.notNull().defaultTo(400).check(sql`retention_days between 7 and 3650`),
    )
    .addColumn('out_of_order_minutes', 'integer', (c) =>
      c.notNull().defaultTo(120).check(sql`out_of_order_minutes between 1 and 10080`),
    )
    .addColumn('rectification_working_days', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('pull_url', 'text')
    .addColumn('pull_pulled_until', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Hourly rollups. sum/count give the average; max the peak. provider_id lets the provider's agents write.
  await db.schema
    .createTable('monitoring_rollup')
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('metric', 'text', (c) =>
      c.notNull().check(sql`metric in ('cpu', 'memory', 'disk_io', 'network_in', 'network_out', 'heartbeat')`),
    )
    .addColumn('hour', 'timestamptz', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('sum', 'float8', (c) => c.notNull())
    .addColumn('max', 'float8', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count > 0`))
    .addPrimaryKeyConstraint('monitoring_rollup_pkey', ['resource_id', 'metric', 'hour'])
    // Room on each page so that the many updates of the current hour's rows are HOT (no index writes).
    .modifyEnd(sql`with (fillfactor = 70)`)
    .execute();
  await db.schema
    .createIndex('monitoring_rollup_hour_idx')
    .on('monitoring_rollup')
    .columns(['jurisdiction_id', 'metric', 'hour'])
    .execute();

  // Ingest maps a series to its resource by external id alone (the provider is not part of the label), once per
  // request for all its series: without this index that is a scan of every resource per request.
  await sql`create index monitoring_resource_external_idx on resource (external_id) where external_id is not null`.execute(
    db,
  );

  // The last sample of each resource, whatever the metric (an agent's heartbeat).
  await db.schema
    .createTable('monitoring_agent')
    .addColumn('resource_id', 'uuid', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('last_sample_at', 'timestamptz', (c) => c.notNull())
    .modifyEnd(sql`with (fillfactor = 50)`)
    .execute();

  // Series that map to no resource: counted and listed, never dropped silently.
  await db.schema
    .createTable('monitoring_unmapped')
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) =>
      c.notNull().check(sql`reason in ('no_label', 'no_resource', 'unsupported_metric')`),
    )
    .addColumn('samples', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('monitoring_unmapped_pkey', ['jurisdiction_id', 'organisation_id', 'series'])
    .execute();

  await db.schema
    .createTable('monitoring_finding')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull().check(sql`rule in ('low_utilisation', 'zombie', 'silent_agent')`))
    .addColumn('rule_version', 'text', (c) => c.notNull())
    // open: detected; cleared: no longer holds before any warning; in_rectification; resolved; reclaimed
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'cleared', 'in_rectification', 'resolved', 'escalated')`),
    )
    .addColumn('evidence', 'jsonb', (c) => c.notNull())
    .addColumn('first_detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // One live finding per resource and rule: a re-run refreshes it instead of adding another.
  await sql`create unique index monitoring_finding_live_idx on monitoring_finding (resource_id, rule)
    where status in ('open', 'in_rectification', 'escalated')`.execute(db);
  await db.schema
    .createIndex('monitoring_finding_org_idx')
    .on('monitoring_finding')
    .columns(['organisation_id', 'status'])
    .execute();

  // The warning -> rectification flow of one finding (SH 25).
  await db.schema
    .createTable('rectification')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('finding_id', 'uuid', (c) => c.notNull().references('monitoring_finding.id'))
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('proposed', 'warned', 'responded', 'accepted', 'escalated', 'reversed', 'withdrawn')`),
    )
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('working_days', 'integer', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('warned_at', 'timestamptz')
    .addColumn('due_at', 'timestamptz')
    .addColumn('due_day', 'date')
    .addColumn('response_action', 'text', (c) => c.check(sql`response_action in ('justify', 'downsize', 'release')`))
    .addColumn('response_comment', 'text')
    .addColumn('responded_by', 'text')
    .addColumn('responded_at', 'timestamptz')
    .addColumn('review_comment', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('reclaim_order_id', 'uuid')
    .addColumn('reversed_by', 'text')
    .addColumn('reversed_at', 'timestamptz')
    .addColumn('reversal_comment', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index rectification_live_idx on rectification (finding_id)
    where status in ('proposed', 'warned', 'responded', 'escalated')`.execute(db);
  await db.schema.createIndex('rectification_due_idx').on('rectification').columns(['status', 'due_at']).execute();

  for (const table of ['monitoring_rollup', 'monitoring_agent', 'monitoring_finding']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))`.execute(
      db,
    );
  }
  for (const table of ['monitoring_unmapped', 'rectification']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
  // Settings are read by every caller of the jurisdiction (the mapping label at ingest); written by ops.
  await sql`alter table monitoring_setting enable row level security`.execute(db);
  await sql`create policy tenant_isolation on monitoring_setting to yunguan_app
    using (true) with check (yunguan_visible(null::uuid, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
