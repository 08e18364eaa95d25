import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// A closed settlement month never changes (0012): its trigger refused UPDATE and DELETE of a closed run, its
// statements and lines, but a row could still be INSERTed into a closed run. Now:
// - INSERT into statement or statement_line of a closed run is refused, by one check per statement (a
//   statement-level trigger over the inserted rows: the engine writes every line of a city in one
//   INSERT ... SELECT, and a per-row lookup would slow it as a per-row foreign key did, see 0012);
// - an UPDATE that moves a statement or a line into a closed run is refused too (the row-level guard also
//   looks at the new row when it points elsewhere).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function settlement_closed_guard() returns trigger language plpgsql as $$
    declare
      s text;
    begin
      if tg_table_name = 'settlement_run' then
        s := old.status;
      elsif tg_table_name = 'statement' then
        select status into s from settlement_run where id = old.run_id;
        if s is distinct from 'closed' and tg_op = 'UPDATE' and new.run_id is distinct from old.run_id then
          select status into s from settlement_run where id = new.run_id;
        end if;
      else
        select r.status into s from settlement_run r join statement st on st.run_id = r.id where st.id = old.statement_id;
        if s is distinct from 'closed' and tg_op = 'UPDATE' and new.statement_id is distinct from old.statement_id then
          select r.status into s from settlement_run r join statement st on st.run_id = r.id where st.id = new.statement_id;
        end if;
      end if;
      if s = 'closed' then
        raise exception 'settlement month is closed and never changes' using errcode = 'insufficient_privilege';
      end if;
      return coalesce(new, old);
    end $$`.execute(db);

  await sql`
    create function settlement_closed_insert_guard() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'statement' then
        perform 1 from inserted i join settlement_run r on r.id = i.run_id where r.status = 'closed' limit 1;
      else
        perform 1 from inserted i join statement st on st.id = i.statement_id join settlement_run r on r.id = st.run_id
          where r.status = 'closed' limit 1;
      end if;
      if found then
        raise exception 'settlement month is closed and never changes' using errcode = 'insufficient_privilege';
      end if;
      return null;
    end $$`.execute(db);
  for (const table of ['statement', 'statement_line']) {
    await sql`create trigger ${sql.id(`${table}_closed_insert`)} after insert on ${sql.table(table)}
      referencing new table as inserted for each statement execute function settlement_closed_insert_guard()`.execute(
      db,
    );
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
