import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { as, DEMO_PASSWORD, enableTotp, login, totpCode } from './sessions.ts';

// Issue 15, authentication: one success per TOTP code, request limits shared by every instance (the
// counters live in the database), a progressive delay per address, lockout counted on password changes too,
// and a locked account that answers exactly like a wrong password.
let t: TestApp;
let second: TestApp;

beforeAll(async () => {
  const limits = { YUNGUAN_RATE_LIMIT_LOGIN: '6', YUNGUAN_RATE_LIMIT_CREDENTIALS: '3' };
  t = await testApp({ config: limits });
  await seedDemo(t.database.db);
  // A second instance on the same database: the limits are counted together.
  second = await testApp({ database: t.database, config: limits });
}, 180_000);
afterAll(async () => {
  await second.close();
  await t.close();
});

const loginFrom = (app: TestApp['app'], address: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress: address });

describe('TOTP codes are single-use', () => {
  it('eight parallel logins with one code: exactly one session', async () => {
    const secret = await enableTotp(t.database.db, 'provideradmin');
    const code = await totpCode(secret);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        loginFrom(i % 2 ? second.app : t.app, `10.1.0.${i + 1}`, {
          username: 'provideradmin',
          password: DEMO_PASSWORD,
          totp: code,
        }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode !== 200).every((a) => a.json().code === 'invalid_totp')).toBe(true);
  });
});

describe('request limits in the database, shared by all instances', () => {
  it('the 7th sign-in from one address within a minute, across two instances, is 429 problem+json with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await loginFrom(i % 2 ? second.app : t.app, '10.2.0.1', { username: 'edu', password: DEMO_PASSWORD }))
          .statusCode,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const limited = await loginFrom(t.app, '10.2.0.1', { username: 'edu', password: DEMO_PASSWORD });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await loginFrom(second.app, '10.2.0.2', { username: 'edu', password: DEMO_PASSWORD })).statusCode).toBe(
      200,
    );
  });

  it('API token creation is limited too', async () => {
    const session = await login(t.app, 'unitadmin');
    const create = () =>
      as(t.app, session, {
        method: 'POST',
        url: '/api/v1/api-tokens',
        payload: { name: 'n', scopes: ['organisation:read'], expiresInDays: 1 },
      });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await create()).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429]);
  });
});

describe('failed sign-ins', () => {
  it('after 20 failures from one address, the next try must wait (progressive delay), whatever the account', async () => {
    // An instance without the per-minute limit, so only the progressive delay can answer 429.
    const unlimited = await testApp({ database: t.database });
    try {
      for (let i = 0; i < 20; i++) {
        // Many accounts guessed from one address: the address is what slows down.
        const res = await loginFrom(unlimited.app, '10.3.0.1', { username: `ghost${i}`, password: 'Nope-nope-1' });
        expect(res.statusCode).toBe(401);
      }
      const next = await loginFrom(unlimited.app, '10.3.0.1', { username: 'econ', password: DEMO_PASSWORD });
      expect(next.statusCode).toBe(429);
      expect(next.json().code).toBe('rate_limited');
      expect(Number(next.headers['retry-after'])).toBeGreaterThan(0);
      // Another address signs in as usual.
      expect(
        (await loginFrom(unlimited.app, '10.3.0.2', { username: 'econ', password: DEMO_PASSWORD })).statusCode,
      ).toBe(200);
    } finally {
      await unlimited.close();
    }
  });

  it('a locked account answers exactly like a wrong password (status and body)', async () => {
    const wrong = async (address: string, username: string, password: string) => {
      const res = await loginFrom(t.app, address, { username, password });
      const { requestId: _r, ...body } = res.json();
      return { status: res.statusCode, body };
    };
    for (let i = 0; i < 5; i++) await wrong(`10.4.0.${i + 1}`, 'approver', `Wrong-${i}-pass`);
    const locked = await wrong('10.4.1.1', 'approver', DEMO_PASSWORD);
    const wrongPassword = await wrong('10.4.1.2', 'econ', 'Wrong-x-pass');
    const unknown = await wrong('10.4.1.3', 'nobody-at-all', 'Wrong-x-pass');
    expect(locked).toEqual(wrongPassword);
    expect(unknown).toEqual(wrongPassword);
    expect(locked.status).toBe(401);
  });

  it('wrong current passwords on a password change count toward the lockout; the security admin unlocks', async () => {
    const session = await login(t.app, 'finance');
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
        payload: { currentPassword: `Guess-${i}-pass`, newPassword: 'Whatever-New-2026' },
        remoteAddress: `10.5.0.${i + 1}`,
      });
      expect(res.statusCode).toBe(400);
    }
    const right = await loginFrom(t.app, '10.5.1.1', { username: 'finance', password: DEMO_PASSWORD });
    expect(right.statusCode).toBe(401);
    const secret = await enableTotp(t.database.db, 'secadmin');
    const sec = await login(t.app, 'secadmin', { totp: await totpCode(secret, -1) });
    const user = await t.database.db
      .selectFrom('user_account')
      .select('id')
      .where('username', '=', 'finance')
      .executeTakeFirstOrThrow();
    expect((await as(t.app, sec, { method: 'POST', url: `/api/v1/users/${user.id}/unlock` })).statusCode).toBe(200);
    expect((await loginFrom(t.app, '10.5.1.2', { username: 'finance', password: DEMO_PASSWORD })).statusCode).toBe(200);
  });
});
