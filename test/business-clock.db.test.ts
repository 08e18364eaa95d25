import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/time/clock.ts';
import { addDays, shanghaiDay } from '../src/platform/time/time.ts';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { as, enableTotp, login, totpCode } from './sessions.ts';

// Identity, tenancy, catalogue and policy date what people do by the application's clock, not the machine's
// (docs/decisions.md, lane tidy); authentication's own timing (session idle, lockout, token expiry) stays on the
// wall clock. The clock here stands years ahead of the machine's.

const clock = new ManualClock('2031-03-03T02:00:00Z');
let t: TestApp;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
});
afterAll(() => t.close());

describe('the business clock', () => {
  it('dates a sign-in by the clock, as the user list shows it', async () => {
    await login(t.app, 'approver');
    const sysadmin = await login(t.app, 'sysadmin', {
      totp: await totpCode(await enableTotp(t.database.db, 'sysadmin')),
    });
    const users = await as(t.app, sysadmin, { method: 'GET', url: '/api/v1/users?search=approver' });
    expect(users.statusCode).toBe(200);
    const approver = users.json().items.find((u: { username: string }) => u.username === 'approver');
    expect(approver.lastLoginAt).toBe('2031-03-03T02:00:00.000Z');
  });

  it('dates a policy override by the clock', async () => {
    const approver = await login(t.app, 'approver');
    const res = await as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy/overrides',
      payload: { path: 'quota.developmentShareMax', value: '0.10', reason: '开发资源从严控制' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().overrides[0].setAt).toBe('2031-03-03T02:00:00.000Z');
  });

  it('refuses a catalogue effective date before the clock’s today, though after the machine’s', async () => {
    const ops = await login(t.app, 'reviewer');
    const draft = (effectiveFrom: string) =>
      as(t.app, ops, {
        method: 'POST',
        url: '/api/v1/catalogue/versions',
        payload: { jurisdictionCode: 'demo-city', effectiveFrom },
      });
    const machineFuture = addDays(shanghaiDay(new Date()), 30);
    expect(machineFuture < '2031-03-03').toBe(true);
    const past = await draft(machineFuture);
    expect(past.statusCode).toBe(400);
    expect(past.json().errors[0].field).toBe('body.effectiveFrom');
    expect((await draft('2031-03-04')).statusCode).toBe(201);
  });

  it('keeps a session alive when the clock moves weeks ahead: the idle limit runs on the wall clock', async () => {
    const approver = await login(t.app, 'approver');
    clock.advance(40 * 86_400_000);
    expect((await as(t.app, approver, { method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(200);
  });
});
