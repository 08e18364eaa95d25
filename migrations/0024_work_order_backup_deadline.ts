import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// A unit cannot stall a reclaim the platform opened (at expiry, or after a failed rectification) by never
// confirming its backup (SH 26): such a work order gets a backup deadline (the pack's
// defaults.reclaimBackupWorkingDays); after it the competent authority records its consent and the ops unit
// proceeds without the unit's confirmation.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table work_order
    add column backup_due_at timestamptz,
    add column backup_due_day date,
    add column backup_consent_by text,
    add column backup_consent_at timestamptz,
    add column backup_consent_comment text,
    add column backup_waived_by text,
    add column backup_waived_at timestamptz,
    add column backup_waiver_comment text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table work_order
    drop column backup_due_at, drop column backup_due_day, drop column backup_consent_by,
    drop column backup_consent_at, drop column backup_consent_comment, drop column backup_waived_by,
    drop column backup_waived_at, drop column backup_waiver_comment`.execute(db);
}
