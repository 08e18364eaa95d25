import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, enableTotp, login, type Session, totpCode } from '../../../test/sessions.ts';
import { EgressRefused } from '../../platform/http/egress.ts';
import { seedDemo } from '../../seed.ts';
import { pullJob, pullOnce } from './monitoring.jobs.ts';

// Pull mode goes through the SSRF guard with the jurisdiction's egress policy (the one webhooks use): a
// Prometheus on a loopback, private or link-local address, in any spelling and after any redirect, is refused
// unless the system administrator allowed it explicitly. A small fake Prometheus on 127.0.0.1 answers
// query_range; a second one on 127.0.0.2 is only ever a redirect target that must not be reached.

const log = { info: () => {}, warn: () => {}, error: () => {} };

let t: TestApp;
let reviewer: Session;
let sysadmin: Session;
let cityId: string;
let prom: Server;
let promUrl = '';
let other: Server;
let otherUrl = '';
const hits: string[] = [];
const otherHits: string[] = [];
/** what the fake Prometheus answers next: a redirect, or query_range data */
let redirectTo: string | null = null;

/** query_range of 40 instances, one of them a resource of the demo (> 4 KiB: the guard's default body cap). */
function rangeAnswer(query: URLSearchParams): string {
  const start = Number(query.get('start'));
  const end = Number(query.get('end'));
  const values: [number, string][] = [];
  for (let ts = start; ts <= end; ts += 60) values.push([ts, '0.5']);
  const result = Array.from({ length: 40 }, (_, i) => ({
    metric: { instance_id: i === 0 ? 'i-pull-0001' : `i-elsewhere-${i}` },
    values,
  }));
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
}

async function listen(server: Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

const settings = (payload: object) =>
  as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload });
const setPolicy = async (allowedHosts: string[], allowedNetworks: string[]) => {
  const res = await as(t.app, sysadmin, {
    method: 'PUT',
    url: '/api/v1/webhooks/egress-policy',
    payload: { allowedHosts, allowedNetworks },
  });
  expect(res.statusCode, res.body).toBe(200);
};
/** Stores a pull URL as if it had been accepted earlier (before the policy was narrowed). */
const storePullUrl = (url: string | null) =>
  t.database.db
    .updateTable('monitoring_setting')
    .set({ pull_url: url, pull_pulled_until: null })
    .where('jurisdiction_id', '=', cityId)
    .execute();
const pullCursor = async () =>
  (
    await t.database.db
      .selectFrom('monitoring_setting')
      .select('pull_pulled_until')
      .where('jurisdiction_id', '=', cityId)
      .executeTakeFirstOrThrow()
  ).pull_pulled_until;

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
  const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
  cityId = (
    await t.database.db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow()
  ).id;
  await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, delivered_at)
    values (${id('demo-health')}, ${cityId}, ${id('demo-provider-a')}, 'ecs', 'vm-pull', 'i-pull-0001', 'active', now())`.execute(
    t.database.db,
  );
  reviewer = await login(t.app, 'reviewer');
  sysadmin = await login(t.app, 'sysadmin', { totp: await totpCode(await enableTotp(t.database.db, 'sysadmin')) });
  prom = createServer((req, res) => {
    hits.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    if (redirectTo) {
      res.writeHead(302, { location: `${redirectTo}${url.pathname}${url.search}` }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(rangeAnswer(url.searchParams));
  });
  promUrl = await listen(prom, '127.0.0.1');
  other = createServer((req, res) => {
    otherHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' }).end(rangeAnswer(new URLSearchParams()));
  });
  otherUrl = await listen(other, '127.0.0.2');
  // the settings row exists once ops saved anything
  expect((await settings({ retentionDays: 400 })).statusCode).toBe(200);
}, 120_000);

afterAll(async () => {
  prom?.close();
  other?.close();
  await t?.close();
});

beforeEach(async () => {
  hits.length = 0;
  otherHits.length = 0;
  redirectTo = null;
  await setPolicy([], []);
  await storePullUrl(null);
});

describe('pull mode through the egress guard', () => {
  it('refuses a loopback, private or link-local pull URL in any spelling until the administrator allows it', async () => {
    const port = new URL(promUrl).port;
    for (const url of [
      promUrl,
      `http://2130706433:${port}/`, // 127.0.0.1 as one decimal number
      `http://0x7f.1:${port}/`, // hex, short form
      `http://0177.0.0.1:${port}/`, // octal
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://169.254.169.254/latest/meta-data/', // cloud metadata, link-local
      'http://10.0.0.5:9090/',
      'http://localhost:9090/',
    ]) {
      const res = await settings({ pullUrl: url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(422);
      expect(res.json()).toMatchObject({ code: 'pull_target_refused' });
      expect(res.body).toContain('body.pullUrl');
    }
    // on the host allow-list but still loopback: the address is named
    await setPolicy(['127.0.0.1'], []);
    const loopback = await settings({ pullUrl: promUrl });
    expect(loopback.statusCode).toBe(422);
    expect(loopback.body).toContain('loopback');
    // nothing was saved
    const view = await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' });
    expect(view.json().pullUrl).toBeNull();
    expect(hits).toEqual([]);

    // explicitly allowed (host and network): accepted, and the pull works
    await setPolicy(['127.0.0.1'], ['127.0.0.1/32']);
    const ok = await settings({ pullUrl: promUrl });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().pullUrl).toBe(promUrl);
    const result = await pullOnce(t.database.db, cityId, new Date());
    // six metrics, 40 series each, every answer well over the guard's default 4 KiB
    expect(hits).toHaveLength(6);
    expect(result?.accepted).toBeGreaterThan(0);
    const rollups = await sql<{ n: number }>`select coalesce(sum(m.count), 0)::int as n from monitoring_rollup m
      join resource r on r.id = m.resource_id where r.external_id = 'i-pull-0001'`.execute(t.database.db);
    expect(rollups.rows[0]?.n).toBe(result?.accepted);
  });

  it('refuses at pull time a stored URL the policy no longer allows; the cursor stays', async () => {
    await storePullUrl(promUrl);
    await expect(pullOnce(t.database.db, cityId, new Date())).rejects.toThrow(EgressRefused);
    const runs = (await pullJob.run({ db: t.database.db, now: new Date(), log })) as {
      error?: string;
      refused?: string;
    }[];
    expect(runs).toEqual([expect.objectContaining({ refused: 'host_not_allowed' })]);
    await setPolicy(['127.0.0.1'], []);
    await expect(pullOnce(t.database.db, cityId, new Date())).rejects.toThrow(/127\.0\.0\.1 is loopback/);
    expect(hits).toEqual([]);
    expect(await pullCursor()).toBeNull();
  });

  it('refuses a redirect to an address that is not allowed', async () => {
    // 127.0.0.2 is on the host list, but only 127.0.0.1/32 is an allowed network
    await setPolicy(['127.0.0.1', '127.0.0.2'], ['127.0.0.1/32']);
    await storePullUrl(promUrl);
    redirectTo = otherUrl;
    const error = await pullOnce(t.database.db, cityId, new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressRefused);
    expect((error as EgressRefused).message).toContain('127.0.0.2 is loopback');
    expect(hits).toHaveLength(1);
    expect(otherHits).toEqual([]);
    expect(await pullCursor()).toBeNull();
  });

  it('halves the window when an answer is over the size limit, down to 5 minutes', async () => {
    await setPolicy(['127.0.0.1'], ['127.0.0.1/32']);
    await storePullUrl(promUrl);
    const now = new Date();
    const end = Math.floor((now.getTime() - 60_000) / 60_000) * 60_000;
    const start = end - 3_600_000;
    // 40 series x 61 points (~47 KB) is over 30,000 bytes; 40 x 31 points is not
    const first = await pullOnce(t.database.db, cityId, now, { maxAnswerBytes: 30_000 });
    expect(first?.until).toBe(new Date(start + 30 * 60_000).toISOString());
    expect(hits).toHaveLength(1 + 6);
    expect((await pullCursor())?.toISOString()).toBe(first?.until);
    // the next run goes on from there
    const second = await pullOnce(t.database.db, cityId, now, { maxAnswerBytes: 30_000 });
    expect(second?.until).toBe(new Date(end).toISOString());
    // nothing small enough even for 5 minutes: the run fails, the cursor stays
    await storePullUrl(promUrl);
    await expect(pullOnce(t.database.db, cityId, now, { maxAnswerBytes: 500 })).rejects.toThrow(
      /answered more than 500 bytes/,
    );
    expect(await pullCursor()).toBeNull();
  });

  it('counts the unmapped series over the listing limit, with their samples, instead of dropping them', async () => {
    await setPolicy(['127.0.0.1'], ['127.0.0.1/32']);
    await storePullUrl(promUrl);
    const unmapped = async () => (await as(t.app, reviewer, { url: '/api/v1/monitoring/unmapped?limit=1' })).json();
    const before = await unmapped();
    // 6 metrics x 39 instances that are no resource, 61 points each (the first pull's hour, step 60 s); 100 listed
    const result = await pullOnce(t.database.db, cityId, new Date(), { maxUnmappedSeries: 100 });
    expect(result?.series).toBe(6 * 40);
    const after = await unmapped();
    expect(after.notListed.series - before.notListed.series).toBe(6 * 39 - 100);
    expect(after.notListed.samples - before.notListed.samples).toBe((6 * 39 - 100) * 61);
    expect(after.samples - before.samples).toBe(6 * 39 * 61);
  });

  it('refuses a host name that resolves to a private address', async () => {
    await setPolicy(['prom.example.gov.cn'], []);
    await storePullUrl('http://prom.example.gov.cn:9090/');
    const resolve = async () => [{ address: '10.20.30.40', family: 4 }];
    await expect(pullOnce(t.database.db, cityId, new Date(), { resolve })).rejects.toThrow(
      /resolves to 10\.20\.30\.40, which is private/,
    );
  });
});
