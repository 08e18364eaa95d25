import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The inventory's text search (`q`: a substring of name, identifier or address) through a trigram index
// (pg_trgm, GIN), so that searching 100,000 resources is not a sequential scan (the list's other filters
// have their btree indexes since 0011). docs/decisions.md (inventory) has the measurements.
//
// pg_trgm is a trusted extension (PostgreSQL 13+): a role with CREATE on the database may create it, no
// superuser needed. Where it is missing or may not be created, the migration goes on without the trigram
// index: search stays correct but scans; docs/decisions.md has the two statements a database administrator
// runs to add it later. The embedded database loads the extension when it opens.
export async function up(db: Kysely<any>): Promise<void> {
  // The extension goes to `public` when it may: schemas of their own (one per test file) come and go, and
  // dropping one would take the extension, and every index using it, along. Else to the current schema.
  await sql`
    do $$
    begin
      if not exists (select 1 from pg_extension where extname = 'pg_trgm')
        and exists (select 1 from pg_available_extensions where name = 'pg_trgm') then
        begin
          if exists (select 1 from pg_namespace where nspname = 'public' and has_schema_privilege(oid, 'CREATE')) then
            create extension pg_trgm schema public;
          else
            create extension pg_trgm;
          end if;
        exception when others then
          raise notice 'pg_trgm not created (%): the inventory text search will scan', sqlerrm;
        end;
      end if;
    end $$`.execute(db);
  const { rows } = await sql<{ trgm: string | null; schema: string }>`
    select (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
            where e.extname = 'pg_trgm') as trgm,
           current_schema() as schema`.execute(db);
  const { trgm, schema } = rows[0] as { trgm: string | null; schema: string };

  // What the search looks in, one text per resource; a line break (which a search box cannot send) keeps a
  // pattern from matching across two fields.
  const text = sql`(name || e'\\n' || coalesce(external_id, '') || e'\\n' || addresses::text)`;
  if (trgm) {
    await sql`create index resource_search_idx on resource using gin (${text} ${sql.id(trgm)}.gin_trgm_ops)`.execute(
      db,
    );
  }

  // Why a function: a tenant's query runs as yunguan_app under the row-level security policy, and PostgreSQL
  // evaluates the policy before any condition that is not leakproof. ILIKE is not, so under the policy it can
  // never be an index condition: the search scanned every row even with the index. The function runs as the
  // owner (no policy), finds the matching ids through the index and applies the same visibility as the
  // policy of 0008 itself; the caller's query then joins them by id (uuid equality is leakproof), under its
  // policy again.
  const ids = (setting: string) =>
    sql`cast((select string_to_array(nullif(current_setting(${sql.lit(setting)}, true), ''), ',')) as uuid[])`;
  await sql`
    create function resource_search_ids(pattern text) returns setof uuid
    language sql stable security definer rows 100
    set search_path = ${sql.id(schema)}, pg_temp
    as $fn$
      select id from resource
      where ${text} ilike pattern
        and case (select current_setting('yunguan.scope', true))
          when 'jurisdiction' then jurisdiction_id = any (${ids('yunguan.jurisdictions')})
          when 'organisation' then organisation_id = any (${ids('yunguan.organisations')})
            or provider_id = any (${ids('yunguan.organisations')})
          else false
        end
    $fn$`.execute(db);
  // Which share of all resources the planner expects a pattern to match (from the statistics ANALYZE keeps
  // on the indexed expression): the ids of a broad pattern ("vm-") cost more to join back than a scan.
  // Volatile only because PostgreSQL allows EXPLAIN in no other function.
  await sql`
    create function resource_search_share(pattern text) returns double precision
    language plpgsql volatile security definer
    set search_path = ${sql.id(schema)}, pg_temp
    as $fn$
    declare
      matching json;
      everything json;
    begin
      execute format($q$explain (format json) select 1 from resource where ${text} ilike %L$q$, pattern)
        into matching;
      execute 'explain (format json) select 1 from resource' into everything;
      return (matching -> 0 -> 'Plan' ->> 'Plan Rows')::double precision
        / greatest((everything -> 0 -> 'Plan' ->> 'Plan Rows')::double precision, 1);
    end
    $fn$`.execute(db);
  for (const fn of ['resource_search_ids(text)', 'resource_search_share(text)']) {
    await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
    await sql`grant execute on function ${sql.raw(fn)} to yunguan_app`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
