import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureMail } from '../src/modules/notifications/index.ts';
import { verifyAuditChain } from '../src/platform/audit/audit.ts';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { mailedTemporaryPassword, startMailbox } from './mailbox.ts';
import { as, cookieOf, DEMO_PASSWORD, enableTotp, login, type Session, totpCode } from './sessions.ts';

let t: TestApp;
let admins: Record<'sysadmin' | 'secadmin' | 'auditadmin', Session>;

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  const session = async (username: 'sysadmin' | 'secadmin' | 'auditadmin') =>
    login(t.app, username, { totp: await totpCode(await enableTotp(t.database.db, username)) });
  admins = {
    sysadmin: await session('sysadmin'),
    secadmin: await session('secadmin'),
    auditadmin: await session('auditadmin'),
  };
});
afterAll(() => t.close());

const auditActions = async (action: string, outcome?: string) => {
  let q = t.database.db
    .selectFrom('audit_event')
    .select(['action', 'outcome', 'actor_name', 'source_ip', 'request_id'])
    .where('action', '=', action);
  if (outcome) q = q.where('outcome', '=', outcome as 'success');
  return q.execute();
};

describe('login and sessions', () => {
  it('signs in with a session cookie (httpOnly, SameSite) and tells who is signed in', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'unitadmin', password: DEMO_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: cookieOf(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { username: 'unitadmin' },
      organisation: { code: 'demo-health', type: 'using_unit' },
      roles: ['unit_admin'],
      restriction: null,
    });
    const logins = await auditActions('auth.login', 'success');
    expect(logins.some((l) => l.actor_name === 'unitadmin' && l.source_ip && l.request_id)).toBe(true);
  });

  it('answers 401 unauthenticated without a session, and for a made-up cookie', async () => {
    expect((await t.app.inject('/api/v1/auth/me')).json().code).toBe('unauthenticated');
    const forged = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: 'yunguan_session=forged' } });
    expect(forged.statusCode).toBe(401);
  });

  it('a wrong password is 401 invalid_credentials, the same as an unknown user, and is audited', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'edu', password: 'nope-nope-1A' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ghost', password: 'nope-nope-1A' },
    });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(wrong.json().code).toBe('invalid_credentials');
    expect(unknown.json().code).toBe('invalid_credentials');
    const failures = await auditActions('auth.login', 'failure');
    expect(failures.map((f) => f.actor_name)).toEqual(expect.arrayContaining(['edu', 'ghost']));
  });

  it('locks the account after 5 failed attempts; a locked account answers like a wrong password', async () => {
    for (let i = 1; i <= 4; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'finance', password: `wrong-${i}-Aa` },
      });
      expect(res.statusCode).toBe(401);
    }
    const fifth = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'finance', password: 'wrong-5-Aa' },
    });
    expect(fifth.statusCode).toBe(401);
    expect(fifth.json().code).toBe('invalid_credentials');
    const right = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'finance', password: DEMO_PASSWORD },
    });
    expect(right.statusCode).toBe(401);
    expect(right.json().code).toBe('invalid_credentials');
    expect(await auditActions('account.locked')).toHaveLength(1);
    // The security admin unlocks it.
    const user = await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'finance')
      .executeTakeFirstOrThrow();
    const unlock = await as(t.app, admins.secadmin, { method: 'POST', url: `/api/v1/users/${user.id}/unlock` });
    expect(unlock.statusCode).toBe(200);
    expect((await login(t.app, 'finance')).me.roles).toEqual(['finance_officer']);
  });

  it('ends a session idle for longer than the policy allows', async () => {
    const session = await login(t.app, 'econ');
    expect((await as(t.app, session, { url: '/api/v1/auth/me' })).statusCode).toBe(200);
    await sql`update user_session set last_seen_at = now() - interval '31 minutes' where user_id = (select id from user_account where username = 'econ')`.execute(
      t.database.db,
    );
    const res = await as(t.app, session, { url: '/api/v1/auth/me' });
    expect(res.statusCode).toBe(401);
    expect(await auditActions('auth.session_expired')).not.toHaveLength(0);
  });

  it('logout ends the session', async () => {
    const session = await login(t.app, 'approver');
    expect((await as(t.app, session, { method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(200);
    expect((await as(t.app, session, { url: '/api/v1/auth/me' })).statusCode).toBe(401);
  });

  it('refuses a cookie-authenticated write without the CSRF token', async () => {
    const session = await login(t.app, 'unitadmin');
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: session.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf_failed');
  });

  it('switches between the organisations a user holds roles in', async () => {
    const session = await login(t.app, 'applicant');
    expect(session.me.organisations.map((o) => o.code)).toEqual(['demo-health', 'demo-health-cdc']);
    const cdc = session.me.organisations.find((o) => o.code === 'demo-health-cdc');
    const res = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/switch-organisation',
      payload: { organisationId: cdc?.id },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().organisation.code).toBe('demo-health-cdc');
    const foreign = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/switch-organisation',
      payload: { organisationId: admins.sysadmin.me.organisation.id },
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('passwords', () => {
  it('any signed-in user can read the password rules in force', async () => {
    const session = await login(t.app, 'edu');
    const res = await as(t.app, session, { url: '/api/v1/auth/password-policy' });
    expect(res.json()).toEqual({ minLength: 10, characterClasses: 3, history: 5 });
  });

  it('enforces the policy: length, 3 character classes, not the user name, not one of the last 5', async () => {
    const session = await login(t.app, 'provider');
    const change = (newPassword: string, currentPassword = DEMO_PASSWORD) =>
      as(t.app, session, { method: 'POST', url: '/api/v1/auth/password', payload: { currentPassword, newPassword } });
    for (const bad of ['Short1!', 'alllowercaseletters', 'Provider-2026x', DEMO_PASSWORD]) {
      const res = await change(bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().code).toBe('password_rejected');
      expect(res.json().errors[0].field).toBe('body.newPassword');
    }
    const wrongCurrent = await change('Fine-Password-2026', 'not-it');
    expect(wrongCurrent.json().errors[0].field).toBe('body.currentPassword');
    let current = DEMO_PASSWORD;
    const used: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const next = `Rotation-${i}-Secret`;
      expect((await change(next, current)).statusCode).toBe(200);
      used.push(next);
      current = next;
    }
    // The five most recent are refused; the first password is now six back and allowed again.
    expect((await change(used[1] as string, current)).json().code).toBe('password_rejected');
    expect((await change(DEMO_PASSWORD, current)).statusCode).toBe(200);
  });

  it('after an admin reset the user must change the password before anything else', async () => {
    const user = await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'eastunit')
      .executeTakeFirstOrThrow();
    const reset = await as(t.app, admins.secadmin, { method: 'POST', url: `/api/v1/users/${user.id}/reset-password` });
    expect(reset.statusCode).toBe(200);
    const temporary = reset.json().temporaryPassword as string;
    expect(temporary.length).toBeGreaterThanOrEqual(10);
    await expect(login(t.app, 'eastunit')).rejects.toThrow(/401/);
    const session = await login(t.app, 'eastunit', { password: temporary });
    expect((session.me as unknown as { restriction: string }).restriction).toBe('password_change');
    const blocked = await as(t.app, session, { url: '/api/v1/organisations' });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('password_change_required');
    const changed = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: temporary, newPassword: 'Brand-New-Secret-9' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await as(t.app, session, { url: '/api/v1/organisations' })).statusCode).toBe(200);
  });
});

describe('second factor (TOTP)', () => {
  it('enrols, then requires the code at login, refuses a wrong or replayed code', async () => {
    const session = await login(t.app, 'provideradmin');
    const start = await as(t.app, session, { method: 'POST', url: '/api/v1/auth/totp/enrolment' });
    expect(start.statusCode).toBe(200);
    const { secret, uri } = start.json();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const wrong = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/totp/enrolment/confirm',
      payload: { code: '000000' },
    });
    expect(wrong.json().code).toBe('invalid_totp');
    const ok = await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/totp/enrolment/confirm',
      payload: { code: await totpCode(secret) },
    });
    expect(ok.statusCode).toBe(200);

    const noCode = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'provideradmin', password: DEMO_PASSWORD },
    });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().code).toBe('totp_required');
    const badCode = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'provideradmin', password: DEMO_PASSWORD, totp: '123456' },
    });
    expect(badCode.json().code).toBe('invalid_totp');
    const code = await totpCode(secret, 1);
    const good = await login(t.app, 'provideradmin', { totp: code });
    expect(good.me.roles).toEqual(['provider_admin']);
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'provideradmin', password: DEMO_PASSWORD, totp: code },
    });
    expect(replay.json().code).toBe('invalid_totp');
  });

  it('an admin role without a second factor may do nothing until it is set up', async () => {
    const user = await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'reviewer')
      .executeTakeFirstOrThrow();
    await t.database.db
      .updateTable('user_account')
      .set({ email: 'reviewer@example.gov.cn' })
      .where('id', '=', user.id)
      .execute();
    // An admin role is held alone: the system admin takes the business role away first; the security admin
    // asks for the audit admin role, the system admin (the third admin) approves; the password goes by e-mail.
    await as(t.app, admins.sysadmin, {
      method: 'PUT',
      url: `/api/v1/users/${user.id}/roles`,
      payload: { assignments: [] },
    });
    const grant = () =>
      as(t.app, admins.secadmin, {
        method: 'PUT',
        url: `/api/v1/users/${user.id}/admin-roles`,
        payload: { assignments: [{ organisationId: admins.secadmin.me.organisation.id, role: 'audit_admin' }] },
      });
    // This app has no mail server: a password that may not be shown cannot be delivered, so nothing starts.
    const noMail = await grant();
    expect(noMail.statusCode).toBe(409);
    expect(noMail.json().code).toBe('mail_not_configured');
    const mailbox = await startMailbox();
    configureMail({ smtpUrl: mailbox.config.YUNGUAN_SMTP_URL as string, from: 'Yunguan <noreply@yunguan.test>' });
    const granted = await grant();
    expect(granted.statusCode).toBe(202);
    const approved = await as(t.app, admins.sysadmin, {
      method: 'POST',
      url: `/api/v1/admin-approvals/${granted.json().approval.id}/approve`,
    });
    expect(approved.statusCode).toBe(200);
    const temporary = await mailedTemporaryPassword(t, mailbox, 'reviewer@example.gov.cn');
    configureMail(undefined);
    await mailbox.close();
    const session = await login(t.app, 'reviewer', { password: temporary });
    await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/password',
      payload: { currentPassword: temporary, newPassword: 'Audit-Admin-2026x' },
    });
    const blocked = await as(t.app, session, { url: '/api/v1/audit-events' });
    expect(blocked.json().code).toBe('totp_enrolment_required');
    const { secret } = (await as(t.app, session, { method: 'POST', url: '/api/v1/auth/totp/enrolment' })).json();
    await as(t.app, session, {
      method: 'POST',
      url: '/api/v1/auth/totp/enrolment/confirm',
      payload: { code: await totpCode(secret) },
    });
    expect((await as(t.app, session, { url: '/api/v1/audit-events' })).statusCode).toBe(200);
  });
});

describe('separation of admin duties (三员分立)', () => {
  it('the system admin cannot read, export or delete audit records', async () => {
    for (const url of ['/api/v1/audit-events', '/api/v1/audit-events/export']) {
      const res = await as(t.app, admins.sysadmin, { url });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    const denied = await auditActions('permission.denied', 'denied');
    expect(denied.some((d) => d.actor_name === 'sysadmin')).toBe(true);
  });

  it('the system admin cannot grant admin roles or touch account security', async () => {
    const user = await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'edu')
      .executeTakeFirstOrThrow();
    const grant = await as(t.app, admins.sysadmin, {
      method: 'PUT',
      url: `/api/v1/users/${user.id}/admin-roles`,
      payload: { assignments: [{ organisationId: admins.sysadmin.me.organisation.id, role: 'audit_admin' }] },
    });
    expect(grant.statusCode).toBe(403);
    const viaBusiness = await as(t.app, admins.sysadmin, {
      method: 'PUT',
      url: `/api/v1/users/${user.id}/roles`,
      payload: { assignments: [{ organisationId: admins.sysadmin.me.organisation.id, role: 'audit_admin' }] },
    });
    expect(viaBusiness.json().code).toBe('separation_of_duties');
    expect(
      (await as(t.app, admins.sysadmin, { method: 'POST', url: `/api/v1/users/${user.id}/unlock` })).statusCode,
    ).toBe(403);
    expect((await as(t.app, admins.sysadmin, { url: '/api/v1/security/policy' })).statusCode).toBe(403);
  });

  it('the security admin manages policy and account security but no business data', async () => {
    expect((await as(t.app, admins.secadmin, { url: '/api/v1/organisations' })).statusCode).toBe(403);
    expect(
      (
        await as(t.app, admins.secadmin, {
          method: 'POST',
          url: '/api/v1/organisations',
          payload: { code: 'sneaky', name: '越权单位', type: 'using_unit' },
        })
      ).statusCode,
    ).toBe(403);
    expect((await as(t.app, admins.secadmin, { url: '/api/v1/audit-events' })).statusCode).toBe(403);
    const policy = await as(t.app, admins.secadmin, {
      method: 'PATCH',
      url: '/api/v1/security/policy',
      payload: { lockoutMinutes: 20 },
    });
    expect(policy.json()).toMatchObject({ lockoutMinutes: 20, lockoutThreshold: 5, sessionIdleMinutes: 30 });
    const tooShort = await as(t.app, admins.secadmin, {
      method: 'PATCH',
      url: '/api/v1/security/policy',
      payload: { auditRetentionDays: 90 },
    });
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().errors[0].field).toBe('body.auditRetentionDays');
  });

  it('the security admin cannot grant an admin role to itself or a second admin role to anyone', async () => {
    const self = await as(t.app, admins.secadmin, {
      method: 'PUT',
      url: `/api/v1/users/${(admins.secadmin.me as unknown as { user: { id: string } }).user.id}/admin-roles`,
      payload: { assignments: [{ organisationId: admins.secadmin.me.organisation.id, role: 'audit_admin' }] },
    });
    expect(self.json().code).toBe('separation_of_duties');
    const sysadminId = (admins.sysadmin.me as unknown as { user: { id: string } }).user.id;
    const two = await as(t.app, admins.secadmin, {
      method: 'PUT',
      url: `/api/v1/users/${sysadminId}/admin-roles`,
      payload: {
        assignments: [
          { organisationId: admins.secadmin.me.organisation.id, role: 'system_admin' },
          { organisationId: admins.secadmin.me.organisation.id, role: 'audit_admin' },
        ],
      },
    });
    expect(two.json().code).toBe('separation_of_duties');
  });

  it('the audit admin may only read and export the audit trail', async () => {
    const list = await as(t.app, admins.auditadmin, { url: '/api/v1/audit-events?action=auth.login&limit=5' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.length).toBeGreaterThan(0);
    expect(list.json().items.every((e: { action: string }) => e.action.startsWith('auth.login'))).toBe(true);
    // Issue 16: the viewer names people and objects as people call them, not by account name or id.
    await login(t.app, 'unitadmin');
    const named = await as(t.app, admins.auditadmin, {
      url: '/api/v1/audit-events?action=auth.login&actor=unitadmin&limit=5',
    });
    const entry = named.json().items.find((e: { outcome: string }) => e.outcome === 'success');
    expect(entry).toMatchObject({
      actorName: 'unitadmin',
      actorDisplayName: '李静（卫健委管理员）',
      objectType: 'user',
      objectName: '李静（卫健委管理员）',
    });
    const csv = await as(t.app, admins.auditadmin, { url: '/api/v1/audit-events/export?format=csv&action=auth.' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.startsWith('\uFEFF"序号 ID"')).toBe(true);
    const xlsx = await as(t.app, admins.auditadmin, { url: '/api/v1/audit-events/export?format=xlsx' });
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(await auditActions('audit.exported')).toHaveLength(2);
    for (const url of ['/api/v1/users', '/api/v1/organisations', '/api/v1/security/policy', '/api/v1/api-tokens']) {
      expect((await as(t.app, admins.auditadmin, { url })).statusCode, url).toBe(403);
    }
  });
});

describe('the audit trail in the database', () => {
  it('refuses UPDATE and DELETE, even from the table owner', async () => {
    await expect(
      sql`update audit_event set action = 'x' where id = (select min(id) from audit_event)`.execute(t.database.db),
    ).rejects.toThrow(/append-only/);
    await expect(
      sql`delete from audit_event where id = (select min(id) from audit_event)`.execute(t.database.db),
    ).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});

describe('API tokens for machine clients', () => {
  it('are shown once, stored hashed, scoped, and stop working when revoked', async () => {
    const owner = await login(t.app, 'unitadmin');
    const created = await as(t.app, owner, {
      method: 'POST',
      url: '/api/v1/api-tokens',
      payload: { name: '卫健委对接系统', scopes: ['organisation:read'], expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const { token, apiToken } = created.json();
    expect(token).toMatch(/^ygt_[0-9a-f-]{36}\./);
    // who created it reads as a person, in the answer and in the list
    expect(apiToken).toMatchObject({ createdBy: 'unitadmin', createdByName: '李静（卫健委管理员）' });
    const listed = (await as(t.app, owner, { url: '/api/v1/api-tokens' })).json();
    expect(listed.items.find((x: { id: string }) => x.id === apiToken.id)).toMatchObject({
      createdByName: '李静（卫健委管理员）',
    });
    const stored = await t.database.db
      .selectFrom('api_token')
      .select('secret_hash')
      .where('id', '=', apiToken.id)
      .executeTakeFirstOrThrow();
    expect(token).not.toContain(stored.secret_hash);
    expect(JSON.stringify((await as(t.app, owner, { url: `/api/v1/api-tokens/${apiToken.id}` })).json())).not.toContain(
      token.split('.')[1],
    );

    const bearer = { authorization: `Bearer ${token}` };
    const orgs = await t.app.inject({ url: '/api/v1/organisations', headers: bearer });
    expect(orgs.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/v1/users', headers: bearer })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ url: '/api/v1/organisations', headers: { authorization: `Bearer ${token}x` } })).statusCode,
    ).toBe(401);

    expect(
      (await as(t.app, owner, { method: 'DELETE', url: `/api/v1/api-tokens/${apiToken.id}` })).json().revoked,
    ).toBe(true);
    expect((await t.app.inject({ url: '/api/v1/organisations', headers: bearer })).statusCode).toBe(401);
  });

  it('an expired token is refused', async () => {
    const owner = await login(t.app, 'unitadmin');
    const { token, apiToken } = (
      await as(t.app, owner, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: 'short', scopes: ['organisation:read'], expiresInDays: 1 },
      })
    ).json();
    await sql`update api_token set expires_at = now() - interval '1 second' where id = ${apiToken.id}`.execute(
      t.database.db,
    );
    expect(
      (await t.app.inject({ url: '/api/v1/organisations', headers: { authorization: `Bearer ${token}` } })).statusCode,
    ).toBe(401);
  });
});

describe('organisations and contacts', () => {
  it('a unit admin creates a sub-unit and keeps its contacts with history', async () => {
    const admin = await login(t.app, 'unitadmin');
    const sub = await as(t.app, admin, {
      method: 'POST',
      url: '/api/v1/organisations',
      payload: {
        code: 'demo-health-hospital',
        name: '示范市第一人民医院',
        type: 'using_unit',
        parentId: admin.me.organisation.id,
      },
    });
    expect(sub.statusCode).toBe(201);
    const id = sub.json().id;
    const put = (contacts: unknown[]) =>
      as(t.app, admin, { method: 'PUT', url: `/api/v1/organisations/${id}/contacts`, payload: { contacts } });
    expect((await put([{ kind: 'information_officer', name: '刘洋', mobile: '13800000001' }])).statusCode).toBe(200);
    const second = await put([
      { kind: 'information_officer', name: '黄敏', mobile: '13800000002' },
      { kind: 'emergency', name: '值班室', phone: '0771-1234567' },
    ]);
    expect(
      second
        .json()
        .items.map((c: { name: string }) => c.name)
        .sort(),
    ).toEqual(['值班室', '黄敏']);
    const history = await as(t.app, admin, { url: `/api/v1/organisations/${id}/contacts/history` });
    expect(history.json().items).toHaveLength(3);
    expect(history.json().items.find((c: { name: string }) => c.name === '刘洋').validTo).not.toBeNull();
    const twoOfficers = await put([
      { kind: 'information_officer', name: 'A' },
      { kind: 'information_officer', name: 'B' },
    ]);
    expect(twoOfficers.statusCode).toBe(400);
    expect((await as(t.app, admin, { url: `/api/v1/organisations/${id}/contacts` })).json().items).toHaveLength(2);
  });

  it('a unit admin cannot create a top-level organisation', async () => {
    const admin = await login(t.app, 'unitadmin');
    const res = await as(t.app, admin, {
      method: 'POST',
      url: '/api/v1/organisations',
      payload: { code: 'rogue', name: '自建单位', type: 'using_unit' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.parentId');
  });

  it('the system admin creates organisations and accounts; the new account must change its password', async () => {
    const jurisdiction = (await t.app.inject('/api/v1/jurisdictions/demo-west')).json();
    const org = await as(t.app, admins.sysadmin, {
      method: 'POST',
      url: '/api/v1/organisations',
      payload: {
        code: 'demo-west-edu',
        name: '西城区教育局',
        type: 'using_unit',
        jurisdictionId: jurisdiction.id,
        creditCode: '11110000MB0123456X',
      },
    });
    expect(org.statusCode).toBe(201);
    const wrongRole = await as(t.app, admins.sysadmin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: 'west.edu',
        displayName: '西城教育',
        organisationId: org.json().id,
        roles: ['provider_operator'],
      },
    });
    expect(wrongRole.statusCode).toBe(400);
    expect(wrongRole.json().errors[0].field).toBe('body.roles.0');
    const user = await as(t.app, admins.sysadmin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: 'west.edu', displayName: '西城教育', organisationId: org.json().id, roles: ['unit_admin'] },
    });
    expect(user.statusCode).toBe(201);
    const session = await login(t.app, 'west.edu', { password: user.json().temporaryPassword });
    expect((session.me as unknown as { restriction: string }).restriction).toBe('password_change');
  });

  it('the audit chain still verifies after all of the above', async () => {
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
