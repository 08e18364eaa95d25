import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import { type TestApp, testApp } from './helpers.ts';
import { as, login, type Session } from './sessions.ts';

// Issue 15: bad input gets 400, never 500. Generated from the OpenAPI document, so a new route is covered
// without editing this test: every operation gets NUL bytes, numbers past any range (1e309, 20 digits),
// months at the ends of the calendar and a 10,000-deep JSON document, as callers of several kinds.
let t: TestApp;
let sessions: Session[];

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; schema?: { type?: string } }[];
  requestBody?: unknown;
}

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  sessions = [await login(t.app, 'approver'), await login(t.app, 'unitadmin'), await login(t.app, 'reviewer')];
}, 180_000);
afterAll(() => t.close());

const NUL = 'a\u0000b';
const QUERY_VALUES = [NUL, '1e309', '99999999999999999999', '-99999999999999999999', '9999-12', '0001-01', '2026-13'];
// Routes that end the caller's session or change who it is: their bad input is covered by the guard all the same.
const SKIP = new Set(['POST /api/v1/auth/logout', 'POST /api/v1/auth/switch-organisation']);

function operations(doc: { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({ method: method.toUpperCase(), path, ...op });
    }
  }
  return ops;
}

const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, encodeURIComponent(value));

describe('bad input on every route in the OpenAPI document', () => {
  it('never answers 5xx', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    const ops = operations(doc).filter((op) => !SKIP.has(`${op.method} ${op.path}`));
    expect(ops.length).toBeGreaterThan(100);
    const failures: string[] = [];
    let sent = 0;
    const send = async (session: Session, method: string, url: string, payload?: string) => {
      const res = await as(t.app, session, {
        method: method as 'GET',
        url,
        ...(payload !== undefined && { payload, headers: { 'content-type': 'application/json' } }),
      });
      sent++;
      if (res.statusCode >= 500)
        failures.push(`${res.statusCode} ${method} ${url.slice(0, 120)} ${res.body.slice(0, 160)}`);
    };
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const [i, op] of ops.entries()) {
      const session = sessions[i % sessions.length] as Session;
      const base = fill(op.path, '00000000-0000-4000-8000-000000000000');
      await send(session, op.method, fill(op.path, NUL));
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      for (const q of query) {
        for (const value of QUERY_VALUES) {
          await send(session, op.method, `${base}?${encodeURIComponent(q.name)}=${encodeURIComponent(value)}`);
        }
      }
      if (op.requestBody && op.method !== 'GET') {
        await send(session, op.method, base, deep);
        await send(session, op.method, base, JSON.stringify({ name: NUL, code: NUL, title: NUL, month: '9999-12' }));
        await send(session, op.method, base, JSON.stringify({ limit: 1e308 * 10, items: [{ name: NUL }] }));
      }
    }
    expect(sent).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 600_000);
});

describe('hardening', () => {
  it('a NUL byte in a search, limit/offset past any range: 400 naming the field', async () => {
    const [approver] = sessions as [Session];
    const nul = await as(t.app, approver, { url: '/api/v1/organisations?search=a%00b' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors[0].field).toBe('querystring.search');
    for (const value of ['1e309', '99999999999999999999']) {
      const res = await as(t.app, approver, { url: `/api/v1/orders?offset=${value}` });
      expect(res.statusCode, value).toBe(400);
      expect(res.json().errors[0].field).toBe('querystring.offset');
    }
  });

  it('a unit asking for a settlement run gets 404 whether it exists or not', async () => {
    const run = await t.database.db.selectFrom('settlement_run').select('id').executeTakeFirst();
    const unit = sessions[1] as Session;
    if (run) expect((await as(t.app, unit, { url: `/api/v1/settlement/runs/${run.id}` })).statusCode).toBe(404);
    expect(
      (await as(t.app, unit, { url: '/api/v1/settlement/runs/00000000-0000-4000-8000-000000000000' })).statusCode,
    ).toBe(404);
  });

  it('security headers on the console and the API; Swagger UI still loads', async () => {
    const page = await t.app.inject('/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['strict-transport-security']).toBeUndefined();
    let docs = await t.app.inject('/api/docs');
    for (let hops = 0; docs.statusCode === 302 && hops < 3; hops++) {
      const next = new URL(String(docs.headers.location), 'http://localhost/api/docs/');
      docs = await t.app.inject(next.pathname);
    }
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    expect(String(docs.headers['content-security-policy'])).toContain('script-src');
    expect((await t.app.inject('/api/docs/static/swagger-initializer.js')).statusCode).toBe(200);
  });

  it('X-Forwarded-For is ignored unless the peer is a configured proxy', async () => {
    const sourceOf = async (app: TestApp['app'], username: string) => {
      await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: 'Yunguan@Demo2026' },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      const row = await t.database.db
        .selectFrom('audit_event')
        .select('source_ip')
        .where('action', '=', 'auth.login')
        .where('actor_name', '=', username)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      return row.source_ip;
    };
    expect(await sourceOf(t.app, 'econ')).toBe('127.0.0.1');
    const proxied = await testApp({ database: t.database, config: { YUNGUAN_TRUSTED_PROXIES: '127.0.0.1' } });
    try {
      expect(await sourceOf(proxied.app, 'finance')).toBe('203.0.113.9');
    } finally {
      await proxied.close();
    }
  });

  it('in production /metrics needs the token, and HSTS is sent', async () => {
    const production = await testApp({
      database: t.database,
      config: {
        YUNGUAN_ENV: 'production',
        YUNGUAN_SEED_DEMO: 'false',
        YUNGUAN_DATA_KEY: '0123456789abcdef0123456789abcdef',
        YUNGUAN_AUDIT_KEY: 'bad-input-test-audit-key',
        YUNGUAN_METRICS_TOKEN: 'metrics-secret-1234',
      },
    });
    try {
      expect((await production.app.inject('/metrics')).statusCode).toBe(401);
      const wrong = await production.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
      expect(wrong.statusCode).toBe(401);
      const ok = await production.app.inject({
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-secret-1234' },
      });
      expect(ok.statusCode).toBe(200);
      expect(String((await production.app.inject('/healthz')).headers['strict-transport-security'])).toContain(
        'max-age=31536000',
      );
    } finally {
      await production.close();
    }
  });
});
