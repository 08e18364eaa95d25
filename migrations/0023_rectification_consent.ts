import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// SH 25: allocations stop and resources are reclaimed only "经政务云主管部门同意". At a missed rectification
// deadline the job proposes (consent_requested, with the authority's own deadline from the pack's
// defaults.reclaimConsentWorkingDays); the authority consents (then escalated: stop + reclaim) or declines.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rectification drop constraint rectification_status_check`.execute(db);
  await sql`alter table rectification add constraint rectification_status_check check (status in
    ('proposed', 'warned', 'responded', 'accepted', 'consent_requested', 'declined', 'escalated', 'reversed', 'withdrawn'))`.execute(
    db,
  );
  await sql`alter table rectification
    add column consent_requested_at timestamptz,
    add column consent_due_at timestamptz,
    add column consent_due_day date,
    add column consent_overdue_at timestamptz,
    add column consent_by text,
    add column consent_at timestamptz,
    add column consent_comment text`.execute(db);
  await sql`drop index rectification_live_idx`.execute(db);
  await sql`create unique index rectification_live_idx on rectification (finding_id)
    where status in ('proposed', 'warned', 'responded', 'consent_requested', 'escalated')`.execute(db);
  await sql`create index rectification_consent_due_idx on rectification (consent_due_at)
    where status = 'consent_requested'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index rectification_consent_due_idx`.execute(db);
  await sql`drop index rectification_live_idx`.execute(db);
  await sql`create unique index rectification_live_idx on rectification (finding_id)
    where status in ('proposed', 'warned', 'responded', 'escalated')`.execute(db);
  await sql`alter table rectification
    drop column consent_requested_at, drop column consent_due_at, drop column consent_due_day,
    drop column consent_overdue_at, drop column consent_by, drop column consent_at, drop column consent_comment`.execute(
    db,
  );
  await sql`alter table rectification drop constraint rectification_status_check`.execute(db);
  await sql`alter table rectification add constraint rectification_status_check check (status in
    ('proposed', 'warned', 'responded', 'accepted', 'escalated', 'reversed', 'withdrawn'))`.execute(db);
}
