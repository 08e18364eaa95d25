import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';

// The order form offers only the order types the unit's policy pack provides (issue 16): GET /orders/types
// answers from the jurisdiction's effective policy, and follows it when the jurisdiction selects another pack.
const clock = new ManualClock('2026-11-23T02:00:00Z');
let t: TestApp;
let applicant: Session;
let approver: Session;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  applicant = await login(t.app, 'applicant');
  approver = await login(t.app, 'approver');
}, 180_000);
afterAll(() => t?.close());

interface Offer {
  type: string;
  enabled: boolean;
  article: string | null;
  note: string | null;
}

async function offers(): Promise<Offer[]> {
  const res = await as(t.app, applicant, { url: '/api/v1/orders/types' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}
const provided = (items: Offer[]) => items.filter((o) => o.enabled).map((o) => o.type);

describe('the order types a unit may place', () => {
  it('Shanghai provides seven: no change order, no backup extraction, no green channel (SH has none)', async () => {
    const items = await offers();
    expect(provided(items)).toEqual([
      'new_resources',
      'scale_up',
      'reclaim',
      'development',
      'emergency',
      'temporary',
      'extension',
    ]);
    expect(items.find((o) => o.type === 'new_resources')).toMatchObject({ enabled: true, article: 'SH 19' });
    expect(items.find((o) => o.type === 'emergency')).toMatchObject({ enabled: true, article: 'SH 23' });
    const green = items.find((o) => o.type === 'green_channel');
    expect(green?.enabled).toBe(false);
    expect(green?.note).toContain('SH 23');
    expect(items.find((o) => o.type === 'change')?.enabled).toBe(false);
  });

  it('a type the list leaves out is refused when placed anyway, and nothing is created', async () => {
    const before = (await as(t.app, applicant, { url: '/api/v1/orders?limit=500' })).json().total;
    const res = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/orders',
      payload: { type: 'green_channel', title: '绿色通道' },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect((await as(t.app, applicant, { url: '/api/v1/orders?limit=500' })).json().total).toBe(before);
  });

  it('follows the pack the jurisdiction selects: Liuzhou has change orders and none of SH’s special resources', async () => {
    const res = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'liuzhou' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(provided(await offers())).toEqual(['new_resources', 'scale_up', 'change', 'reclaim']);
    expect((await offers()).find((o) => o.type === 'new_resources')?.article).toBe('LZ 21');
    await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'shanghai-2022' },
    });
    expect(provided(await offers())).toContain('emergency');
  });

  it('nobody signed in gets 401', async () => {
    expect((await t.app.inject({ url: '/api/v1/orders/types' })).statusCode).toBe(401);
  });
});
