import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { type Mailbox, mailedTemporaryPassword, startMailbox } from './mailbox.ts';
import { as, DEMO_PASSWORD, enableTotp, login, type Session, totpCode } from './sessions.ts';

// Issue 15: the separation of the three admin duties (三员分立) holds at every grant, reset, second-factor
// clear and disable; actions on another admin's account wait for the third admin (two-person rule).
let t: TestApp;
let mailbox: Mailbox;
let sys: Session;
let sec: Session;
let aud: Session;
const ids = {} as Record<'sysadmin' | 'secadmin' | 'auditadmin' | 'edu' | 'unitadmin', string>;
const org: Record<string, string> = {};

const userId = async (username: string) =>
  (
    await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
  ).id;

const denials = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('audit_event')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', '=', 'separation.denied')
        .where('outcome', '=', 'denied')
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Each refusal answers 409 separation_of_duties and leaves one more `separation.denied` entry. */
async function expectDenied(res: () => Promise<{ statusCode: number; json(): { code: string } }>) {
  const before = await denials();
  const answer = await res();
  expect(answer.statusCode).toBe(409);
  expect(answer.json().code).toBe('separation_of_duties');
  expect(await denials()).toBe(before + 1);
}

beforeAll(async () => {
  mailbox = await startMailbox();
  t = await testApp({ config: mailbox.config });
  await seedDemo(t.database.db);
  const admin = async (u: string) => login(t.app, u, { totp: await totpCode(await enableTotp(t.database.db, u)) });
  sys = await admin('sysadmin');
  sec = await admin('secadmin');
  aud = await admin('auditadmin');
  for (const u of ['sysadmin', 'secadmin', 'auditadmin', 'edu', 'unitadmin'] as const) ids[u] = await userId(u);
  for (const code of ['demo-ops', 'demo-cac', 'demo-health', 'demo-education']) {
    org[code] = (
      await t.database.db.selectFrom('organisation').select('id').where('code', '=', code).executeTakeFirstOrThrow()
    ).id;
  }
});
afterAll(async () => {
  await t.close();
  await mailbox.close();
});

describe('an admin role is held alone, in every organisation', () => {
  it('the system admin cannot give itself a business role in another organisation (auditor, reads the trail)', async () => {
    await expectDenied(() =>
      as(t.app, sys, {
        method: 'PUT',
        url: `/api/v1/users/${ids.sysadmin}/roles`,
        payload: { assignments: [{ organisationId: org['demo-cac'], role: 'auditor' }] },
      }),
    );
    const self = await as(t.app, sys, { url: `/api/v1/users/${ids.sysadmin}` });
    expect(self.json().roles.map((r: { role: string }) => r.role)).toEqual(['system_admin']);
  });

  it('the system admin cannot give the security admin a business role', async () => {
    await expectDenied(() =>
      as(t.app, sys, {
        method: 'PUT',
        url: `/api/v1/users/${ids.secadmin}/roles`,
        payload: { assignments: [{ organisationId: org['demo-ops'], role: 'ops_reviewer' }] },
      }),
    );
  });

  it('the security admin cannot give an admin role to an account holding a business role', async () => {
    await expectDenied(() =>
      as(t.app, sec, {
        method: 'PUT',
        url: `/api/v1/users/${ids.edu}/admin-roles`,
        payload: { assignments: [{ organisationId: org['demo-ops'], role: 'audit_admin' }] },
      }),
    );
    expect(
      await t.database.db.selectFrom('role_assignment').select('role').where('user_id', '=', ids.edu).execute(),
    ).toEqual([{ role: 'unit_applicant' }]);
  });

  it('the database refuses the mix too, whoever writes it', async () => {
    await expect(
      sql`insert into role_assignment (user_id, organisation_id, role) values (${ids.secadmin}, ${org['demo-cac']}, 'auditor')`.execute(
        t.database.db,
      ),
    ).rejects.toThrow(/separation of duties/);
    await expect(
      sql`insert into role_assignment (user_id, organisation_id, role) values (${ids.edu}, ${org['demo-ops']}, 'audit_admin')`.execute(
        t.database.db,
      ),
    ).rejects.toThrow(/separation of duties/);
  });
});

describe('temporary passwords of accounts that read the trail are never shown', () => {
  it('the system admin creates an auditor account: the password goes to its e-mail, not to the admin', async () => {
    const noMail = await as(t.app, sys, {
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: 'cac.auditor2',
        displayName: '审计员二',
        organisationId: org['demo-cac'],
        roles: ['auditor'],
      },
    });
    expect(noMail.statusCode).toBe(400);
    expect(noMail.json().errors[0].field).toBe('body.email');
    const created = await as(t.app, sys, {
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: 'cac.auditor2',
        displayName: '审计员二',
        email: 'auditor2@example.gov.cn',
        organisationId: org['demo-cac'],
        roles: ['auditor'],
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().temporaryPassword).toBeUndefined();
    expect(created.json().passwordDelivery).toBe('mail');
    // Sealed in the outbox until sent, erased after; the in-app inbox only says where it went.
    const queued = await t.database.db
      .selectFrom('notification_delivery')
      .select(['id', 'payload'])
      .where('user_id', '=', created.json().user.id)
      .where('kind', '=', 'account.temporary_password')
      .executeTakeFirstOrThrow();
    expect(queued.payload).toMatchObject({ sealedSecret: expect.stringMatching(/^sm4:/) });
    const password = await mailedTemporaryPassword(t, mailbox, 'auditor2@example.gov.cn');
    expect(JSON.stringify(queued.payload)).not.toContain(password);
    const sent = await t.database.db
      .selectFrom('notification_delivery')
      .select(['status', 'payload'])
      .where('id', '=', queued.id)
      .executeTakeFirstOrThrow();
    expect(sent.status).toBe('delivered');
    expect(sent.payload).not.toHaveProperty('sealedSecret');
    const notice = await t.database.db
      .selectFrom('notification')
      .select(['body_zh'])
      .where('user_id', '=', created.json().user.id)
      .where('kind', '=', 'account.temporary_password')
      .executeTakeFirstOrThrow();
    expect(notice.body_zh).toContain('已发送至本人邮箱');
    expect(notice.body_zh).not.toContain(password);
    const session = await login(t.app, 'cac.auditor2', { password });
    expect((session.me as unknown as { restriction: string }).restriction).toBe('password_change');
  });
});

describe('two-person rule on admin accounts', () => {
  it('the security admin resets the audit admin’s password only with the system admin’s approval, and never sees it', async () => {
    await t.database.db
      .updateTable('user_account')
      .set({ email: 'auditadmin@example.gov.cn' })
      .where('id', '=', ids.auditadmin)
      .execute();
    const requested = await as(t.app, sec, { method: 'POST', url: `/api/v1/users/${ids.auditadmin}/reset-password` });
    expect(requested.statusCode).toBe(202);
    expect(requested.body).not.toMatch(/temporaryPassword/);
    const approval = requested.json().approval;
    expect(approval).toMatchObject({ action: 'reset-password', approverRole: 'system_admin', status: 'pending' });
    // Nothing changed yet: the audit admin still signs in with its password.
    await login(t.app, 'auditadmin', { totp: await totpCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 1) });

    // Neither the requester nor the target approves; only the third admin.
    await expectDenied(() => as(t.app, sec, { method: 'POST', url: `/api/v1/admin-approvals/${approval.id}/approve` }));
    await expectDenied(() => as(t.app, aud, { method: 'POST', url: `/api/v1/admin-approvals/${approval.id}/approve` }));
    const pending = await as(t.app, sys, { url: '/api/v1/admin-approvals?status=pending' });
    expect(pending.json().items.map((i: { approval: { id: string } }) => i.approval.id)).toContain(approval.id);
    // The third admin reads people by name and the request as what it changes.
    expect(
      pending.json().items.find((i: { approval: { id: string } }) => i.approval.id === approval.id).approval,
    ).toMatchObject({
      targetDisplayName: '韩冰（审计管理员）',
      requestedByDisplayName: expect.stringContaining('安全管理员'),
      changes: {},
    });
    const approved = await as(t.app, sys, { method: 'POST', url: `/api/v1/admin-approvals/${approval.id}/approve` });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().approval.status).toBe('approved');
    expect(approved.body).not.toMatch(/temporaryPassword|临时密码/);
    await expect(login(t.app, 'auditadmin', { password: DEMO_PASSWORD })).rejects.toThrow(/401/);
    expect(await mailedTemporaryPassword(t, mailbox, 'auditadmin@example.gov.cn')).toMatch(/^[A-Za-z0-9-]{8,}$/);
    // An approval is decided once.
    const again = await as(t.app, sys, { method: 'POST', url: `/api/v1/admin-approvals/${approval.id}/approve` });
    expect(again.statusCode).toBe(409);
  });

  it('the security admin cannot clear the audit admin’s second factor on its own', async () => {
    const requested = await as(t.app, sec, { method: 'POST', url: `/api/v1/users/${ids.auditadmin}/reset-totp` });
    expect(requested.statusCode).toBe(202);
    const row = await t.database.db
      .selectFrom('user_account')
      .select('totp_enabled')
      .where('id', '=', ids.auditadmin)
      .executeTakeFirstOrThrow();
    expect(row.totp_enabled).toBe(true);
    const rejected = await as(t.app, sys, {
      method: 'POST',
      url: `/api/v1/admin-approvals/${requested.json().approval.id}/reject`,
    });
    expect(rejected.json().approval.status).toBe('rejected');
  });

  it('the system admin cannot disable the security or audit admin on its own', async () => {
    for (const target of ['secadmin', 'auditadmin'] as const) {
      const res = await as(t.app, sys, {
        method: 'PATCH',
        url: `/api/v1/users/${ids[target]}`,
        payload: { disabled: true },
      });
      expect(res.statusCode, target).toBe(202);
      expect(res.json().approval.approverRole).toBe(target === 'secadmin' ? 'audit_admin' : 'security_admin');
      const row = await t.database.db
        .selectFrom('user_account')
        .select('disabled_at')
        .where('id', '=', ids[target])
        .executeTakeFirstOrThrow();
      expect(row.disabled_at).toBeNull();
    }
    // The security admin still works.
    expect((await as(t.app, sec, { url: '/api/v1/security/policy' })).statusCode).toBe(200);
  });

  it('a new admin account: business roles removed, the admin role granted on request and approval, a fresh password by e-mail', async () => {
    const created = await as(t.app, sys, {
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        username: 'ops.audit2',
        displayName: '第二审计管理员',
        email: 'audit2@example.gov.cn',
        organisationId: org['demo-ops'],
        roles: ['ops_reviewer'],
      },
    });
    const id = created.json().user.id;
    const knownToSysadmin = created.json().temporaryPassword as string;
    expect(
      (await as(t.app, sys, { method: 'PUT', url: `/api/v1/users/${id}/roles`, payload: { assignments: [] } }))
        .statusCode,
    ).toBe(200);
    const requested = await as(t.app, sec, {
      method: 'PUT',
      url: `/api/v1/users/${id}/admin-roles`,
      payload: { assignments: [{ organisationId: org['demo-ops'], role: 'audit_admin' }] },
    });
    expect(requested.statusCode).toBe(202);
    expect(requested.json().approval.approverRole).toBe('system_admin');
    const approved = await as(t.app, sys, {
      method: 'POST',
      url: `/api/v1/admin-approvals/${requested.json().approval.id}/approve`,
    });
    expect(approved.statusCode).toBe(200);
    // The password the system admin saw at creation no longer opens the account.
    await expect(login(t.app, 'ops.audit2', { password: knownToSysadmin })).rejects.toThrow(/401/);
    const password = await mailedTemporaryPassword(t, mailbox, 'audit2@example.gov.cn');
    const session = await login(t.app, 'ops.audit2', { password });
    expect(session.me.roles).toEqual(['audit_admin']);
    expect((session.me as unknown as { restriction: string }).restriction).toBe('password_change');
  });
});

describe('API token scopes never exceed the issuer’s permissions', () => {
  it('a unit admin cannot mint monitoring:ingest, work-order:fulfil or inventory:report', async () => {
    const unitadmin = await login(t.app, 'unitadmin');
    for (const scope of ['monitoring:ingest', 'work-order:fulfil', 'inventory:report']) {
      const res = await as(t.app, unitadmin, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: 'sneaky', scopes: ['organisation:read', scope], expiresInDays: 30 },
      });
      expect(res.statusCode, scope).toBe(403);
      expect(res.json().errors[0].field).toBe('body.scopes.1');
    }
  });

  it('a token loses what its issuer loses, at the next use', async () => {
    const unitadmin = await login(t.app, 'unitadmin');
    const { token } = (
      await as(t.app, unitadmin, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: '订单同步', scopes: ['order:read'], expiresInDays: 30 },
      })
    ).json();
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/api/v1/orders', headers: bearer })).statusCode).toBe(200);
    // A token smuggled in with a scope its issuer never held (written straight into the table) does nothing.
    await sql`update api_token set scopes = array['order:read', 'monitoring:ingest'] where name = '订单同步'`.execute(
      t.database.db,
    );
    // The issuer is now only an applicant (no order:read is lost) and then loses its role altogether.
    await as(t.app, sys, {
      method: 'PUT',
      url: `/api/v1/users/${ids.unitadmin}/roles`,
      payload: { assignments: [{ organisationId: org['demo-education'], role: 'unit_applicant' }] },
    });
    expect((await t.app.inject({ url: '/api/v1/orders', headers: bearer })).statusCode).toBe(403);
  });
});
