import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { foldJob, foldStaged } from './monitoring.fold.ts';
import { encodeWriteRequest, snappyEncode, type WireSample } from './monitoring.wire.ts';

// What ingest must get exactly right besides decoding (issue 8 audit): settings' defaults, the mapping label,
// resent requests, order within the window, unmapped series over the listing limit, the fold in small
// transactions, and a staged batch that cannot be folded.

const NOW = new Date('2026-09-28T02:40:00Z');
const HOUR = 3_600_000;
const MINUTE = 60_000;
const log = { info: () => {}, warn: () => {}, error: () => {} };

let t: TestApp;
let clock: ManualClock;
let token: string;
let reviewer: Session;

type Series = { labels: Record<string, string>; samples: WireSample[] }[];

const remoteWriteBody = (body: Uint8Array) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/monitoring/remote-write',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
    },
    payload: Buffer.from(body),
  });
const remoteWrite = (series: Series) => remoteWriteBody(snappyEncode(encodeWriteRequest(series)));

const json = (series: { resource: string; metric: string; samples: [number, number][] }[]) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/monitoring/samples',
    headers: { authorization: `Bearer ${token}` },
    payload: { series },
  });

/** The same bytes snappy-compressed differently: literals only (a valid snappy block, no back-references). */
function snappyLiteralOnly(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = input.length;
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  for (let from = 0; from < input.length; from += 65536) {
    const len = Math.min(65536, input.length - from);
    out.push(61 << 2, (len - 1) & 0xff, (len - 1) >>> 8, ...input.subarray(from, from + len));
  }
  return Uint8Array.from(out);
}

async function rollup(externalId: string, metric = 'cpu') {
  const { rows } = await sql<{ sum: number; max: number; count: number }>`
    select coalesce(sum(m.sum), 0)::float8 as sum, max(m.max) as max, coalesce(sum(m.count), 0)::int as count
    from monitoring_rollup m join resource r on r.id = m.resource_id
    where r.external_id = ${externalId} and m.metric = ${metric}`.execute(t.database.db);
  return rows[0] as { sum: number; max: number | null; count: number };
}

async function count(table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.database.db);
  return rows[0]?.n ?? 0;
}

const unmapped = async () => {
  const res = await as(t.app, reviewer, { url: '/api/v1/monitoring/unmapped?limit=500' });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    items: { series: string; reason: string; samples: number }[];
    total: number;
    samples: number;
    notListed: { series: number; samples: number };
    quarantined: { batches: number; samples: number; lastError: string | null };
  };
};

const settings = (payload: object) =>
  as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload });

beforeAll(async () => {
  clock = new ManualClock(NOW);
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
  const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
  const city = await t.database.db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', 'demo-city')
    .executeTakeFirstOrThrow();
  await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id,
      state, delivered_at)
    select ${id('demo-health')}, ${city.id}, ${id('demo-provider-a')}, 'ecs', 'g-' || i, 'g-' || i, 'active',
      ${new Date(NOW.getTime() - 60 * 24 * HOUR)}::timestamptz
    from generate_series(1, 9) i`.execute(t.database.db);
  reviewer = await login(t.app, 'reviewer');
  const provideradmin = await login(t.app, 'provideradmin');
  const created = await as(t.app, provideradmin, {
    method: 'POST',
    url: '/api/v1/api-tokens',
    payload: { name: 'prometheus', scopes: ['monitoring:ingest'], expiresInDays: 30 },
  });
  expect(created.statusCode, created.body).toBe(201);
  token = created.json().token;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('settings', () => {
  it('shows the defaults before anything was saved: 400-day retention, 120-minute window, instance_id', async () => {
    const res = await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      retentionDays: 400,
      outOfOrderMinutes: 120,
      mappingLabel: 'instance_id',
      rectificationWorkingDays: 10,
      pullUrl: null,
      thresholdOverrides: {},
    });
  });

  it('maps by the configured label: remote-write and JSON follow a change to vm_uuid, and back', async () => {
    const put = await settings({ mappingLabel: 'vm_uuid' });
    expect(put.statusCode, put.body).toBe(200);
    expect((await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' })).json().mappingLabel).toBe('vm_uuid');
    const at = NOW.getTime() - 10 * MINUTE;
    const before = await unmapped();
    const rw = await remoteWrite([
      // mapped by vm_uuid
      { labels: { __name__: 'up', vm_uuid: 'g-7', instance_id: 'elsewhere' }, samples: [{ value: 1, timestamp: at }] },
      // instance_id is no longer the mapping label: no label
      { labels: { __name__: 'up', instance_id: 'g-8' }, samples: [{ value: 1, timestamp: at }] },
    ]);
    expect(rw.statusCode, rw.body).toBe(204);
    const js = await json([
      { resource: 'g-8', metric: 'cpu', samples: [[at, 12]] },
      { resource: 'nope', metric: 'cpu', samples: [[at, 1]] },
    ]);
    expect(js.statusCode, js.body).toBe(200);
    expect(js.json()).toMatchObject({ accepted: 1, unmappedSeries: 1 });
    await foldStaged(t.database.db);
    expect(await rollup('g-7', 'heartbeat')).toMatchObject({ count: 1 });
    expect(await rollup('g-8', 'heartbeat')).toMatchObject({ count: 0 });
    expect(await rollup('g-8')).toMatchObject({ count: 1, sum: 12 });
    const after = await unmapped();
    const listed = Object.fromEntries(after.items.map((u) => [u.series, u.reason]));
    expect(listed).toMatchObject({ 'up{vm_uuid=""}': 'no_label', 'cpu{vm_uuid="nope"}': 'no_resource' });
    expect(after.total - before.total).toBe(2);

    // back to instance_id: the same request now maps g-8 and leaves the vm_uuid-only series without a label
    expect((await settings({ mappingLabel: 'instance_id' })).statusCode).toBe(200);
    const back = await remoteWrite([
      { labels: { __name__: 'up', vm_uuid: 'g-7' }, samples: [{ value: 1, timestamp: at + 1 }] },
      { labels: { __name__: 'up', instance_id: 'g-8' }, samples: [{ value: 1, timestamp: at + 1 }] },
    ]);
    expect(back.statusCode).toBe(204);
    await foldStaged(t.database.db);
    expect(await rollup('g-7', 'heartbeat')).toMatchObject({ count: 1 });
    expect(await rollup('g-8', 'heartbeat')).toMatchObject({ count: 1 });
    expect((await unmapped()).items.map((u) => u.series)).toContain('up{instance_id=""}');
  });
});

describe('resent and reordered requests', () => {
  it('counts a resent identical remote-write once, however it was compressed; the answer is the same 204', async () => {
    const at = NOW.getTime() - 20 * MINUTE;
    const request = encodeWriteRequest([
      {
        labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: 'g-1' },
        samples: [
          { value: 10, timestamp: at },
          { value: 20, timestamp: at + 15_000 },
        ],
      },
    ]);
    const first = await remoteWriteBody(snappyEncode(request));
    expect(first.statusCode, first.body).toBe(204);
    expect(first.headers['x-yunguan-duplicate']).toBeUndefined();
    // Prometheus did not get the answer and retries: the same request, here even compressed differently
    for (const body of [snappyEncode(request), snappyLiteralOnly(request)]) {
      const again = await remoteWriteBody(body);
      expect(again.statusCode).toBe(204);
      expect(again.headers['x-yunguan-duplicate']).toBe('true');
    }
    expect(await count('monitoring_staged')).toBe(1);
    await foldStaged(t.database.db);
    expect(await rollup('g-1')).toEqual({ sum: 30, max: 20, count: 2 });
    // a resend after the fold is still recognised
    clock.set(new Date(NOW.getTime() + 30 * MINUTE));
    expect((await remoteWriteBody(snappyEncode(request))).headers['x-yunguan-duplicate']).toBe('true');
    await foldStaged(t.database.db);
    expect(await rollup('g-1')).toEqual({ sum: 30, max: 20, count: 2 });
    clock.set(NOW);
  });

  it('counts a resent identical JSON batch once and answers it as the first', async () => {
    const at = NOW.getTime() - 15 * MINUTE;
    const batch = [
      {
        resource: 'g-2',
        metric: 'memory',
        samples: [
          [at, 40],
          [at + 60_000, 60],
        ] as [number, number][],
      },
    ];
    const first = await json(batch);
    expect(first.statusCode, first.body).toBe(200);
    const again = await json(batch);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['x-yunguan-duplicate']).toBe('true');
    await foldStaged(t.database.db);
    expect(await rollup('g-2', 'memory')).toEqual({ sum: 100, max: 60, count: 2 });
  });

  it('accepts samples out of order within the window, in one request and across requests', async () => {
    const newer = NOW.getTime() - 5 * MINUTE;
    const older = NOW.getTime() - 100 * MINUTE; // inside the 120-minute window
    const a = await remoteWrite([
      {
        labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: 'g-3' },
        // within one request: later first
        samples: [
          { value: 5, timestamp: newer },
          { value: 7, timestamp: newer - 60_000 },
        ],
      },
    ]);
    expect(a.statusCode, a.body).toBe(204);
    // across requests: an older sample after newer ones
    const b = await remoteWrite([
      {
        labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: 'g-3' },
        samples: [{ value: 9, timestamp: older }],
      },
    ]);
    expect(b.statusCode, b.body).toBe(204);
    const c = await json([{ resource: 'g-3', metric: 'cpu', samples: [[older - 60_000, 11]] }]);
    expect(c.statusCode, c.body).toBe(200);
    expect(c.json()).toMatchObject({ accepted: 1 });
    await foldStaged(t.database.db);
    expect(await rollup('g-3')).toEqual({ sum: 32, max: 11, count: 4 });
    // out of order = older than the window: refused whole
    const late = await remoteWrite([
      {
        labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: 'g-3' },
        samples: [{ value: 1, timestamp: NOW.getTime() - 121 * MINUTE }],
      },
    ]);
    expect(late.statusCode).toBe(400);
    expect(late.json().code).toBe('sample_out_of_window');
  });

  it('forgets a request’s digest once it could not be accepted again; a resend then is refused as out of window', async () => {
    expect(await count('monitoring_ingest_digest')).toBeGreaterThan(0);
    // the window (120 min) and the future tolerance (10 min) after the last request above
    const later = new Date(NOW.getTime() + 30 * MINUTE + 131 * MINUTE);
    await foldJob.run({ db: t.database.db, now: later, log });
    expect(await count('monitoring_ingest_digest')).toBe(0);
    clock.set(later);
    const at = NOW.getTime() - 20 * MINUTE;
    const resent = await remoteWrite([
      {
        labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: 'g-1' },
        samples: [
          { value: 10, timestamp: at },
          { value: 20, timestamp: at + 15_000 },
        ],
      },
    ]);
    expect(resent.statusCode).toBe(400);
    expect(resent.json().code).toBe('sample_out_of_window');
    clock.set(NOW);
    expect(await rollup('g-1')).toEqual({ sum: 30, max: 20, count: 2 });
  });
});

describe('the fold', () => {
  it('counts unmapped series over the listing limit instead of dropping them: the totals stay exact', async () => {
    const at = NOW.getTime() - 8 * MINUTE;
    const before = await unmapped();
    const res = await remoteWrite([
      ...Array.from({ length: 8 }, (_, i) => ({
        labels: { __name__: 'up', instance_id: `ghost-${i}` },
        samples: [
          { value: 1, timestamp: at },
          { value: 1, timestamp: at + 15_000 },
        ],
      })),
      { labels: { __name__: 'node_load1', instance_id: 'g-1' }, samples: [{ value: 0.5, timestamp: at }] },
    ]);
    expect(res.statusCode).toBe(204);
    // 9 unmapped series (8 without a resource, 1 unsupported), 17 samples; 3 may be listed
    expect(await foldStaged(t.database.db, { maxUnmappedSeries: 3 })).toMatchObject({
      batches: 1,
      unmapped: 3,
      notListed: 6,
    });
    const after = await unmapped();
    expect(after.total - before.total).toBe(3);
    expect(after.notListed.series - before.notListed.series).toBe(6);
    expect(after.samples - before.samples).toBe(17);
    const listedNow = after.items.filter((u) => !before.items.some((b) => b.series === u.series));
    expect(listedNow.reduce((n, u) => n + u.samples, 0) + after.notListed.samples - before.notListed.samples).toBe(17);
  });

  it('folds one caller’s batches staged under two mapping labels together (the same unsupported series in both)', async () => {
    const at = NOW.getTime() - 7 * MINUTE;
    const before = await unmapped();
    const load = (before.items.find((u) => u.series === 'node_load1')?.samples ?? 0) as number;
    expect(
      (
        await remoteWrite([
          { labels: { __name__: 'up', instance_id: 'g-9' }, samples: [{ value: 1, timestamp: at }] },
          { labels: { __name__: 'node_load1', instance_id: 'g-9' }, samples: [{ value: 0.1, timestamp: at }] },
        ])
      ).statusCode,
    ).toBe(204);
    expect((await settings({ mappingLabel: 'vm_uuid' })).statusCode).toBe(200);
    expect(
      (
        await remoteWrite([
          { labels: { __name__: 'up', vm_uuid: 'g-9' }, samples: [{ value: 1, timestamp: at + 1 }] },
          { labels: { __name__: 'node_load1', vm_uuid: 'g-9' }, samples: [{ value: 0.2, timestamp: at + 1 }] },
        ])
      ).statusCode,
    ).toBe(204);
    expect((await settings({ mappingLabel: 'instance_id' })).statusCode).toBe(200);
    expect(await foldStaged(t.database.db)).toMatchObject({ batches: 2, quarantined: 0 });
    expect(await rollup('g-9', 'heartbeat')).toMatchObject({ count: 2 });
    const after = await unmapped();
    expect(after.items.find((u) => u.series === 'node_load1')?.samples).toBe(load + 2);
  });

  it('folds in transactions of at most maxSamples and still gets every total exact', async () => {
    const at = NOW.getTime() - 6 * MINUTE;
    for (let r = 0; r < 5; r++) {
      const res = await remoteWrite([
        {
          labels: { __name__: 'yunguan_disk_io_bytes_per_second', instance_id: 'g-4' },
          samples: [0, 1, 2].map((i) => ({ value: 100 * r + i, timestamp: at + r * 15_000 + i })),
        },
      ]);
      expect(res.statusCode).toBe(204);
    }
    // at most 4 samples per transaction: one 3-sample batch each, five transactions
    expect(await foldStaged(t.database.db, { maxSamples: 4 })).toMatchObject({
      batches: 5,
      samples: 15,
      quarantined: 0,
    });
    expect(await count('monitoring_staged')).toBe(0);
    // sum of 100r + i over r < 5, i < 3
    expect(await rollup('g-4', 'disk_io')).toEqual({ sum: 3015, max: 402, count: 15 });
  });

  it('quarantines a staged batch it cannot read or the database refuses; the others fold', async () => {
    const at = NOW.getTime() - 4 * MINUTE;
    const send = async (key: string, value: number, ts: number) => {
      const res = await remoteWrite([
        {
          labels: { __name__: 'yunguan_network_receive_bytes_per_second', instance_id: key },
          samples: [{ value, timestamp: ts }],
        },
      ]);
      expect(res.statusCode).toBe(204);
      const { rows } = await sql<{ id: string }>`select max(id)::text as id from monitoring_staged`.execute(
        t.database.db,
      );
      return rows[0]?.id as string;
    };
    await send('g-5', 1, at);
    const unreadable = await send('g-6', 2, at);
    const refused = await send('g-7', 4, at);
    await send('g-5', 8, at + 1);
    // one batch cut short (the fold cannot read it back), one whose key now holds a NUL (PostgreSQL refuses it)
    await sql`update monitoring_staged set data = substring(data from 1 for length(data) - 2) where id = ${unreadable}::bigint`.execute(
      t.database.db,
    );
    const { rows } = await sql<{
      data: Uint8Array;
    }>`select data from monitoring_staged where id = ${refused}::bigint`.execute(t.database.db);
    const data = Buffer.from(rows[0]?.data as Uint8Array);
    data[data.indexOf('g-7') + 1] = 0;
    await sql`update monitoring_staged set data = decode(${data.toString('hex')}, 'hex') where id = ${refused}::bigint`.execute(
      t.database.db,
    );

    const folded = await foldStaged(t.database.db);
    expect(folded).toMatchObject({ batches: 2, samples: 2, quarantined: 2 });
    expect(await count('monitoring_staged')).toBe(0);
    expect(await rollup('g-5', 'network_in')).toEqual({ sum: 9, max: 8, count: 2 });
    expect(await rollup('g-6', 'network_in')).toMatchObject({ count: 0 });
    expect(await rollup('g-7', 'network_in')).toMatchObject({ count: 0 });
    const kept = await t.database.db
      .selectFrom('monitoring_staged_quarantine')
      .select(['id', 'error', 'samples'])
      .orderBy('id')
      .execute();
    expect(kept.map((k) => String(k.id))).toEqual([unreadable, refused]);
    expect(kept[0]?.error).toMatch(/staged batch/);
    expect(kept[1]?.error).toMatch(/^22021/);
    const audit = await t.database.db
      .selectFrom('audit_event')
      .select(['object_id'])
      .where('action', '=', 'monitoring.batch_quarantined')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.object_id)).toEqual([unreadable, refused]);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
    const listing = await unmapped();
    expect(listing.quarantined).toMatchObject({ batches: 2, samples: 2 });
    expect(listing.quarantined.lastError).toMatch(/^22021/);

    // the next fold has nothing to do, and new batches fold as usual
    expect(await foldStaged(t.database.db)).toMatchObject({ batches: 0, quarantined: 0 });
    await send('g-5', 16, at + 2);
    expect(await foldStaged(t.database.db)).toMatchObject({ batches: 1, quarantined: 0 });
    expect(await rollup('g-5', 'network_in')).toMatchObject({ count: 3, sum: 25 });
  });
});
