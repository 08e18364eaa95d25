import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { mailSettings } from '../notifications/index.ts';
import { type AdminApproval, requestApproval } from './approval-request.ts';
import { setPassword } from './auth.service.ts';
import * as repo from './identity.repository.ts';
import type { SecurityPolicyRow, UserRow } from './identity.table.ts';
import { temporaryPassword } from './password.ts';
import { ADMIN_ROLES, hasAdminRole, isRole, ROLES, type Role } from './roles.ts';
import { adminRoleOf, isAdminRole, passwordGoesByMail, separationProblem } from './separation.ts';
import { mailTemporaryPassword } from './temporary-password.ts';

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
    // The lockout runs on the wall clock (auth.service login), so "locked" is read against it too.
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
export async function visibleUser(
  db: Db,
  auth: AuthContext,
  id: string,
  options: { roleless?: boolean } = {},
): Promise<UserRow> {
  const jurisdictions = jurisdictionsOf(auth);
  const row =
    jurisdictions.length === 0
      ? undefined
      : await db
          .selectFrom('user_account as u')
          .selectAll('u')
          .where('u.id', '=', id)
          .where((eb) => {
            const inScope = eb.exists(
              eb
                .selectFrom('role_assignment as r')
                .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
                .whereRef('r.user_id', '=', 'u.id')
                .where('o.jurisdiction_id', 'in', jurisdictions),
            );
            // An account with no role at all (business roles removed to make it an admin account) is
            // nobody's tenant data; only the admin-role grant reaches it.
            if (!options.roleless) return inScope;
            return eb.or([
              inScope,
              eb.not(eb.exists(eb.selectFrom('role_assignment as r').whereRef('r.user_id', '=', 'u.id'))),
            ]);
          })
          .executeTakeFirst();
  if (!row) throw notFound(`user ${id} / 用户不存在`);
  return row;
}

/** Every role the account holds, in any organisation (separation of duties looks across all of them). */
export async function rolesHeld(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('role_assignment').select('role').where('user_id', '=', userId).execute();
  return rows.map((r) => r.role);
}

function separationDenied(message: string, detail?: Record<string, unknown>): AppError {
  const error = new AppError('separation_of_duties', message);
  if (detail) Object.assign(error, { auditDetail: detail });
  return error;
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

export type PasswordDelivery = { temporaryPassword: string; passwordDelivery: 'shown' } | { passwordDelivery: 'mail' };

/** No e-mail address, or no mail server: a password that may not be shown cannot be delivered. */
function assertMailable(email: string | null | undefined, field: string): void {
  if (!email)
    throw new AppError('validation_failed', `${field}: the temporary password of this account goes by e-mail`, [
      { field, message: '该账号的临时密码只能发送到本人邮箱，请先填写邮箱 / an e-mail address is needed' },
    ]);
  if (!mailSettings())
    throw new AppError(
      'mail_not_configured',
      'the temporary password of this account goes by e-mail, and no mail server is configured (YUNGUAN_SMTP_URL)',
    );
}

/**
 * A new account with a temporary password, to be changed at first login: shown once to the system admin,
 * or, for an account that reads the audit trail, sent to the account's own e-mail and never shown.
 */
export async function createUser(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: CreateUserInput,
  now: Date,
): Promise<{ user: User } & PasswordDelivery> {
  for (const [i, role] of input.roles.entries()) {
    if (ADMIN_ROLES.includes(role as Role))
      throw separationDenied('admin roles are granted by the security admin / 管理员角色由安全管理员授予', {
        rule: 'create',
        role,
      });
    await assertAssignable(trx, auth, input.organisationId, role, `body.roles.${i}`);
  }
  const byMail = passwordGoesByMail(input.roles);
  if (byMail) assertMailable(input.email, 'body.email');
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
  await setPassword(trx, created, password, true, now);
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
    detail: { username, organisationId: input.organisationId, roles: input.roles, passwordByMail: byMail },
  });
  const user = await toUser(trx, created);
  if (!byMail) return { user, temporaryPassword: password, passwordDelivery: 'shown' };
  await mailTemporaryPassword(trx, created, password);
  return { user, passwordDelivery: 'mail' };
}

export type UserPatch = { displayName?: string; email?: string | null; mobile?: string | null; disabled?: boolean };

/** Changes an account; another admin's account changes only with the third admin's approval. */
export async function updateUser(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  patch: UserPatch,
  now: Date,
): Promise<User | AdminApproval> {
  const user = await visibleUser(trx, auth, id);
  if (id === auth.id && patch.disabled)
    throw new AppError('conflict', 'one cannot disable oneself / 不能停用自己的账号');
  const targetAdmin = adminRoleOf(await rolesHeld(trx, id));
  if (targetAdmin && id !== auth.id)
    return requestApproval(trx, auth, actor, {
      action: 'update',
      target: user,
      targetRole: targetAdmin,
      payload: patch,
    });
  return applyUpdate(trx, actor, user, patch, now);
}

export async function applyUpdate(trx: Trx, actor: Actor, user: UserRow, patch: UserPatch, now: Date): Promise<User> {
  const id = user.id;
  const updated = await trx
    .updateTable('user_account')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.mobile !== undefined && { mobile: patch.mobile }),
      ...(patch.disabled !== undefined && { disabled_at: patch.disabled ? (user.disabled_at ?? now) : null }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (patch.disabled) await revokeSessions(trx, id, now);
  await writeAudit(trx, actor, { action: 'user.updated', objectType: 'user', objectId: id, detail: { ...patch } });
  return toUser(trx, updated);
}

type Assignment = { organisationId: string; role: string };

/**
 * Replaces a user's roles of one kind: business roles (system admin) or the three admin roles (security
 * admin). An admin role is held alone (separation.ts); admin roles are never granted to oneself, and a
 * grant or revocation takes effect only once the third admin approves it.
 */
export async function setRoles(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  kind: 'business' | 'admin',
  assignments: Assignment[],
  now: Date,
): Promise<User | AdminApproval> {
  const target = await visibleUser(trx, auth, id, { roleless: kind === 'admin' });
  const held = await rolesHeld(trx, id);
  for (const [i, a] of assignments.entries()) {
    const isAdmin = isAdminRole(a.role);
    if (kind === 'business' && isAdmin)
      throw separationDenied('admin roles are granted by the security admin / 管理员角色由安全管理员授予', {
        rule: 'business-roles',
        role: a.role,
      });
    if (kind === 'admin' && !isAdmin)
      throw separationDenied('the security admin grants admin roles only / 安全管理员只授予管理员角色', {
        rule: 'admin-roles',
        role: a.role,
      });
    await assertAssignable(trx, auth, a.organisationId, a.role, `body.assignments.${i}.role`);
  }
  if (kind === 'business') {
    if (hasAdminRole(held))
      throw separationDenied('an admin account holds no business role / 管理员账号不得兼任业务角色', {
        rule: 'business-roles',
        targetRoles: held,
      });
    return applyRoles(trx, auth, actor, id, kind, assignments, now);
  }
  if (id === auth.id)
    throw separationDenied('no one grants admin roles to themselves / 不能给自己授予管理员角色', { rule: 'self' });
  const business = held.filter((r) => !isAdminRole(r));
  const problem = separationProblem([...business, ...assignments.map((a) => a.role)]);
  if (problem) throw separationDenied(problem, { rule: 'admin-roles', targetRoles: held });
  const targetRole = adminRoleOf(assignments.map((a) => a.role)) ?? adminRoleOf(held);
  if (!targetRole) return toUser(trx, target);
  // A newly granted admin role comes with a fresh password, which only the account's e-mail may receive.
  if (assignments.some((a) => !held.includes(a.role))) assertMailable(target.email, 'email');
  return requestApproval(trx, auth, actor, {
    action: 'admin-roles',
    target,
    targetRole,
    payload: { assignments },
  });
}

/** Writes the role change (checks done); a newly granted admin role gets a fresh password by e-mail. */
export async function applyRoles(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  kind: 'business' | 'admin',
  assignments: Assignment[],
  now: Date,
): Promise<User> {
  const visibleJurisdictions = jurisdictionsOf(auth);
  const touchable = await trx
    .selectFrom('role_assignment as r')
    .innerJoin('organisation as o', 'o.id', 'r.organisation_id')
    .select(['r.organisation_id', 'r.role'])
    .where('r.user_id', '=', id)
    .where('o.jurisdiction_id', 'in', visibleJurisdictions)
    .execute();
  const ofKind = touchable.filter((r) => isAdminRole(r.role) === (kind === 'admin'));
  const heldBefore = await rolesHeld(trx, id);
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
      .values({ user_id: id, organisation_id: a.organisationId, role: a.role, granted_by: actor.name ?? null })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  const problem = separationProblem(await rolesHeld(trx, id));
  if (problem) throw separationDenied(problem, { rule: kind === 'admin' ? 'admin-roles' : 'business-roles' });
  await revokeSessions(trx, id, now);
  await writeAudit(trx, actor, {
    action: kind === 'admin' ? 'user.admin_roles_set' : 'user.roles_set',
    objectType: 'user',
    objectId: id,
    detail: { before: ofKind, after: assignments },
  });
  const user = (await repo.findUserById(trx, id)) as UserRow;
  const gained = assignments.some((a) => isAdminRole(a.role) && !heldBefore.includes(a.role));
  if (gained) {
    // Whoever knew the account's password before (the system admin who created it) must not keep it.
    await resetPassword(trx, actor, user, now);
  }
  return toUser(trx, (await repo.findUserById(trx, id)) as UserRow);
}

async function revokeSessions(trx: Trx, userId: string, now: Date): Promise<void> {
  await repo.revokeOtherSessions(trx, userId, null, now);
}

export type SecurityAction = 'unlock' | 'reset-password' | 'reset-totp' | 'revoke-sessions';

/**
 * The security admin's account actions. On another admin's account they wait for the third admin's
 * approval (except ending sessions); a temporary password is shown only for accounts that neither
 * administer nor read the audit trail, others get it by e-mail.
 */
export async function securityAction(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  action: SecurityAction,
  now: Date,
): Promise<{ temporaryPassword?: string; passwordDelivery?: 'shown' | 'mail' } | AdminApproval> {
  const user = await visibleUser(trx, auth, id);
  if (id === auth.id && action !== 'revoke-sessions')
    throw separationDenied('not on one’s own account / 不能对自己的账号执行', { rule: 'self', action });
  const held = await rolesHeld(trx, id);
  const targetAdmin = adminRoleOf(held);
  if (targetAdmin && action !== 'revoke-sessions')
    return requestApproval(trx, auth, actor, { action, target: user, targetRole: targetAdmin, payload: {} });
  if (action === 'reset-password' && passwordGoesByMail(held)) assertMailable(user.email, 'email');
  return applySecurityAction(trx, actor, user, action, now);
}

async function resetPassword(
  trx: Trx,
  actor: Actor,
  user: UserRow,
  now: Date,
): Promise<{ temporaryPassword?: string }> {
  const password = temporaryPassword();
  await setPassword(trx, user, password, true, now);
  await trx.updateTable('user_account').set({ is_demo: false }).where('id', '=', user.id).execute();
  await revokeSessions(trx, user.id, now);
  if (!passwordGoesByMail(await rolesHeld(trx, user.id))) return { temporaryPassword: password };
  assertMailable(user.email, 'email');
  await mailTemporaryPassword(trx, user, password);
  await writeAudit(trx, actor, { action: 'user.password_mailed', objectType: 'user', objectId: user.id });
  return {};
}

export async function applySecurityAction(
  trx: Trx,
  actor: Actor,
  user: UserRow,
  action: SecurityAction,
  now: Date,
): Promise<{ temporaryPassword?: string; passwordDelivery?: 'shown' | 'mail' }> {
  const id = user.id;
  let result: { temporaryPassword?: string; passwordDelivery?: 'shown' | 'mail' } = {};
  switch (action) {
    case 'unlock':
      await trx
        .updateTable('user_account')
        .set({ locked_until: null, failed_attempts: 0 })
        .where('id', '=', id)
        .execute();
      break;
    case 'reset-password': {
      const reset = await resetPassword(trx, actor, user, now);
      result = reset.temporaryPassword
        ? { temporaryPassword: reset.temporaryPassword, passwordDelivery: 'shown' }
        : { passwordDelivery: 'mail' };
      break;
    }
    case 'reset-totp':
      await trx
        .updateTable('user_account')
        .set({ totp_secret: null, totp_enabled: false, totp_last_step: null })
        .where('id', '=', id)
        .execute();
      await revokeSessions(trx, id, now);
      break;
    case 'revoke-sessions':
      await revokeSessions(trx, id, now);
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
  now: Date,
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
      updated_at: now,
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
