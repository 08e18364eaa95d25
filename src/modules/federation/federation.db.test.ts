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
import { BATCH_MEDIA_TYPE, type Batch, encodeBatch, signBatch } from './federation.protocol.ts';
import { deliver, federationWatchJob } from './federation.sender.ts';
import { identity } from './federation.service.ts';

// Two installations in one process, each with its own database and its own HTTP listener on loopback: the
// district's sender reaches the city through the egress guard exactly as between two machines.
const log = { info: () => {}, warn: () => {}, error: () => {} };
const clock = new ManualClock('2026-11-22T02:00:00Z');
let cityDb: Database<DB>;
let city: TestApp;
let cityUrl: string;
let cityPort: number;
let district: TestApp;
let districtUrl: string;
let citySys: Session;
let districtSys: Session;
let reviewer: Session;
let districtId: string;

async function listen(t: TestApp, port = 0): Promise<{ url: string; port: number }> {
  await t.app.listen({ host: '127.0.0.1', port });
  const p = (t.app.server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${p}`, port: p };
}

const run = () => deliver({ db: district.database.db, now: clock.now(), log });

async function cityView() {
  const res = await as(city.app, reviewer, { method: 'GET', url: '/api/v1/federation/districts' });
  expect(res.statusCode).toBe(200);
  return res.json()[0];
}

/** Everything the city holds of the district, as one comparable value. */
async function citySnapshot() {
  const { rows } = await sql<{ n: string; h: string | null; applied: string }>`
    select (select count(*) from federation_record)::text as n,
      (select md5(string_agg(source || key || payload::text, ',' order by source, key)) from federation_record) as h,
      (select applied_seq::text from federation_peer where direction = 'district') as applied`.execute(cityDb.db);
  return rows[0];
}

async function districtCounts() {
  const { rows } = await sql<{ resources: string; events: string; rollups: string }>`
    select (select count(*) from resource)::text as resources, (select count(*) from resource_event)::text as events,
      (select count(*) from monitoring_rollup)::text as rollups`.execute(district.database.db);
  return rows[0] as { resources: string; events: string; rollups: string };
}

beforeAll(async () => {
  cityDb = await testDatabase();
  city = await testApp({ database: cityDb, clock });
  district = await testApp({ clock });
  await seedDemo(city.database.db);
  await seedDemo(district.database.db);
  ({ url: cityUrl, port: cityPort } = await listen(city));
  ({ url: districtUrl } = await listen(district));
  citySys = await login(city.app, 'sysadmin', { totp: await totpCode(await enableTotp(city.database.db, 'sysadmin')) });
  districtSys = await login(district.app, 'sysadmin', {
    totp: await totpCode(await enableTotp(district.database.db, 'sysadmin')),
  });
  reviewer = await login(city.app, 'reviewer');
}, 300_000);

afterAll(async () => {
  await district?.close();
  await city?.close();
  await cityDb?.close();
});

describe('federation between two installations', () => {
  it('enrols a district with a one-time code: keys exchanged, the code refused a second time', async () => {
    const made = await as(city.app, citySys, {
      method: 'POST',
      url: '/api/v1/federation/districts',
      payload: { name: '东城区政务云', districtCode: 'east', url: districtUrl, allowedNetworks: ['127.0.0.1/32'] },
    });
    expect(made.statusCode).toBe(201);
    const { enrolmentCode, district: d } = made.json();
    districtId = d.id;
    expect(d.state).toBe('pending');

    const wrong = await as(district.app, districtSys, {
      method: 'POST',
      url: '/api/v1/federation/city',
      payload: {
        url: cityUrl,
        enrolmentCode: `${enrolmentCode}x`,
        districtCode: 'east',
        allowedNetworks: ['127.0.0.1/32'],
      },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('federation_enrolment_refused');

    const linked = await as(district.app, districtSys, {
      method: 'POST',
      url: '/api/v1/federation/city',
      payload: { url: cityUrl, enrolmentCode, districtCode: 'east', allowedNetworks: ['127.0.0.1/32'] },
    });
    expect(linked.statusCode).toBe(201);
    expect(linked.json().installationId).toBe((await identity(city.database.db)).installationId);
    expect((await cityView()).state).toBe('active');

    // the code was consumed: a second installation cannot use it
    const again = await city.app.inject({
      method: 'POST',
      url: '/api/v1/federation/enrol',
      payload: {
        code: enrolmentCode,
        installationId: '00000000-0000-4000-8000-000000000001',
        publicKey: (await identity(city.database.db)).publicKey,
        districtCode: 'east',
        proof: '00'.repeat(64),
      },
    });
    expect(again.statusCode).toBe(403);
  });

  it('delivers inventory and rollups written after the link; the city’s totals equal the district’s', async () => {
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 1500);
    await sql`insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
      select r.id, 'cpu', timestamptz '2026-10-01 00:00Z' + h * interval '1 hour', r.organisation_id, r.jurisdiction_id,
        r.provider_id, (h % 7) * 3.25 + 0.1, 40, 12
      from (select * from resource order by id limit 20) r cross join generate_series(0, 99) h`.execute(
      district.database.db,
    );
    expect(await run()).toBeGreaterThanOrEqual(1);
    const counts = await districtCounts();
    const view = await cityView();
    expect(view.resources).toBe(Number(counts.resources));
    expect(view.lifecycleEvents).toBe(Number(counts.events));
    expect(view.rollups).toBe(Number(counts.rollups));
    const { rows } = await sql<{ avg: string }>`
      select (sum(sum)::numeric / sum(count))::numeric(20, 4)::text as avg from monitoring_rollup where metric = 'cpu'`.execute(
      district.database.db,
    );
    expect(view.cpuAverage).toBe(rows[0]?.avg);
    const link = await as(district.app, districtSys, { method: 'GET', url: '/api/v1/federation/city' });
    expect(link.json()).toMatchObject({ pendingChanges: 0, lastError: null });
    expect(link.json().ackedSeq).toBe(view.appliedSeq);
  });

  describe('refusals change nothing', () => {
    let keys: Awaited<ReturnType<typeof identity>>;
    let next: number;
    const base = () => ({
      installationId: keys.installationId,
      districtCode: 'east',
      seq: next,
      createdAt: clock.now().toISOString(),
      oldestChangeAt: clock.now().toISOString(),
      catalogueVersion: null,
    });
    const change = { s: 'resource', o: 'upsert' as const, k: 'forged', p: { state: 'active' } };
    const post = (batch: Batch) =>
      city.app.inject({
        method: 'POST',
        url: '/api/v1/federation/batches',
        headers: { 'content-type': BATCH_MEDIA_TYPE },
        payload: encodeBatch(batch),
      });
    const signed = (changes: string) => signBatch(base(), changes, keys.privateKey);

    beforeAll(async () => {
      keys = await identity(district.database.db);
      next = Number((await citySnapshot())?.applied) + 1;
    });

    it.each([
      [
        'a bad signature',
        () => {
          const batch = signBatch(base(), [change], keys.privateKey);
          return { ...batch, header: { ...batch.header, signature: 'ab'.repeat(64) } };
        },
        403,
        'federation_bad_signature',
      ],
      [
        'content changed after signing',
        () => ({
          ...signBatch(base(), [change], keys.privateKey),
          changes: JSON.stringify([{ ...change, k: 'other' }]),
        }),
        403,
        'federation_bad_signature',
      ],
      [
        'another district’s id',
        () => signBatch({ ...base(), districtCode: 'west' }, [change], keys.privateKey),
        403,
        'federation_wrong_district',
      ],
      [
        'an unknown installation',
        () =>
          signBatch({ ...base(), installationId: '00000000-0000-4000-8000-000000000002' }, [change], keys.privateKey),
        403,
        'federation_unknown_installation',
      ],
      [
        'a replayed batch',
        () => signBatch({ ...base(), seq: 1 }, [change], keys.privateKey),
        409,
        'federation_replayed',
      ],
      ['signed changes that are not a list', () => signed('{"s": "resource"}'), 400, 'bad_request'],
      ['signed changes that are not objects', () => signed('[1, 2]'), 400, 'bad_request'],
      ['signed changes that are not JSON', () => signed('[{"s": "resource",'), 400, 'bad_request'],
      [
        'a signed change with an unknown operation',
        () => signed(JSON.stringify([change, { ...change, k: 'x', o: 'truncate' }])),
        400,
        'bad_request',
      ],
      [
        'a batch out of sequence',
        () => signBatch({ ...base(), seq: next + 1 }, [change], keys.privateKey),
        409,
        'federation_out_of_sequence',
      ],
    ])('%s', async (_name, make, status, code) => {
      const before = await citySnapshot();
      const res = await post(make() as Batch);
      expect(res.statusCode).toBe(status);
      expect(res.json().code).toBe(code);
      expect(await citySnapshot()).toEqual(before);
      if (code === 'federation_out_of_sequence') {
        expect(res.json().errors).toContainEqual({ field: 'body.seq', message: `expected ${next}` });
      }
    });

    it('the refusals show on the city’s console', async () => {
      const view = await cityView();
      expect(view.refusals.map((r: { code: string }) => r.code)).toContain('federation_wrong_district');
    });
  });

  it('a district’s sender backs off while the city is down and resumes where it stopped', async () => {
    await city.app.close();
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 1800);
    expect(await run()).toBe(0);
    let link = (await as(district.app, districtSys, { method: 'GET', url: '/api/v1/federation/city' })).json();
    expect(link.attempts).toBe(1);
    expect(link.lastError).toBeTruthy();
    const sealed = link.sealedSeq;
    // within the back-off nothing is tried
    expect(await run()).toBe(0);
    expect(
      (await as(district.app, districtSys, { method: 'GET', url: '/api/v1/federation/city' })).json().attempts,
    ).toBe(1);

    city = await testApp({ database: cityDb, clock });
    await listen(city, cityPort);
    citySys = await login(city.app, 'sysadmin', { totp: await totpCode('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 1) });
    reviewer = await login(city.app, 'reviewer');
    clock.advance(2_000);
    expect(await run()).toBeGreaterThan(0);
    link = (await as(district.app, districtSys, { method: 'GET', url: '/api/v1/federation/city' })).json();
    expect(link).toMatchObject({ attempts: 0, lastError: null, pendingChanges: 0 });
    expect(link.sealedSeq).toBeGreaterThanOrEqual(sealed);
    const view = await cityView();
    expect(view.resources).toBe(Number((await districtCounts()).resources));
    expect(view.appliedSeq).toBe(link.ackedSeq);
  });

  it('an acknowledgement lost on the way: the batch is sent again and counted once', async () => {
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 1850);
    await run();
    // as if the city's answer to the last batch had been lost: the district still thinks it open
    const { rows } = await sql<{ acked: string }>`
      update federation_peer set acked_seq = acked_seq - 1 returning acked_seq::text as acked`.execute(
      district.database.db,
    );
    const before = await citySnapshot();
    expect(await run()).toBe(1);
    expect(await citySnapshot()).toEqual(before);
    const link = (await as(district.app, districtSys, { method: 'GET', url: '/api/v1/federation/city' })).json();
    expect(link.ackedSeq).toBe(Number(rows[0]?.acked) + 1);
  });

  it('the city pushes its catalogue down; the district accepts it and reports the version it runs', async () => {
    const pushed = await as(city.app, citySys, {
      method: 'POST',
      url: `/api/v1/federation/districts/${districtId}/catalogue`,
      payload: { jurisdictionCode: 'demo-city' },
    });
    expect(pushed.statusCode).toBe(200);
    const { version } = pushed.json();
    const link = (await as(district.app, districtSys, { method: 'GET', url: '/api/v1/federation/city' })).json();
    expect(link.catalogues.map((c: { version: string }) => c.version)).toContain(version);
    const accepted = await as(district.app, districtSys, {
      method: 'POST',
      url: `/api/v1/federation/city/catalogues/${encodeURIComponent(version)}/accept`,
      // accepting opens a draft of the district's own catalogue, effective on a day still ahead
      payload: { effectiveFrom: '2099-01-01' },
    });
    expect(accepted.statusCode).toBe(200);
    await run();
    expect((await cityView()).catalogueVersion).toBe(version);
  });

  it('a district silent longer than its limit becomes a finding, cleared by its next batch', async () => {
    clock.advance(16 * 60_000);
    await federationWatchJob.run({ db: city.database.db, now: clock.now(), log });
    expect((await cityView()).silentSince).toBe(clock.now().toISOString());
    await seedScaleInventory(district.database.db, SYSTEM_ACTOR, 1851);
    await run();
    expect((await cityView()).silentSince).toBeNull();
  });

  it('a district unit sees nothing of the city’s console', async () => {
    const unit = await login(city.app, 'applicant');
    const res = await as(city.app, unit, { method: 'GET', url: '/api/v1/federation/districts' });
    expect(res.statusCode).toBe(403);
  });
});
