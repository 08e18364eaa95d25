import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Projects move declared -> under_review -> approved / rejected (SH 18, JQ-proj 9): a unit declares, the
// authority reviews and approves (立项); a unit no longer creates a project as approved. New projects start
// declared. Temporary orders (SH 24) record why a project not yet approved may draw resources: a key task
// of the year or a special meeting's decision.
const STATUSES = sql`('declared', 'under_review', 'approved', 'rejected', 'closed')`;
const OLD_STATUSES = sql`('declared', 'approved', 'closed')`;

/** Drops the column's CHECK constraints whatever PostgreSQL named them (0007 left them unnamed). */
async function dropChecks(db: Kysely<any>, table: string, column: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select c.conname as name from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
    where c.conrelid = ${table}::regclass and c.contype = 'c' and a.attname = ${column}`.execute(db);
  for (const { name } of rows) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(name)}`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await dropChecks(db, 'project', 'status');
  await sql`alter table project add constraint project_status_check check (status in ${STATUSES})`.execute(db);
  await sql`alter table project alter column status set default 'declared'`.execute(db);
  await sql`alter table project add column decided_by text`.execute(db);
  await sql`alter table project add column decided_at timestamptz`.execute(db);
  await sql`alter table project add column decision_comment text`.execute(db);
  await sql`alter table resource_order add column temporary_basis text
    check (temporary_basis in ('key_task', 'meeting_decision'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropChecks(db, 'resource_order', 'temporary_basis');
  await sql`alter table resource_order drop column temporary_basis`.execute(db);
  await sql`alter table project drop column decision_comment`.execute(db);
  await sql`alter table project drop column decided_at`.execute(db);
  await sql`alter table project drop column decided_by`.execute(db);
  await sql`update project set status = 'declared' where status in ('under_review', 'rejected')`.execute(db);
  await dropChecks(db, 'project', 'status');
  await sql`alter table project add constraint project_status_check check (status in ${OLD_STATUSES})`.execute(db);
  await sql`alter table project alter column status set default 'approved'`.execute(db);
}
