import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { addDays } from '../../platform/time/time.ts';
import { seedDemo } from '../../seed.ts';
import { countWorkingDays } from '../calendar/index.ts';
import { createResource, recordResourceEvent } from '../inventory/index.ts';
import { deadlineSweepJob } from '../orders/index.ts';
import { project, reviewedForProvider, withSystem } from '../orders/orders.fixtures.ts';
import { expiryJob, registerFulfilment } from './index.ts';

// The whole path through the public API: an order placed and submitted (the orders module), its
// fulfilment step becoming a provider's work order, the delivery receipt, a dispute, the confirmation,
// then the provider's inventory report and the expiry sweep. Shanghai pack, demo city.

const START = '2026-09-29T02:00:00Z';
const clock = new ManualClock(START);
const log = { info: () => {}, warn: () => {}, error: () => {} };
let t: TestApp;
let applicant: Session;
let reviewer: Session;
let provideradmin: Session;
let tokenA: Record<string, string>;

const vm = (vcpu: number, memoryGb: number, quantity: number, item = 'cloud-vm') => ({
  itemCode: item,
  specification:
    item === 'cloud-vm'
      ? { vcpu, memoryGb, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' }
      : { engine: 'PostgreSQL 15', vcpu, memoryGb, storageGb: 200 },
  quantity,
});

async function placeOrder(
  app: FastifyInstance,
  s: Session,
  projectId: string,
  lines: unknown[],
  extra: { systemId?: string } = {},
) {
  const res = await as(app, s, {
    method: 'POST',
    url: '/api/v1/orders',
    payload: withSystem({ type: 'new_resources', title: '全民健康信息平台 测试资源', projectId, lines, ...extra }),
  });
  expect(res.statusCode, res.body).toBe(201);
  // SH 19: the ops unit reviews first; its approval asks the provider.
  return reviewedForProvider(app, reviewer, res.json());
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (url: string, headers: Record<string, string>) => t.app.inject({ url, headers });

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, reviewer, provideradmin] = (await Promise.all(
    ['applicant', 'reviewer', 'provideradmin'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session];
  const created = await as(t.app, provideradmin, {
    method: 'POST',
    url: '/api/v1/api-tokens',
    payload: {
      name: '服务商甲 交付系统',
      scopes: ['work-order:fulfil', 'inventory:read', 'inventory:report'],
      expiresInDays: 90,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  tokenA = bearer(created.json().token);
}, 180_000);
afterAll(() => t.close());

let orderId: string;
let workOrderId: string;
let resourceIds: string[] = [];

describe('approved order -> work order -> receipt -> dispute -> corrected receipt -> confirmation', () => {
  it('makes active resources whose events and spec intervals match the receipt, and completes the step', async () => {
    clock.set(START);
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 64, memory_gb: 128, storage_gb: 2000 });
    const system = await t.database.db
      .selectFrom('information_system')
      .select('id')
      .where('name', '=', '全民健康信息平台')
      .executeTakeFirstOrThrow();
    const order = await placeOrder(t.app, applicant, projectId, [vm(4, 8, 2)], { systemId: system.id });
    orderId = order.id;
    expect(order.currentStep).toMatchObject({ key: 'test_review', fulfilmentAction: 'open_test' });

    // The provider's queue: one work order, due when the pack's step is due, with the order data copied.
    const queue = (await get('/api/v1/work-orders', tokenA)).json();
    const mine = queue.items.filter((w: { orderId: string }) => w.orderId === orderId);
    expect(mine).toHaveLength(1);
    const wo = mine[0];
    workOrderId = wo.id;
    expect(wo).toMatchObject({
      action: 'open_test',
      status: 'open',
      driver: 'manual',
      stepKey: 'test_review',
      dueAt: order.currentStep.dueAt,
      // The system's name and the order's title, not one for the other.
      details: {
        orderNo: order.number,
        unitName: '示范市卫生健康委员会',
        systemName: '全民健康信息平台',
        note: '全民健康信息平台 测试资源',
        purpose: 'test',
      },
    });

    // Receipt with a wrong line count is refused.
    clock.set('2026-10-09T02:00:00Z');
    const short = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${workOrderId}/receipts`,
      headers: tokenA,
      payload: { lines: [{ workOrderLineNo: 1, name: 'vm-1', deliveredAt: '2026-10-09T09:00:00+08:00' }] },
    });
    expect(short.statusCode).toBe(400);

    const line = (n: number, vcpu: number) => ({
      workOrderLineNo: 1,
      name: `jkxx-app-0${n}`,
      externalId: `i-a-000${n}`,
      addresses: [`10.1.0.${10 + n}`],
      specification: { vcpu, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' },
      deliveredAt: '2026-10-09T09:00:00+08:00',
      notes: n === 2 ? '=HYPERLINK("http://x")' : undefined,
    });
    // An address that is not an IP address (10.1.4.300) is refused, naming the field; nothing is recorded (issue 16).
    const badIp = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${workOrderId}/receipts`,
      headers: tokenA,
      payload: { lines: [line(1, 4), { ...line(2, 2), addresses: ['10.1.0.12', '10.1.4.300'] }] },
    });
    expect(badIp.statusCode, badIp.body).toBe(400);
    expect(badIp.json().errors[0].field).toBe('body.lines.1.addresses.1');
    let res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${workOrderId}/receipts`,
      headers: tokenA,
      payload: { lines: [line(1, 4), line(2, 2)] },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().receipts).toHaveLength(1);
    expect(res.json()).toMatchObject({ status: 'submitted', receipts: [{ revision: 1, status: 'submitted' }] });
    expect(res.json().receipts[0].lines[0].quantities).toEqual({ vcpu: 4, memory_gb: 8, storage_gb: 140 });

    // The unit disputes line 2 (2 vCPU instead of 4): back to the provider with its own deadline.
    res = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${workOrderId}/receipts/dispute`,
      payload: { lines: [{ lineNo: 2, reason: '规格不符：应为 4 vCPU' }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const due = (
      await t.app.inject({
        url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent('2026-10-09T10:00:00+08:00')}&days=2&jurisdiction=demo-city`,
      })
    ).json();
    expect(res.json()).toMatchObject({ status: 'disputed', disputeDueAt: new Date(due.due).toISOString() });
    expect(res.json().receipts[0]).toMatchObject({ status: 'disputed' });
    expect(res.json().receipts[0].lines[1].dispute).toBe('规格不符：应为 4 vCPU');
    // Confirming a disputed receipt is refused; the provider answers with revision 2.
    expect(
      (await as(t.app, applicant, { method: 'POST', url: `/api/v1/work-orders/${workOrderId}/receipts/confirm` }))
        .statusCode,
    ).toBe(409);
    clock.set('2026-10-10T02:00:00Z');
    res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${workOrderId}/receipts`,
      headers: tokenA,
      payload: {
        notes: '已按申请规格调整',
        lines: [line(1, 4), { ...line(2, 4), deliveredAt: '2026-10-10T09:30:00+08:00' }],
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().receipts.map((r: { revision: number; status: string }) => [r.revision, r.status])).toEqual([
      [1, 'disputed'],
      [2, 'submitted'],
    ]);
    // The provider cannot confirm its own receipt.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/work-orders/${workOrderId}/receipts/confirm`,
          headers: tokenA,
        })
      ).statusCode,
    ).toBe(403);

    clock.set('2026-10-10T06:00:00Z');
    res = await as(t.app, applicant, { method: 'POST', url: `/api/v1/work-orders/${workOrderId}/receipts/confirm` });
    expect(res.statusCode, res.body).toBe(200);
    const done = res.json();
    expect(done).toMatchObject({ status: 'completed', receipts: [{ status: 'disputed' }, { status: 'confirmed' }] });
    resourceIds = done.receipts[1].lines.map((l: { resourceId: string }) => l.resourceId);
    expect(resourceIds.every((id: string | null) => typeof id === 'string')).toBe(true);

    // The order moved on: its fulfilment step is done through completeFulfilmentStep.
    const after = (await as(t.app, applicant, { url: `/api/v1/orders/${orderId}` })).json();
    expect(after.steps[0]).toMatchObject({ key: 'test_review', status: 'done' });
    expect(after.currentStep).toMatchObject({ key: 'unit_verification' });

    // Each resource: active, one delivered event and one open interval equal to its receipt line.
    for (const [i, id] of resourceIds.entries()) {
      const r = (await as(t.app, applicant, { url: `/api/v1/inventory/resources/${id}` })).json();
      const receiptLine = done.receipts[1].lines[i];
      expect(r).toMatchObject({
        state: 'active',
        purpose: 'test',
        externalId: receiptLine.externalId,
        addresses: receiptLine.addresses,
        specification: receiptLine.specification,
        quantities: { vcpu: 4, memory_gb: 8, storage_gb: 140 },
        deliveredAt: receiptLine.deliveredAt,
        orderId,
      });
      expect(r.events).toHaveLength(1);
      expect(r.events[0]).toMatchObject({
        kind: 'delivered',
        occurredAt: receiptLine.deliveredAt,
        quantities: receiptLine.quantities,
        source: 'receipt',
      });
      expect(r.intervals).toEqual([
        {
          validFrom: receiptLine.deliveredAt,
          validTo: null,
          specification: receiptLine.specification,
          quantities: receiptLine.quantities,
        },
      ]);
    }

    // The receipt exports (formula-safe) and prints.
    const xlsx = await as(t.app, applicant, { url: `/api/v1/work-orders/${workOrderId}/receipts/2/export` });
    expect(xlsx.statusCode).toBe(200);
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const texts = wb.worksheets[0]!.getSheetValues().flat().map(String);
    expect(texts).toContain('\'=HYPERLINK("http://x")');
    const html = await as(t.app, applicant, { url: `/api/v1/work-orders/${workOrderId}/receipts/2/print` });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('交付回执单');
    expect(html.body).toContain('i-a-0002');
  });
});

describe('a provider token sees its own work orders and nothing of units beyond them', () => {
  it('cannot see provider B’s work orders, other resources, orders or request forms', async () => {
    clock.set('2026-10-12T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
    const edu = await login(t.app, 'edu');
    const order = await placeOrder(t.app, edu, projectId, [vm(4, 16, 1, 'database-server')]);
    const b = (await as(t.app, reviewer, { url: `/api/v1/work-orders?orderId=${order.id}` })).json();
    expect(b.items).toHaveLength(1);
    const providerB = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-provider-b')
      .executeTakeFirstOrThrow();
    expect(b.items[0].providerId).toBe(providerB.id);

    const list = (await get('/api/v1/work-orders?limit=500', tokenA)).json();
    expect(list.items.some((w: { id: string }) => w.id === b.items[0].id)).toBe(false);
    expect(list.items.every((w: { providerId: string }) => w.providerId !== providerB.id)).toBe(true);
    expect((await get(`/api/v1/work-orders/${b.items[0].id}`, tokenA)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/work-orders/${b.items[0].id}/receipts`,
          headers: tokenA,
          payload: { lines: [{ workOrderLineNo: 1, name: 'x', deliveredAt: '2026-10-12T09:00:00+08:00' }] },
        })
      ).statusCode,
    ).toBe(404);
    // Unit data: the order itself, request forms, projects: not reachable with the token.
    expect((await get(`/api/v1/orders/${order.id}`, tokenA)).statusCode).toBe(403);
    expect((await get('/api/v1/request-forms', tokenA)).statusCode).toBe(403);
    // A unit resource run by provider B is invisible to A (404, like a missing one).
    const eduOrg = await t.database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-education')
      .executeTakeFirstOrThrow();
    const other = await t.database.db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: eduOrg.id,
        jurisdiction_id: eduOrg.jurisdiction_id,
        provider_id: providerB.id,
        catalogue_item_code: 'database-server',
        name: 'edu-db-01',
        external_id: 'b-db-1',
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-10-12T01:00:00Z'),
        quantities: { vcpu: 4 },
        source: 'manual',
      });
      return r;
    });
    expect((await get(`/api/v1/inventory/resources/${other.id}`, tokenA)).statusCode).toBe(404);
    const inv = (await get('/api/v1/inventory/resources?limit=500', tokenA)).json();
    expect(inv.items.map((r: { id: string }) => r.id).sort()).toEqual([...resourceIds].sort());
    // Its own work order shows only the data copied onto it: no order lines' quota dimensions, no reservations.
    const own = (await get(`/api/v1/work-orders/${workOrderId}`, tokenA)).json();
    expect(Object.keys(own)).not.toContain('reservations');
    expect(JSON.stringify(own)).not.toContain('dimensions');
  });
});

describe('provider inventory push and reconciliation', () => {
  it('one unknown, one missing, one resized VM -> exactly three findings; the same snapshot again -> none new', async () => {
    clock.set('2026-10-13T02:00:00Z');
    // A third VM of provider A, delivered directly (the two from the receipt plus this one).
    const health = await t.database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    const providerA = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-provider-a')
      .executeTakeFirstOrThrow();
    await t.database.db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: health.id,
        jurisdiction_id: health.jurisdiction_id,
        provider_id: providerA.id,
        catalogue_item_code: 'cloud-vm',
        name: 'jkxx-web-01',
        external_id: 'i-a-0003',
        specification: JSON.stringify({ vcpu: 2, memoryGb: 4 }),
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-10-12T01:00:00Z'),
        specification: { vcpu: 2, memoryGb: 4 },
        quantities: { vcpu: 2, memory_gb: 4 },
        source: 'manual',
      });
    });
    const snapshot = {
      mode: 'full',
      items: [
        { externalId: 'i-a-0001', specification: { vcpu: 8, memoryGb: 8 } }, // resized outside any order
        { externalId: 'i-a-0003', specification: { vcpu: 2, memoryGb: 4 } }, // as delivered
        { externalId: 'i-a-9999', name: 'shadow-vm', specification: { vcpu: 16 } }, // no order explains it
        // i-a-0002 is not reported: missing
      ],
    };
    const push = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/inventory/reports', headers: tokenA, payload: snapshot });
    const first = await push();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().findingsRaised).toBe(3);
    expect(
      first
        .json()
        .findings.map((f: { kind: string; externalId: string }) => `${f.kind}:${f.externalId}`)
        .sort(),
    ).toEqual(['missing_resource:i-a-0002', 'size_mismatch:i-a-0001', 'unknown_resource:i-a-9999']);
    const again = await push();
    expect(again.json().findingsRaised).toBe(0);

    // The ops unit sees exactly three, with a deadline, and resolves one.
    const findings = (await as(t.app, reviewer, { url: '/api/v1/inventory/findings?status=open' })).json();
    expect(findings.total).toBe(3);
    const mismatch = findings.items.find((f: { kind: string }) => f.kind === 'size_mismatch');
    expect(mismatch.detail.differences).toEqual({ vcpu: { expected: 4, reported: 8 } });
    expect(new Date(mismatch.dueAt).getTime()).toBeGreaterThan(new Date('2026-10-13T02:00:00Z').getTime());
    const resolved = await as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/inventory/findings/${mismatch.id}/resolve`,
      payload: { resolution: '服务商已恢复为 4 vCPU' },
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: expect.any(String) });
    // A unit does not see findings; a token cannot resolve them.
    expect((await as(t.app, applicant, { url: '/api/v1/inventory/findings' })).statusCode).toBe(403);
    // A unit cannot push an inventory.
    expect(
      (await as(t.app, applicant, { method: 'POST', url: '/api/v1/inventory/reports', payload: snapshot })).statusCode,
    ).toBe(403);
  });
});

describe('time-limited resources: expiry notices and reclaim at expiry', () => {
  async function timeLimited(
    name: string,
    purpose: 'development' | 'emergency',
    expiresOn: string,
    orderId: string | null,
  ) {
    const health = await t.database.db
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', 'demo-health')
      .executeTakeFirstOrThrow();
    const providerA = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-provider-a')
      .executeTakeFirstOrThrow();
    return t.database.db.transaction().execute(async (trx) => {
      const r = await createResource(trx, {
        organisation_id: health.id,
        jurisdiction_id: health.jurisdiction_id,
        provider_id: providerA.id,
        catalogue_item_code: 'cloud-vm',
        name,
        external_id: `dev-${name}`,
        purpose,
        expires_on: expiresOn,
        order_id: orderId,
      });
      await recordResourceEvent(trx, SYSTEM_ACTOR, {
        resourceId: r.id,
        kind: 'delivered',
        occurredAt: new Date('2026-10-14T01:00:00Z'),
        specification: { vcpu: 2, memoryGb: 4 },
        quantities: { vcpu: 2, memory_gb: 4 },
        source: 'manual',
      });
      return { ...r, health };
    });
  }

  it('notices 15 and 5 working days ahead (pack gives no number), a reclaim order at expiry; none with an approved extension', async () => {
    // Between the two notices lie the Mid-Autumn holidays (09-25..27), National Day (10-01..07) and the
    // make-up working Saturday 10-10 of the 2026 calendar.
    const EXPIRY = '2026-10-22';
    const dev = await timeLimited('dev-vm-01', 'development', EXPIRY, null);
    // An emergency resource whose order got an approved extension (the orders module moved its expiry to 2027-03-15).
    const { rows } = await sql<{ id: string }>`
      insert into resource_order (organisation_id, jurisdiction_id, number, type, status, title, expires_on, source, created_at, updated_at)
      values (${dev.health.id}, ${dev.health.jurisdiction_id}, 'TEST-EMERGENCY-1', 'emergency', 'completed', '应急资源', '2027-03-15', 'unit', now(), now())
      returning id`.execute(t.database.db);
    const emergencyOrder = rows[0]!.id;
    await sql`
      insert into resource_order (organisation_id, jurisdiction_id, number, type, status, title, parent_order_id, term_months, source, created_at, updated_at)
      values (${dev.health.id}, ${dev.health.jurisdiction_id}, 'TEST-EXTENSION-1', 'extension', 'completed', '延期', ${emergencyOrder}, 3, 'unit', now(), now())`.execute(
      t.database.db,
    );
    const extended = await timeLimited('emg-vm-01', 'emergency', EXPIRY, emergencyOrder);

    const noticeDays: Record<string, string[]> = {};
    const reclaimDays: string[] = [];
    // Every day at 10:00 and 16:00 Shanghai from 2026-09-01 to the day after expiry.
    for (let day = '2026-09-01'; day <= addDays(EXPIRY, 1); day = addDays(day, 1)) {
      for (const hour of ['02', '08']) {
        const now = new Date(`${day}T${hour}:00:00Z`);
        const run = (await expiryJob.run({ db: t.database.db, now, log })) as {
          notices: number;
          reclaimOrders: number;
        };
        if (run.notices) noticeDays[day] = [...(noticeDays[day] ?? []), hour];
        if (run.reclaimOrders) reclaimDays.push(day);
      }
    }
    // Exactly two notice days, once each (the 10:00 run); 15 and 5 working days before the expiry day, by the
    // calendar: 15 working days after 09-24 up to 10-22 are 09-28..30, 10-08..10 (10-10 a make-up Saturday),
    // 10-12..16 and 10-19..22; after 10-15, 10-16 and 10-19..22.
    const days = Object.keys(noticeDays);
    expect(noticeDays).toEqual({ '2026-09-24': ['02'], '2026-10-15': ['02'] });
    const left = async (day: string) =>
      (
        await countWorkingDays(
          t.database.db,
          'demo-city',
          new Date(`${day}T02:00:00Z`),
          new Date(`${EXPIRY}T02:00:00Z`),
        )
      ).workingDays;
    expect(await left(days[0]!)).toBe(15);
    expect(await left(addDays(days[0]!, -1))).toBeGreaterThan(15);
    expect(await left(days[1]!)).toBe(5);
    expect(await left(addDays(days[1]!, -1))).toBeGreaterThan(5);
    expect(reclaimDays).toEqual([EXPIRY]);

    const notices = await t.database.db.selectFrom('expiry_notice').selectAll().orderBy('sent_at').execute();
    expect(
      notices.filter((n) => n.resource_id === dev.id).map((n) => [n.kind, n.lead_working_days, n.sent_on]),
    ).toEqual([
      ['notice', 15, days[0]],
      ['notice', 5, days[1]],
      ['reclaim', 0, EXPIRY],
    ]);
    // The inbox of the unit got the notices, with the backup reminder.
    const inbox = await t.database.db
      .selectFrom('notification')
      .select(['entity_id', 'body_zh'])
      .where('kind', '=', 'resource.expiring')
      .where('entity_id', '=', dev.id)
      .execute();
    expect(inbox.length).toBeGreaterThanOrEqual(2);
    expect(inbox[0]!.body_zh).toContain('备份');

    // The reclaim order: opened by the platform, naming the resource.
    const reclaim = notices.find((n) => n.resource_id === dev.id && n.kind === 'reclaim')!;
    const order = await t.database.db
      .selectFrom('resource_order')
      .selectAll()
      .where('id', '=', reclaim.order_id!)
      .executeTakeFirstOrThrow();
    expect(order).toMatchObject({ type: 'reclaim', source: 'expiry' });
    expect(order.target_resource_ids).toEqual([dev.id]);

    // Reclaim (SH 26, LZ 26): the work order waits for the unit's backup confirmation, then the provider
    // reclaims and confirms erasure, the unit confirms, and the resource ends.
    // SH 21: the ops unit reviews the reclaim first; its approval asks the provider (SH 19's order, as for every request).
    await reviewedForProvider(t.app, reviewer, order);
    const wos = (await as(t.app, applicant, { url: `/api/v1/work-orders?orderId=${order.id}` })).json();
    expect(wos.items).toHaveLength(1);
    const rw = wos.items[0];
    expect(rw).toMatchObject({ action: 'reclaim', status: 'open', backupConfirmedAt: null });
    expect((await as(t.app, applicant, { url: `/api/v1/inventory/resources/${dev.id}` })).json().state).toBe(
      'reclaiming',
    );
    clock.set('2026-10-23T02:00:00Z');
    const erased = {
      dataErased: true,
      lines: [{ workOrderLineNo: 1, name: 'dev-vm-01', deliveredAt: '2026-10-23T09:00:00+08:00', notes: '数据已清除' }],
    };
    const early = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${rw.id}/receipts`,
      headers: tokenA,
      payload: erased,
    });
    expect(early.statusCode).toBe(409);
    expect(
      (await as(t.app, applicant, { method: 'POST', url: `/api/v1/work-orders/${rw.id}/backup-confirmation` }))
        .statusCode,
    ).toBe(200);
    const noErase = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${rw.id}/receipts`,
      headers: tokenA,
      payload: { ...erased, dataErased: false },
    });
    expect(noErase.statusCode).toBe(400);
    const rr = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${rw.id}/receipts`,
      headers: tokenA,
      payload: erased,
    });
    expect(rr.statusCode, rr.body).toBe(201);
    const ok = await as(t.app, applicant, { method: 'POST', url: `/api/v1/work-orders/${rw.id}/receipts/confirm` });
    expect(ok.statusCode, ok.body).toBe(200);
    const ended = (await as(t.app, applicant, { url: `/api/v1/inventory/resources/${dev.id}` })).json();
    expect(ended).toMatchObject({
      state: 'reclaimed',
      quantities: {},
      reclaimedAt: new Date('2026-10-23T09:00:00+08:00').toISOString(),
    });
    expect(ended.events.map((e: { kind: string }) => e.kind)).toEqual(['delivered', 'reclaimed']);
    expect(ended.events[1].quantities).toEqual({});
    expect(ended.intervals).toHaveLength(1);
    expect(ended.intervals[0].validTo).toBe(new Date('2026-10-23T09:00:00+08:00').toISOString());
    expect((await as(t.app, applicant, { url: `/api/v1/orders/${order.id}` })).json().status).toBe('completed');

    // The extended resource: no notice and no reclaim order; its expiry moved to the extension's.
    expect(notices.filter((n) => n.resource_id === extended.id).map((n) => n.kind)).toEqual(['extended']);
    const moved = (await as(t.app, applicant, { url: `/api/v1/inventory/resources/${extended.id}` })).json();
    expect(moved.expiresOn).toBe('2027-03-15');
  });
});

describe('a development order through the provider', () => {
  it('is allocated by the provider and its resources expire with the order, 3 months after allocation (SH 22)', async () => {
    clock.set('2026-11-02T02:00:00Z');
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 200, storage_gb: 4000 });
    const res = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/orders',
      payload: withSystem({
        type: 'development',
        title: '开发验证环境',
        projectId,
        termMonths: 3,
        lines: [vm(4, 8, 1)],
      }),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().currentStep).toMatchObject({ key: 'review', fulfilmentAction: 'allocate' });
    const order = await reviewedForProvider(t.app, reviewer, res.json());
    const wo = (await get('/api/v1/work-orders', tokenA))
      .json()
      .items.find((w: { orderId: string }) => w.orderId === order.id);
    expect(wo).toMatchObject({ action: 'allocate', details: { purpose: 'development' } });
    clock.set('2026-11-03T02:00:00Z');
    const receipt = await t.app.inject({
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts`,
      headers: tokenA,
      payload: {
        lines: [
          {
            workOrderLineNo: 1,
            name: 'dev-env-01',
            externalId: 'i-dev-0001',
            addresses: ['10.9.0.1'],
            specification: { vcpu: 4, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' },
            deliveredAt: '2026-11-03T09:00:00+08:00',
          },
        ],
      },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    const confirmed = await as(t.app, applicant, {
      method: 'POST',
      url: `/api/v1/work-orders/${wo.id}/receipts/confirm`,
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const done = (await as(t.app, applicant, { url: `/api/v1/orders/${order.id}` })).json();
    expect(done).toMatchObject({ status: 'completed', expiresOn: '2027-02-03' });
    const resource = await t.database.db
      .selectFrom('resource')
      .select(['purpose', 'state', 'expires_on'])
      .where('order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    expect(resource).toEqual({ purpose: 'development', state: 'active', expires_on: '2027-02-03' });
  });
});

describe('the audit trail', () => {
  it('stays intact', async () => {
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});

describe('an overdue provider step', () => {
  it('is told to the operators of the provider responsible for the items, not to every provider', async () => {
    clock.set('2026-10-13T02:00:00Z');
    const db = t.database.db;
    const providerB = await db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-provider-b')
      .executeTakeFirstOrThrow();
    // an operator of provider B beside the demo's operator of provider A ('provider')
    const operatorB = await db
      .insertInto('user_account')
      .values({ username: 'provider-b-operator', display_name: '服务商乙操作员', password_hash: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('role_assignment')
      .values({ user_id: operatorB.id, organisation_id: providerB.id, role: 'provider_operator', granted_by: 'test' })
      .execute();
    // Taizhou's pack has a provider step with a deadline: fulfilment within 2 working days (TZ 10).
    const approver = await login(t.app, 'approver');
    const pack = (packId: string) =>
      as(t.app, approver, { method: 'PUT', url: '/api/v1/jurisdictions/demo-city/policy', payload: { packId } });
    expect((await pack('taizhou-2018')).statusCode).toBe(200);
    const projectId = await project(db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
    const edu = await login(t.app, 'edu');
    const order = await placeOrder(t.app, edu, projectId, [vm(4, 16, 1, 'database-server')]); // provider B's item
    const res = await as(t.app, approver, {
      method: 'POST',
      url: `/api/v1/orders/${order.id}/act`,
      payload: { decision: 'approve' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect((await pack('shanghai-2022')).statusCode).toBe(200);
    expect(view.currentStep.role).toBe('provider_operator');
    await deadlineSweepJob.run({ db, now: new Date(new Date(view.currentStep.dueAt).getTime() + 1), log });
    const told = await db
      .selectFrom('notification')
      .innerJoin('user_account', 'user_account.id', 'notification.user_id')
      .select('user_account.username')
      .where('notification.kind', '=', 'order.step.overdue')
      .where('notification.entity_id', '=', order.id)
      .execute();
    const usernames = told.map((n) => n.username);
    expect(usernames).toContain('provider-b-operator');
    expect(usernames).not.toContain('provider'); // provider A runs nothing of this order
    expect(usernames).toContain('reviewer'); // the supervisor role of a provider step
  });
});
