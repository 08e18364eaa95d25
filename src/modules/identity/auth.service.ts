import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import type { Actor } from '../../platform/audit/audit.ts';
import { writeAudit, writeAuditNow } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { openSecret, randomSecret, safeEqual, sealSecret, sm3 } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { hit, peek } from '../../platform/http/rate-limit.ts';
import type { Db, Trx } from '../../schema.ts';
import type { TokenForAuth } from './identity.repository.ts';
import * as repo from './identity.repository.ts';
import type { SessionRow, UserRow } from './identity.table.ts';
import { burnVerification, hashPassword, passwordProblems, verifyPassword } from './password.ts';
import { hasAdminRole, issuerMayGrant, permissionsOf, scopeOf, TOKEN_SCOPES } from './roles.ts';

export const SESSION_COOKIE = 'yunguan_session';
export const TOKEN_PREFIX = 'ygt_';

/** Where a request comes from, for sessions and the audit trail. */
export interface Origin {
  sourceIp: string;
  userAgent: string | null;
  requestId: string;
}

export interface LoginInput {
  username: string;
  password: string;
  totp?: string;
  organisationId?: string;
}

export interface NewSession {
  /** the cookie value: shown to the client once, stored only as its SM3 hash */
  secret: string;
  session: SessionRow;
}

const actorFor = (user: Pick<UserRow, 'id' | 'username'> | null, origin: Origin, name?: string): Actor => ({
  kind: 'user',
  id: user?.id ?? null,
  name: user?.username ?? name ?? null,
  sourceIp: origin.sourceIp,
  requestId: origin.requestId,
});

/**
 * Password (and TOTP) login. Failures are audited in their own transaction so they survive the failed
 * request; the account locks after the policy's number of consecutive failures.
 */
/**
 * `now` dates the sign-in (`last_login_at`); the lockout and the per-address delay measure real elapsed time
 * against the wall clock, like the session's idle limit (authenticateSession).
 */
export async function login(db: Db, input: LoginInput, origin: Origin, now: Date): Promise<NewSession> {
  await assertAddressMayTry(db, origin.sourceIp);
  const user = await repo.findUserByUsername(db, input.username);
  const policy = await repo.securityPolicy(db);
  const fail = async (reason: string, error: AppError) => {
    await hit(db, failureKey(origin.sourceIp), ADDRESS_FAILURE_WINDOW_MS);
    await writeAuditNow(db, actorFor(user ?? null, origin, input.username), {
      action: 'auth.login',
      outcome: 'failure',
      objectType: 'user',
      objectId: user?.id ?? null,
      detail: { reason },
    });
    return error;
  };
  if (!user?.password_hash) {
    await burnVerification(input.password);
    throw await fail('unknown_user', new AppError('invalid_credentials'));
  }
  // The password is checked even for a locked account, and a locked account answers exactly like a wrong
  // password (status, body, the same argon2 work): lockout tells nobody which accounts exist.
  const passwordOk = await verifyPassword(user.password_hash, input.password);
  if (user.locked_until && user.locked_until > new Date())
    throw await fail('locked', new AppError('invalid_credentials'));
  if (!passwordOk) throw await registerFailure(db, user, policy, actorFor(user, origin), 'wrong_password', origin);
  if (user.disabled_at) throw await fail('disabled', new AppError('invalid_credentials'));

  if (user.totp_enabled && user.totp_secret) {
    // Not a failure: the first of two steps. The client asks for the code and sends both again.
    if (!input.totp) throw new AppError('totp_required');
    const step = await checkTotp(user, input.totp);
    if (step === null) throw await registerFailure(db, user, policy, actorFor(user, origin), 'wrong_totp', origin);
    // A code is used once: of parallel logins with the same code, the one whose row goes in wins.
    if (!(await repo.claimTotpStep(db, user.id, step)))
      throw await registerFailure(db, user, policy, actorFor(user, origin), 'replayed_totp', origin);
    await repo.advanceTotpStep(db, user.id, step);
  }

  const memberships = await repo.memberships(db, user.id);
  const chosen = input.organisationId
    ? memberships.find((m) => m.organisationId === input.organisationId)
    : memberships[0];
  if (!chosen) {
    throw await fail(
      input.organisationId ? 'not_a_member' : 'no_role',
      new AppError('forbidden', 'this account holds no role in that organisation / 该账号在此单位没有角色'),
    );
  }
  const allRoles = memberships.flatMap((m) => m.roles);
  const restriction =
    user.must_change_password && !user.is_demo
      ? 'password_change'
      : hasAdminRole(allRoles) && !user.totp_enabled
        ? 'totp_enrolment'
        : null;

  return db.transaction().execute(async (trx) => {
    await repo.updateUserAccount(trx, user.id, {
      failed_attempts: 0,
      locked_until: null,
      last_login_at: now,
      updated_at: now,
    });
    const created = await createSession(trx, user.id, chosen.organisationId, restriction, origin);
    await writeAudit(
      trx,
      { ...actorFor(user, origin), organisationId: chosen.organisationId, role: chosen.roles.join(',') },
      { action: 'auth.login', objectType: 'user', objectId: user.id, detail: { method: 'password', restriction } },
    );
    return created;
  });
}

/** Failed sign-ins per address: after FREE_ADDRESS_FAILURES in the window, each try waits twice as long. */
const ADDRESS_FAILURE_WINDOW_MS = 15 * 60_000;
const FREE_ADDRESS_FAILURES = 20;
const failureKey = (address: string) => `login-failures:${address}`;

/** Progressive delay per source address: 429 rate_limited with the seconds left in Retry-After. */
async function assertAddressMayTry(db: Db, address: string): Promise<void> {
  const failures = await peek(db, failureKey(address));
  if (!failures || failures.count < FREE_ADDRESS_FAILURES) return;
  const waitSeconds = Math.min(2 ** (failures.count - FREE_ADDRESS_FAILURES), ADDRESS_FAILURE_WINDOW_MS / 1000);
  const elapsed = (Date.now() - failures.lastHitAt.getTime()) / 1000;
  if (elapsed >= waitSeconds) return;
  const error = new AppError(
    'rate_limited',
    `too many failed sign-ins from this address; retry in ${Math.ceil(waitSeconds - elapsed)} s / 登录失败次数过多，请稍后再试`,
  );
  error.retryAfter = Math.ceil(waitSeconds - elapsed);
  throw error;
}

/**
 * A failed credential (sign-in password or code, or the current password on a password change): counts
 * toward the lockout, locks at the policy's threshold, is audited; the answer never says it locked.
 */
async function registerFailure(
  db: Db,
  user: UserRow,
  policy: Awaited<ReturnType<typeof repo.securityPolicy>>,
  actor: Actor,
  reason: string,
  origin?: Origin,
): Promise<AppError> {
  if (origin) await hit(db, failureKey(origin.sourceIp), ADDRESS_FAILURE_WINDOW_MS);
  return db.transaction().execute(async (trx) => {
    const failedAttempts = await repo.countFailedAttempt(trx, user.id);
    await writeAudit(trx, actor, {
      action: reason === 'wrong_current_password' ? 'user.password_change' : 'auth.login',
      outcome: 'failure',
      objectType: 'user',
      objectId: user.id,
      detail: { reason, failedAttempts },
    });
    if (failedAttempts >= policy.lockout_threshold) {
      const until = new Date(Date.now() + policy.lockout_minutes * 60_000);
      await repo.updateUserAccount(trx, user.id, { locked_until: until, failed_attempts: 0 });
      await writeAudit(trx, actor, {
        action: 'account.locked',
        objectType: 'user',
        objectId: user.id,
        detail: { until: until.toISOString(), minutes: policy.lockout_minutes, reason },
      });
    }
    return new AppError(reason === 'wrong_totp' || reason === 'replayed_totp' ? 'invalid_totp' : 'invalid_credentials');
  });
}

/** The accepted time step, or null. Codes from the step before and after are accepted (clock drift); a code is never accepted twice. */
async function checkTotp(user: UserRow, code: string): Promise<number | null> {
  if (!user.totp_secret || !/^\d{6}$/.test(code)) return null;
  const result = await verifyTotp({
    secret: openSecret(user.totp_secret),
    token: code,
    epochTolerance: 30,
    afterTimeStep: user.totp_last_step === null ? undefined : Number(user.totp_last_step),
  });
  return result.valid && 'timeStep' in result ? (result.timeStep as number) : null;
}

export async function createSession(
  trx: Trx,
  userId: string,
  organisationId: string,
  restriction: SessionRow['restriction'],
  origin: Origin,
): Promise<NewSession> {
  const secret = randomSecret();
  const session = await repo.insertSession(trx, {
    id: sm3(secret),
    user_id: userId,
    organisation_id: organisationId,
    csrf_token: randomSecret(24),
    restriction,
    source_ip: origin.sourceIp,
    user_agent: origin.userAgent?.slice(0, 500) ?? null,
  });
  return { secret, session };
}

/** Resolves a session cookie: unknown, revoked, idle-expired sessions and disabled users give null. */
export async function authenticateSession(db: Db, secret: string): Promise<AuthContext | null> {
  const session = await repo.findLiveSessionForRequest(db, sm3(secret));
  if (!session) return null;
  const now = Date.now();
  if (session.last_seen_at.getTime() + session.session_idle_minutes * 60_000 < now) {
    await db.transaction().execute(async (trx) => {
      await repo.updateSession(trx, session.id, { revoked_at: new Date(now) });
      await writeAudit(
        trx,
        { kind: 'system', id: null, name: 'system' },
        {
          action: 'auth.session_expired',
          objectType: 'user',
          objectId: session.user_id,
          detail: { idleMinutes: session.session_idle_minutes },
        },
      );
    });
    return null;
  }
  if (session.username === null || session.disabled_at) return null;
  const { organisation_type: organisationType, jurisdiction_id: jurisdictionId, roles } = session;
  if (organisationType === null || jurisdictionId === null || roles === null) return null;
  // Touch at most once a minute: the idle clock needs no finer grain, and reads stay cheap.
  if (now - session.last_seen_at.getTime() > 60_000) {
    await repo.updateSession(db, session.id, { last_seen_at: new Date(now) });
  }
  return {
    kind: 'user',
    id: session.user_id,
    name: session.username,
    organisationId: session.organisation_id,
    organisationType,
    jurisdictionId,
    roles,
    permissions: permissionsOf(roles),
    // jurisdiction-wide roles see their jurisdiction and those below it, others their organisation's tree
    visibility:
      scopeOf(roles) === 'jurisdiction'
        ? { kind: 'jurisdiction', jurisdictions: session.jurisdictions ?? [] }
        : { kind: 'organisation', organisations: session.organisations ?? [] },
    session: { id: session.id, csrfToken: session.csrf_token, restriction: session.restriction },
  };
}

/** Resolves `Bearer ygt_<token id>.<secret>`: unknown, revoked and expired tokens give null. */
export async function authenticateToken(db: Db, bearer: string): Promise<AuthContext | null> {
  const check = tokenCheckOf(bearer);
  if (!check) return null;
  const token = await repo.tokenForAuth(db, check.id);
  const at = check.at;
  if (!token || token.revoked_at || token.expires_at <= at || !safeEqual(token.secret_hash, check.hash)) {
    return null;
  }
  return tokenAuthContext(db, token, at);
}

/**
 * What a statement joining the database function `token_for_call` (migration 0252) passes it for a bearer
 * `ygt_<token id>.<secret>`: the token's id, the SM3 hash of the secret, and the wall clock's now (expiry is checked
 * against the wall clock, as `authenticateToken` does). Null for a bearer of another form (401 without a statement).
 */
export interface TokenCheck {
  id: string;
  hash: string;
  at: Date;
}

export function tokenCheckOf(bearer: string): TokenCheck | null {
  const match = /^ygt_([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,})$/.exec(bearer);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  return { id, hash: sm3(secret), at: new Date() };
}

/** A checked token's row (from `tokenForAuth` or `token_for_call`): what the caller may do, as `authenticateToken` gives it. */
export async function tokenAuthContext(
  db: Db,
  token: Pick<
    TokenForAuth,
    | 'id'
    | 'name'
    | 'scopes'
    | 'last_used_at'
    | 'organisation_id'
    | 'organisation_type'
    | 'jurisdiction_id'
    | 'issuer_roles'
    | 'organisation_tree'
  >,
  at: Date,
): Promise<AuthContext> {
  // Touched at most once a minute, like a session: machine clients call many times a second, and "last used"
  // needs no finer grain than the list shows.
  if (!token.last_used_at || at.getTime() - token.last_used_at.getTime() > 60_000) {
    await repo.touchToken(db, token.id, at);
  }
  // At every use, the scopes are cut down to what the issuer may still do in the token's organisation
  // (a role taken away, an account disabled); a token whose issuer is unknown carries nothing.
  const issuerPermissions = permissionsOf(token.issuer_roles);
  const scopes = token.scopes.filter(
    (s): s is (typeof TOKEN_SCOPES)[number] =>
      (TOKEN_SCOPES as readonly string[]).includes(s) && issuerMayGrant(issuerPermissions, s),
  );
  return {
    kind: 'token',
    id: token.id,
    name: token.name,
    organisationId: token.organisation_id,
    organisationType: token.organisation_type,
    jurisdictionId: token.jurisdiction_id,
    roles: [],
    permissions: new Set(scopes),
    visibility: { kind: 'organisation', organisations: token.organisation_tree },
  };
}

export async function logout(trx: Trx, auth: AuthContext, actor: Actor, now: Date): Promise<void> {
  if (!auth.session) return;
  await repo.updateSession(trx, auth.session.id, { revoked_at: now });
  await writeAudit(trx, actor, { action: 'auth.logout', objectType: 'user', objectId: auth.id });
}

export async function switchOrganisation(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  organisationId: string,
): Promise<void> {
  const membership = (await repo.memberships(trx, auth.id)).find((m) => m.organisationId === organisationId);
  if (!membership || !auth.session) throw new AppError('not_found', 'no role in that organisation / 在该单位没有角色');
  await repo.updateSession(trx, auth.session.id, { organisation_id: organisationId });
  await writeAudit(trx, actor, {
    action: 'auth.organisation_switched',
    objectType: 'organisation',
    objectId: organisationId,
    detail: { from: auth.organisationId },
  });
}

/** Checks the password policy, including the last N passwords; throws password_rejected naming `field`. */
export async function assertPasswordAcceptable(db: Db, user: UserRow, password: string, field: string): Promise<void> {
  const policy = await repo.securityPolicy(db);
  const problems = passwordProblems(password, user.username, { minLength: policy.password_min_length });
  if (problems.length === 0) {
    const recent = [user.password_hash, ...(await repo.passwordHistory(db, user.id, policy.password_history))].filter(
      (h): h is string => h !== null,
    );
    for (const old of recent.slice(0, policy.password_history)) {
      if (await verifyPassword(old, password)) {
        problems.push(
          `不能与最近 ${policy.password_history} 次使用过的密码相同 / must differ from the last ${policy.password_history} passwords`,
        );
        break;
      }
    }
  }
  if (problems.length > 0) {
    throw new AppError(
      'password_rejected',
      problems.join('; '),
      problems.map((message) => ({ field, message })),
    );
  }
}

/** Sets a password, keeping the old hash in the history. */
export async function setPassword(
  trx: Trx,
  user: UserRow,
  password: string,
  mustChange: boolean,
  now: Date,
): Promise<void> {
  if (user.password_hash) await repo.addPasswordHistory(trx, user.id, user.password_hash);
  await repo.updateUserAccount(trx, user.id, {
    password_hash: await hashPassword(password),
    password_changed_at: now,
    must_change_password: mustChange,
    updated_at: now,
  });
}

export async function changeOwnPassword(
  db: Db,
  auth: AuthContext,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
  now: Date,
): Promise<void> {
  const user = await repo.findUserById(db, auth.id);
  if (!user?.password_hash || !(await verifyPassword(user.password_hash, input.currentPassword))) {
    // Guessing the current password from a stolen session counts toward the lockout like a failed sign-in.
    if (user) await registerFailure(db, user, await repo.securityPolicy(db), actor, 'wrong_current_password');
    throw new AppError('validation_failed', 'currentPassword: wrong / 当前密码错误', [
      { field: 'body.currentPassword', message: '当前密码错误 / wrong current password' },
    ]);
  }
  await assertPasswordAcceptable(db, user, input.newPassword, 'body.newPassword');
  await db.transaction().execute(async (trx) => {
    await setPassword(trx, user, input.newPassword, false, now);
    if (auth.session?.restriction === 'password_change') {
      const roles = (await repo.memberships(trx, user.id)).flatMap((m) => m.roles);
      const next = hasAdminRole(roles) && !user.totp_enabled ? 'totp_enrolment' : null;
      await repo.updateSession(trx, auth.session.id, { restriction: next });
    }
    // Other sessions of the account end with the old password.
    await repo.revokeOtherSessions(trx, user.id, auth.session?.id ?? null, now);
    await writeAudit(trx, actor, { action: 'user.password_changed', objectType: 'user', objectId: user.id });
  });
}

/** Starts TOTP enrolment: a new secret (stored sealed, not yet active) and its otpauth:// URI for the QR code. */
export async function startTotpEnrolment(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  now: Date,
): Promise<{ secret: string; uri: string }> {
  const user = await repo.findUserById(trx, auth.id);
  if (!user) throw new AppError('unauthenticated');
  if (user.totp_enabled) throw new AppError('conflict', 'TOTP is already set up / 已绑定动态验证码');
  const secret = generateSecret();
  await repo.updateUserAccount(trx, user.id, { totp_secret: sealSecret(secret), updated_at: now });
  await writeAudit(trx, actor, { action: 'user.totp_enrolment_started', objectType: 'user', objectId: user.id });
  return { secret, uri: generateURI({ issuer: 'Yunguan 云管', label: user.username, secret }) };
}

export async function confirmTotpEnrolment(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  code: string,
  now: Date,
): Promise<void> {
  const user = await repo.findUserById(trx, auth.id);
  if (!user?.totp_secret || user.totp_enabled)
    throw new AppError('conflict', 'no enrolment in progress / 没有进行中的绑定');
  const step = await checkTotp(user, code);
  if (step === null) {
    throw new AppError('invalid_totp', undefined, [{ field: 'body.code', message: '动态验证码错误 / wrong code' }]);
  }
  if (!(await repo.claimTotpStep(trx, user.id, step)))
    throw new AppError('invalid_totp', undefined, [
      { field: 'body.code', message: '动态验证码已使用 / code already used' },
    ]);
  await repo.updateUserAccount(trx, user.id, { totp_enabled: true, totp_last_step: BigInt(step), updated_at: now });
  if (auth.session?.restriction === 'totp_enrolment') {
    await repo.updateSession(trx, auth.session.id, { restriction: null });
  }
  await writeAudit(trx, actor, { action: 'user.totp_enabled', objectType: 'user', objectId: user.id });
}

export interface Me {
  user: { id: string; username: string; displayName: string; totpEnabled: boolean; mustChangePassword: boolean };
  organisation: { id: string; code: string; name: string; nameEn: string | null; type: string };
  roles: string[];
  permissions: string[];
  organisations: { id: string; code: string; name: string; nameEn: string | null; type: string; roles: string[] }[];
  csrfToken: string | null;
  restriction: 'password_change' | 'totp_enrolment' | null;
}

export async function me(db: Db, auth: AuthContext): Promise<Me> {
  const user = await repo.findUserById(db, auth.id);
  if (!user || auth.kind !== 'user') throw new AppError('unauthenticated');
  const memberships = await repo.memberships(db, user.id);
  const toOrg = (m: repo.Membership) => ({
    id: m.organisationId,
    code: m.organisationCode,
    name: m.organisationName,
    nameEn: m.organisationNameEn,
    type: m.organisationType,
  });
  const current = memberships.find((m) => m.organisationId === auth.organisationId);
  if (!current) throw new AppError('unauthenticated');
  return {
    user: {
      id: user.id,
      username: user.username,
      displayName: user.display_name,
      totpEnabled: user.totp_enabled,
      mustChangePassword: user.must_change_password && !user.is_demo,
    },
    organisation: toOrg(current),
    roles: [...auth.roles],
    permissions: [...auth.permissions].sort(),
    organisations: memberships.map((m) => ({ ...toOrg(m), roles: m.roles })),
    csrfToken: auth.session?.csrfToken ?? null,
    restriction: auth.session?.restriction ?? null,
  };
}
