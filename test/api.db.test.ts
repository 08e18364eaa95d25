import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/platform/db/database.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';
import { migrationNames, type TestApp, tempDir, testApp, testDatabase } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
});
afterAll(() => t.close());

describe('platform endpoints', () => {
  it('GET /healthz answers while the process lives', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the database answers and migrations are current', async () => {
    const res = await t.app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', migrations: (await migrationNames()).length });
  });

  it('every response carries a request id, and a sane caller-supplied one is kept', async () => {
    const generated = await t.app.inject('/healthz');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-42.a' } });
    expect(kept.headers['x-request-id']).toBe('trace-42.a');
    const replaced = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id; drop' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id; drop');
  });

  it('GET /metrics exposes per-route request counts, latencies and pool statistics', async () => {
    await t.app.inject('/api/v1/jurisdictions');
    await t.app.inject('/api/v1/does-not-exist-1');
    await t.app.inject('/api/v1/does-not-exist-2');
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /yunguan_http_requests_total\{method="GET",route="\/api\/v1\/jurisdictions",status_code="200"\} 1/,
    );
    expect(res.body).toMatch(/yunguan_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1/);
    // Unknown paths share one label instead of one series each.
    expect(res.body).toMatch(/yunguan_http_requests_total\{method="GET",route="unmatched",status_code="404"\} 2/);
    expect(res.body).toMatch(/yunguan_db_pool_connections \d+/);
    expect(res.body).toMatch(/yunguan_db_pool_waiting_clients 0/);
  });

  it('GET /api/openapi.json is an OpenAPI 3 document of the routes with the Problem schema', async () => {
    const res = await t.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/jurisdictions',
        '/api/v1/jurisdictions/{code}',
        '/api/v1/system/info',
        '/readyz',
      ]),
    );
    expect(doc.components.schemas.Problem.required).toContain('code');
    expect(doc.paths['/metrics']).toBeUndefined();
  });

  it('serves Swagger UI at /api/docs', async () => {
    const res = await t.app.inject('/api/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

describe('errors are problem+json with a stable code', () => {
  it('an unknown API route answers 404 route_not_found', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/no/such/route?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      type: 'urn:yunguan:problem:route_not_found',
      status: 404,
      code: 'route_not_found',
      title: '接口不存在',
      requestId: res.headers['x-request-id'],
    });
  });

  it('an invalid body answers 400 validation_failed naming every offending field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry/client-errors',
      payload: { message: '', stack: { lines: 3 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.title).toBe('请求参数无效');
    const fields = problem.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['body.message', 'body.stack', 'body.url']);
    expect(problem.errors.find((e: { field: string }) => e.field === 'body.url').message).toBe('必填');
  });

  it('answers in English when English is the first preference', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry/client-errors',
      headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' },
      payload: { message: 'x' },
    });
    expect(res.json()).toMatchObject({
      title: 'The request is invalid',
      errors: [{ field: 'body.url', message: 'is required' }],
    });
  });

  it('malformed JSON answers 400 bad_request', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry/client-errors',
      headers: { 'content-type': 'application/json' },
      payload: '{"message":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
  });

  it('an unsupported content type answers 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry/client-errors',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported_media_type');
  });

  it('an invalid path parameter is a validation error on path.code', async () => {
    const res = await t.app.inject('/api/v1/jurisdictions/NOT%20A%20CODE');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('path.code');
  });

  it('a missing jurisdiction answers 404 not_found', async () => {
    const res = await t.app.inject('/api/v1/jurisdictions/nowhere');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });
});

describe('readiness when things are wrong', () => {
  it('answers 503 with the reason while the database is unreachable', async () => {
    // Nothing listens on port 1: the connection is refused at once.
    const unreachable = await openDatabase<DB>({ url: 'postgres://postgres@127.0.0.1:1/none' });
    const broken = await testApp({ database: unreachable });
    try {
      const res = await broken.app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('database_unavailable');
      expect(res.json().detail).toMatch(/^database unreachable: /);
      expect((await broken.app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await broken.close();
      await unreachable.close();
    }
  });

  it('answers 503 naming the pending migrations before they are applied', async () => {
    const bare = await testDatabase({ migrate: false });
    const empty = await testApp({ database: bare });
    try {
      const res = await empty.app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.json().detail).toBe(`migrations pending: ${(await migrationNames()).join(', ')}`);
    } finally {
      await empty.close();
      await bare.close();
    }
  });
});

describe('the console', () => {
  it('is served at / with a single-page fallback, while /api paths stay API 404s', async () => {
    const web = await tempDir();
    await mkdir(path.join(web.path, 'assets'));
    await writeFile(path.join(web.path, 'index.html'), '<!doctype html><title>云管</title>');
    await writeFile(path.join(web.path, 'assets', 'app-1234.js'), 'console.log(1)');
    const served = await testApp({ database: t.database, config: { YUNGUAN_WEB_DIR: web.path } });
    try {
      const index = await served.app.inject('/');
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain('云管');
      const deep = await served.app.inject('/jurisdictions/demo-city');
      expect(deep.statusCode).toBe(200);
      expect(deep.headers['content-type']).toContain('text/html');
      expect(deep.headers['cache-control']).toBe('no-cache');
      const asset = await served.app.inject('/assets/app-1234.js');
      expect(asset.headers['cache-control']).toContain('immutable');
      // An asset gone after a redeploy is a 404, not the page (which the browser would run as a script).
      const gone = await served.app.inject('/assets/app-0000.js');
      expect(gone.statusCode).toBe(404);
      const api = await served.app.inject('/api/v1/nope');
      expect(api.statusCode).toBe(404);
      expect(api.json().code).toBe('route_not_found');
    } finally {
      await served.close();
      await web.remove();
    }
  });

  it('without a built console, / answers a problem that says how to build it', async () => {
    const res = await testApp({ database: t.database, config: { YUNGUAN_WEB_DIR: '/nonexistent/web' } });
    try {
      const root = await res.app.inject('/');
      expect(root.statusCode).toBe(404);
      expect(root.json().detail).toContain('npm run build:web');
    } finally {
      await res.close();
    }
  });
});

describe('system information', () => {
  it('names the installation and its default jurisdiction', async () => {
    const res = await t.app.inject('/api/v1/system/info');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: '云管 政务云管理平台',
      environment: 'development',
      defaultJurisdiction: { code: 'demo-city', kind: 'city', name: '示范市政务云' },
    });
  });

  it('accepts a console error report', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/telemetry/client-errors',
      payload: { message: 'TypeError: x is undefined', url: 'http://localhost:8080/' },
    });
    expect(res.statusCode).toBe(202);
  });
});
