import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { as, cookieOf } from './sessions.ts';

/**
 * Single sign-on against a real OpenID Connect provider (the `oidc-provider` package) started here on
 * loopback, driven through its own login and consent pages, as a browser would.
 */
const APP = 'http://yunguan.test';
const REDIRECT = `${APP}/api/v1/auth/oidc/callback`;
const ACCOUNTS: Record<string, { preferred_username: string; name: string }> = {
  'sub-edu-001': { preferred_username: 'edu', name: '王磊' },
  'sub-nobody': { preferred_username: 'nobody-here', name: '无此人' },
  'sub-admin': { preferred_username: 'sysadmin', name: '系统管理员' },
};

let idp: Server;
let issuer: string;
let t: TestApp;

beforeAll(async () => {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => res.end();
  idp = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'yunguan', client_secret: 'a-long-test-client-secret', redirect_uris: [REDIRECT] }],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    cookies: { keys: ['test-cookie-key-1'] },
    async findAccount(_ctx: unknown, sub: string) {
      const account = ACCOUNTS[sub];
      return account ? { accountId: sub, claims: async () => ({ sub, ...account }) } : undefined;
    },
  });
  handler = provider.callback();
  t = await testApp({
    config: {
      YUNGUAN_OIDC_ISSUER: issuer,
      YUNGUAN_OIDC_CLIENT_ID: 'yunguan',
      YUNGUAN_OIDC_CLIENT_SECRET: 'a-long-test-client-secret',
      YUNGUAN_OIDC_REDIRECT_URI: REDIRECT,
    },
  });
  await seedDemo(t.database.db);
}, 60_000);

afterAll(async () => {
  await t.close();
  await new Promise((resolve) => idp.close(resolve));
});

/** A browser's cookie jar for the identity platform. */
class Jar {
  private cookies = new Map<string, string>();
  store(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) this.cookies.set(name.trim(), value.join('='));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows the identity platform's pages, signing in as `accountId`, until it redirects back to Yunguan. */
async function signInAtProvider(authorizationUrl: string, accountId: string): Promise<string> {
  const jar = new Jar();
  let url = authorizationUrl;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(REDIRECT)) return url;
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location') as string, url).href;
      continue;
    }
    const page = await res.text();
    expect(res.status, page).toBe(200);
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    const form: Record<string, string> =
      prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt: prompt ?? 'consent' };
    const submitted = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    jar.store(submitted);
    url = new URL(submitted.headers.get('location') as string, url).href;
  }
  throw new Error('the identity platform never redirected back');
}

async function ssoLogin(accountId: string, next = '/organisations') {
  const start = await t.app.inject(`/api/v1/auth/oidc/login?next=${encodeURIComponent(next)}`);
  expect(start.statusCode).toBe(302);
  const attempt = String(start.headers['set-cookie']).split(';')[0] as string;
  const back = await signInAtProvider(start.headers.location as string, accountId);
  return t.app.inject({ url: back.slice(APP.length), headers: { cookie: attempt } });
}

describe('single sign-on through OpenID Connect', () => {
  it('system info says single sign-on is available', async () => {
    expect((await t.app.inject('/api/v1/system/info')).json().sso).toBe(true);
  });

  it('signs in an existing account, linked by user name on first use, and redirects into the console', async () => {
    const res = await ssoLogin('sub-edu-001');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/organisations');
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie: cookieOf(res) } });
    expect(me.json()).toMatchObject({ user: { username: 'edu' }, organisation: { code: 'demo-education' } });
    const user = await t.database.db
      .selectFrom('user_account')
      .select(['oidc_issuer', 'oidc_subject'])
      .where('username', '=', 'edu')
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ oidc_issuer: issuer, oidc_subject: 'sub-edu-001' });
    const logins = await t.database.db
      .selectFrom('audit_event')
      .select('detail')
      .where('action', '=', 'auth.login')
      .where('outcome', '=', 'success')
      .execute();
    expect(logins.some((l) => (l.detail as { method?: string }).method === 'oidc')).toBe(true);
    // The linked subject signs in again, now found by subject.
    const again = await ssoLogin('sub-edu-001', '/');
    expect(again.headers.location).toBe('/');
    expect((await as(t.app, null, { url: '/api/v1/auth/me', headers: { cookie: cookieOf(again) } })).statusCode).toBe(
      200,
    );
  });

  it('refuses an identity with no local account, and admin accounts', async () => {
    for (const account of ['sub-nobody', 'sub-admin']) {
      const res = await ssoLogin(account);
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/login?sso_error=sso_refused');
      expect(String(res.headers['set-cookie'] ?? '')).not.toContain('yunguan_session=');
    }
    const failures = await t.database.db
      .selectFrom('audit_event')
      .select('actor_name')
      .where('action', '=', 'auth.login')
      .where('outcome', '=', 'failure')
      .execute();
    expect(failures.map((f) => f.actor_name)).toEqual(expect.arrayContaining(['nobody-here', 'sysadmin']));
  });

  it('refuses a callback without the attempt cookie (forged or replayed)', async () => {
    const start = await t.app.inject('/api/v1/auth/oidc/login');
    const back = await signInAtProvider(start.headers.location as string, 'sub-edu-001');
    const res = await t.app.inject(back.slice(APP.length));
    expect(res.headers.location).toBe('/login?sso_error=sso_refused');
  });

  it('never redirects off-site after login', async () => {
    const res = await ssoLogin('sub-edu-001', '//evil.example/x');
    expect(res.headers.location).toBe('/');
  });
});
