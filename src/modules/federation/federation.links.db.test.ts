import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp, testDatabase } from '../../../test/helpers.ts';
import { as, enableTotp, login, type Session, totpCode } from '../../../test/sessions.ts';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import type { DB } from '../../schema.ts';
import { seedDemo } from '../../seed.ts';
import { seedScaleInventory } from '../inventory/index.ts';
import { effectivePolicy, jurisdictionPolicy } from '../policy/index.ts';
import { signControl } from './federation.control.ts';
import { federationPruneJob } from './federation.links.ts';
import { BATCH_MEDIA_TYPE, encodeBatch, signBatch } from './federation.protocol.ts';
import { deliver, federationWatchJob } from './federation.sender.ts';
import { identity } from './federation.service.ts';

// Managing the link between two installations (issue 22): policy baselines and catalogue versions taken into
// the district's derivation, silence findings, key rotation, retention and revocation in both directions.
// Two installations in one process, each with its own database and HTTP listener on loopback.
const log = { info: () => {}, warn: () => {}, error: () => {} };
// A Sunday in the Spring Festival holiday of 2027 (6-12 February), mid-morning in Shanghai.
const clock = new ManualClock('2027-02-07T02:00:00Z');
let cityDb: Database<DB>;
let city: TestApp;
let cityUrl: string;
let district: TestApp;
let districtUrl: string;
let citySys: Session;
let districtSys: Session;
let reviewer: Session;
let districtId: string;
const NETS = ['127.0.0.1/32'];

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

const run = () => deliver({ db: district.database.db, now: clock.now(), log });
const watch = () => federationWatchJob.run({ db: city.database.db, now: clock.now(), log });
const onCity = (s: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  as(city.app, s, { method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
const onDistrict = (s: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  as(district.app, s, { method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });

async function cityView() {
  const res = await onCity(reviewer, 'GET', '/federation/districts');
  expect(res.statusCode).toBe(200);
  return res.json().find((d: { id: string }) => d.id === districtId);
}
const cityLink = async () => (await onDistrict(districtSys, 'GET', '/federation/city')).json();

async function snapshot(db: Database<DB>) {
  const { rows } = await sql<{ n: string; h: string | null; peers: string }>`
    select (select count(*) from federation_record)::text as n,
      (select md5(string_agg(source || key || payload::text, ',' order by source, key)) from federation_record) as h,
      (select string_agg(state || applied_seq::text || coalesce(peer_public_key, ''), ',' order by id) from federation_peer) as peers`.execute(
    db.db,
  );
  return rows[0];
}

async function enrol(code = 'east') {
  const made = await onCity(citySys, 'POST', '/federation/districts', {
    name: '东城区政务云',
    districtCode: code,
    url: districtUrl,
    allowedNetworks: NETS,
    silenceMinutes: 20,
  });
  expect(made.statusCode).toBe(201);
  districtId = made.json().district.id;
  const linked = await onDistrict(districtSys, 'POST', '/federation/city', {
    url: cityUrl,
    enrolmentCode: made.json().enrolmentCode,
    districtCode: code,
    allowedNetworks: NETS,
  });
  expect(linked.statusCode).toBe(201);
}

beforeAll(async () => {
  cityDb = await testDatabase();
  city = await testApp({ database: cityDb, clock });
  district = await testApp({ clock });
  await seedDemo(city.database.db);
  await seedDemo(district.database.db);
  cityUrl = await listen(city);
  districtUrl = await listen(district);
  citySys = await login(city.app, 'sysadmin', { totp: await totpCode(await enableTotp(city.database.db, 'sysadmin')) });
  districtSys = await login(district.app, 'sysadmin', {
    totp: await totpCode(await enableTotp(district.database.db, 'sysadmin')),
  });
  reviewer = await login(city.app, 'reviewer');
  await enrol();
}, 300_000);

afterAll(async () => {
  await district?.close();
  await city?.close();
  await cityDb?.close();
});

/** A batch as the district's sender posts it: its stored text, with the batch media type. */
const postBatch = (body: string) =>
  city.app.inject({
    method: 'POST',
    url: '/api/v1/federation/batches',
    headers: { 'content-type': BATCH_MEDIA_TYPE },
    payload: body,
  });

describe('policy baselines pushed down (SH 15)', () => {
  let version: string;

  it('the city pushes its pack and its adjustment; the district takes them, keeping its own on top', async () => {
    const approver = await login(city.app, 'approver');
    // SH 22: development resources at most 15% of the quota; the city tightens it to 10%.
    const set = await onCity(approver, 'PUT', '/jurisdictions/demo-city/policy/overrides', {
      path: 'quota.developmentShareMax',
      value: '0.10',
      reason: '市政府专题会议决定开发资源从严控制',
    });
    expect(set.statusCode).toBe(200);
    // The district has an adjustment of its own (a three-working-day review), which the baseline leaves alone.
    const districtApprover = await login(district.app, 'approver');
    const own = await onDistrict(districtApprover, 'PUT', '/jurisdictions/demo-city/policy/overrides', {
      path: 'orderTypes.scale_up.steps.review.deadline',
      value: { value: 3, unit: 'working_days' },
      reason: '本区承诺三个工作日内审核',
    });
    expect(own.statusCode).toBe(200);

    const pushed = await onCity(citySys, 'POST', `/federation/districts/${districtId}/policy`, {
      jurisdictionCode: 'demo-city',
    });
    expect(pushed.statusCode).toBe(200);
    version = pushed.json().version;
    expect(version).toMatch(/^demo-city-policy-20270207-[0-9a-f]{6}$/);
    // received, not yet in force
    expect((await effectivePolicy(district.database.db, 'demo-city')).quota.developmentShareMax.value).toBe('0.15');
    const link = await cityLink();
    expect(link.policies).toEqual([
      expect.objectContaining({ version, packId: 'shanghai-2022', adjustments: 1, acceptedAt: null }),
    ]);

    const accepted = await onDistrict(districtSys, 'POST', `/federation/city/policies/${version}/accept`, {
      jurisdictionCode: 'demo-city',
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().policyVersion).toBe(version);
    const policy = await jurisdictionPolicy(district.database.db, 'demo-city');
    expect(policy.policy.quota.developmentShareMax).toMatchObject({
      value: '0.10',
      article: 'SH 22',
      overridden: true,
    });
    expect(policy.policy.orderTypes.scale_up?.steps.find((s) => s.id === 'review')?.deadline).toMatchObject({
      value: 3,
      unit: 'working_days',
    });
    expect(policy.overrides.find((o) => o.path === 'quota.developmentShareMax')?.reason).toBe(
      `市级政策基线 ${version}：市政府专题会议决定开发资源从严控制`,
    );
    // reported upwards with the next batch
    await run();
    expect((await cityView()).policy).toMatchObject({ version, packId: 'shanghai-2022', adjustments: 1 });
  });

  it('a newer baseline without the adjustment removes it; the district’s own stays', async () => {
    const approver = await login(city.app, 'approver');
    clock.advance(60_000);
    const removed = await as(city.app, approver, {
      method: 'DELETE',
      url: '/api/v1/jurisdictions/demo-city/policy/overrides?path=quota.developmentShareMax',
    });
    expect(removed.statusCode).toBe(200);
    const pushed = await onCity(citySys, 'POST', `/federation/districts/${districtId}/policy`, {
      jurisdictionCode: 'demo-city',
    });
    const next = pushed.json().version;
    expect(next).not.toBe(version);
    expect((await onDistrict(districtSys, 'POST', `/federation/city/policies/${next}/accept`, {})).statusCode).toBe(
      200,
    );
    const policy = await jurisdictionPolicy(district.database.db, 'demo-city');
    expect(policy.policy.quota.developmentShareMax.value).toBe('0.15');
    expect(policy.overrides.map((o) => o.path)).toEqual(['orderTypes.scale_up.steps.review.deadline']);
  });

  it('a baseline on a pack this installation lacks is refused on acceptance and changes nothing', async () => {
    clock.advance(60_000);
    const cityKeys = await identity(city.database.db);
    const message = signControl(
      {
        installationId: cityKeys.installationId,
        districtCode: 'east',
        createdAt: clock.now().toISOString(),
        content: {
          kind: 'policy',
          version: 'demo-city-policy-future',
          baseline: {
            jurisdictionCode: 'demo-city',
            jurisdictionName: '示范市',
            packId: 'shanghai-2030',
            packVersion: '1',
            overrides: [],
          },
        },
      },
      cityKeys.privateKey,
    );
    const received = await district.app.inject({ method: 'POST', url: '/api/v1/federation/control', payload: message });
    expect(received.statusCode).toBe(200);
    // the same message again is a replay
    const again = await district.app.inject({ method: 'POST', url: '/api/v1/federation/control', payload: message });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('federation_replayed');
    const before = await jurisdictionPolicy(district.database.db, 'demo-city');
    const res = await onDistrict(districtSys, 'POST', '/federation/city/policies/demo-city-policy-future/accept', {});
    expect(res.statusCode).toBe(409);
    expect(await jurisdictionPolicy(district.database.db, 'demo-city')).toEqual(before);
    expect((await cityLink()).policyVersion).not.toBe('demo-city-policy-future');
  });
});

describe('catalogue versions accepted become a draft of the district’s own catalogue (SH 12, 15; NB 11)', () => {
  it('accepting opens a derived draft with the city’s items and prices, edited as any draft', async () => {
    const pushed = await onCity(citySys, 'POST', `/federation/districts/${districtId}/catalogue`, {
      jurisdictionCode: 'demo-city',
    });
    expect(pushed.statusCode).toBe(200);
    const { version } = pushed.json();
    const cityCatalogue = (await city.app.inject('/api/v1/catalogue?jurisdiction=demo-city')).json();
    const reviewerHere = await login(district.app, 'reviewer');
    const before = (await onDistrict(reviewerHere, 'GET', '/catalogue/versions?jurisdiction=demo-city')).json().items;

    // the day must be ahead: one in the past is refused, naming the field, and nothing is accepted
    const past = await onDistrict(districtSys, 'POST', `/federation/city/catalogues/${version}/accept`, {
      jurisdictionCode: 'demo-city',
      effectiveFrom: '2020-01-01',
    });
    expect(past.statusCode).toBe(400);
    expect(JSON.stringify(past.json().errors)).toContain('body.effectiveFrom');
    expect((await cityLink()).catalogueVersion).toBeNull();

    const accepted = await onDistrict(districtSys, 'POST', `/federation/city/catalogues/${version}/accept`, {
      jurisdictionCode: 'demo-city',
      effectiveFrom: '2099-03-01',
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().catalogueVersion).toBe(version);
    const after = (await onDistrict(reviewerHere, 'GET', '/catalogue/versions?jurisdiction=demo-city')).json().items;
    expect(after.length).toBe(before.length + 1);
    const draft = after.find((v: { status: string }) => v.status === 'draft');
    expect(draft).toMatchObject({ effectiveFrom: '2099-03-01', note: `依据市级服务目录 ${version} 派生` });
    const full = (await onDistrict(reviewerHere, 'GET', `/catalogue/versions/${draft.id}`)).json();
    expect(full.items.map((i: { code: string }) => i.code)).toEqual(
      cityCatalogue.items.map((i: { code: string }) => i.code),
    );
    expect(full.items.map((i: { prices: unknown }) => i.prices)).toEqual(
      cityCatalogue.items.map((i: { prices: unknown }) => i.prices),
    );
    expect(full.items.every((i: { providerId: string | null }) => i.providerId === null)).toBe(true);

    // the district edits its draft as usual: a price of its own for the first item
    const first = full.items[0];
    const edited = await onDistrict(reviewerHere, 'PUT', `/catalogue/versions/${draft.id}/items/${first.code}`, {
      ...first,
      code: undefined,
      position: undefined,
      prices: first.prices.map((p: { unitPrice: string }, i: number) => (i === 0 ? { ...p, unitPrice: '0.0990' } : p)),
    });
    expect(edited.statusCode).toBe(200);
    const submitted = await onDistrict(reviewerHere, 'POST', `/catalogue/versions/${draft.id}/submit`);
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json().status).toBe('submitted');
  });
});

describe('a district silent past its limit (SH 13)', () => {
  it('becomes a finding the city’s operations unit is told about, and clears when batches resume', async () => {
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 100);
    await run();
    // 20 minutes is the limit: at 20 nothing, past it a finding
    clock.advance(20 * 60_000);
    expect(await watch()).toBe(0);
    clock.advance(1_000);
    expect(await watch()).toBe(1);
    expect(await watch()).toBe(0);
    const silent = await cityView();
    expect(silent.silentSince).toBe(clock.now().toISOString());
    expect(silent.silences[0]).toMatchObject({ silentSince: clock.now().toISOString(), resumedAt: null });
    const inbox = (await onCity(reviewer, 'GET', '/notifications')).json();
    expect(inbox.items.map((n: { title: { zh: string } }) => n.title.zh)).toContain(
      '东城区政务云已超过 20 分钟未报送数据',
    );

    clock.advance(5 * 60_000);
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 101);
    await run();
    const resumedAt = clock.now().toISOString();
    expect((await cityView()).silentSince).toBeNull();
    await watch();
    expect((await cityView()).silences[0]).toMatchObject({ resumedAt });
    const later = (await onCity(reviewer, 'GET', '/notifications')).json();
    expect(later.items.map((n: { title: { zh: string } }) => n.title.zh)).toContain('东城区政务云已恢复报送数据');
  });
});

describe('key rotation', () => {
  it('the district announces a new key signed by the old one; its open batches are signed again', async () => {
    const old = await identity(district.database.db);
    const before = (await cityView()).keyFingerprint;
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 102);
    await run();
    // as if the city's answer to the last batch had been lost: a sealed batch, signed with the old key, still open
    await sql`update federation_peer set acked_seq = acked_seq - 1`.execute(district.database.db);
    const rotated = await onDistrict(districtSys, 'POST', '/federation/city/rotate');
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().fingerprint).not.toBe(before);
    expect((await cityView()).keyFingerprint).toBe(rotated.json().fingerprint);
    // signed again with the new key, the open batch verifies at the city (which answers it was applied already)
    expect(await run()).toBe(1);
    expect(await cityLink()).toMatchObject({
      pendingChanges: 0,
      lastError: null,
      ackedSeq: (await cityView()).appliedSeq,
    });
    // a batch signed with the old key is refused and changes nothing
    const applied = (await cityView()).appliedSeq;
    const snap = await snapshot(cityDb);
    const forged = signBatch(
      {
        installationId: old.installationId,
        districtCode: 'east',
        seq: applied + 1,
        createdAt: clock.now().toISOString(),
        oldestChangeAt: clock.now().toISOString(),
        catalogueVersion: null,
      },
      [{ s: 'resource', o: 'upsert', k: 'forged', p: {} }],
      old.privateKey,
    );
    const res = await postBatch(encodeBatch(forged));
    expect(res.json().code).toBe('federation_bad_signature');
    expect(await snapshot(cityDb)).toEqual(snap);
  });

  it('the city gives the link a key of its own; the district verifies the city’s messages with it', async () => {
    const cityOld = await identity(city.database.db);
    const rotated = await onCity(citySys, 'POST', `/federation/districts/${districtId}/rotate`);
    expect(rotated.statusCode).toBe(200);
    clock.advance(1_000);
    // pushing still works: signed with the link's new key
    const pushed = await onCity(citySys, 'POST', `/federation/districts/${districtId}/policy`, {
      jurisdictionCode: 'demo-city',
    });
    expect(pushed.statusCode).toBe(200);
    // a message signed with the key it replaced is refused
    clock.advance(1_000);
    const stale = signControl(
      {
        installationId: cityOld.installationId,
        districtCode: 'east',
        createdAt: clock.now().toISOString(),
        content: { kind: 'retention', days: 1 },
      },
      cityOld.privateKey,
    );
    const res = await district.app.inject({ method: 'POST', url: '/api/v1/federation/control', payload: stale });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('federation_bad_signature');
    expect((await cityLink()).retentionDays).toBe(30);
  });
});

describe('retention', () => {
  it('the city sets it here and at the district; pruning keeps what is younger and the last applied batch', async () => {
    const set = await onCity(citySys, 'PUT', '/federation/settings', { retentionDays: 2 });
    expect(set.statusCode).toBe(200);
    expect(set.json().districts).toEqual([{ name: '东城区政务云', accepted: true, answer: null }]);
    expect((await cityLink()).retentionDays).toBe(2);
    const bad = await onCity(citySys, 'PUT', '/federation/settings', { retentionDays: 0 });
    expect(bad.statusCode).toBe(400);

    const count = async (db: Database<DB>, table: 'federation_batch' | 'federation_received') =>
      Number((await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table)}`.execute(db.db)).rows[0]?.n);
    const batches = await count(district.database, 'federation_batch');
    const received = await count(cityDb, 'federation_received');
    expect(batches).toBeGreaterThan(1);
    // two days exactly: nothing is older than the retention yet
    clock.advance(2 * 86_400_000 - 30 * 60_000);
    expect(await federationPruneJob.run({ db: district.database.db, now: clock.now(), log })).toBe(0);
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 103);
    await run();
    clock.advance(2 * 60 * 60_000);
    expect(await federationPruneJob.run({ db: district.database.db, now: clock.now(), log })).toBe(batches);
    expect(await federationPruneJob.run({ db: city.database.db, now: clock.now(), log })).toBe(received);
    expect(await count(district.database, 'federation_batch')).toBe(1);
    expect(await count(cityDb, 'federation_received')).toBe(1);
    // the last applied batch is still recognised when sent again
    const { rows } = await sql<{ body: string }>`select body from federation_batch`.execute(district.database.db);
    const replay = await postBatch(rows[0]?.body as string);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().detail).toContain('was applied already');
  });
});

describe('revocation, both directions', () => {
  it('the city revokes: the district is told, sends nothing more, and a batch on the link is refused', async () => {
    const keys = await identity(district.database.db);
    const res = await onCity(citySys, 'POST', `/federation/districts/${districtId}/revoke`, {
      reason: '该区平台迁移，旧连接停用',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ peerNotified: true, peerAnswer: null });
    expect(await cityView()).toBeUndefined(); // not in the overview any more
    const links = (await onCity(reviewer, 'GET', '/federation/links')).json();
    expect(links.find((l: { id: string }) => l.id === districtId)).toMatchObject({
      state: 'revoked',
      revokeReason: '该区平台迁移，旧连接停用',
    });
    expect(await cityLink()).toMatchObject({ state: 'revoked', revokeReason: '该区平台迁移，旧连接停用' });

    // the district's changes no longer reach its outbox, and its sender stops
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 104);
    expect(await run()).toBe(0);
    const snap = await snapshot(cityDb);
    const applied = Number(
      (await sql<{ s: string }>`select applied_seq::text as s from federation_peer`.execute(cityDb.db)).rows[0]?.s,
    );
    const batch = signBatch(
      {
        installationId: keys.installationId,
        districtCode: 'east',
        seq: applied + 1,
        createdAt: clock.now().toISOString(),
        oldestChangeAt: clock.now().toISOString(),
        catalogueVersion: null,
      },
      [{ s: 'resource', o: 'upsert', k: 'after-revocation', p: {} }],
      keys.privateKey,
    );
    const refused = await postBatch(encodeBatch(batch));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('federation_link_revoked');
    expect(refused.json().detail).toContain('该区平台迁移，旧连接停用');
    expect(await snapshot(cityDb)).toEqual(snap);
    // revoking twice is a conflict
    const twice = await onCity(citySys, 'POST', `/federation/districts/${districtId}/revoke`, { reason: '再次' });
    expect(twice.statusCode).toBe(409);
  });

  it('the district enrols again with a new code, then revokes from its side: the city stops accepting', async () => {
    await enrol();
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 105);
    expect(await run()).toBeGreaterThanOrEqual(1);
    expect((await cityView()).state).toBe('active');
    const res = await onDistrict(districtSys, 'POST', '/federation/city/revoke', { reason: '区平台停止运行' });
    expect(res.json()).toEqual({ peerNotified: true, peerAnswer: null });
    const links = (await onCity(reviewer, 'GET', '/federation/links')).json();
    expect(links.find((l: { id: string }) => l.id === districtId)).toMatchObject({
      state: 'revoked',
      revokeReason: '区平台停止运行',
    });
    const audit = await sql<{ action: string }>`
      select action from audit_event where action like 'federation.link_revoked%' order by id`.execute(cityDb.db);
    expect(audit.rows.map((r) => r.action)).toEqual(['federation.link_revoked', 'federation.link_revoked_by_peer']);
  });
});
