import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Order and deadline states, in summary, reported to the city (issue 22): the outbox trigger on `order_step`
// sends each step's state and deadline, not the order's content (the city gets no unit's request, JQ 18).
export async function up(db: Kysely<any>): Promise<void> {
  const summary = `jsonb_build_object('order_id', r.order_id, 'key', r.key, 'role', r.role, 'status', r.status,
    'opened_at', r.opened_at, 'due_at', r.due_at, 'overdue_since', r.overdue_since, 'decision', r.decision,
    'delivered_at', r.delivered_at, 'acted_at', r.acted_at, 'met_deadline', r.met_deadline,
    'organisation_id', r.organisation_id, 'jurisdiction_id', r.jurisdiction_id)`;
  await sql
    .raw(`
    create function federation_outbox_order_step() returns trigger language plpgsql as $$
    begin
      if not exists (select 1 from federation_peer where direction = 'city' and state = 'active') then
        return null;
      end if;
      if tg_op = 'DELETE' then
        insert into federation_outbox (source, op, key, payload)
        select 'order_step', 'delete', r.id::text, null from old_rows r;
      else
        insert into federation_outbox (source, op, key, payload)
        select 'order_step', 'upsert', r.id::text, ${summary} from new_rows r;
      end if;
      return null;
    end $$`)
    .execute(db);
  for (const op of ['insert', 'update', 'delete']) {
    const ref = op === 'delete' ? 'old table as old_rows' : 'new table as new_rows';
    await sql
      .raw(
        `create trigger federation_outbox_${op} after ${op} on order_step referencing ${ref}
         for each statement execute function federation_outbox_order_step()`,
      )
      .execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
