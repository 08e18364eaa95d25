import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, enableTotp, login, type Session, totpCode } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { type AuthContext, withTenant } from '../../platform/auth/auth.ts';
import { seedDemo } from '../../seed.ts';
import { deliveryJob, notify } from './index.ts';

// ---- a local webhook receiver whose answers the tests script

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let answers: number[] = []; // status codes to answer next, then 200
let hook: Server;
let hookPort: number;

// ---- a local SMTP server

interface Mail {
  from: string;
  to: string[];
  data: string;
}
const mails: Mail[] = [];
let smtp: SMTPServer;
let smtpPort: number;

let t: TestApp;
let applicant: Session;
let reviewer: Session;
let edu: Session;
let sysadmin: Session;
let jurisdictionId: string;
const log = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/redirect-to-loopback') {
        res.writeHead(307, { location: `http://127.0.0.1:${hookPort}/hook` }).end();
        return;
      }
      res.writeHead(answers.shift() ?? 200).end('ok');
    });
  });
  // 127.0.0.2 (loopback as well): the jurisdiction allows exactly 127.0.0.2/32, so 127.0.0.1 stays refused.
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.2', resolve));
  hookPort = (hook.address() as AddressInfo).port;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => {
        data += c.toString('utf8');
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  t = await testApp({
    config: { YUNGUAN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, YUNGUAN_MAIL_FROM: 'Yunguan <noreply@yunguan.test>' },
  });
  await seedDemo(t.database.db);
  applicant = await login(t.app, 'applicant');
  reviewer = await login(t.app, 'reviewer');
  edu = await login(t.app, 'edu');
  sysadmin = await login(t.app, 'sysadmin', { totp: await totpCode(await enableTotp(t.database.db, 'sysadmin')) });
  const org = await t.database.db
    .selectFrom('organisation')
    .select('jurisdiction_id')
    .where('id', '=', reviewer.me.organisation.id)
    .executeTakeFirstOrThrow();
  jurisdictionId = org.jurisdiction_id;
}, 180_000); // migrating and seeding every module's demo data takes a while on a loaded machine

afterAll(async () => {
  await t.close();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** A tenant transaction of the applicant's unit (row-level security on), as another module's service has. */
function applicantScope(): AuthContext {
  return {
    kind: 'user',
    id: 'applicant',
    name: 'applicant',
    organisationId: applicant.me.organisation.id,
    organisationType: 'using_unit',
    jurisdictionId,
    roles: ['unit_applicant'],
    permissions: new Set(),
    visibility: { kind: 'organisation', organisations: [applicant.me.organisation.id] },
  };
}

async function notifyAsApplicant(n: Omit<Parameters<typeof notify>[1], 'jurisdictionId'>): Promise<void> {
  await withTenant(t.database.db, applicantScope(), (trx) => notify(trx, { jurisdictionId, ...n }));
}

const userId = async (username: string) =>
  (
    await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
  ).id;

async function inbox(session: Session, query = '') {
  const res = await as(t.app, session, { url: `/api/v1/notifications${query}` });
  expect(res.statusCode).toBe(200);
  return res.json() as {
    items: { id: string; kind: string; title: { zh: string }; readAt: string | null }[];
    unread: number;
    total: number;
  };
}
async function unread(session: Session): Promise<number> {
  const res = await as(t.app, session, { url: '/api/v1/notifications/unread-count' });
  expect(res.statusCode).toBe(200);
  return res.json().unread;
}

describe('in-app inbox', () => {
  it('notify from a tenant transaction reaches the role holders; each user sees only their own', async () => {
    const before = await unread(reviewer);
    await notifyAsApplicant({
      to: { organisationId: reviewer.me.organisation.id, role: 'ops_reviewer' },
      kind: 'order.step.opened',
      title: { zh: '有新的申请待审核', en: 'A new order awaits review' },
      body: { zh: '卫健委提交了资源申请', en: 'The health commission placed an order' },
      link: '/orders/123',
      entity: { type: 'order', id: '123' },
    });
    expect(await unread(reviewer)).toBe(before + 1);
    const list = await inbox(reviewer);
    expect(list.items[0]).toMatchObject({
      kind: 'order.step.opened',
      title: { zh: '有新的申请待审核', en: 'A new order awaits review' },
      body: { zh: '卫健委提交了资源申请', en: 'The health commission placed an order' },
      link: '/orders/123',
      entity: { type: 'order', id: '123' },
      readAt: null,
    });
    // the applicant (who caused it) and a user of another unit see nothing of it
    expect((await inbox(applicant)).items.map((i) => i.kind)).not.toContain('order.step.opened');
    expect((await inbox(edu)).items.map((i) => i.kind)).not.toContain('order.step.opened');
    // another user cannot mark it read
    const id = list.items[0]?.id as string;
    const foreign = await as(t.app, edu, { method: 'POST', url: `/api/v1/notifications/${id}/read` });
    expect(foreign.statusCode).toBe(404);
    const own = await as(t.app, reviewer, { method: 'POST', url: `/api/v1/notifications/${id}/read` });
    expect(own.statusCode).toBe(200);
    expect(own.json().readAt).not.toBeNull();
    expect(await unread(reviewer)).toBe(before);
  });

  it('resolves explicit users, role holders of the jurisdiction; disabled users get nothing', async () => {
    const eastReviewer = await login(t.app, 'eastreviewer');
    const before = { reviewer: await unread(reviewer), east: await unread(eastReviewer), edu: await unread(edu) };
    // role alone: holders in this jurisdiction only (the district's reviewer is in another one)
    await notifyAsApplicant({
      to: { role: 'ops_reviewer' },
      kind: 'order.step.overdue',
      title: { zh: '超时', en: 'Overdue' },
    });
    expect(await unread(reviewer)).toBe(before.reviewer + 1);
    expect(await unread(eastReviewer)).toBe(before.east);
    // explicit users, named twice and together with a role: one row each
    const eduId = await userId('edu');
    await notifyAsApplicant({
      to: { userIds: [eduId, eduId], organisationId: edu.me.organisation.id, role: 'unit_applicant' },
      kind: 'order.approved',
      title: { zh: '已批准', en: 'Approved' },
    });
    expect(await unread(edu)).toBe(before.edu + 1);
    // a disabled user is skipped
    await t.database.db.updateTable('user_account').set({ disabled_at: new Date() }).where('id', '=', eduId).execute();
    await notifyAsApplicant({
      to: { userIds: [eduId] },
      kind: 'order.approved',
      title: { zh: '已批准', en: 'Approved' },
    });
    await t.database.db.updateTable('user_account').set({ disabled_at: null }).where('id', '=', eduId).execute();
    expect(await unread(edu)).toBe(before.edu + 1);
  });

  it('lists unread only, pages, and marks all read', async () => {
    for (let i = 0; i < 3; i++) {
      await notifyAsApplicant({
        to: { userIds: [await userId('reviewer')] },
        kind: 'paging.test',
        title: { zh: `第${i}条`, en: `No. ${i}` },
      });
    }
    const page = await inbox(reviewer, '?unread=true&limit=2&offset=0');
    expect(page.items).toHaveLength(2);
    expect(page.items.every((i) => i.readAt === null)).toBe(true);
    expect(page.total).toBe(page.unread);
    expect(page.items[0]?.title.zh).toBe('第2条');
    const all = await as(t.app, reviewer, { method: 'POST', url: '/api/v1/notifications/read-all' });
    expect(all.statusCode).toBe(200);
    expect(all.json().marked).toBe(page.unread);
    expect(await unread(reviewer)).toBe(0);
    expect((await inbox(reviewer, '?unread=true')).items).toHaveLength(0);
    expect((await inbox(reviewer)).total).toBeGreaterThanOrEqual(3);
  });

  it('leaves the caller’s transaction under row-level security afterwards', async () => {
    const reviewerId = await userId('reviewer');
    const after = await withTenant(t.database.db, applicantScope(), async (trx) => {
      await notify(trx, { jurisdictionId, to: { userIds: [reviewerId] }, kind: 'x.y', title: { zh: 'x', en: 'x' } });
      const role = await sql<{ role: string }>`select current_user as role`.execute(trx);
      const visible = await sql<{ n: number }>`select count(*)::int as n from notification`.execute(trx);
      return { role: role.rows[0]?.role, visible: visible.rows[0]?.n };
    });
    expect(after).toEqual({ role: 'yunguan_app', visible: 0 }); // the reviewer's rows are not the unit's
  });

  it('rolls back with the transaction of the state change', async () => {
    const before = await unread(reviewer);
    const reviewerId = await userId('reviewer');
    await expect(
      withTenant(t.database.db, applicantScope(), async (trx) => {
        await notify(trx, { jurisdictionId, to: { userIds: [reviewerId] }, kind: 'x.y', title: { zh: 'x', en: 'x' } });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await unread(reviewer)).toBe(before);
  });
});

// ---- webhooks

const HMAC = (alg: string, secret: string, ts: string, body: string) =>
  createHmac(alg, secret).update(`${ts}.${body}`).digest('hex');

async function runJob(now: Date) {
  return deliveryJob().run({ db: t.database.db, now, log });
}

describe('webhooks', () => {
  let subscriptionId: string;
  let secret: string;

  it('only the system admin manages them', async () => {
    const res = await as(t.app, applicant, { url: '/api/v1/webhooks/subscriptions' });
    expect(res.statusCode).toBe(403);
  });

  it('refuses targets that are not allowed at subscription time, naming body.url', async () => {
    const put = await as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['127.0.0.2', '127.0.0.1', '10.1.2.3', 'localhost'], allowedNetworks: [] },
    });
    expect(put.statusCode).toBe(200);
    for (const url of [
      `http://127.0.0.2:${hookPort}/hook`, // loopback, not allowed yet
      'http://2130706433/',
      'http://0x7f.1/',
      'http://10.1.2.3/',
      'http://localhost/',
      'http://evil.example.com/',
      'ftp://127.0.0.2/',
    ]) {
      const res = await as(t.app, sysadmin, {
        method: 'POST',
        url: '/api/v1/webhooks/subscriptions',
        payload: { name: 'x', url, eventKinds: ['*'] },
      });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().code).toBe('webhook_target_refused');
      expect(res.json().errors?.[0]?.field ?? res.json().fields?.[0]?.field ?? res.body).toContain('body.url');
    }
    const badPolicy = await as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['ok.example.com'], allowedNetworks: ['127.0.0.0/40'] },
    });
    expect(badPolicy.statusCode).toBe(400);
    expect(badPolicy.body).toContain('body.allowedNetworks.0');
  });

  it('delivers to an explicitly allowed loopback receiver, signed with SHA-256 and SM3', async () => {
    const put = await as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['127.0.0.2', '127.0.0.1'], allowedNetworks: ['127.0.0.2/32'] },
    });
    expect(put.statusCode).toBe(200);
    const created = await as(t.app, sysadmin, {
      method: 'POST',
      url: '/api/v1/webhooks/subscriptions',
      payload: { name: '运维平台', url: `http://127.0.0.2:${hookPort}/hook`, eventKinds: ['order.step.overdue'] },
    });
    expect(created.statusCode).toBe(201);
    subscriptionId = created.json().subscription.id;
    secret = created.json().secret;
    expect(secret).toMatch(/^whsec_/);
    const listed = await as(t.app, sysadmin, { url: '/api/v1/webhooks/subscriptions' });
    expect(listed.body).not.toContain(secret);
    const stored = await t.database.db
      .selectFrom('webhook_subscription')
      .select('secret_sealed')
      .where('id', '=', subscriptionId)
      .executeTakeFirstOrThrow();
    expect(stored.secret_sealed).not.toContain(secret);

    received.length = 0;
    await notifyAsApplicant({
      to: { role: 'ops_reviewer' },
      kind: 'order.step.overdue',
      title: { zh: '审核超时', en: 'Review overdue' },
      link: '/orders/42',
      entity: { type: 'order', id: '42' },
    });
    // a kind the subscription does not take is not sent
    await notifyAsApplicant({ to: { role: 'ops_reviewer' }, kind: 'order.approved', title: { zh: 'a', en: 'a' } });
    const now = new Date();
    await runJob(now);
    expect(received).toHaveLength(1);
    const got = received[0] as Received;
    const ts = got.headers['x-yunguan-timestamp'] as string;
    expect(ts).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(got.headers['x-yunguan-signature-sha256']).toBe(HMAC('sha256', secret, ts, got.body));
    expect(got.headers['x-yunguan-signature-sm3']).toBe(HMAC('sm3', secret, ts, got.body));
    expect(got.headers['x-yunguan-signature-sm3']).not.toBe(got.headers['x-yunguan-signature-sha256']);
    expect(got.headers['content-type']).toContain('application/json');
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({
      kind: 'order.step.overdue',
      jurisdiction: { id: jurisdictionId },
      entity: { type: 'order', id: '42' },
      title: { zh: '审核超时', en: 'Review overdue' },
      link: '/orders/42',
    });
    expect(typeof body.id).toBe('string');
    expect(new Date(body.occurredAt).toString()).not.toBe('Invalid Date');
    const deliveries = await as(t.app, sysadmin, {
      url: `/api/v1/webhooks/subscriptions/${subscriptionId}/deliveries`,
    });
    expect(deliveries.statusCode).toBe(200);
    const d = deliveries.json().items[0];
    expect(d).toMatchObject({ id: got.headers['x-yunguan-delivery'], status: 'delivered', attempts: 1 });
    expect(d.log[0]).toMatchObject({ attempt: 1, statusCode: 200, outcome: 'delivered', error: null });
    expect(typeof d.log[0].durationMs).toBe('number');
    // a second run sends nothing again
    await runJob(new Date(now.getTime() + 60_000));
    expect(received).toHaveLength(1);
  });

  it('retries after a 500 with back-off, then succeeds', async () => {
    received.length = 0;
    answers = [500];
    await notifyAsApplicant({
      to: { role: 'ops_reviewer' },
      kind: 'order.step.overdue',
      title: { zh: '重试', en: 'Retry' },
    });
    const t0 = new Date();
    await runJob(t0);
    expect(received).toHaveLength(1);
    await runJob(new Date(t0.getTime() + 30_000)); // before the 1-minute back-off: nothing
    expect(received).toHaveLength(1);
    await runJob(new Date(t0.getTime() + 61_000));
    expect(received).toHaveLength(2);
    expect(received[1]?.headers['x-yunguan-delivery']).toBe(received[0]?.headers['x-yunguan-delivery']);
    const res = await as(t.app, sysadmin, {
      url: `/api/v1/webhooks/subscriptions/${subscriptionId}/deliveries?limit=1`,
    });
    const d = res.json().items[0];
    expect(d.status).toBe('delivered');
    expect(d.log.map((a: { statusCode: number; outcome: string }) => [a.statusCode, a.outcome])).toEqual([
      [500, 'retry'],
      [200, 'delivered'],
    ]);
    expect(d.log[0].error).toBe('HTTP 500');
  });

  it('gives up after 1 min, 5 min, 30 min, 2 h and 12 h, and the admin can redeliver', async () => {
    received.length = 0;
    answers = [503, 503, 503, 503, 503, 503];
    await notifyAsApplicant({
      to: { role: 'ops_reviewer' },
      kind: 'order.step.overdue',
      title: { zh: '失败', en: 'Fails' },
    });
    let now = new Date();
    for (const wait of [0, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000]) {
      now = new Date(now.getTime() + wait);
      await runJob(new Date(now.getTime() - 1_000)); // not yet due
      await runJob(now);
    }
    expect(received).toHaveLength(6);
    await runJob(new Date(now.getTime() + 48 * 3_600_000));
    expect(received).toHaveLength(6);
    const res = await as(t.app, sysadmin, {
      url: `/api/v1/webhooks/subscriptions/${subscriptionId}/deliveries?status=failed`,
    });
    const failed = res.json().items[0];
    expect(failed).toMatchObject({ status: 'failed', attempts: 6, lastError: 'HTTP 503' });
    const audited = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', failed.id)
      .execute();
    expect(audited.map((a) => a.action)).toContain('notification.delivery.failed');

    const again = await as(t.app, sysadmin, {
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${failed.id}/redeliver`,
    });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ status: 'pending', eventId: failed.eventId });
    await runJob(new Date());
    expect(received).toHaveLength(7);
    expect(JSON.parse(received[6]?.body as string).id).toBe(failed.eventId);
    expect(received[6]?.headers['x-yunguan-delivery']).toBe(again.json().id);
  });

  it('checks the target again at delivery: a redirect to 127.0.0.1 and a withdrawn allowance are refused', async () => {
    const patched = await as(t.app, sysadmin, {
      method: 'PATCH',
      url: `/api/v1/webhooks/subscriptions/${subscriptionId}`,
      payload: { url: `http://127.0.0.2:${hookPort}/redirect-to-loopback` },
    });
    expect(patched.statusCode).toBe(200);
    received.length = 0;
    await notifyAsApplicant({
      to: { role: 'ops_reviewer' },
      kind: 'order.step.overdue',
      title: { zh: '跳转', en: 'Redirect' },
    });
    await runJob(new Date());
    expect(received.map((r) => r.path)).toEqual(['/redirect-to-loopback']); // never followed to /hook
    let res = await as(t.app, sysadmin, { url: `/api/v1/webhooks/subscriptions/${subscriptionId}/deliveries?limit=1` });
    expect(res.json().items[0].log[0]).toMatchObject({ outcome: 'retry', statusCode: null });
    expect(res.json().items[0].log[0].error).toMatch(/refused.*127\.0\.0\.1.*loopback/);

    // the administrator withdraws the loopback allowance: the next delivery is not even attempted
    await as(t.app, sysadmin, {
      method: 'PATCH',
      url: `/api/v1/webhooks/subscriptions/${subscriptionId}`,
      payload: { url: `http://127.0.0.2:${hookPort}/hook` },
    });
    await as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['127.0.0.2'], allowedNetworks: [] },
    });
    received.length = 0;
    await notifyAsApplicant({
      to: { role: 'ops_reviewer' },
      kind: 'order.step.overdue',
      title: { zh: '撤销', en: 'Withdrawn' },
    });
    await runJob(new Date(Date.now() + 10 * 60_000));
    expect(received).toHaveLength(0);
    res = await as(t.app, sysadmin, { url: `/api/v1/webhooks/subscriptions/${subscriptionId}/deliveries?limit=1` });
    expect(res.json().items[0].log[0].error).toMatch(/refused.*loopback/);
    const policyAudit = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'webhook.egress_policy.set')
      .execute();
    expect(policyAudit.length).toBeGreaterThanOrEqual(3);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});

// ---- e-mail

/** The Subject header, RFC 2047 encoded-words decoded. */
function subjectOf(data: string): string {
  const unfolded = data.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => /^subject:/i.test(l)) ?? '';
  const raw = line.replace(/^subject:\s*/i, '');
  const words = [...raw.matchAll(/=\?utf-8\?([bq])\?([^?]*)\?=/gi)];
  if (words.length === 0) return raw;
  const bytes = words.map(([, enc, text]) =>
    (enc as string).toLowerCase() === 'b'
      ? Buffer.from(text as string, 'base64')
      : Buffer.from(
          (text as string)
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ),
  );
  return Buffer.concat(bytes).toString('utf8');
}

describe('e-mail', () => {
  it('sends the notice through SMTP to each recipient with an address', async () => {
    await t.database.db
      .updateTable('user_account')
      .set({ email: 'zhaomin@ops.example.gov.cn' })
      .where('username', '=', 'reviewer')
      .execute();
    mails.length = 0;
    await notifyAsApplicant({
      to: { organisationId: reviewer.me.organisation.id, role: 'ops_reviewer' },
      kind: 'order.step.opened',
      title: { zh: '有新的申请待审核', en: 'A new order awaits review' },
      link: '/orders/7',
    });
    const queued = await t.database.db
      .selectFrom('notification_delivery')
      .select(['id', 'status'])
      .where('channel', '=', 'email')
      .where('status', '=', 'pending')
      .execute();
    expect(queued).toHaveLength(1);
    await runJob(new Date());
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toEqual(['zhaomin@ops.example.gov.cn']);
    expect(mails[0]?.from).toBe('noreply@yunguan.test');
    expect(subjectOf(mails[0]?.data as string)).toBe('有新的申请待审核 | A new order awaits review');
    const done = await t.database.db
      .selectFrom('notification_delivery')
      .select(['status', 'attempts'])
      .where('id', '=', queued[0]?.id as string)
      .executeTakeFirstOrThrow();
    expect(done).toEqual({ status: 'delivered', attempts: 1 });
  });

  it('keeps the mail when the SMTP server is down and sends it on a later run', async () => {
    mails.length = 0;
    await notifyAsApplicant({
      to: { userIds: [await userId('reviewer')] },
      kind: 'order.approved',
      title: { zh: '已批准', en: 'Approved' },
    });
    const down = deliveryJob({ mail: { smtpUrl: 'smtp://127.0.0.1:1', from: 'noreply@yunguan.test' } });
    const t0 = new Date();
    await down.run({ db: t.database.db, now: t0, log });
    const row = await t.database.db
      .selectFrom('notification_delivery')
      .select(['status', 'attempts', 'last_error'])
      .where('channel', '=', 'email')
      .where('kind', '=', 'order.approved')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBeTruthy();
    await runJob(new Date(t0.getTime() + 61_000));
    expect(mails).toHaveLength(1);
    const count = await sql<{
      n: number;
    }>`select count(*)::int as n from notification_delivery where channel = 'email' and status = 'pending'`.execute(
      t.database.db,
    );
    expect(count.rows[0]?.n).toBe(0);
  });
});

describe('the outbox drained by several instances', () => {
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await notifyAsApplicant({
        to: { userIds: [] },
        kind: 'outbox.burst',
        title: { zh: `批量${i}`, en: `burst ${i}` },
      });
    }
  };
  const outboxDeliveries = () =>
    t.database.db
      .selectFrom('notification_delivery')
      .select(['id', 'status', 'attempts'])
      .where('kind', '=', 'outbox.burst')
      .execute();

  it('two instances at once deliver each delivery exactly once, until nothing is due; /metrics shows the depth', async () => {
    await as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['127.0.0.2'], allowedNetworks: ['127.0.0.2/32'] },
    });
    const created = await as(t.app, sysadmin, {
      method: 'POST',
      url: '/api/v1/webhooks/subscriptions',
      payload: { name: '批量接收', url: `http://127.0.0.2:${hookPort}/outbox`, eventKinds: ['outbox.burst'] },
    });
    expect(created.statusCode).toBe(201);
    await burst(45);
    const metrics = (await t.app.inject('/metrics')).body;
    expect(Number(/^yunguan_outbox_pending (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(45);
    expect(Number(/^yunguan_outbox_oldest_pending_seconds ([\d.e+-]+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(0);

    received.length = 0;
    const now = new Date(Date.now() + 1_000);
    // Small batches, so both runs claim several times and meet on the same rows.
    const one = deliveryJob({ batch: 7, concurrency: 3 });
    const two = deliveryJob({ batch: 7, concurrency: 3 });
    const results = await Promise.all([
      one.run({ db: t.database.db, now, log }),
      two.run({ db: t.database.db, now, log }),
    ]);
    const ids = received.filter((r) => r.path === '/outbox').map((r) => r.headers['x-yunguan-delivery']);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
    expect(results.reduce((sum: number, r) => sum + (r as { attempted: number }).attempted, 0)).toBeGreaterThanOrEqual(
      45,
    );
    const rows = await outboxDeliveries();
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ intact: true });
  });

  it('a delivery claimed by an instance that died goes out again once its claim expires, with the same id', async () => {
    await burst(1);
    const [row] = (await outboxDeliveries()).filter((r) => r.status === 'pending');
    const claimedUntil = new Date(Date.now() + 5 * 60_000);
    await sql`update notification_delivery set claimed_until = ${claimedUntil} where id = ${row?.id}`.execute(
      t.database.db,
    );
    received.length = 0;
    await runJob(new Date(Date.now() + 1_000));
    expect(received.filter((r) => r.path === '/outbox')).toHaveLength(0);
    await runJob(new Date(claimedUntil.getTime() + 1_000));
    expect(received.filter((r) => r.path === '/outbox').map((r) => r.headers['x-yunguan-delivery'])).toEqual([row?.id]);
  });
});
