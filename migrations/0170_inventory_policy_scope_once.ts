import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The tenant policy of resource and resource_event (0008), same rule and same settings, written for the planner:
// - it read the caller's scope once per query, as meant, but converted it per row: `cast((select
//   string_to_array(...)) as uuid[])` runs the sub-select once (an InitPlan) and then casts its text[] to uuid[]
//   for every row it filters, parsing every id of the scope again. Counting a city's 100,000 resources under
//   the policy cost ~150 ms against ~50 ms with the cast inside the sub-select (the outer cast to the same type
//   only makes `= any (...)` take an array, not a sub-query);
// - the planner cannot see into the policy's CASE and estimated it to keep half the rows, on top of the list's
//   own visibility filter (the same rule, which it estimates from the statistics): a page half-way down a
//   city's list by OFFSET was planned as "sort everything" (on disk) instead of reading the (created_at, id)
//   index in order. The CASE is now compared as an integer (1 visible, 0 or null not), which the planner
//   estimates to keep nearly every row: true of every query that states its own scope, as the lists do.
// Issue 24, docs/decisions.md "Inventory requests: the policy's scope parsed once, one round trip fewer".
export async function up(db: Kysely<any>): Promise<void> {
  const scope = sql`(select current_setting('yunguan.scope', true))`;
  const ids = (setting: string) =>
    sql`cast((select cast(string_to_array(nullif(current_setting(${sql.lit(setting)}, true), ''), ',') as uuid[])) as uuid[])`;
  const visible = sql`(case ${scope}
      when 'jurisdiction' then jurisdiction_id = any (${ids('yunguan.jurisdictions')})
      when 'organisation' then organisation_id = any (${ids('yunguan.organisations')})
        or provider_id = any (${ids('yunguan.organisations')})
      else false
    end)::int <> 0`;
  for (const table of ['resource', 'resource_event']) {
    await sql`alter policy tenant_isolation on ${sql.table(table)} using (${visible}) with check (${visible})`.execute(
      db,
    );
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
