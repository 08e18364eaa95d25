import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// A recompute that changed something deletes the run's lines and writes them again (issue 24). The guard
// that keeps a closed month frozen (0012, 0018) ran for every deleted line, a PL/pgSQL call and a lookup of
// the line's run per row: deleting a city's 200,000 lines cost more than the whole first computation. DELETE
// of statement_line is now checked once per statement over the deleted rows (a transition table), as INSERT
// already is since 0018; the guard raises before COMMIT either way, so a closed run's lines still never go.
// UPDATE keeps the row-level guard (the engine never updates lines).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger statement_line_closed on statement_line`.execute(db);
  await sql`create trigger statement_line_closed before update on statement_line
    for each row execute function settlement_closed_guard()`.execute(db);
  await sql`
    create function settlement_closed_delete_guard() returns trigger language plpgsql as $$
    begin
      perform 1 from deleted d join statement st on st.id = d.statement_id join settlement_run r on r.id = st.run_id
        where r.status = 'closed' limit 1;
      if found then
        raise exception 'settlement month is closed and never changes' using errcode = 'insufficient_privilege';
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger statement_line_closed_delete after delete on statement_line
    referencing old table as deleted for each statement execute function settlement_closed_delete_guard()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
