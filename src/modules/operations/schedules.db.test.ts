import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { type Mailbox, mailParts, startMailbox } from '../../../test/mailbox.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { deliveryJob } from '../notifications/index.ts';
import { runDueSchedules } from './index.ts';

// Reports on schedule (TZ 12: weekly and monthly reports) through the HTTP API and the job: a week's report is made
// on Monday at 08:00 Beijing time, a month's on the 1st; each is archived like one made by hand and sent once to the
// holders of the chosen roles, in the inbox and by e-mail with the PDF attached; only roles that may read the report
// can be chosen; a provider sees only its own schedules.

const clock = new ManualClock('2026-11-22T02:00:00Z'); // Sunday 22 November 2026, 10:00 in Beijing
let t: TestApp;
let mailbox: Mailbox;
let reviewer: Session;
let provider: Session;
let providerB: Session;
let unitadmin: Session;
const org: Record<string, string> = {};
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

type Answer = any;
async function ok(r: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const x = await r;
  expect(x.statusCode, x.body).toBe(status);
  return x.json();
}
const post = (s: Session, url: string, payload: unknown = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1/operations${url}`, payload: payload as object });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1/operations${url}` });
const at = (beijing: string) => clock.set(`${beijing}+08:00`);
const run = () => runDueSchedules(t.database.db, clock.now());
const send = () => deliveryJob().run({ db: t.database.db, now: clock.now(), log: quiet });
const mailsTo = (email: string) => mailbox.mails.filter((m) => m.to.includes(email));

beforeAll(async () => {
  mailbox = await startMailbox();
  t = await testApp({ clock, config: mailbox.config });
  const db = t.database.db;
  await seedDemo(db);
  for (const o of await db.selectFrom('organisation').select(['id', 'code']).execute()) org[o.code] = o.id;
  for (const u of ['reviewer', 'approver', 'provideradmin', 'provider', 'econ'])
    await db
      .updateTable('user_account')
      .set({ email: `${u}@example.gov.cn` })
      .where('username', '=', u)
      .execute();
  const hash = await db
    .selectFrom('user_account')
    .select('password_hash')
    .where('username', '=', 'provider')
    .executeTakeFirstOrThrow();
  const b = await db
    .insertInto('user_account')
    .values({ username: 'provider-b-admin', display_name: '服务商乙管理员', password_hash: hash.password_hash })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('role_assignment')
    .values({
      user_id: b.id,
      organisation_id: org['demo-provider-b'] as string,
      role: 'provider_operator',
      granted_by: 'test',
    })
    .execute();
  reviewer = await login(t.app, 'reviewer');
  provider = await login(t.app, 'provideradmin');
  providerB = await login(t.app, 'provider-b-admin');
  unitadmin = await login(t.app, 'unitadmin');
}, 180_000);
afterAll(async () => {
  await t?.close();
  await mailbox?.close();
});

describe('report schedules', () => {
  let monthly: Answer;
  let weekly: Answer;

  it('the ops unit schedules the city-wide monthly report for the ops unit and the authority', async () => {
    monthly = await ok(
      post(reviewer, '/report-schedules', { period: 'month', recipientRoles: ['ops_reviewer', 'authority_approver'] }),
      201,
    );
    expect(monthly).toMatchObject({
      scope: 'city',
      provider: null,
      period: 'month',
      active: true,
      nextRunAt: '2026-12-01T00:00:00.000Z', // 1 December, 08:00 in Beijing
      nextPeriodStart: '2026-11-01',
      lastRunAt: null,
    });
  });

  it('refuses recipients who may not read the report, naming the field, and stores nothing', async () => {
    const bad = await post(reviewer, '/report-schedules', { period: 'week', recipientRoles: ['provider_admin'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.recipientRoles');
    const unit = await post(reviewer, '/report-schedules', { period: 'week', recipientRoles: ['unit_admin'] });
    expect(unit.statusCode).toBe(400);
    const list = await ok(get(reviewer, '/report-schedules'));
    expect(list.items).toHaveLength(1);
    expect(list.recipientRoleOptions.city).not.toContain('provider_admin');
    expect(list.recipientRoleOptions.provider).toContain('provider_admin');
    // a unit may neither schedule nor read reports
    expect(
      (await post(unitadmin, '/report-schedules', { period: 'week', recipientRoles: ['ops_reviewer'] })).statusCode,
    ).toBe(403);
  });

  it('a provider schedules its own weekly report; it sees only its own schedules', async () => {
    weekly = await ok(
      post(provider, '/report-schedules', { period: 'week', recipientRoles: ['provider_admin', 'ops_reviewer'] }),
      201,
    );
    expect(weekly).toMatchObject({
      scope: 'provider',
      provider: { id: org['demo-provider-a'], name: '示范政务云服务商甲' },
      nextRunAt: '2026-11-23T00:00:00.000Z', // Monday 23 November, 08:00 in Beijing
      nextPeriodStart: '2026-11-16',
    });
    const mine = await ok(get(provider, '/report-schedules'));
    expect(mine.items.map((s: { id: string }) => s.id)).toEqual([weekly.id]);
    expect((await ok(get(providerB, '/report-schedules'))).items).toEqual([]);
    expect(
      (
        await as(t.app, providerB, {
          method: 'PATCH',
          url: `/api/v1/operations/report-schedules/${weekly.id}`,
          payload: { active: false },
        })
      ).statusCode,
    ).toBe(404);
    const all = await ok(get(reviewer, '/report-schedules'));
    expect(all.items).toHaveLength(2);
  });

  it('runs on Monday at 08:00, not a second before; the report is archived and mailed once with its PDF', async () => {
    at('2026-11-23T07:59:59');
    expect(await run()).toEqual({ done: [], failed: [] });
    at('2026-11-23T08:00:00');
    const r = await run();
    expect(r.failed).toEqual([]);
    expect(r.done).toHaveLength(1);
    expect(r.done[0]).toMatchObject({ scheduleId: weekly.id, recipients: 2 }); // provider A's admin, the ops reviewer
    expect(await run()).toEqual({ done: [], failed: [] });

    const report = await ok(get(provider, `/reports/${r.done[0]?.reportId}`));
    expect(report).toMatchObject({ scope: 'provider', period: 'week', from: '2026-11-16', to: '2026-11-23' });
    const after = await ok(get(provider, '/report-schedules'));
    expect(after.items[0]).toMatchObject({
      lastRunAt: '2026-11-23T00:00:00.000Z',
      lastReportId: report.id,
      nextRunAt: '2026-11-30T00:00:00.000Z',
      nextPeriodStart: '2026-11-23',
    });

    await send();
    for (const email of ['provideradmin@example.gov.cn', 'reviewer@example.gov.cn']) {
      const mails = mailsTo(email);
      expect(mails).toHaveLength(1);
      const parts = mailParts(mails[0]?.raw ?? '');
      const pdf = parts.find((p) => p.contentType === 'application/pdf');
      expect(pdf?.filename).toBe('operations-week-2026-11-16.pdf');
      expect(pdf?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const text = parts.find((p) => p.contentType === 'text/plain')?.content.toString('utf8') ?? '';
      expect(text).toContain('示范政务云服务商甲政务云运维周报（2026-11-16 至 2026-11-22）');
      expect(text).toContain(report.contentHash);
    }
    // neither the provider's operator (not chosen) nor the authority (not chosen for this one)
    expect(mailsTo('provider@example.gov.cn')).toEqual([]);
    expect(mailsTo('approver@example.gov.cn')).toEqual([]);
    const inbox = await ok(as(t.app, reviewer, { url: '/api/v1/notifications?limit=50' }));
    expect(inbox.items.filter((n: { kind: string }) => n.kind === 'ops_report.scheduled')).toHaveLength(1);
  });

  it('on 1 December the city-wide November report goes to the ops unit and the authority, and the week’s too', async () => {
    mailbox.mails.length = 0;
    at('2026-12-01T08:00:00');
    const r = await run();
    expect(r.failed).toEqual([]);
    // the weekly schedule was due on Monday 30 November and is caught up now, with the monthly one
    expect(r.done.map((d) => d.scheduleId).sort()).toEqual([monthly.id, weekly.id].sort());
    await send();
    const approverMail = mailsTo('approver@example.gov.cn');
    expect(approverMail).toHaveLength(1);
    const pdf = mailParts(approverMail[0]?.raw ?? '').find((p) => p.contentType === 'application/pdf');
    expect(pdf?.filename).toBe('operations-month-2026-11-01.pdf');
    expect(mailsTo('reviewer@example.gov.cn')).toHaveLength(2);
    expect(mailsTo('econ@example.gov.cn')).toEqual([]);
    const city = await ok(get(reviewer, '/reports'));
    expect(city.items.filter((x: { scope: string }) => x.scope === 'city')).toHaveLength(1);
    expect((await ok(get(provider, '/reports'))).items.every((x: { scope: string }) => x.scope === 'provider')).toBe(
      true,
    );
  });

  it('paused, it sends nothing; resumed, it starts from the next period that ends', async () => {
    const paused = await ok(
      as(t.app, reviewer, {
        method: 'PATCH',
        url: `/api/v1/operations/report-schedules/${monthly.id}`,
        payload: { active: false },
      }),
    );
    expect(paused.active).toBe(false);
    at('2027-01-01T09:00:00');
    const r = await run();
    expect(r.done.map((d) => d.scheduleId)).not.toContain(monthly.id);
    at('2027-02-10T09:00:00');
    const resumed = await ok(
      as(t.app, reviewer, {
        method: 'PATCH',
        url: `/api/v1/operations/report-schedules/${monthly.id}`,
        payload: { active: true, recipientRoles: ['ops_reviewer'] },
      }),
    );
    expect(resumed).toMatchObject({
      active: true,
      recipientRoles: ['ops_reviewer'],
      nextRunAt: '2027-03-01T00:00:00.000Z',
      nextPeriodStart: '2027-02-01',
    });
  });
});
