import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { allocationsStopped } from '../orders/index.ts';
import { project, withSystem } from '../orders/orders.fixtures.ts';
import { detectionJob, rectificationDeadlineJob } from './monitoring.jobs.ts';

// The whole warning -> rectification -> reclaim flow (SH 25) over HTTP, with the deadline job in between.

const NOW = new Date('2026-09-28T02:00:00Z');
const log = { info: () => {}, warn: () => {}, error: () => {} };

let t: TestApp;
let clock: ManualClock;
let reviewer: Session;
let approver: Session;
let unit: Session;
let health: string;
const findingOf: Record<string, string> = {};

beforeAll(async () => {
  clock = new ManualClock(NOW);
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
  const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
  health = id('demo-health');
  const city = await t.database.db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', 'demo-city')
    .executeTakeFirstOrThrow();
  // Four VMs of the health commission whose agents never reported: four silent-agent findings.
  await sql`
    insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, quantities, delivered_at)
    select ${health}, ${city.id}, ${id('demo-provider-a')}, 'ecs', n, n, 'active', '{"vcpu": 2}', ${new Date('2026-08-01T00:00:00Z')}::timestamptz
    from unnest(array['vm-a', 'vm-b', 'vm-c', 'vm-d']) as n`.execute(t.database.db);
  await detectionJob.run({ db: t.database.db, now: NOW, log });
  const rows = await t.database.db
    .selectFrom('monitoring_finding')
    .innerJoin('resource', 'resource.id', 'monitoring_finding.resource_id')
    .select(['monitoring_finding.id', 'resource.name'])
    .execute();
  for (const r of rows) findingOf[r.name] = r.id;
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  unit = await login(t.app, 'unitadmin');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const post = (s: Session, url: string, payload: object) =>
  as(t.app, s, { method: 'POST', url: `/api/v1/monitoring${url}`, payload });

/** A new allocation for the health commission, placed by its applicant through the orders API. */
const placeOrder = async () =>
  as(t.app, await login(t.app, 'applicant'), {
    method: 'POST',
    url: '/api/v1/orders',
    payload: withSystem({
      type: 'temporary',
      title: '临时资源',
      termMonths: 1,
      // SH 24: a project declared, not yet approved, a key task of the year
      projectId: await project(t.database.db, 'demo-health', {}, 'declared'),
      temporaryBasis: 'key_task',
      reason: '年度重点任务',
      lines: [
        {
          itemCode: 'cloud-vm',
          specification: { vcpu: 1, memoryGb: 1, systemDiskGb: 40, dataDiskGb: 0, os: 'CentOS 7.9' },
          quantity: 1,
        },
      ],
    }),
  });

describe('rectification', () => {
  it('warning approved by the authority, answered, rejected, answered again, accepted', async () => {
    expect(Object.keys(findingOf).sort()).toEqual(['vm-a', 'vm-b', 'vm-c', 'vm-d']);
    const proposed = await post(reviewer, `/findings/${findingOf['vm-a']}/rectifications`, {
      reason: '监测代理已停止上报',
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const r = proposed.json();
    expect(r).toMatchObject({ status: 'proposed', workingDays: 10, dueDay: null });
    // not twice for the same finding; the unit and ops cannot approve
    expect(
      (await post(reviewer, `/findings/${findingOf['vm-a']}/rectifications`, { reason: 'again' })).statusCode,
    ).toBe(409);
    expect((await post(unit, `/rectifications/${r.id}/decision`, { decision: 'approve' })).statusCode).toBe(403);
    expect((await post(reviewer, `/rectifications/${r.id}/decision`, { decision: 'approve' })).statusCode).toBe(403);
    // the unit cannot answer before the warning is issued
    expect((await post(unit, `/rectifications/${r.id}/response`, { action: 'justify' })).statusCode).toBe(409);

    const warned = await post(approver, `/rectifications/${r.id}/decision`, { decision: 'approve' });
    expect(warned.statusCode, warned.body).toBe(200);
    // 10 working days from Monday 28 September 2026 over the National Day holiday (1-8 October), the end of that day
    expect(warned.json()).toMatchObject({
      status: 'warned',
      approvedBy: 'approver',
      dueDay: '2026-10-16',
      dueAt: new Date('2026-10-16T23:59:59.999+08:00').toISOString(),
    });
    const calendar = await t.app.inject({
      url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent(NOW.toISOString())}&days=10&jurisdiction=demo-city`,
    });
    expect(calendar.json().dueDay).toBe('2026-10-16');
    const inbox = await t.database.db
      .selectFrom('notification')
      .select(['kind', 'organisation_id'])
      .where('kind', '=', 'rectification.warned')
      .execute();
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.every((n) => n.organisation_id === health)).toBe(true);

    // another unit sees nothing of it
    const edu = await login(t.app, 'edu');
    expect((await as(t.app, edu, { url: `/api/v1/monitoring/rectifications/${r.id}` })).statusCode).toBe(404);

    const answered = await post(unit, `/rectifications/${r.id}/response`, {
      action: 'justify',
      comment: '年度考试系统，季节性使用',
    });
    expect(answered.json()).toMatchObject({ status: 'responded', response: { action: 'justify' } });
    const rejected = await post(reviewer, `/rectifications/${r.id}/review`, {
      decision: 'reject',
      comment: '代理必须保持在线',
    });
    expect(rejected.json().status).toBe('warned');
    const again = await post(unit, `/rectifications/${r.id}/response`, { action: 'release', comment: '释放该虚拟机' });
    expect(again.statusCode).toBe(200);
    const accepted = await post(reviewer, `/rectifications/${r.id}/review`, { decision: 'accept' });
    expect(accepted.json().status).toBe('accepted');
    const finding = await as(t.app, reviewer, { url: `/api/v1/monitoring/findings/${findingOf['vm-a']}` });
    expect(finding.json().status).toBe('resolved');
  });

  it('unresolved at the deadline: the job proposes, nothing stops until the authority consents; then allocations stop, the orders API refuses the unit, a reclaim order opens; reversing one of two escalations keeps the stop, reversing both lifts it', async () => {
    // before any escalation the unit may order
    const free = await placeOrder();
    expect(free.statusCode, free.body).toBe(201);

    const warn = async (name: string, reason: string) => {
      const proposed = await post(reviewer, `/findings/${findingOf[name]}/rectifications`, { reason, workingDays: 3 });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const warned = await post(approver, `/rectifications/${proposed.json().id}/decision`, { decision: 'approve' });
      expect(warned.statusCode, warned.body).toBe(200);
      return warned.json();
    };
    const b = await warn('vm-b', '僵尸主机');
    const c = await warn('vm-c', '监测代理离线');
    expect(b.workingDays).toBe(3);
    // 3 working days from Monday 28 September: 29, 30 September, then 8 October after the holiday
    expect(b).toMatchObject({ dueDay: '2026-10-08', dueAt: new Date('2026-10-08T23:59:59.999+08:00').toISOString() });
    expect(c.dueDay).toBe('2026-10-08');
    const due = new Date(b.dueAt);

    // the job before the deadline does nothing
    expect(await rectificationDeadlineJob.run({ db: t.database.db, now: new Date(due.getTime() - 1000), log })).toEqual(
      { proposed: [], consentOverdue: [] },
    );
    expect(await allocationsStopped(t.database.db as never, health)).toBe(false);

    // after it: the unit may no longer answer; the job only PROPOSES the stop and reclaim to the authority (SH 25
    // "经政务云主管部门同意"): nothing is stopped, no reclaim order, the unit may still order
    clock.set(new Date(due.getTime() + 1000));
    expect((await post(unit, `/rectifications/${b.id}/response`, { action: 'justify' })).statusCode).toBe(409);
    const after = new Date(due.getTime() + 60_000);
    const proposedIds = (await rectificationDeadlineJob.run({ db: t.database.db, now: after, log })) as {
      proposed: string[];
    };
    expect([...proposedIds.proposed].sort()).toEqual([b.id, c.id].sort());
    expect(await rectificationDeadlineJob.run({ db: t.database.db, now: after, log })).toEqual({
      proposed: [],
      consentOverdue: [],
    });
    const asked = (await as(t.app, reviewer, { url: `/api/v1/monitoring/rectifications/${b.id}` })).json();
    // the authority's own deadline: the pack's defaults.reclaimConsentWorkingDays (5) working days from the proposal
    const consentDue = await t.app.inject({
      url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent(after.toISOString())}&days=5&jurisdiction=demo-city`,
    });
    expect(asked).toMatchObject({
      status: 'consent_requested',
      reclaimOrderId: null,
      escalatedAt: null,
      consent: { dueDay: consentDue.json().dueDay, overdue: false, decision: null },
    });
    expect(await allocationsStopped(t.database.db as never, health)).toBe(false);
    expect(
      await t.database.db
        .selectFrom('resource_order')
        .select('id')
        .where('type', '=', 'reclaim')
        .where('organisation_id', '=', health)
        .execute(),
    ).toEqual([]);
    const stillFree = await placeOrder();
    expect(stillFree.statusCode, stillFree.body).toBe(201);
    const toConsent = await t.database.db
      .selectFrom('notification')
      .innerJoin('user_account', 'user_account.id', 'notification.user_id')
      .select('user_account.username')
      .where('notification.kind', '=', 'rectification.reclaim_proposed')
      .execute();
    expect(toConsent.map((n) => n.username)).toContain('approver');

    // only the competent authority consents
    expect((await post(reviewer, `/rectifications/${b.id}/consent`, { decision: 'consent' })).statusCode).toBe(403);
    expect((await post(unit, `/rectifications/${b.id}/consent`, { decision: 'consent' })).statusCode).toBe(403);
    for (const r of [b, c]) {
      const consented = await post(approver, `/rectifications/${r.id}/consent`, {
        decision: 'consent',
        comment: '同意暂停分配并回收',
      });
      expect(consented.statusCode, consented.body).toBe(200);
      expect(consented.json()).toMatchObject({
        status: 'escalated',
        consent: { decision: 'consent', by: 'approver', comment: '同意暂停分配并回收' },
      });
    }
    // not twice
    expect((await post(approver, `/rectifications/${b.id}/consent`, { decision: 'consent' })).statusCode).toBe(409);
    const escalated = (await as(t.app, reviewer, { url: `/api/v1/monitoring/rectifications/${b.id}` })).json();
    expect(escalated).toMatchObject({ status: 'escalated' });
    expect(escalated.reclaimOrderId).toBeTruthy();
    const order = await t.database.db
      .selectFrom('resource_order')
      .select(['type', 'organisation_id'])
      .where('id', '=', escalated.reclaimOrderId)
      .executeTakeFirstOrThrow();
    expect(order).toEqual({ type: 'reclaim', organisation_id: health });
    expect(await allocationsStopped(t.database.db as never, health)).toBe(true);

    // a new allocation for the unit is refused, naming why
    const refused = await placeOrder();
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'allocation_stopped', status: 409 });
    expect(refused.json().detail).toContain('逾期未整改');
    expect(refused.json().detail).toMatch(/rectification(:| warning )[0-9a-f-]{36}/);

    // only the authority reverses
    expect((await post(reviewer, `/rectifications/${b.id}/reversal`, { comment: 'x' })).statusCode).toBe(403);
    const reversed = await post(approver, `/rectifications/${b.id}/reversal`, { comment: '单位已补装监测代理' });
    expect(reversed.statusCode, reversed.body).toBe(200);
    expect(reversed.json()).toMatchObject({ status: 'reversed', reversal: { by: 'approver' } });
    // ... and the reclaim order it opened is withdrawn (nothing was reclaimed yet)
    const withdrawn = await t.database.db
      .selectFrom('resource_order')
      .select('status')
      .where('id', '=', escalated.reclaimOrderId)
      .executeTakeFirstOrThrow();
    expect(withdrawn.status).toBe('cancelled');
    // the other escalation of the unit stands: allocations stay stopped
    expect(await allocationsStopped(t.database.db as never, health)).toBe(true);
    const still = await placeOrder();
    expect(still.statusCode, still.body).toBe(409);
    expect(still.json().code).toBe('allocation_stopped');

    // reversing the last one lifts the stop: the same order is accepted
    const last = await post(approver, `/rectifications/${c.id}/reversal`, { comment: '已整改' });
    expect(last.statusCode, last.body).toBe(200);
    expect(await allocationsStopped(t.database.db as never, health)).toBe(false);
    const accepted = await placeOrder();
    expect(accepted.statusCode, accepted.body).toBe(201);
    const reversals = await t.database.db
      .selectFrom('audit_event')
      .select(['object_id', 'detail'])
      .where('action', '=', 'rectification.reversed')
      .execute();
    const resumed = Object.fromEntries(
      reversals.map((r) => [r.object_id, (r.detail as { allocationsResumed: boolean }).allocationsResumed]),
    );
    expect(resumed).toEqual({ [b.id]: false, [c.id]: true });

    const actions = (
      await t.database.db
        .selectFrom('audit_event')
        .select('action')
        .where('action', 'like', 'rectification.%')
        .execute()
    ).map((a) => a.action);
    for (const a of [
      'rectification.proposed',
      'rectification.warned',
      'rectification.responded',
      'rectification.rejected',
      'rectification.accepted',
      'rectification.reclaim_proposed',
      'rectification.escalated',
      'rectification.reversed',
    ]) {
      expect(actions).toContain(a);
    }
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });

  it('the authority misses its consent deadline (a local override of defaults.reclaimConsentWorkingDays): marked overdue once and escalated, still nothing stopped; it declines: the finding reopens', async () => {
    // the city gives its authority 2 working days instead of the platform's 5
    const override = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy/overrides',
      payload: { path: 'defaults.reclaimConsentWorkingDays', value: 2, reason: '市政府办公厅要求两个工作日内答复' },
    });
    expect(override.statusCode, override.body).toBe(200);
    expect(override.json().policy.defaults.reclaimConsentWorkingDays).toMatchObject({ value: 2, overridden: true });
    const proposed = await post(reviewer, `/findings/${findingOf['vm-d']}/rectifications`, {
      reason: '监测代理离线',
      workingDays: 1,
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const d = (await post(approver, `/rectifications/${proposed.json().id}/decision`, { decision: 'approve' })).json();
    const due = new Date(d.dueAt);
    const at = new Date(due.getTime() + 60_000);
    clock.set(at);
    expect(await rectificationDeadlineJob.run({ db: t.database.db, now: at, log })).toEqual({
      proposed: [d.id],
      consentOverdue: [],
    });
    const asked = (await as(t.app, reviewer, { url: `/api/v1/monitoring/rectifications/${d.id}` })).json();
    const twoDays = await t.app.inject({
      url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent(at.toISOString())}&days=2&jurisdiction=demo-city`,
    });
    expect(asked.consent.dueDay).toBe(twoDays.json().dueDay);
    const consentDue = new Date(asked.consent.dueAt);
    // a day past the authority's deadline: overdue once, the authority and ops told, still nothing stopped
    const late = new Date(consentDue.getTime() + 60_000);
    clock.set(late);
    expect(await rectificationDeadlineJob.run({ db: t.database.db, now: late, log })).toEqual({
      proposed: [],
      consentOverdue: [d.id],
    });
    expect(await rectificationDeadlineJob.run({ db: t.database.db, now: late, log })).toEqual({
      proposed: [],
      consentOverdue: [],
    });
    const told = await t.database.db
      .selectFrom('notification')
      .innerJoin('user_account', 'user_account.id', 'notification.user_id')
      .select('user_account.username')
      .where('notification.kind', '=', 'rectification.consent_overdue')
      .execute();
    expect(told.map((n) => n.username)).toEqual(expect.arrayContaining(['approver', 'reviewer']));
    const listed = await as(t.app, approver, {
      url: `/api/v1/monitoring/rectifications?status=consent_requested`,
    });
    expect(listed.json().items).toEqual([expect.objectContaining({ id: d.id, overdue: true })]);
    expect(listed.json().items[0].consent).toMatchObject({ overdue: true, decision: null });
    expect(await allocationsStopped(t.database.db as never, health)).toBe(false);

    const declined = await post(approver, `/rectifications/${d.id}/consent`, { decision: 'decline', comment: '暂缓' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(declined.json()).toMatchObject({
      status: 'declined',
      reclaimOrderId: null,
      consent: { decision: 'decline' },
    });
    expect(await allocationsStopped(t.database.db as never, health)).toBe(false);
    const finding = await as(t.app, reviewer, { url: `/api/v1/monitoring/findings/${findingOf['vm-d']}` });
    expect(finding.json().status).toBe('open');
    expect((await post(approver, `/rectifications/${d.id}/consent`, { decision: 'consent' })).statusCode).toBe(409);
    const actions = (
      await t.database.db.selectFrom('audit_event').select('action').where('object_id', '=', d.id).execute()
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'rectification.reclaim_proposed',
        'rectification.consent_overdue',
        'rectification.reclaim_declined',
      ]),
    );
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
