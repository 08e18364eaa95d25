import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The rest of the efficiency evaluation (issue 17):
// - a third kind of card, the units keeping their own data centre for now (LZ 30(2)); a unit may hold a card as a
//   using unit and one for its data centre, so a card is keyed by evaluation, kind and organisation;
// - what publication produces beside the coefficients: next year's allocation advice per unit and project
//   (LZ 30(1), SH 34) and the providers' fee adjustment figures (SH 34), kept with the evaluation as published;
// - evidence files on an evaluated organisation's indicator (site inspection records, security reviews), stored in
//   the database as the data-centre attachments are (content, size, SHA-256), tenant-owned by that organisation.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table evaluation_card drop constraint evaluation_card_subject_check`.execute(db);
  await sql`alter table evaluation_card add constraint evaluation_card_subject_check
    check (subject in ('using_unit', 'provider', 'data_centre'))`.execute(db);
  await sql`alter table evaluation_card drop constraint evaluation_card_pkey`.execute(db);
  await sql`alter table evaluation_card add constraint evaluation_card_pkey
    primary key (evaluation_id, subject, organisation_id)`.execute(db);

  await db.schema.alterTable('evaluation').addColumn('outcomes', 'jsonb').execute();

  await db.schema
    .createTable('evaluation_attachment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('evaluation_id', 'uuid', (c) => c.notNull().references('evaluation.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull().check(sql`length(file_name) between 1 and 200`))
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index evaluation_attachment_item on evaluation_attachment (evaluation_id, organisation_id, indicator)`.execute(
    db,
  );
  await sql`alter table evaluation_attachment enable row level security`.execute(db);
  await sql`create policy tenant_isolation on evaluation_attachment to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
