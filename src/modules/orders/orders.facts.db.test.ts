import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { acted, placed, project, vm } from './orders.fixtures.ts';

// The facts a reviewer decides from (issue 16): names, quota before/after, the SH 20 band, the cost estimate
// from the catalogue in force, who holds the open step, and display names on the timeline.
const clock = new ManualClock('2026-11-23T02:00:00Z');
let t: TestApp;
let applicant: Session;
let edu: Session;
let reviewer: Session;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, edu, reviewer] = (await Promise.all(['applicant', 'edu', 'reviewer'].map((u) => login(t.app, u)))) as [
    Session,
    Session,
    Session,
  ];
}, 180_000);
afterAll(() => t?.close());

describe('an order’s facts', () => {
  it('shows quota before and after, the monthly cost, the holders of the open step and people by name', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 16, memory_gb: 32, storage_gb: 500 });
    const first = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '第一批',
      projectId,
      lines: [vm(4, 8, 1, [40, 60])],
    });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '第二批',
      projectId,
      lines: [vm(4, 8, 2, [40, 100])],
    });

    const res = await as(t.app, reviewer, { url: `/api/v1/orders/${order.id}/facts` });
    expect(res.statusCode, res.body).toBe(200);
    const facts = res.json();
    expect(facts.unit.name).toBe('示范市卫生健康委员会');
    expect(facts.project).toMatchObject({ id: projectId, status: 'approved' });
    expect(facts.system).toMatchObject({ mlpsLevel: 2, filingStatus: 'filed' });
    // The first order's 4 vCPU are in use or reserved before; this one adds 8.
    expect(facts.quota.find((q: { dimension: string }) => q.dimension === 'vcpu')).toEqual({
      dimension: 'vcpu',
      quota: '16',
      usedBefore: '4',
      thisOrder: '8',
      usedAfter: '12',
      leftBefore: '12',
      leftAfter: '4',
      overQuota: '0',
    });
    expect(facts.quota.find((q: { dimension: string }) => q.dimension === 'storage_gb')).toMatchObject({
      usedBefore: '100',
      thisOrder: '280',
      leftAfter: '120',
    });
    expect(facts.band).toMatchObject({ ratio: '0.2', article: expect.stringContaining('SH 20') });
    // Demo prices: 60 元/vCPU·月, 20 元/GB·月 memory, 0.5 元/GB·月 storage: (240 + 160 + 70) x 2 = 940.
    expect(facts.cost).toMatchObject({ total: '940.00', lines: [{ itemName: '云虚拟机', monthly: '940.00' }] });
    expect(facts.currentStep.role).toBe('ops_reviewer');
    expect(facts.currentStep.holders.map((h: { name: string }) => h.name)).toEqual(['赵敏（运管审核员）']);
    expect(facts.people.map((p: { name: string }) => p.name)).toEqual(['张晓明（卫健委申请人）']);

    // After the reviewer acts, the reviewer is named too and the unit's applicant holds the next step.
    await acted(t.app, reviewer, order.id, { decision: 'approve', stepKey: order.currentStep.key });
    const after = (await as(t.app, applicant, { url: `/api/v1/orders/${order.id}/facts` })).json();
    expect(after.people.map((p: { name: string }) => p.name).sort()).toEqual(
      ['张晓明（卫健委申请人）', '赵敏（运管审核员）'].sort(),
    );
    expect(first.id).not.toBe(order.id);
  });

  it('another unit cannot read the facts (404, as for a missing order)', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 8, memory_gb: 16, storage_gb: 100 });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '他单位不可见',
      projectId,
      lines: [vm(2, 4)],
    });
    const res = await as(t.app, edu, { url: `/api/v1/orders/${order.id}/facts` });
    expect(res.statusCode).toBe(404);
  });

  it('estimates lines not yet ordered, and names the field of a bad line', async () => {
    const res = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/orders/estimate',
      payload: { lines: [vm(8, 16, 1, [40, 0]), { itemCode: 'load-balancer', specification: { bandwidthMbps: 10 } }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    // 8 x 60 + 16 x 20 + 40 x 0.5 = 820; the balancer 300 + 10 x 50 = 800.
    expect(res.json()).toMatchObject({
      total: '1620.00',
      lines: [{ monthly: '820.00' }, { monthly: '800.00', itemName: '云负载均衡' }],
    });
    const bad = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/orders/estimate',
      payload: { lines: [{ itemCode: 'cloud-vm', quantity: 0 }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('quantity');
    const reviewerTry = await as(t.app, reviewer, {
      method: 'POST',
      url: '/api/v1/orders/estimate',
      payload: { lines: [] },
    });
    expect(reviewerTry.statusCode).toBe(403);
  });

  it('finds orders by number or title in the caller’s scope only', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 8, memory_gb: 16, storage_gb: 100 });
    const order = await placed(t.app, applicant, {
      type: 'new_resources',
      title: '查找用的订单',
      projectId,
      lines: [vm(2, 4)],
    });
    const byTitle = await as(t.app, applicant, { url: `/api/v1/orders/lookup?q=${encodeURIComponent('查找用')}` });
    expect(byTitle.statusCode, byTitle.body).toBe(200);
    expect(byTitle.json().items.map((o: { id: string }) => o.id)).toEqual([order.id]);
    const byNumber = await as(t.app, reviewer, { url: `/api/v1/orders/lookup?q=${order.number.slice(-6)}` });
    expect(byNumber.json().items.map((o: { number: string }) => o.number)).toContain(order.number);
    const other = await as(t.app, edu, { url: `/api/v1/orders/lookup?q=${encodeURIComponent('查找用')}` });
    expect(other.json().items).toEqual([]);
  });
});
