import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The audit chain without a global lock (issue 24). Until now every audited write took one advisory lock held
// until its commit, to read the chain's last hash and append after it: all writes of all units queued on it.
// Now a writer only inserts its entry (in its own transaction, so the entry exists exactly when its change
// commits) with `entry_hash`, the keyed SM3 of its content. A sealer (a job every two seconds; checkpoints
// before they read) links the committed entries afterwards, under the lock only sealers take: each gets the
// next chain position (`seal_seq`) and `hash` = SM3(previous hash, entry_hash). The chain's order is the order
// of sealing, fixed once sealed. Entries sealed before this migration keep their hashes; their chain position
// is their id.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_event add column entry_hash text`.execute(db);
  await sql`alter table audit_event add column seal_seq bigint unique`.execute(db);
  await sql`alter table audit_event alter column prev_hash drop not null`.execute(db);
  await sql`alter table audit_event alter column hash drop not null`.execute(db);
  await sql`create index audit_event_unsealed_idx on audit_event (id) where seal_seq is null`.execute(db);

  // Append-only as before; the one update allowed is sealing: an unsealed entry gets its position and hashes
  // (a hash it already had stays), nothing else of it changes.
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
      if tg_op = 'UPDATE' and old.seal_seq is null and new.seal_seq is not null
        and new.hash is not null and new.prev_hash is not null
        and (old.hash is null or (old.hash = new.hash and old.prev_hash = new.prev_hash))
        and (to_jsonb(new) - array['seal_seq', 'hash', 'prev_hash']) = (to_jsonb(old) - array['seal_seq', 'hash', 'prev_hash']) then
        return new;
      end if;
      raise exception 'audit_event is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);

  await sql`update audit_event set seal_seq = id where seal_seq is null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
