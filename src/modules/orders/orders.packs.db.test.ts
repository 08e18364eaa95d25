import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { FULFILLED_TYPES, type OrderType, PACKS } from '../policy/index.ts';
import { registerFulfilment } from '../provisioning/index.ts';
import { QUOTA_TYPES } from './orders.engine.ts';
import { client, project, roleSessions, vm } from './orders.fixtures.ts';

// The packs drive the engine (issue 14): every enabled order type of every pack that delivers, changes or ends
// resources reaches the fulfilment its pack declares (a provider work order of that action), and every type
// that takes quota is refused without an approved project. A pack value the engine ignored would fail here.
const clock = new ManualClock('2026-11-02T02:00:00Z');
let t: TestApp;
let sessions: Record<string, Session>;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  registerFulfilment();
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  sessions = await roleSessions(t.app);
  api = client(t.app);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

/** A live VM of the health commission, as a confirmed receipt would have left it (each pack reclaims its own). */
async function liveResource(provider?: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, state,
      specification, quantities, delivered_at)
    select o.id, o.jurisdiction_id, p.id, 'cloud-vm', ${`vm-${Math.random().toString(36).slice(2, 8)}`}, 'active',
      ${JSON.stringify(vm(2, 4).specification)}, ${JSON.stringify({ vcpu: 2, memory_gb: 4, storage_gb: 40 })}, now()
    from organisation o, organisation p
    where o.code = 'demo-health' and p.type = 'cloud_service_provider' and p.jurisdiction_id = o.jurisdiction_id
      and (${provider ?? null}::text is null or p.code = ${provider ?? null})
    limit 1
    returning id`.execute(t.database.db);
  expect(rows[0]).toBeDefined();
  return rows[0]!.id;
}

async function bodyFor(type: OrderType): Promise<Record<string, unknown>> {
  const quota = { vcpu: 1000, memory_gb: 4000, storage_gb: 100000, 'item:backup-dr': 10 };
  const base = { title: `${type} 全部政策包`, lines: [vm(2, 4)] };
  switch (type) {
    case 'reclaim':
      return { title: '回收', resourceIds: [await liveResource()] };
    case 'temporary':
      return {
        ...base,
        termMonths: 1,
        projectId: await project(t.database.db, 'demo-health', {}, 'declared'),
        temporaryBasis: 'key_task',
        reason: '年度重点任务',
      };
    case 'development':
    case 'emergency':
      return { ...base, termMonths: 1, projectId: await project(t.database.db, 'demo-health', quota) };
    case 'backup_extraction':
      return {
        title: '提取备份',
        lines: [
          { itemCode: 'backup-dr', specification: { mode: '本地数据备份 Local backup', capacityGb: 100 }, quantity: 1 },
        ],
      };
    default:
      return { ...base, projectId: await project(t.database.db, 'demo-health', quota) };
  }
}

let token: Record<string, string> | undefined;
/** A bearer token of provider A's administrator, made once. */
async function providerToken(): Promise<Record<string, string>> {
  if (token) return token;
  const created = await as(t.app, await login(t.app, 'provideradmin'), {
    method: 'POST',
    url: '/api/v1/api-tokens',
    payload: { name: '服务商甲 回收', scopes: ['work-order:fulfil'], expiresInDays: 30 },
  });
  expect(created.statusCode, created.body).toBe(201);
  token = { authorization: `Bearer ${created.json().token}` };
  return token;
}

async function workOrderActions(orderId: string): Promise<string[]> {
  const rows = await t.database.db.selectFrom('work_order').select('action').where('order_id', '=', orderId).execute();
  return rows.map((r) => r.action);
}

/** Approves open steps, each by its own role, until a provider work order exists; returns the order. */
async function walkToFulfilment(orderId: string) {
  for (let i = 0; i < 8; i++) {
    if ((await workOrderActions(orderId)).length) break;
    const order = (await api.get(sessions.unit_applicant as Session, orderId)).json();
    const step = order.currentStep;
    expect(step, `${order.number} has an open step`).toBeTruthy();
    const session = sessions[step.role];
    expect(session, `a demo user holds ${step.role}`).toBeDefined();
    const res = await api.act(session as Session, orderId, { decision: 'approve', stepKey: step.key });
    expect(res.statusCode, `${order.type} ${step.key}: ${res.body}`).toBe(200);
  }
  return (await api.get(sessions.unit_applicant as Session, orderId)).json();
}

describe('every enabled order type of every pack reaches its fulfilment', () => {
  for (const pack of PACKS.values()) {
    it(`${pack.id}`, async () => {
      clock.set('2026-11-02T02:00:00Z');
      const selected = await as(t.app, sessions.authority_approver as Session, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy',
        payload: { packId: pack.id },
      });
      expect(selected.statusCode, selected.body).toBe(200);
      const types = (Object.keys(pack.orderTypes) as OrderType[]).filter(
        (type) => pack.orderTypes[type].enabled.value === true && FULFILLED_TYPES.includes(type),
      );
      expect(types.length).toBeGreaterThan(0);
      for (const type of types) {
        const body = { type, ...(await bodyFor(type)) };
        if (QUOTA_TYPES.includes(type) || type === 'temporary') {
          const { projectId: _p, ...without } = body as Record<string, unknown>;
          const refused = await api.place(sessions.unit_applicant as Session, without);
          expect(refused.statusCode, `${pack.id} ${type}: ${refused.body}`).toBe(422);
          expect(refused.json().errors[0].field).toBe('body.projectId');
        }
        const placed = await api.place(sessions.unit_applicant as Session, body);
        expect(placed.statusCode, `${pack.id} ${type}: ${placed.body}`).toBe(201);
        const order = await walkToFulfilment(placed.json().id);
        const declared = pack.orderTypes[type].steps.filter((s) => s.fulfilment).map((s) => s.fulfilment);
        const actions = await workOrderActions(order.id);
        expect(actions.length, `${pack.id} ${type} reached a provider work order`).toBeGreaterThan(0);
        expect(declared, `${pack.id} ${type}`).toContain(actions[0]);
        expect(order.steps.find((s: { status: string }) => s.status === 'open')?.fulfilmentAction).toBe(actions[0]);
        // SH 26 and the like: the pack's dataBackupFirst holds the provider until the unit confirms its backup.
        const details = await t.database.db
          .selectFrom('work_order')
          .select('details')
          .where('order_id', '=', order.id)
          .execute();
        const backupFirst =
          actions[0] === 'reclaim' ||
          ((actions[0] === 'scale_up' || actions[0] === 'change') &&
            pack.orderTypes[type].dataBackupFirst?.value === true);
        for (const d of details) expect(!!d.details.backupFirst, `${pack.id} ${type} backup first`).toBe(backupFirst);
      }
    });
  }
});

describe('every pack lets a unit release what it no longer needs', () => {
  for (const pack of PACKS.values()) {
    it(`${pack.id}: the unit's reclaim ends in the provider's release, the resource ends and stops billing`, async () => {
      clock.set('2026-11-02T02:00:00Z');
      const selected = await as(t.app, sessions.authority_approver as Session, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy',
        payload: { packId: pack.id },
      });
      expect(selected.statusCode, selected.body).toBe(200);
      const resourceId = await liveResource('demo-provider-a');
      const placed = await api.place(sessions.unit_applicant as Session, {
        type: 'reclaim',
        ...(await bodyFor('reclaim')),
        resourceIds: [resourceId],
      });
      expect(placed.statusCode, `${pack.id}: ${placed.body}`).toBe(201);
      const order = await walkToFulfilment(placed.json().id);
      const [wo] = (
        await as(t.app, sessions.unit_applicant as Session, { url: `/api/v1/work-orders?orderId=${order.id}` })
      ).json().items;
      expect(wo.action).toBe('reclaim');
      const backedUp = await as(t.app, sessions.unit_applicant as Session, {
        method: 'POST',
        url: `/api/v1/work-orders/${wo.id}/backup-confirmation`,
      });
      expect(backedUp.statusCode, backedUp.body).toBe(200);
      const releasedAt = '2026-11-02T09:30:00+08:00';
      clock.set('2026-11-02T03:00:00Z');
      const receipt = await t.app.inject({
        method: 'POST',
        url: `/api/v1/work-orders/${wo.id}/receipts`,
        headers: await providerToken(),
        payload: {
          dataErased: true,
          lines: [{ workOrderLineNo: 1, name: 'released', deliveredAt: releasedAt, notes: '数据已清除' }],
        },
      });
      expect(receipt.statusCode, `${pack.id}: ${receipt.body}`).toBe(201);
      // the unit confirms unless a later step of the pack is someone else's
      const confirmed = await as(t.app, sessions.unit_applicant as Session, {
        method: 'POST',
        url: `/api/v1/work-orders/${wo.id}/receipts/confirm`,
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      const ended = (
        await as(t.app, sessions.unit_applicant as Session, { url: `/api/v1/inventory/resources/${resourceId}` })
      ).json();
      // billing reads the lifecycle events: the last one ends the quantities at the release
      expect(ended).toMatchObject({
        state: 'reclaimed',
        quantities: {},
        reclaimedAt: new Date(releasedAt).toISOString(),
      });
      expect(ended.events.at(-1)).toMatchObject({ kind: 'reclaimed', quantities: {} });
    });
  }
});
