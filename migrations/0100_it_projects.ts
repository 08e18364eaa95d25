import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// IT projects from the annual declaration to acceptance (issue 19; JQ-proj 7-17, NB 17, SH 18/27, JQ 30-31,
// TZ 19): declaration rounds per jurisdiction and year, declarations with their cloud deployment plan (priced
// into an annual cloud cost) and data-sharing plan, the preliminary review, the annual plan, design review,
// investment changes, acceptances, and each unit's annual cloud budget. `project.review_passed_at` marks a
// project whose preliminary review passed (JQ-proj 9: without it no approval, quota or orders).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table project add column review_passed_at timestamptz`.execute(db);

  await db.schema
    .createTable('declaration_round')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('plan_year', 'integer', (c) => c.notNull())
    .addColumn('opened_on', 'date', (c) => c.notNull())
    .addColumn('deadline_day', 'date', (c) => c.notNull())
    .addColumn('deadline_provisional', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('investment_ceiling_fen', 'bigint', (c) => c.notNull().check(sql`investment_ceiling_fen >= 0`))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('open').check(sql`status in ('open', 'closed', 'planned')`),
    )
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('planned_by', 'text')
    .addColumn('planned_at', 'timestamptz')
    .addUniqueConstraint('declaration_round_year', ['jurisdiction_id', 'plan_year'])
    .execute();

  await db.schema
    .createTable('project_declaration')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('project_id', 'uuid', (c) => c.notNull().unique().references('project.id'))
    .addColumn('round_id', 'uuid', (c) => c.references('declaration_round.id'))
    .addColumn('urgent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('urgent_reason', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(
          sql`status in ('draft', 'submitted', 'review_passed', 'review_failed', 'in_plan', 'not_in_plan', 'approved', 'design_approved')`,
        ),
    )
    .addColumn('feasibility_summary', 'text', (c) => c.notNull())
    .addColumn('investment_fen', 'bigint', (c) => c.notNull().check(sql`investment_fen >= 0`))
    .addColumn('funding_source', 'text', (c) => c.notNull())
    .addColumn('deployment_plan', 'jsonb', (c) => c.notNull())
    .addColumn('annual_cloud_cost_fen', 'bigint', (c) => c.notNull())
    .addColumn('catalogue_version_id', 'uuid')
    .addColumn('data_sharing_plan', 'jsonb', (c) => c.notNull())
    .addColumn('review_checklist', 'jsonb')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'timestamptz')
    .addColumn('design_review_note', 'text')
    .addColumn('design_reviewed_by', 'text')
    .addColumn('design_reviewed_at', 'timestamptz')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index project_declaration_round on project_declaration (round_id, status)`.execute(db);

  await db.schema
    .createTable('project_change')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id'))
    .addColumn('before_fen', 'bigint', (c) => c.notNull())
    .addColumn('after_fen', 'bigint', (c) => c.notNull())
    .addColumn('change_percent', 'numeric(12, 4)', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('recorded', 'pending_authority', 'approved', 'rejected')`),
    )
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_comment', 'text')
    .execute();

  await db.schema
    .createTable('project_acceptance')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull().check(sql`result in ('passed', 'failed')`))
    .addColumn('accepted_on', 'date', (c) => c.notNull())
    .addColumn('opinion', 'text', (c) => c.notNull())
    .addColumn('rectification_due', 'date')
    .addColumn('warranty_until', 'date')
    .addColumn('evaluation_due', 'date')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('project_acceptance_attempt', ['project_id', 'attempt'])
    .execute();

  await db.schema
    .createTable('unit_cloud_budget')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('budget_fen', 'bigint', (c) => c.notNull().check(sql`budget_fen >= 0`))
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('unit_cloud_budget_pk', ['organisation_id', 'year'])
    .execute();

  const visible = sql`yunguan_visible(organisation_id, jurisdiction_id)`;
  for (const table of ['project_declaration', 'project_change', 'project_acceptance', 'unit_cloud_budget']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (${visible}) with check (${visible})`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
