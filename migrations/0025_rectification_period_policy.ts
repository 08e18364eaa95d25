import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The rectification period of a warning (SH 25 责令整改) comes from the policy (the pack's
// monitoring.rectificationWorkingDays, else defaults.rectificationWorkingDays), no longer from a column default
// of monitoring_setting. A jurisdiction whose settings held another number than the old default (10) keeps it
// as a policy override of defaults.rectificationWorkingDays (against the pack it runs on), then the column goes.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    insert into policy_override (jurisdiction_id, path, pack_id, value, reason, set_by_name)
    select s.jurisdiction_id, 'defaults.rectificationWorkingDays', j.policy_pack,
      to_jsonb(s.rectification_working_days),
      '整改期限原为本辖区监测设置，迁入政策覆盖 / moved from the monitoring settings (migration 0025)', 'migration'
    from monitoring_setting s join jurisdiction j on j.id = s.jurisdiction_id
    where s.rectification_working_days <> 10
    on conflict (jurisdiction_id, path) do nothing`.execute(db);
  await sql`alter table monitoring_setting drop column rectification_working_days`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
