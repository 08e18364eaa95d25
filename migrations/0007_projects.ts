import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Information systems (信息系统) and projects (立项) of a using unit, with the project's resource quota
// (DOMAIN.md sections 4, 10, 13; SH 2, 7, 18, 20, 30; TZ 11). All four tables are tenant-owned: rows carry
// organisation_id + jurisdiction_id, the link tables take them from both ends through composite foreign
// keys, and a tenant_isolation policy applies row-level security to each table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('information_system')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    // Subsystem names as a JSON array of strings.
    .addColumn('subsystems', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('developer', 'text')
    .addColumn('network_zone', 'text')
    // MLPS (等级保护) level 1-5 and its filing (备案) status.
    .addColumn('mlps_level', 'integer', (c) => c.notNull().check(sql`mlps_level between 1 and 5`))
    .addColumn('filing_status', 'text', (c) =>
      c.notNull().defaultTo('not_filed').check(sql`filing_status in ('not_filed', 'filed')`),
    )
    .addColumn('filing_number', 'text')
    .addColumn('classified', 'boolean', (c) => c.notNull().defaultTo(false))
    // The security commitment letter (安全承诺书, SH 30, TZ 11).
    .addColumn('commitment_letter_on_file', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('commitment_letter_file', 'text')
    .addColumn('commitment_letter_date', 'date')
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('planned').check(sql`status in ('planned', 'on_cloud', 'legacy_data_centre', 'retired')`),
    )
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('information_system_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id'])
    // SH 2, 7: only non-classified systems at MLPS level 3 or below go on the cloud. The service refuses
    // with the reason first; this is the last line.
    .addCheckConstraint(
      'information_system_cloud_eligible_check',
      sql`status <> 'on_cloud' or (not classified and mlps_level <= 3)`,
    )
    .execute();
  await db.schema
    .createIndex('information_system_organisation_idx')
    .on('information_system')
    .columns(['organisation_id', 'name'])
    .execute();
  await db.schema
    .createIndex('information_system_jurisdiction_idx')
    .on('information_system')
    .columns(['jurisdiction_id', 'status'])
    .execute();

  await db.schema
    .createTable('project')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    // 立项批复文号, e.g. 沪经信投〔2026〕12号.
    .addColumn('approval_no', 'text', (c) => c.notNull().check(sql`length(approval_no) between 1 and 100`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('year', 'integer', (c) => c.notNull().check(sql`year between 2000 and 2100`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('approved').check(sql`status in ('declared', 'approved', 'closed')`),
    )
    .addColumn('description', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('project_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id'])
    .addUniqueConstraint('project_approval_no_unique', ['jurisdiction_id', 'approval_no'])
    .execute();
  await db.schema
    .createIndex('project_organisation_idx')
    .on('project')
    .columns(['organisation_id', 'status'])
    .execute();

  // The systems a project builds.
  await db.schema
    .createTable('project_system')
    .addColumn('project_id', 'uuid', (c) => c.notNull())
    .addColumn('system_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_system_pkey', ['project_id', 'system_id'])
    .addForeignKeyConstraint(
      'project_system_project_fkey',
      ['project_id', 'organisation_id', 'jurisdiction_id'],
      'project',
      ['id', 'organisation_id', 'jurisdiction_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'project_system_system_fkey',
      ['system_id', 'organisation_id', 'jurisdiction_id'],
      'information_system',
      ['id', 'organisation_id', 'jurisdiction_id'],
    )
    .execute();
  await db.schema.createIndex('project_system_system_idx').on('project_system').column('system_id').execute();

  // A project's quota per dimension (vcpu, memory_gb, storage_gb, bandwidth_mbps, item:<catalogue code>),
  // set by the economy & IT authority (SH 18). A row without dates is the base quota; a row with
  // valid_from/valid_to (inclusive dates, Asia/Shanghai) is a periodic (dynamic) window whose quantity
  // replaces the base quota of that dimension inside its dates.
  await db.schema
    .createTable('project_quota')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('project_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`dimension in ('vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps') or dimension ~ '^item:[a-z0-9][a-z0-9-]{0,62}$'`,
        ),
    )
    .addColumn('quantity', 'numeric(20, 6)', (c) => c.notNull().check(sql`quantity >= 0`))
    .addColumn('valid_from', 'date')
    .addColumn('valid_to', 'date')
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .addForeignKeyConstraint(
      'project_quota_project_fkey',
      ['project_id', 'organisation_id', 'jurisdiction_id'],
      'project',
      ['id', 'organisation_id', 'jurisdiction_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint(
      'project_quota_window_check',
      sql`(valid_from is null and valid_to is null) or (valid_from is not null and valid_to is not null and valid_to >= valid_from)`,
    )
    .execute();
  await sql`create unique index project_quota_base_idx on project_quota (project_id, dimension) where valid_from is null`.execute(
    db,
  );
  await sql`create unique index project_quota_window_idx on project_quota (project_id, dimension, valid_from) where valid_from is not null`.execute(
    db,
  );
  await db.schema.createIndex('project_quota_organisation_idx').on('project_quota').column('organisation_id').execute();

  for (const table of ['information_system', 'project', 'project_system', 'project_quota']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
