import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The tenant policy of resource and resource_event (0008) read the caller's scope once per query, as meant,
// but converted it per row: `cast((select string_to_array(...)) as uuid[])` runs the sub-select once (an
// InitPlan) and then casts its text[] to uuid[] for every row it filters, parsing every id of the scope again.
// Counting the 100,000 resources of a city under the policy cost ~150 ms against ~50 ms with the cast inside
// the sub-select (issue 24, docs/decisions.md "Inventory requests: one round trip for the tenant, the scope
// parsed once"). Same rule, same settings: the ids are now cast inside the sub-select, once per query (the
// outer cast to the same type is only there so that `= any (...)` takes an array, not a sub-query).
export async function up(db: Kysely<any>): Promise<void> {
  const scope = sql`(select current_setting('yunguan.scope', true))`;
  const ids = (setting: string) =>
    sql`cast((select cast(string_to_array(nullif(current_setting(${sql.lit(setting)}, true), ''), ',') as uuid[])) as uuid[])`;
  const visible = sql`case ${scope}
      when 'jurisdiction' then jurisdiction_id = any (${ids('yunguan.jurisdictions')})
      when 'organisation' then organisation_id = any (${ids('yunguan.organisations')})
        or provider_id = any (${ids('yunguan.organisations')})
      else false
    end`;
  for (const table of ['resource', 'resource_event']) {
    await sql`alter policy tenant_isolation on ${sql.table(table)} using (${visible}) with check (${visible})`.execute(
      db,
    );
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
