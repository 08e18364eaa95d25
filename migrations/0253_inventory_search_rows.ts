import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// resource_search_rows: resource_search_ids of 0171 with the sort columns beside each id (issue 24, lane inv28).
// An indexed search held the id and sort column of each hit in a CTE by looking every id up again under the
// policy (a unit's `db-04` in a city: 500 lookups for a page of 50), only to count them and pick the page. With the
// sort columns returned, the count and the page's ids come from the function's rows, and only the page's rows
// are read again, whole, under the policy. The same statement as 0171 (the caller's scope from the same settings
// as the policy, the list's filters as literals, %L, so each call is planned for its own values); the
// visibility it applies is the policy's rule, as resource_count_estimate (0148) applies it for the estimate.
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = (rows[0] as { schema: string }).schema;
  // The same search text as resource_search_idx (0014).
  const text = `(name || e'\\n' || coalesce(external_id, '') || e'\\n' || addresses::text)`;
  await sql`
    create function resource_search_rows(pattern text, side text, wanted_state text, organisation uuid, provider uuid,
      item text, system uuid, project uuid, purpose text)
    returns table (id uuid, created_at timestamptz, name text, expires_on date, state text, delivered_at timestamptz)
    language plpgsql stable security definer rows 100
    set search_path = ${sql.id(schema)}, pg_temp
    as $fn$
    declare
      scope text := current_setting('yunguan.scope', true);
      organisations uuid[] := cast(string_to_array(nullif(current_setting('yunguan.organisations', true), ''), ',') as uuid[]);
      jurisdictions uuid[] := cast(string_to_array(nullif(current_setting('yunguan.jurisdictions', true), ''), ',') as uuid[]);
      visible text;
      cond text := '';
    begin
      if scope = 'jurisdiction' then
        visible := format('r.jurisdiction_id = any (%L::uuid[])', jurisdictions);
      elsif scope = 'organisation' and side = 'unit' then
        visible := format('r.organisation_id = any (%L::uuid[])', organisations);
      elsif scope = 'organisation' and side = 'provider' then
        visible := format('r.provider_id = any (%L::uuid[])', organisations);
      elsif scope = 'organisation' then
        visible := format('(r.organisation_id = any (%1$L::uuid[]) or r.provider_id = any (%1$L::uuid[]))', organisations);
      else
        return;
      end if;
      if wanted_state is not null then cond := cond || format(' and r.state = %L', wanted_state); end if;
      if organisation is not null then cond := cond || format(' and r.organisation_id = %L::uuid', organisation); end if;
      if provider is not null then cond := cond || format(' and r.provider_id = %L::uuid', provider); end if;
      if item is not null then cond := cond || format(' and r.catalogue_item_code = %L', item); end if;
      if system is not null then cond := cond || format(' and r.system_id = %L::uuid', system); end if;
      if project is not null then cond := cond || format(' and r.project_id = %L::uuid', project); end if;
      if purpose is not null then cond := cond || format(' and r.purpose = %L', purpose); end if;
      return query execute format('select r.id, r.created_at, r.name, r.expires_on, r.state, r.delivered_at
        from resource r where %s and %s ilike %L', visible, $t$${sql.raw(text.replace(/\b(name|external_id|addresses)\b/g, 'r.$1'))}$t$, pattern) || cond;
    end
    $fn$`.execute(db);
  const fn = 'resource_search_rows(text, text, text, uuid, uuid, text, uuid, uuid, text)';
  await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  await sql`grant execute on function ${sql.raw(fn)} to yunguan_app`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
