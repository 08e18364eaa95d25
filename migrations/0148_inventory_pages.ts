import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The inventory list at province scale (issue 24, docs/decisions.md "Inventory pages"):
// - btree indexes in the list's two common orders (newest first, by name), id last as in its ORDER BY, so a
//   first page or a keyset page (`after`/`before` cursor) reads 50 rows of an index instead of sorting
//   every visible resource (the sort of 100,000 joined rows was most of a first page; a page half-way down
//   by OFFSET sorted them on disk);
// - resource_count_estimate: how many resources the planner expects a list's filter to find in the caller's
//   scope, for a total that would cost more to count than the page itself (the API marks it an estimate).
//   Security definer for the same reason as resource_search_ids (0014): under the policy, the planner
//   estimates the policy's CASE expression at a flat selectivity; as the owner, with the caller's scope
//   written as plain conditions read from the same settings as the policy, it uses the statistics. The
//   scope's ids go only into the EXPLAIN's text as literals (%L), never a caller's text unquoted.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index resource_created_idx on resource (created_at, id)`.execute(db);
  await sql`create index resource_name_idx on resource (name, id)`.execute(db);

  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = (rows[0] as { schema: string }).schema;
  // The same search text as resource_search_idx (0014).
  const text = `(name || e'\\n' || coalesce(external_id, '') || e'\\n' || addresses::text)`;
  await sql`
    create function resource_count_estimate(side text, state text, organisation uuid, provider uuid, item text,
      system uuid, project uuid, purpose text, pattern text) returns double precision
    language plpgsql volatile security definer
    set search_path = ${sql.id(schema)}, pg_temp
    as $fn$
    declare
      scope text := current_setting('yunguan.scope', true);
      organisations uuid[] := cast(string_to_array(nullif(current_setting('yunguan.organisations', true), ''), ',') as uuid[]);
      jurisdictions uuid[] := cast(string_to_array(nullif(current_setting('yunguan.jurisdictions', true), ''), ',') as uuid[]);
      cond text := '';
      visible text;
      ids uuid[];
      one uuid;
      plan json;
      total double precision := 0;
    begin
      if state is not null then cond := cond || format(' and state = %L', state); end if;
      if organisation is not null then cond := cond || format(' and organisation_id = %L::uuid', organisation); end if;
      if provider is not null then cond := cond || format(' and provider_id = %L::uuid', provider); end if;
      if item is not null then cond := cond || format(' and catalogue_item_code = %L', item); end if;
      if system is not null then cond := cond || format(' and system_id = %L::uuid', system); end if;
      if project is not null then cond := cond || format(' and project_id = %L::uuid', project); end if;
      if purpose is not null then cond := cond || format(' and purpose = %L', purpose); end if;
      if pattern is not null then
        cond := cond || ' and ' || $t$${sql.raw(text)}$t$ || format(' ilike %L', pattern);
      end if;
      if scope = 'organisation' and side not in ('unit', 'provider') then
        execute format('explain (format json) select 1 from resource
          where (organisation_id = any (%1$L::uuid[]) or provider_id = any (%1$L::uuid[]))', organisations) || cond
          into plan;
        return (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
      end if;
      -- One estimate per jurisdiction or organisation of the scope, added up: the planner estimates
      -- "= any (array)" as if the values' rows overlapped (for a city and its districts, a quarter short).
      if scope = 'jurisdiction' then
        visible := 'jurisdiction_id';
        ids := jurisdictions;
      elsif scope = 'organisation' then
        visible := case side when 'unit' then 'organisation_id' else 'provider_id' end;
        ids := organisations;
      else
        return 0;
      end if;
      foreach one in array coalesce(ids, '{}') loop
        execute format('explain (format json) select 1 from resource where %I = %L::uuid', visible, one) || cond
          into plan;
        total := total + (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
      end loop;
      return total;
    end
    $fn$`.execute(db);
  const fn = 'resource_count_estimate(text, text, uuid, uuid, text, uuid, uuid, text, text)';
  await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  await sql`grant execute on function ${sql.raw(fn)} to yunguan_app`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
