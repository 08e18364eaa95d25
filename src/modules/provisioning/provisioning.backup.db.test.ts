import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { JOBS } from '../../app.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { createResource, recordResourceEvent } from '../inventory/index.ts';
import { project, reviewedForProvider, withSystem } from '../orders/orders.fixtures.ts';
import { backupDeadlineJob, expiryJob, registerFulfilment } from './index.ts';

// A unit cannot stall a reclaim the platform opened by never confirming its backup (SH 26): the work order has a
// backup deadline (defaults.reclaimBackupWorkingDays, here overridden to 3), after which the competent authority
// consents and the ops unit proceeds; the provider reclaims and the ops unit confirms the receipt. Shanghai pack.

const EXPIRY = '2026-10-22';
const clock = new ManualClock(`${EXPIRY}T02:00:00Z`);
const log = { info: () => {}, warn: () => {}, error: () => {} };
let t: TestApp;
let applicant: Session;
let reviewer: Session;
let approver: Session;
let tokenA: Record<string, string>;
let resourceId: string;

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, reviewer, approver] = (await Promise.all(
    ['applicant', 'reviewer', 'approver'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session];
  const provideradmin = await login(t.app, 'provideradmin');
  const created = await as(t.app, provideradmin, {
    method: 'POST',
    url: '/api/v1/api-tokens',
    payload: { name: '服务商甲 交付系统', scopes: ['work-order:fulfil'], expiresInDays: 90 },
  });
  expect(created.statusCode, created.body).toBe(201);
  tokenA = { authorization: `Bearer ${created.json().token}` };
  const org = (code: string) =>
    t.database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
  const health = await org('demo-health');
  const providerA = await org('demo-provider-a');
  resourceId = await t.database.db.transaction().execute(async (trx) => {
    const r = await createResource(trx, {
      organisation_id: health.id,
      jurisdiction_id: health.jurisdiction_id,
      provider_id: providerA.id,
      catalogue_item_code: 'cloud-vm',
      name: 'dev-vm-stall',
      external_id: 'dev-vm-stall',
      purpose: 'development',
      expires_on: EXPIRY,
      order_id: null,
    });
    await recordResourceEvent(trx, SYSTEM_ACTOR, {
      resourceId: r.id,
      kind: 'delivered',
      occurredAt: new Date('2026-07-22T01:00:00Z'),
      specification: { vcpu: 2, memoryGb: 4 },
      quantities: { vcpu: 2, memory_gb: 4 },
      source: 'manual',
    });
    return r.id;
  });
}, 180_000);
afterAll(() => t.close());

const post = (s: Session, url: string, payload: object = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1${url}`, payload });

describe('a reclaim at expiry whose unit never confirms its backup', () => {
  it('has a backup deadline; after it the authority consents, the ops unit proceeds, the provider reclaims', async () => {
    const override = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy/overrides',
      payload: { path: 'defaults.reclaimBackupWorkingDays', value: 3, reason: '本市要求三个工作日内完成备份' },
    });
    expect(override.statusCode, override.body).toBe(200);

    const run = (await expiryJob.run({ db: t.database.db, now: clock.now(), log })) as { reclaimOrders: number };
    expect(run.reclaimOrders).toBe(1);
    const order = await t.database.db
      .selectFrom('resource_order')
      .select(['id', 'source'])
      .where('type', '=', 'reclaim')
      .executeTakeFirstOrThrow();
    expect(order.source).toBe('expiry');
    // SH 21: the ops unit reviews the reclaim; its approval asks the provider and starts the unit's backup clock
    await reviewedForProvider(t.app, reviewer, order);
    const wo = (await as(t.app, applicant, { url: `/api/v1/work-orders?orderId=${order.id}` })).json().items[0];
    const three = await t.app.inject({
      url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent(clock.now().toISOString())}&days=3&jurisdiction=demo-city`,
    });
    expect(wo).toMatchObject({
      action: 'reclaim',
      status: 'open',
      backupConfirmedAt: null,
      backupDueDay: three.json().dueDay,
      backupConsent: null,
      backupWaived: null,
    });
    const erased = () => ({
      dataErased: true,
      lines: [
        { workOrderLineNo: 1, name: 'dev-vm-stall', deliveredAt: clock.now().toISOString(), notes: '数据已清除' },
      ],
    });
    const receipt = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/work-orders/${wo.id}/receipts`,
        headers: tokenA,
        payload: erased(),
      });
    // before the deadline: the provider waits for the backup, and neither the authority nor ops can skip it
    expect((await receipt()).statusCode).toBe(409);
    expect((await post(approver, `/work-orders/${wo.id}/backup-waiver/consent`)).statusCode).toBe(409);
    expect((await post(reviewer, `/work-orders/${wo.id}/backup-waiver`)).statusCode).toBe(409);

    // before the deadline the sweep announces nothing
    expect(await backupDeadlineJob.run({ db: t.database.db, now: clock.now(), log })).toEqual({ backups: 0 });

    // the unit lets its deadline pass
    clock.set(new Date(new Date(wo.backupDueAt).getTime() + 60_000));
    // the sweep (a Job the server runs) marks it once, audited, and tells each party
    expect(JOBS).toContain(backupDeadlineJob);
    const inbox = async (s: Session) =>
      (await as(t.app, s, { url: '/api/v1/notifications?limit=200' }))
        .json()
        .items.filter((n: { kind: string }) => n.kind === 'work_order.backup_overdue');
    expect(await inbox(approver)).toHaveLength(0);
    expect(await backupDeadlineJob.run({ db: t.database.db, now: clock.now(), log })).toEqual({ backups: 1 });
    expect(await backupDeadlineJob.run({ db: t.database.db, now: clock.now(), log })).toEqual({ backups: 0 });
    const marked = (await as(t.app, applicant, { url: `/api/v1/work-orders/${wo.id}` })).json();
    expect(marked.backupOverdueSince).toBe(clock.now().toISOString());
    for (const s of [applicant, approver, reviewer, await login(t.app, 'provider')]) {
      const items = await inbox(s);
      expect(items, 'one notice each').toHaveLength(1);
      expect(items[0].link).toBe(`/work-orders/${wo.id}`);
    }
    expect((await inbox(approver))[0].title.zh).toContain('是否同意继续回收');
    const overdueAudit = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', wo.id)
      .where('action', '=', 'work_order.backup_overdue')
      .execute();
    expect(overdueAudit).toHaveLength(1);
    // ops cannot proceed without the authority's recorded consent
    const noConsent = await post(reviewer, `/work-orders/${wo.id}/backup-waiver`, { comment: '单位逾期未备份' });
    expect(noConsent.statusCode).toBe(409);
    expect(noConsent.json().detail).toContain('主管部门');
    // each step by its own role
    expect((await post(reviewer, `/work-orders/${wo.id}/backup-waiver/consent`)).statusCode).toBe(403);
    expect((await post(applicant, `/work-orders/${wo.id}/backup-waiver/consent`)).statusCode).toBe(403);
    const consented = await post(approver, `/work-orders/${wo.id}/backup-waiver/consent`, { comment: '同意继续回收' });
    expect(consented.statusCode, consented.body).toBe(200);
    expect(consented.json().backupConsent).toMatchObject({ by: 'approver', comment: '同意继续回收' });
    expect((await post(approver, `/work-orders/${wo.id}/backup-waiver`)).statusCode).toBe(403);
    expect((await receipt()).statusCode).toBe(409);
    const proceeded = await post(reviewer, `/work-orders/${wo.id}/backup-waiver`, { comment: '单位逾期未备份' });
    expect(proceeded.statusCode, proceeded.body).toBe(200);
    expect(proceeded.json().backupWaived).toMatchObject({ by: 'reviewer' });
    // too late for the unit's confirmation now; the provider reclaims
    expect((await post(applicant, `/work-orders/${wo.id}/backup-confirmation`)).statusCode).toBe(409);
    const r = await receipt();
    expect(r.statusCode, r.body).toBe(201);
    // the unit's silence does not stall the receipt either: the ops unit confirms it
    const confirmed = await post(reviewer, `/work-orders/${wo.id}/receipts/confirm`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const ended = (await as(t.app, applicant, { url: `/api/v1/inventory/resources/${resourceId}` })).json();
    expect(ended.state).toBe('reclaimed');
    expect((await as(t.app, applicant, { url: `/api/v1/orders/${order.id}` })).json().status).toBe('completed');
    const actions = (
      await t.database.db.selectFrom('audit_event').select('action').where('object_id', '=', wo.id).execute()
    ).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['work_order.backup_waiver_consented', 'work_order.backup_waived']));
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });

  it('a unit’s own reclaim has no backup deadline: the unit confirms its own backup, nobody skips it', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 16 });
    const health = await t.database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    const own = await t.database.db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: health.id,
        jurisdiction_id: health.jurisdiction_id,
        provider_id: (
          await trx
            .selectFrom('organisation')
            .select('id')
            .where('code', '=', 'demo-provider-a')
            .executeTakeFirstOrThrow()
        ).id,
        catalogue_item_code: 'cloud-vm',
        name: 'own-vm',
        external_id: 'own-vm',
        purpose: 'formal',
        project_id: projectId,
        order_id: null,
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-09-01T01:00:00Z'),
        specification: { vcpu: 2, memoryGb: 4 },
        quantities: { vcpu: 2, memory_gb: 4 },
        source: 'manual',
      });
      return r.id;
    });
    const placed = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/orders',
      payload: withSystem({ type: 'reclaim', title: '回收', projectId, resourceIds: [own] }),
    });
    expect(placed.statusCode, placed.body).toBe(201);
    await reviewedForProvider(t.app, reviewer, placed.json());
    const wo = (await as(t.app, applicant, { url: `/api/v1/work-orders?orderId=${placed.json().id}` })).json().items[0];
    expect(wo).toMatchObject({ action: 'reclaim', backupDueAt: null, backupDueDay: null });
    clock.set(new Date(clock.now().getTime() + 60 * 86_400_000));
    expect((await post(approver, `/work-orders/${wo.id}/backup-waiver/consent`)).statusCode).toBe(409);
    expect((await post(applicant, `/work-orders/${wo.id}/backup-confirmation`)).statusCode).toBe(200);
  });
});
