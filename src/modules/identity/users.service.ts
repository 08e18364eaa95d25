import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { setPassword } from './auth.service.ts';
import * as repo from './identity.repository.ts';
import type { SecurityPolicyRow, UserRow } from './identity.table.ts';
import { temporaryPassword } from './password.ts';
import { ADMIN_ROLES, isRole, ROLES, type Role } from './roles.ts';

export interface User {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  mobile: string | null;
  disabled: boolean;
  locked: boolean;
  totpEnabled: boolean;
  mustChangePassword: boolean;
  lastLoginAt: string | null;
  roles: { organisationId: string; organisationName: string; role: string }[];
}

/** Jurisdictions the caller administers; users are visible when they hold a role in one of them. */
function jurisdictionsOf(auth: AuthContext): readonly string[] {
  return auth.visibility.kind === 'jurisdiction' ? auth.visibility.jurisdictions : [];
}

async function toUser(db: Db, row: UserRow): Promise<User> {
  const memberships = await repo.memberships(db, row.id);
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    email: row.email,
    mobile: row.mobile,
    disabled: row.disabled_at !== null,
    locked: row.locked_until !== null && row.locked_until > new Date(),
    totpEnabled: row.totp_enabled,
    mustChangePassword: row.must_change_password,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    roles: memberships.flatMap((m) =>
      m.roles.map((role) => ({ organisationId: m.organisationId, organisationName: m.organisationName, role })),
    ),
  };
}

/** A user the caller may administer, or not_found: never a hint that a foreign account exists. */
async function visibleUser(db: Db, auth: AuthContext, id: string): Promise<UserRow> {
  const jurisdictions = jurisdictionsOf(auth);
  const row =
    jurisdictions.length === 0
      ? undefined
      : await db
          .selectFrom('user_account as u')
          .selectAll('u')
          .where('u.id', '=', id)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('role_assignment as r')
                .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
                .whereRef('r.user_id', '=', 'u.id')
                .where('o.jurisdiction_id', 'in', jurisdictions),
            ),
          )
          .executeTakeFirst();
  if (!row) throw notFound(`user ${id} / 用户不存在`);
  return row;
}

export async function listUsers(db: Db, auth: AuthContext, search?: string): Promise<User[]> {
  const jurisdictions = jurisdictionsOf(auth);
  if (jurisdictions.length === 0) return [];
  let query = db
    .selectFrom('user_account as u')
    .selectAll('u')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignment as r')
          .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
          .whereRef('r.user_id', '=', 'u.id')
          .where('o.jurisdiction_id', 'in', jurisdictions),
      ),
    )
    .orderBy('u.username')
    .limit(500);
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('u.username', 'ilike', like), eb('u.display_name', 'ilike', like)]));
  }
  const rows = await query.execute();
  return Promise.all(rows.map((row) => toUser(db, row)));
}

export async function getUser(db: Db, auth: AuthContext, id: string): Promise<User> {
  return toUser(db, await visibleUser(db, auth, id));
}

/** The organisation must be in the caller's jurisdictions and of a type that can hold the role. */
async function assertAssignable(db: Db, auth: AuthContext, organisationId: string, role: string, field: string) {
  if (!isRole(role))
    throw new AppError('validation_failed', `${field}: unknown role ${role}`, [
      { field, message: `unknown role ${role}` },
    ]);
  const org = await db
    .selectFrom('organisation')
    .select(['id', 'type', 'jurisdiction_id'])
    .where('id', '=', organisationId)
    .executeTakeFirst();
  if (!org || !jurisdictionsOf(auth).includes(org.jurisdiction_id))
    throw notFound(`organisation ${organisationId} / 单位不存在`);
  const allowed: readonly string[] = ROLES[role].organisationTypes;
  if (!allowed.includes(org.type)) {
    throw new AppError('validation_failed', `${field}: role ${role} cannot be held in a ${org.type}`, [
      { field, message: `角色 ${ROLES[role].zh} 不能由该类型单位持有 / role ${role} cannot be held in a ${org.type}` },
    ]);
  }
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  email?: string;
  mobile?: string;
  organisationId: string;
  roles: string[];
}

/** A new account with a temporary password, shown once; the user must change it at first login. */
export async function createUser(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: CreateUserInput,
): Promise<{ user: User; temporaryPassword: string }> {
  for (const [i, role] of input.roles.entries()) {
    if (ADMIN_ROLES.includes(role as Role))
      throw new AppError(
        'separation_of_duties',
        'admin roles are granted by the security admin / 管理员角色由安全管理员授予',
      );
    await assertAssignable(trx, auth, input.organisationId, role, `body.roles.${i}`);
  }
  const username = input.username.toLowerCase();
  if (await repo.findUserByUsername(trx, username)) {
    throw new AppError('conflict', `username ${username} is taken / 用户名已存在`, [
      { field: 'body.username', message: '用户名已存在 / taken' },
    ]);
  }
  const created = await trx
    .insertInto('user_account')
    .values({
      username,
      display_name: input.displayName,
      email: input.email ?? null,
      mobile: input.mobile ?? null,
      must_change_password: true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const password = temporaryPassword();
  await setPassword(trx, created, password, true);
  for (const role of input.roles) {
    await trx
      .insertInto('role_assignment')
      .values({ user_id: created.id, organisation_id: input.organisationId, role, granted_by: auth.name })
      .execute();
  }
  await writeAudit(trx, actor, {
    action: 'user.created',
    objectType: 'user',
    objectId: created.id,
    detail: { username, organisationId: input.organisationId, roles: input.roles },
  });
  return { user: await toUser(trx, created), temporaryPassword: password };
}

export async function updateUser(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  patch: { displayName?: string; email?: string | null; mobile?: string | null; disabled?: boolean },
): Promise<User> {
  const user = await visibleUser(trx, auth, id);
  if (id === auth.id && patch.disabled)
    throw new AppError('conflict', 'one cannot disable oneself / 不能停用自己的账号');
  const updated = await trx
    .updateTable('user_account')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.mobile !== undefined && { mobile: patch.mobile }),
      ...(patch.disabled !== undefined && { disabled_at: patch.disabled ? (user.disabled_at ?? new Date()) : null }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (patch.disabled) await revokeSessions(trx, id);
  await writeAudit(trx, actor, { action: 'user.updated', objectType: 'user', objectId: id, detail: { ...patch } });
  return toUser(trx, updated);
}

/**
 * Replaces a user's roles of one kind: business roles (system admin) or the three admin roles
 * (security admin). Admin roles: one per person, never granted to oneself.
 */
export async function setRoles(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  kind: 'business' | 'admin',
  assignments: { organisationId: string; role: string }[],
): Promise<User> {
  await visibleUser(trx, auth, id);
  for (const [i, a] of assignments.entries()) {
    const isAdmin = ADMIN_ROLES.includes(a.role as Role);
    if (kind === 'business' && isAdmin)
      throw new AppError(
        'separation_of_duties',
        'admin roles are granted by the security admin / 管理员角色由安全管理员授予',
      );
    if (kind === 'admin' && !isAdmin)
      throw new AppError(
        'separation_of_duties',
        'the security admin grants admin roles only / 安全管理员只授予管理员角色',
      );
    await assertAssignable(trx, auth, a.organisationId, a.role, `body.assignments.${i}.role`);
  }
  if (kind === 'admin') {
    if (id === auth.id)
      throw new AppError('separation_of_duties', 'no one grants admin roles to themselves / 不能给自己授予管理员角色');
    if (new Set(assignments.map((a) => a.role)).size > 1) {
      throw new AppError(
        'separation_of_duties',
        'one person holds at most one of the three admin roles / 三员不得兼任',
      );
    }
  }
  const visibleJurisdictions = jurisdictionsOf(auth);
  const touchable = await trx
    .selectFrom('role_assignment as r')
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select(['r.organisation_id', 'r.role'])
    .where('r.user_id', '=', id)
    .where('o.jurisdiction_id', 'in', visibleJurisdictions)
    .execute();
  const ofKind = touchable.filter((r) => ADMIN_ROLES.includes(r.role as Role) === (kind === 'admin'));
  for (const r of ofKind) {
    await trx
      .deleteFrom('role_assignment')
      .where('user_id', '=', id)
      .where('organisation_id', '=', r.organisation_id)
      .where('role', '=', r.role)
      .execute();
  }
  for (const a of assignments) {
    await trx
      .insertInto('role_assignment')
      .values({ user_id: id, organisation_id: a.organisationId, role: a.role, granted_by: auth.name })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  if (kind === 'admin') {
    const admins = await trx
      .selectFrom('role_assignment')
      .select('role')
      .where('user_id', '=', id)
      .where('role', 'in', ADMIN_ROLES)
      .execute();
    if (new Set(admins.map((a) => a.role)).size > 1) {
      throw new AppError(
        'separation_of_duties',
        'one person holds at most one of the three admin roles / 三员不得兼任',
      );
    }
  }
  await revokeSessions(trx, id);
  await writeAudit(trx, actor, {
    action: kind === 'admin' ? 'user.admin_roles_set' : 'user.roles_set',
    objectType: 'user',
    objectId: id,
    detail: { before: ofKind, after: assignments },
  });
  return toUser(trx, (await repo.findUserById(trx, id)) as UserRow);
}

async function revokeSessions(trx: Trx, userId: string): Promise<void> {
  await trx
    .updateTable('user_session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The security admin's account actions. */
export async function securityAction(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  action: 'unlock' | 'reset-password' | 'reset-totp' | 'revoke-sessions',
): Promise<{ temporaryPassword?: string }> {
  const user = await visibleUser(trx, auth, id);
  if (id === auth.id && action !== 'revoke-sessions')
    throw new AppError('separation_of_duties', 'not on one’s own account / 不能对自己的账号执行');
  let result: { temporaryPassword?: string } = {};
  switch (action) {
    case 'unlock':
      await trx
        .updateTable('user_account')
        .set({ locked_until: null, failed_attempts: 0 })
        .where('id', '=', id)
        .execute();
      break;
    case 'reset-password': {
      const password = temporaryPassword();
      await setPassword(trx, user, password, true);
      await trx.updateTable('user_account').set({ is_demo: false }).where('id', '=', id).execute();
      await revokeSessions(trx, id);
      result = { temporaryPassword: password };
      break;
    }
    case 'reset-totp':
      await trx
        .updateTable('user_account')
        .set({ totp_secret: null, totp_enabled: false, totp_last_step: null })
        .where('id', '=', id)
        .execute();
      await revokeSessions(trx, id);
      break;
    case 'revoke-sessions':
      await revokeSessions(trx, id);
      break;
  }
  await writeAudit(trx, actor, { action: `user.${action}`, objectType: 'user', objectId: id });
  return result;
}

export type SecurityPolicy = {
  passwordMinLength: number;
  passwordHistory: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  sessionIdleMinutes: number;
  auditRetentionDays: number;
};

const toPolicy = (row: SecurityPolicyRow): SecurityPolicy => ({
  passwordMinLength: row.password_min_length,
  passwordHistory: row.password_history,
  lockoutThreshold: row.lockout_threshold,
  lockoutMinutes: row.lockout_minutes,
  sessionIdleMinutes: row.session_idle_minutes,
  auditRetentionDays: row.audit_retention_days,
});

export async function getSecurityPolicy(db: Db): Promise<SecurityPolicy> {
  return toPolicy(await repo.securityPolicy(db));
}

export async function updateSecurityPolicy(
  trx: Trx,
  actor: Actor,
  patch: Partial<SecurityPolicy>,
): Promise<SecurityPolicy> {
  const before = await repo.securityPolicy(trx);
  const updated = await trx
    .updateTable('security_policy')
    .set({
      ...(patch.passwordMinLength !== undefined && { password_min_length: patch.passwordMinLength }),
      ...(patch.passwordHistory !== undefined && { password_history: patch.passwordHistory }),
      ...(patch.lockoutThreshold !== undefined && { lockout_threshold: patch.lockoutThreshold }),
      ...(patch.lockoutMinutes !== undefined && { lockout_minutes: patch.lockoutMinutes }),
      ...(patch.sessionIdleMinutes !== undefined && { session_idle_minutes: patch.sessionIdleMinutes }),
      ...(patch.auditRetentionDays !== undefined && { audit_retention_days: patch.auditRetentionDays }),
      updated_at: new Date(),
    })
    .where('id', '=', 1)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'security_policy.updated',
    objectType: 'security_policy',
    objectId: '1',
    detail: { before: toPolicy(before), after: toPolicy(updated) },
  });
  return toPolicy(updated);
}
