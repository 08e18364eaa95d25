import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// LZ 23: system operation logs are kept at least six months. The audit trail's guard (0001) let a retention
// purge remove entries older than 180 days, which is shorter than six calendar months for every date (six
// months are 181 to 184 days). Now a purge may remove an entry only once six calendar months have passed
// since it on Shanghai's calendar (month-end clamped: 2026-08-31 + 6 months = 2027-02-28), and the configured
// retention in days (never under 180) too. The civil time zone is spelled here because the database guards
// this floor itself, whoever asks it to delete; the application's own cutoff (platform/audit, auditPurgeCutoff)
// lies on the safe side of it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function audit_event_guard() returns trigger language plpgsql as $$
    declare
      retention integer := greatest(coalesce(nullif(current_setting('yunguan.audit_retention_days', true), '')::integer, 180), 180);
    begin
      if tg_op = 'DELETE' and current_setting('yunguan.audit_purge', true) = 'on' then
        if old.occurred_at < now() - make_interval(days => retention)
          and (old.occurred_at at time zone 'Asia/Shanghai') + interval '6 months' <= (now() at time zone 'Asia/Shanghai') then
          return old;
        end if;
      end if;
      raise exception 'audit_event is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
