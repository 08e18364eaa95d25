import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// resource_search_ids with the list's filters (issue 24). resource_search_ids(pattern) of 0014 finds every
// resource of the caller's scope whose text matches; the list joined all of them back by id and only then
// applied its other filters: a unit's `db-04` in a city found 2,500 ids to keep 500. This one takes the
// list's filters too (and the side of an organisation's scope, as resource_count_estimate of 0148 does), so
// the planner combines the trigram index with them as it would for the table's owner, and returns only the
// list's rows. Like resource_count_estimate it is PL/pgSQL that writes its statement with the values as
// literals (%L, never a caller's text unquoted), so each call is planned for its own values; the scope comes
// from the same settings as the policy, and the caller's query joins the ids under its policy again.
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = (rows[0] as { schema: string }).schema;
  // The same search text as resource_search_idx (0014).
  const text = `(name || e'\\n' || coalesce(external_id, '') || e'\\n' || addresses::text)`;
  await sql`
    create function resource_search_ids(pattern text, side text, state text, organisation uuid, provider uuid,
      item text, system uuid, project uuid, purpose text) returns setof uuid
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
        visible := format('jurisdiction_id = any (%L::uuid[])', jurisdictions);
      elsif scope = 'organisation' and side = 'unit' then
        visible := format('organisation_id = any (%L::uuid[])', organisations);
      elsif scope = 'organisation' and side = 'provider' then
        visible := format('provider_id = any (%L::uuid[])', organisations);
      elsif scope = 'organisation' then
        visible := format('(organisation_id = any (%1$L::uuid[]) or provider_id = any (%1$L::uuid[]))', organisations);
      else
        return;
      end if;
      if state is not null then cond := cond || format(' and state = %L', state); end if;
      if organisation is not null then cond := cond || format(' and organisation_id = %L::uuid', organisation); end if;
      if provider is not null then cond := cond || format(' and provider_id = %L::uuid', provider); end if;
      if item is not null then cond := cond || format(' and catalogue_item_code = %L', item); end if;
      if system is not null then cond := cond || format(' and system_id = %L::uuid', system); end if;
      if project is not null then cond := cond || format(' and project_id = %L::uuid', project); end if;
      if purpose is not null then cond := cond || format(' and purpose = %L', purpose); end if;
      return query execute format('select id from resource where %s and %s ilike %L', visible,
        $t$${sql.raw(text)}$t$, pattern) || cond;
    end
    $fn$`.execute(db);
  const fn = 'resource_search_ids(text, text, text, uuid, uuid, text, uuid, uuid, text)';
  await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  await sql`grant execute on function ${sql.raw(fn)} to yunguan_app`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
