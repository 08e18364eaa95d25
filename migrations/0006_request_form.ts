import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The resource request form (云资源使用需求表, LZ annex 3): one form per information system, one row per
// virtual machine. A form imported from a spreadsheet is stored as a draft of the using unit that
// imported it, until the orders workflow takes it further. Both tables are tenant-owned: rows carry their
// form's organisation and jurisdiction (a composite foreign key keeps them equal to the form's), so
// row-level security applies to each table on its own.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('request_form')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('system_name', 'text', (c) => c.notNull().check(sql`length(system_name) between 1 and 200`))
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft')`))
    // The two contact lines above the table (申请单位联系人…, 信息系统厂商联系人…), free text as written.
    .addColumn('applicant_contact', 'text')
    .addColumn('vendor_contact', 'text')
    .addColumn('source_filename', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('request_form_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id'])
    .execute();
  await db.schema
    .createIndex('request_form_organisation_idx')
    .on('request_form')
    .columns(['organisation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('request_form_row')
    .addColumn('form_id', 'uuid', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('row_no', 'integer', (c) => c.notNull().check(sql`row_no between 1 and 100000`))
    .addColumn('network_zone', 'text', (c) => c.notNull())
    .addColumn('developer', 'text', (c) => c.notNull())
    .addColumn('system_name', 'text', (c) => c.notNull())
    .addColumn('subsystem', 'text')
    .addColumn('server_type', 'text', (c) =>
      c.notNull().check(sql`server_type in ('APP', 'WEB', 'FTP', 'DAT', 'MID', 'TST', 'OTH')`),
    )
    .addColumn('bastion_owner', 'text', (c) => c.notNull())
    .addColumn('bastion_owner_email', 'text', (c) => c.notNull())
    .addColumn('bastion_owner_mobile', 'text', (c) => c.notNull())
    .addColumn('vcpu', 'integer', (c) => c.notNull().check(sql`vcpu between 1 and 256`))
    .addColumn('memory_gb', 'integer', (c) => c.notNull().check(sql`memory_gb between 1 and 4096`))
    .addColumn('system_disk_gb', 'integer', (c) => c.notNull().check(sql`system_disk_gb between 1 and 65536`))
    .addColumn('data_disk_gb', 'integer', (c) => c.notNull().defaultTo(0).check(sql`data_disk_gb between 0 and 65536`))
    .addColumn('os', 'text', (c) => c.notNull())
    .addColumn('clustered', 'boolean', (c) => c.notNull())
    .addColumn('cluster_group', 'text')
    .addColumn('notes', 'text')
    .addPrimaryKeyConstraint('request_form_row_pkey', ['form_id', 'row_no'])
    .addForeignKeyConstraint(
      'request_form_row_form_fkey',
      ['form_id', 'organisation_id', 'jurisdiction_id'],
      'request_form',
      ['id', 'organisation_id', 'jurisdiction_id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint('request_form_row_cluster_check', sql`not clustered or cluster_group is not null`)
    .execute();

  for (const table of ['request_form', 'request_form_row']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
