import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Efficiency evaluation (效能评估, SH 27, 33-34; TZ 20; LZ 30; JQ 28): an evaluation of a jurisdiction for a period
// with the scorecard template it used (snapshotted: the pack's later versions never change it), its inputs and
// their content hash, and its flow draft -> reviewed (ops unit) -> approved (authority) -> published; one card per
// evaluated using unit or provider (tenant-owned: a unit sees its own card, a provider its own); the satisfaction
// survey (one answer per using unit and provider, owned by the unit: the provider never sees who answered what);
// scores entered by people with their evidence; appeals. The efficiency coefficient of settlement remembers
// whether a published evaluation (which one, which band) or a person (an override with its reason) set it.
export async function up(db: Kysely<any>): Promise<void> {
  const tenant = (t: any) =>
    t
      .addColumn('organisation_id', 'uuid', (c: any) => c.notNull().references('organisation.id'))
      .addColumn('jurisdiction_id', 'uuid', (c: any) => c.notNull().references('jurisdiction.id'));

  await db.schema
    .createTable('evaluation')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period ~ '^[0-9]{4}(-Q[1-4])?$'`))
    .addColumn('window_from', 'date', (c) => c.notNull())
    .addColumn('window_to', 'date', (c) => c.notNull())
    .addColumn('pack_id', 'text', (c) => c.notNull())
    .addColumn('pack_version', 'text', (c) => c.notNull())
    .addColumn('template', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'reviewed', 'approved', 'published')`),
    )
    .addColumn('effective_from', 'text', (c) => c.notNull().check(sql`effective_from ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('inputs', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('appeal_due_day', 'date')
    .execute();
  await sql`create unique index evaluation_period_once on evaluation (jurisdiction_id, period)`.execute(db);

  await tenant(
    db.schema
      .createTable('evaluation_card')
      .addColumn('evaluation_id', 'uuid', (c) => c.notNull().references('evaluation.id').onDelete('cascade'))
      .addColumn('subject', 'text', (c) => c.notNull().check(sql`subject in ('using_unit', 'provider')`)),
  )
    .addColumn('total', sql`numeric(5, 2)`, (c: any) => c.notNull())
    .addColumn('band', 'text')
    .addColumn('coefficient', sql`numeric(6, 4)`)
    .addColumn('rank', 'integer', (c: any) => c.notNull())
    .addColumn('of_count', 'integer', (c: any) => c.notNull())
    .addColumn('indicators', 'jsonb', (c: any) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_card_pkey', ['evaluation_id', 'organisation_id'])
    .execute();

  // organisation_id: the answering using unit (so RLS shows an answer to that unit and to jurisdiction roles only)
  await tenant(
    db.schema
      .createTable('evaluation_survey')
      .addColumn('evaluation_id', 'uuid', (c) => c.notNull().references('evaluation.id').onDelete('cascade')),
  )
    .addColumn('provider_id', 'uuid', (c: any) => c.notNull().references('organisation.id'))
    .addColumn('answers', 'jsonb', (c: any) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('submitted_by', 'text', (c: any) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c: any) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_survey_pkey', ['evaluation_id', 'organisation_id', 'provider_id'])
    .execute();

  await db.schema
    .createTable('evaluation_manual_score')
    .addColumn('evaluation_id', 'uuid', (c) => c.notNull().references('evaluation.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('score', sql`numeric(5, 2)`, (c) => c.notNull().check(sql`score >= 0 and score <= 100`))
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_manual_score_pkey', ['evaluation_id', 'organisation_id', 'indicator'])
    .execute();

  await tenant(
    db.schema
      .createTable('evaluation_appeal')
      .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
      .addColumn('evaluation_id', 'uuid', (c) => c.notNull().references('evaluation.id').onDelete('cascade')),
  )
    .addColumn('indicator', 'text', (c: any) => c.notNull())
    .addColumn('reason', 'text', (c: any) => c.notNull())
    .addColumn('status', 'text', (c: any) => c.notNull().check(sql`status in ('open', 'upheld', 'rejected')`))
    .addColumn('decision', 'text')
    .addColumn('score', sql`numeric(5, 2)`)
    .addColumn('filed_by', 'text', (c: any) => c.notNull())
    .addColumn('filed_at', 'timestamptz', (c: any) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .execute();

  for (const table of ['evaluation_card', 'evaluation_survey', 'evaluation_appeal']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }

  // Where a month's coefficient came from: a published evaluation (its id and band) or a person's override.
  await db.schema
    .alterTable('efficiency_coefficient')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('manual').check(sql`source in ('manual', 'evaluation')`))
    .execute();
  await db.schema
    .alterTable('efficiency_coefficient')
    .addColumn('evaluation_id', 'uuid', (c) => c.references('evaluation.id'))
    .execute();
  await db.schema.alterTable('efficiency_coefficient').addColumn('band', 'text').execute();
}
