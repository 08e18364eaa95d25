import { sql, type Updateable } from 'kysely';
import { prepared } from '../../platform/db/prepared.ts';
import type { Db } from '../../schema.ts';
import type { SecurityPolicyRow, SessionRow, UserAccountTable, UserRow, UserSessionTable } from './identity.table.ts';

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('user_account').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('user_account').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByOidc(db: Db, issuer: string, subject: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('user_account')
    .selectAll()
    .where('oidc_issuer', '=', issuer)
    .where('oidc_subject', '=', subject)
    .executeTakeFirst();
}

export async function securityPolicy(db: Db): Promise<SecurityPolicyRow> {
  return db.selectFrom('security_policy').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

export interface Membership {
  organisationId: string;
  organisationName: string;
  organisationNameEn: string | null;
  organisationCode: string;
  organisationType: string;
  jurisdictionId: string;
  roles: string[];
}

/** The organisations a user holds roles in, with the roles, in a stable order. */
export async function memberships(db: Db, userId: string): Promise<Membership[]> {
  const rows = await db
    .selectFrom('role_assignment as r')
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select([
      'o.id as organisationId',
      'o.name as organisationName',
      'o.name_en as organisationNameEn',
      'o.code as organisationCode',
      'o.type as organisationType',
      'o.jurisdiction_id as jurisdictionId',
      'r.role',
    ])
    .where('r.user_id', '=', userId)
    .orderBy('o.code')
    .orderBy('r.role')
    .execute();
  const byOrg = new Map<string, Membership>();
  for (const { role, ...org } of rows) {
    const entry = byOrg.get(org.organisationId) ?? { ...org, roles: [] };
    entry.roles.push(role);
    byOrg.set(org.organisationId, entry);
  }
  return [...byOrg.values()];
}

/** What authenticating an API token needs, in one statement: machine clients call many times a second. */
export interface TokenForAuth {
  id: string;
  name: string;
  scopes: string[];
  secret_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  organisation_id: string;
  organisation_type: string;
  jurisdiction_id: string;
  /** the issuer's roles in the token's organisation now; empty when the issuer is unknown or disabled */
  issuer_roles: string[];
  /** the token's organisation and all its sub-units */
  organisation_tree: string[];
}

export async function tokenForAuth(db: Db, id: string): Promise<TokenForAuth | undefined> {
  const { rows } = await sql<TokenForAuth>`${prepared}
    select t.id, t.name, t.scopes, t.secret_hash, t.expires_at, t.revoked_at, t.last_used_at,
      o.id as organisation_id, o.type as organisation_type, o.jurisdiction_id,
      coalesce((select array_agg(r.role order by r.role) from role_assignment r join user_account u on u.id = r.user_id
                where r.user_id = t.created_by_user_id and r.organisation_id = t.organisation_id
                  and u.disabled_at is null), '{}') as issuer_roles,
      (with recursive tree as (
         select id from organisation where id = t.organisation_id
         union all
         select c.id from organisation c join tree on c.parent_id = tree.id
       ) select array_agg(id) from tree) as organisation_tree
    from api_token t join organisation o on o.id = t.organisation_id
    where t.id = ${id}`.execute(db);
  return rows[0];
}

/** An organisation and all its sub-units (ids). */
export async function organisationTree(db: Db, organisationId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive tree as (
      select id from organisation where id = ${organisationId}
      union all
      select o.id from organisation o join tree t on o.parent_id = t.id
    ) select id from tree`.execute(db);
  return rows.map((r) => r.id);
}

/** A jurisdiction and every jurisdiction below it (ids). */
export async function jurisdictionTree(db: Db, jurisdictionId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive tree as (
      select id from jurisdiction where id = ${jurisdictionId}
      union all
      select j.id from jurisdiction j join tree t on j.parent_id = t.id
    ) select id from tree`.execute(db);
  return rows.map((r) => r.id);
}

/**
 * A live session with everything authenticating a request needs, in one statement (it runs for every
 * request): its user's name and whether the account is disabled (null when the user is gone), the idle
 * limit, and the user's membership of the session's organisation (null without one): the organisation's
 * type and jurisdiction, the roles there, the organisation with those below it and the jurisdiction with
 * those below it (what organisationTree and jurisdictionTree answer), for the caller's visibility: the
 * function session_for_request (migration 0172), whose plan each connection prepares once.
 */
export async function findLiveSessionForRequest(db: Db, id: string) {
  const { rows } = await sql<{
    id: string;
    user_id: string;
    organisation_id: string;
    last_seen_at: Date;
    csrf_token: string;
    restriction: SessionRow['restriction'];
    username: string | null;
    disabled_at: Date | null;
    session_idle_minutes: number;
    organisation_type: string | null;
    jurisdiction_id: string | null;
    roles: string[] | null;
    organisations: string[] | null;
    jurisdictions: string[] | null;
  }>`${prepared} select * from session_for_request(${id})`.execute(db);
  return rows[0];
}

export async function passwordHistory(db: Db, userId: string, keep: number): Promise<string[]> {
  const rows = await db
    .selectFrom('password_history')
    .select('password_hash')
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(keep)
    .execute();
  return rows.map((r) => r.password_hash);
}

/** Display names of accounts by user name, for the records that keep who acted by user name (one query). */
export async function displayNamesByUsername(db: Db, usernames: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(usernames)];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('user_account')
    .select(['username', 'display_name'])
    .where('username', '=', sql<string>`any(${wanted}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.username, r.display_name]));
}

// ---------------------------------------------------------------------- sign-in, sessions, tokens (auth.service)

/** Changes columns of one account. */
export async function updateUserAccount(db: Db, id: string, patch: Updateable<UserAccountTable>): Promise<void> {
  await db.updateTable('user_account').set(patch).where('id', '=', id).execute();
}

/** Remembers the last accepted TOTP step, never moving it back (parallel sign-ins). */
export async function advanceTotpStep(db: Db, userId: string, step: number): Promise<void> {
  await db
    .updateTable('user_account')
    .set({ totp_last_step: BigInt(step) })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', BigInt(step))]))
    .execute();
}

/** Claims a TOTP time step for the user: false when it was already used. */
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const claimed = await db
    .insertInto('totp_used_step')
    .values({ user_id: userId, time_step: BigInt(step) })
    .onConflict((oc) => oc.doNothing())
    .returning('time_step')
    .executeTakeFirst();
  return claimed !== undefined;
}

/** Counts one more failed attempt; returns the count. */
export async function countFailedAttempt(db: Db, userId: string): Promise<number> {
  const updated = await db
    .updateTable('user_account')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', userId)
    .returning('failed_attempts')
    .executeTakeFirstOrThrow();
  return updated.failed_attempts;
}

/** Keeps a replaced password's hash for the "not one of the last N" rule. */
export async function addPasswordHistory(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.insertInto('password_history').values({ user_id: userId, password_hash: passwordHash }).execute();
}

export async function insertSession(
  db: Db,
  values: Pick<
    SessionRow,
    'id' | 'user_id' | 'organisation_id' | 'csrf_token' | 'restriction' | 'source_ip' | 'user_agent'
  >,
): Promise<SessionRow> {
  return db.insertInto('user_session').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Changes columns of one session (revoked, seen, its restriction or organisation). */
export async function updateSession(db: Db, id: string, patch: Updateable<UserSessionTable>): Promise<void> {
  await db.updateTable('user_session').set(patch).where('id', '=', id).execute();
}

/** Revokes the user's live sessions other than `keepId` (null: all of them). */
export async function revokeOtherSessions(db: Db, userId: string, keepId: string | null, at: Date): Promise<void> {
  await db
    .updateTable('user_session')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('id', '!=', keepId ?? '')
    .where('revoked_at', 'is', null)
    .execute();
}

export async function touchToken(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: at }).where('id', '=', id).execute();
}
