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
  // Three VMs of the health commission whose agents never reported: three silent-agent findings.
  await sql`
    insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, quantities, delivered_at)
    select ${health}, ${city.id}, ${id('demo-provider-a')}, 'ecs', n, n, 'active', '{"vcpu": 2}', ${new Date('2026-08-01T00:00:00Z')}::timestamptz
    from unnest(array['vm-a', 'vm-b', 'vm-c']) as n`.execute(t.database.db);
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
    expect(Object.keys(findingOf).sort()).toEqual(['vm-a', 'vm-b', 'vm-c']);
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

  it('unresolved at the deadline: allocations stop, the orders API refuses the unit, a reclaim order opens; reversing one of two escalations keeps the stop, reversing both lifts it', async () => {
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
      { escalated: [] },
    );
    expect(await allocationsStopped(t.database.db as never, health)).toBe(false);

    // after it: the unit may no longer answer, the job escalates both (once)
    clock.set(new Date(due.getTime() + 1000));
    expect((await post(unit, `/rectifications/${b.id}/response`, { action: 'justify' })).statusCode).toBe(409);
    const after = new Date(due.getTime() + 60_000);
    const escalatedIds = (await rectificationDeadlineJob.run({ db: t.database.db, now: after, log })) as {
      escalated: string[];
    };
    expect([...escalatedIds.escalated].sort()).toEqual([b.id, c.id].sort());
    expect(await rectificationDeadlineJob.run({ db: t.database.db, now: after, log })).toEqual({ escalated: [] });
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
      'rectification.escalated',
      'rectification.reversed',
    ]) {
      expect(actions).toContain(a);
    }
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
