import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// An API token checked inside another module's statement (issue 21, docs/decisions.md "The gateway in one
// statement ..."): the data gateway joins it so that the token check, the grant's lookup and the grant's rate
// count are one round trip. Identity's tables stay identity's: the function is its interface, as
// `session_for_request` (0172) is for sessions. It gives the token's row only when the token exists, is not
// revoked, has not expired at `p_at` (the wall clock, as the authenticator's check) and its stored hash is the hash
// of the presented secret; otherwise nothing, so nothing a statement joins to it can run for a wrong secret. The
// hashes are compared with `=`: both are SM3 digests of secrets, and a digest's timing tells nothing usable about
// the secret. In PL/pgSQL, as `session_for_request`: its plan (a recursive CTE, a correlated aggregate) is prepared once
// per connection and reused, where inlined into the caller's statement (tried first, as a plain SQL function) it
// was planned again with it at every call. It gives the issuer's current roles in the token's organisation (empty
// when the issuer is unknown or disabled) and the organisation's tree, as `tokenForAuth`.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function token_for_call(p_token uuid, p_hash text, p_at timestamptz)
    returns table (id uuid, name text, scopes text[], last_used_at timestamptz, organisation_id uuid,
      organisation_type text, jurisdiction_id uuid, issuer_roles text[], organisation_tree uuid[])
    language plpgsql stable
    as $fn$
    #variable_conflict use_column
    begin
      return query
      select t.id, t.name, t.scopes, t.last_used_at,
        o.id, o.type, o.jurisdiction_id,
        coalesce((select array_agg(r.role order by r.role) from role_assignment r join user_account u on u.id = r.user_id
                  where r.user_id = t.created_by_user_id and r.organisation_id = t.organisation_id
                    and u.disabled_at is null), '{}'),
        (with recursive tree as (
           select x.id from organisation x where x.id = t.organisation_id
           union all
           select c.id from organisation c join tree on c.parent_id = tree.id
         ) select array_agg(tree.id) from tree)
      from api_token t join organisation o on o.id = t.organisation_id
      where t.id = p_token and t.revoked_at is null and t.expires_at > p_at and t.secret_hash = p_hash;
    end
    $fn$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
