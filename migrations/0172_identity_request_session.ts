import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// What authenticating a request with a session cookie reads, in one call (issue 24, docs/decisions.md
// "Inventory requests: ..."): the live session, its user's name and state, the idle limit, the user's roles in
// the session's organisation with its type and jurisdiction, and the organisation's and the jurisdiction's
// trees (the caller's visibility). It was five statements, one round trip each, on every request. As one
// statement PostgreSQL spent 3-5 ms planning it (a lateral join, two recursive CTEs) on every request: in a
// PL/pgSQL function the plan is prepared once per connection and reused. The session user's own tables, no
// row-level security involved (the request's tenant transaction starts after it).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function session_for_request(session_id text)
    returns table (id text, user_id uuid, organisation_id uuid, last_seen_at timestamptz, csrf_token text,
      restriction text, username text, disabled_at timestamptz, session_idle_minutes integer,
      organisation_type text, jurisdiction_id uuid, roles text[], organisations uuid[], jurisdictions uuid[])
    language plpgsql stable
    as $fn$
    #variable_conflict use_column
    begin
      return query
      select s.id, s.user_id, s.organisation_id, s.last_seen_at, s.csrf_token, s.restriction,
        u.username, u.disabled_at, p.session_idle_minutes,
        m.type, m.jurisdiction_id, m.roles, m.organisations, m.jurisdictions
      from user_session s
      left join user_account u on u.id = s.user_id
      join security_policy p on p.id = 1
      left join lateral (
        select o.type, o.jurisdiction_id, array_agg(r.role order by r.role) as roles,
          array(with recursive tree as (
            select t0.id from organisation t0 where t0.id = o.id
            union all
            select c.id from organisation c join tree t on c.parent_id = t.id
          ) select tree.id from tree) as organisations,
          array(with recursive tree as (
            select j0.id from jurisdiction j0 where j0.id = o.jurisdiction_id
            union all
            select j.id from jurisdiction j join tree t on j.parent_id = t.id
          ) select tree.id from tree) as jurisdictions
        from role_assignment r join organisation o on o.id = r.organisation_id
        where r.user_id = s.user_id and r.organisation_id = s.organisation_id
        group by o.id
      ) m on true
      where s.id = session_id and s.revoked_at is null;
    end
    $fn$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
