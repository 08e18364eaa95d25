import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { foldStaged } from './monitoring.fold.ts';
import { detectionJob, retentionJob } from './monitoring.jobs.ts';
import { encodeWriteRequest, snappyEncode } from './monitoring.wire.ts';

const NOW = new Date('2026-09-28T02:00:00Z');
/**
 * The generated fleet: 2,000 VMs on PostgreSQL (npm run test:pg); on PGlite 400 by default, since a month of
 * hourly rollups for 2,000 VMs (1.5 million rows) takes minutes to generate in WASM. The planted resources are
 * the same (all among the first 80). MONITORING_TEST_VMS=2000 runs the full fleet on PGlite too.
 */
const VMS = Number(process.env.MONITORING_TEST_VMS ?? (process.env.TEST_DATABASE_URL ? 2000 : 400));
const HOUR = 3_600_000;
const log = { info: () => {}, warn: () => {}, error: () => {} };

let t: TestApp;
let clock: ManualClock;
let reviewer: Session;
let token: string;
let ids: Record<string, string>;

const pad = (i: number) => `vm-${String(i).padStart(4, '0')}`;
const remoteWrite = (body: Uint8Array, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/monitoring/remote-write',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
      ...headers,
    },
    payload: Buffer.from(body),
  });

/** Everything ingestion may touch, to prove a refused request changed nothing. */
async function state() {
  const { rows } = await sql<{
    r: string;
    a: string;
    u: string;
    s: number | null;
    c: string | null;
    st: string;
    d: string;
  }>`
    select (select count(*) from monitoring_rollup) as r, (select count(*) from monitoring_agent) as a,
      (select count(*) from monitoring_unmapped) as u, (select sum(sum) from monitoring_rollup) as s,
      (select sum(count) from monitoring_rollup) as c, (select count(*) from monitoring_staged) as st,
      (select count(*) from monitoring_ingest_digest) as d`.execute(t.database.db);
  return rows[0];
}

const cpuOf = async (externalId: string) =>
  (
    await sql<{ sum: number; max: number; count: number }>`select sum, max, count from monitoring_rollup r
      join resource on resource.id = r.resource_id where external_id = ${externalId} and metric = 'cpu'`.execute(
      t.database.db,
    )
  ).rows[0];

beforeAll(async () => {
  clock = new ManualClock(NOW);
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
  const city = await t.database.db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', 'demo-city')
    .executeTakeFirstOrThrow();
  ids = Object.fromEntries(orgs.map((o) => [o.code, o.id]));
  ids.city = city.id;
  // VMS virtual machines of three units, run by provider A, delivered 60 days ago; 61-70 only 10 days ago.
  await sql`
    insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state,
      quantities, delivered_at)
    select (array[${ids['demo-health']}::uuid, ${ids['demo-education']}::uuid, ${ids['demo-health-cdc']}::uuid])[1 + i % 3],
      ${ids.city}, ${ids['demo-provider-a']}, 'ecs', 'vm-' || lpad(i::text, 4, '0'), 'vm-' || lpad(i::text, 4, '0'),
      'active', '{"vcpu": 4}',
      case when i between 61 and 70 then ${new Date(NOW.getTime() - 10 * 24 * HOUR)}::timestamptz
        else ${new Date(NOW.getTime() - 60 * 24 * HOUR)}::timestamptz end
    from generate_series(1, ${VMS}) i`.execute(t.database.db);
  reviewer = await login(t.app, 'reviewer');
  const provideradmin = await login(t.app, 'provideradmin');
  const created = await as(t.app, provideradmin, {
    method: 'POST',
    url: '/api/v1/api-tokens',
    payload: { name: 'prometheus', scopes: ['monitoring:ingest'], expiresInDays: 30 },
  });
  expect(created.statusCode).toBe(201);
  token = created.json().token;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('ingest', () => {
  it('rolls remote-write samples up by resource, metric and hour; lists unmapped and unsupported series', async () => {
    const at = NOW.getTime() - 30 * 60_000;
    const body = snappyEncode(
      encodeWriteRequest([
        {
          labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: pad(100), job: 'node' },
          samples: [10, 20, 60].map((v, i) => ({ value: v, timestamp: at + i * 15_000 })),
        },
        {
          labels: { __name__: 'up', instance_id: pad(100) },
          samples: [
            { value: 1, timestamp: at },
            { value: Number.NaN, timestamp: at + 1 },
          ],
        },
        { labels: { __name__: 'up', instance_id: 'vm-9999' }, samples: [{ value: 1, timestamp: at }] },
        { labels: { __name__: 'up' }, samples: [{ value: 1, timestamp: at }] },
        { labels: { __name__: 'node_load1', instance_id: pad(100) }, samples: [{ value: 0.3, timestamp: at }] },
      ]),
    );
    const res = await remoteWrite(body);
    expect(res.statusCode, res.body).toBe(204);
    // accepted = staged in one row; the rollups change when the fold runs
    expect(await state()).toMatchObject({ r: 0n, a: 0n, u: 0n, st: 1n });
    expect(await foldStaged(t.database.db)).toMatchObject({ batches: 1, rollups: 2, agents: 1, unmapped: 3 });
    expect(await state()).toMatchObject({ st: 0n });
    const rows = await t.database.db
      .selectFrom('monitoring_rollup')
      .innerJoin('resource', 'resource.id', 'monitoring_rollup.resource_id')
      .select(['metric', 'hour', 'sum', 'max', 'count'])
      .where('resource.external_id', '=', pad(100))
      .orderBy('metric')
      .execute();
    expect(rows).toEqual([
      { metric: 'cpu', hour: new Date('2026-09-28T01:00:00Z'), sum: 90, max: 60, count: 3 },
      { metric: 'heartbeat', hour: new Date('2026-09-28T01:00:00Z'), sum: 1, max: 1, count: 1 },
    ]);
    // a second batch for the same hour adds to the rollup
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/monitoring/samples',
      headers: { authorization: `Bearer ${token}` },
      payload: { series: [{ resource: pad(100), metric: 'cpu', samples: [[at + 60_000, 90]] }] },
    });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json()).toMatchObject({ accepted: 1, rollups: 1 });
    expect(await cpuOf(pad(100))).toEqual({ sum: 90, max: 60, count: 3 });
    await foldStaged(t.database.db);
    expect(await cpuOf(pad(100))).toEqual({ sum: 180, max: 90, count: 4 });

    const unmapped = await as(t.app, reviewer, { url: '/api/v1/monitoring/unmapped' });
    expect(unmapped.statusCode).toBe(200);
    const byName = Object.fromEntries(
      unmapped.json().items.map((u: { series: string; reason: string }) => [u.series, u.reason]),
    );
    expect(byName).toEqual({
      'up{instance_id="vm-9999"}': 'no_resource',
      'up{instance_id=""}': 'no_label',
      node_load1: 'unsupported_metric',
    });
  });

  it('refuses each kind of bad payload with a clear 400 and changes nothing', async () => {
    const before = await state();
    const at = NOW.getTime() - 60_000;
    const good = encodeWriteRequest([
      { labels: { __name__: 'up', instance_id: pad(101) }, samples: [{ value: 1, timestamp: at }] },
    ]);
    const cases: [string, () => Promise<{ statusCode: number; json(): any }>, string][] = [
      ['bad snappy', () => remoteWrite(Buffer.from('definitely not snappy \x00\xff')), 'payload_malformed'],
      ['snappy, truncated', () => remoteWrite(snappyEncode(good).subarray(0, 10)), 'payload_malformed'],
      [
        'malformed protobuf',
        () => remoteWrite(snappyEncode(Buffer.from([0x0a, 0x40, 0x0a, 0x02]))),
        'payload_malformed',
      ],
      [
        'wrong wire type',
        () => remoteWrite(snappyEncode(Buffer.from([0x09, 1, 2, 3, 4, 5, 6, 7, 8]))),
        'payload_malformed',
      ],
      [
        'out of order (3 h old) with a good sample beside it',
        () =>
          remoteWrite(
            snappyEncode(
              encodeWriteRequest([
                { labels: { __name__: 'up', instance_id: pad(101) }, samples: [{ value: 1, timestamp: at }] },
                {
                  labels: { __name__: 'up', instance_id: pad(102) },
                  samples: [{ value: 1, timestamp: at - 3 * HOUR }],
                },
              ]),
            ),
          ),
        'sample_out_of_window',
      ],
      [
        'from the future',
        () =>
          remoteWrite(
            snappyEncode(
              encodeWriteRequest([
                { labels: { __name__: 'up', instance_id: pad(101) }, samples: [{ value: 1, timestamp: at + HOUR }] },
              ]),
            ),
          ),
        'sample_out_of_window',
      ],
      [
        'gzip instead of snappy',
        () => remoteWrite(snappyEncode(good), { 'content-encoding': 'gzip' }),
        'unsupported_media_type',
      ],
      [
        'JSON: unknown metric',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/api/v1/monitoring/samples',
            headers: { authorization: `Bearer ${token}` },
            payload: {
              series: [
                { resource: pad(101), metric: 'cpu', samples: [[at, 5]] },
                { resource: pad(101), metric: 'gpu', samples: [[at, 5]] },
              ],
            },
          }),
        'validation_failed',
      ],
      [
        'JSON: out of order',
        () =>
          t.app.inject({
            method: 'POST',
            url: '/api/v1/monitoring/samples',
            headers: { authorization: `Bearer ${token}` },
            payload: {
              series: [
                {
                  resource: pad(101),
                  metric: 'cpu',
                  samples: [
                    [at, 5],
                    [at - 5 * HOUR, 5],
                  ],
                },
              ],
            },
          }),
        'sample_out_of_window',
      ],
    ];
    for (const [name, send, code] of cases) {
      const res = await send();
      expect(res.statusCode, name).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, name).toBeLessThan(500);
      expect(res.json().code, name).toBe(code);
      expect(await state(), name).toEqual(before);
    }
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/monitoring/samples',
      headers: { authorization: `Bearer ${token}` },
      payload: { series: [{ resource: pad(101), metric: 'gpu', samples: [[at, 5]] }] },
    });
    expect(unknown.json().errors).toEqual([
      { field: 'body.series.0.metric', message: expect.stringContaining('unknown metric "gpu"') },
    ]);
  });

  it('needs monitoring:ingest', async () => {
    const unit = await login(t.app, 'applicant');
    const res = await as(t.app, unit, { method: 'POST', url: '/api/v1/monitoring/samples', payload: { series: [] } });
    expect(res.statusCode).toBe(403);
  });
});

// The planted resources of the 30-day data set, by the rule that must find them.
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => pad(a + i));
const PLANTED = {
  low_utilisation: [...range(1, 20), ...range(42, 50), ...range(71, 80)],
  zombie: range(21, 30),
  silent_agent: range(31, 41),
};

/** 30 days of hourly rollups: cpu for every VM, network for the low-CPU ones, agents' last samples. */
async function generate30Days(): Promise<void> {
  const to = NOW.getTime();
  await sql`
    with vm as (select id, organisation_id, jurisdiction_id, provider_id, substr(external_id, 4)::int as i from resource
      where external_id like 'vm-%' and external_id <> 'vm-9999'),
    pts as (
      select vm.*, h, ((h * 7919 + vm.i * 104729) % 1000) / 1000.0 as f, ((h * 7919 + vm.i * 104729) % 10) as d
      from vm, generate_series(0, 719) h
      where vm.i <> 41 and not (vm.i between 31 and 40 and h < 72) and not (vm.i between 61 and 70 and h >= 240))
    insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
    select id, 'cpu', ${new Date(to)}::timestamptz - (h + 1) * interval '1 hour', organisation_id, jurisdiction_id, provider_id,
      60 * v, v, 60
    from (select *, case
        when i between 1 and 20 or i between 61 and 70 then 2 + 6 * f
        when i between 21 and 30 or i between 42 and 50 then 0.5 + 2 * f
        when i between 51 and 60 then case when d = 0 then 50 else 3 end
        when i between 71 and 80 then 0.5 + 3 * f
        else 20 + 40 * f end as v from pts) p
    order by id, h desc
    on conflict do nothing`.execute(t.database.db);
  await sql`
    insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
    select id, m, ${new Date(to)}::timestamptz - (h + 1) * interval '1 hour', organisation_id, jurisdiction_id, provider_id,
      60 * v, v, 60
    from (select r.*, substr(external_id, 4)::int as i from resource r where external_id like 'vm-%' and external_id <> 'vm-9999') vm,
      generate_series(0, 719) h, (values ('network_in'), ('network_out')) as metric(m),
      lateral (select case when vm.i between 42 and 60 or vm.i between 71 and 80 then 600000.0 else 50.0 end as v) v
    where vm.i between 1 and 30 or vm.i between 42 and 80`.execute(t.database.db);
  await sql`
    insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
    select id, organisation_id, jurisdiction_id, provider_id,
      case when substr(external_id, 4)::int between 31 and 40 then ${new Date(to - 72 * HOUR)}::timestamptz
        else ${new Date(to - 30 * 60_000)}::timestamptz end
    from resource where external_id like 'vm-%' and external_id not in ('vm-0041', 'vm-9999')
    on conflict (resource_id) do nothing`.execute(t.database.db);
}

async function liveFindings() {
  const rows = await t.database.db
    .selectFrom('monitoring_finding')
    .innerJoin('resource', 'resource.id', 'monitoring_finding.resource_id')
    .select(['resource.external_id', 'rule'])
    .where('monitoring_finding.status', 'in', ['open', 'in_rectification', 'escalated'])
    .execute();
  const by: Record<string, string[]> = { low_utilisation: [], zombie: [], silent_agent: [] };
  for (const r of rows) by[r.rule]?.push(r.external_id as string);
  for (const list of Object.values(by)) list.sort();
  return by;
}

describe(`detection over a generated 30-day data set of ${VMS} VMs`, () => {
  beforeAll(async () => {
    const started = Date.now();
    await generate30Days();
    console.log(`generated 30 days x ${VMS} VMs of rollups: ${Date.now() - started} ms`);
  }, 300_000);

  it('finds exactly the planted idle, zombie and silent resources, with evidence and rule version', async () => {
    const started = Date.now();
    const [result] = (await detectionJob.run({ db: t.database.db, now: NOW, log })) as {
      resources: number;
      created: number;
    }[];
    const elapsed = Date.now() - started;
    expect(result?.resources).toBe(VMS);
    expect(await liveFindings()).toEqual(PLANTED);
    console.log(`detection over ${VMS} VMs x 30 days: ${elapsed} ms`);

    const list = await as(t.app, reviewer, { url: '/api/v1/monitoring/findings?rule=zombie&limit=500' });
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(10);
    const zombie = list.json().items[0];
    expect(zombie.ruleVersion).toBe('zombie/1');
    expect(zombie.evidence.cpu.max).toBeLessThan(3);
    expect(zombie.evidence.networkPeakBytesPerSecond).toBe(100);
    expect(zombie.evidence.series.cpuDaily).toHaveLength(31); // 30 x 24 h span 31 Shanghai days
    expect(zombie.evidence.thresholdSources.zombieMaxCpuPercent).toBe('default');
    const silent = await as(t.app, reviewer, { url: '/api/v1/monitoring/findings?rule=silent_agent&limit=500' });
    const never = silent.json().items.find((f: { resourceName: string }) => f.resourceName === 'vm-0041');
    expect(never.evidence.lastSampleAt).toBeNull();
  });

  it('is idempotent: a second run creates nothing and clears nothing', async () => {
    const before = await t.database.db
      .selectFrom('monitoring_finding')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const [again] = (await detectionJob.run({ db: t.database.db, now: NOW, log })) as {
      created: number;
      cleared: number;
      refreshed: number;
    }[];
    expect(again).toMatchObject({ created: 0, cleared: 0, refreshed: 60 });
    const after = await t.database.db
      .selectFrom('monitoring_finding')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toEqual(before.n);
  });

  it('takes a jurisdiction’s threshold override: a lower average limit drops the 2-8% idle VMs', async () => {
    const put = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/monitoring/settings',
      payload: { thresholds: { lowAvgCpuPercent: 4 } },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().thresholdSources.lowAvgCpuPercent).toBe('jurisdiction override');
    const run = await as(t.app, reviewer, { method: 'POST', url: '/api/v1/monitoring/detection-runs' });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json().cleared).toBe(20);
    expect((await liveFindings()).low_utilisation).toEqual([...range(42, 50), ...range(71, 80)]);
    const bad = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/monitoring/settings',
      payload: { thresholds: { nonsense: 1 } },
    });
    expect(bad.statusCode).toBe(400);
    await as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload: { thresholds: {} } });
    await detectionJob.run({ db: t.database.db, now: NOW, log });
    expect(await liveFindings()).toEqual(PLANTED);
  });

  it('takes the policy pack’s threshold as overridden through the policy API, and says so in each finding', async () => {
    const overrides = '/api/v1/jurisdictions/demo-city/policy/overrides';
    const approver = await login(t.app, 'approver');
    const set = await as(t.app, approver, {
      method: 'PUT',
      url: overrides,
      payload: { path: 'monitoring.lowUtilisationPercent', value: 4, reason: '本辖区低使用率阈值 4%' },
    });
    expect(set.statusCode, set.body).toBe(200);
    const source = 'policy monitoring.lowUtilisationPercent (SH 25, overridden for the jurisdiction)';
    const view = (await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' })).json();
    expect(view.thresholds.lowAvgCpuPercent).toBe(4);
    expect(view.thresholdSources.lowAvgCpuPercent).toBe(source);
    const run = await as(t.app, reviewer, { method: 'POST', url: '/api/v1/monitoring/detection-runs' });
    expect(run.statusCode, run.body).toBe(200);
    // the 2-8 % VMs (1-20) no longer count as idle; the 0.5-3.5 % ones still do
    expect(run.json().cleared).toBe(20);
    expect((await liveFindings()).low_utilisation).toEqual([...range(42, 50), ...range(71, 80)]);
    const low = await as(t.app, reviewer, {
      url: '/api/v1/monitoring/findings?rule=low_utilisation&status=open&limit=500',
    });
    expect(low.json().total).toBe(19);
    for (const f of low.json().items) {
      expect(f.evidence.thresholds.lowAvgCpuPercent).toBe(4);
      expect(f.evidence.thresholdSources.lowAvgCpuPercent).toBe(source);
      expect(f.evidence.thresholdSources.lowP95CpuPercent).toBe('default');
    }
    // the jurisdiction's own monitoring setting still comes first
    const mine = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/monitoring/settings',
      payload: { thresholds: { lowAvgCpuPercent: 10 } },
    });
    expect(mine.json().thresholdSources.lowAvgCpuPercent).toBe('jurisdiction override');
    await detectionJob.run({ db: t.database.db, now: NOW, log });
    expect(await liveFindings()).toEqual(PLANTED);
    await as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload: { thresholds: {} } });
    const removed = await as(t.app, approver, {
      method: 'DELETE',
      url: `${overrides}?path=monitoring.lowUtilisationPercent`,
    });
    expect(removed.statusCode, removed.body).toBe(200);
    const back = (await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' })).json();
    expect(back.thresholdSources.lowAvgCpuPercent).toBe('default');
    await detectionJob.run({ db: t.database.db, now: NOW, log });
    expect(await liveFindings()).toEqual(PLANTED);
    // the platform's own numbers are the pack's defaults section: a jurisdiction overrides them there too
    const platform = await as(t.app, approver, {
      method: 'PUT',
      url: overrides,
      payload: { path: 'defaults.detectionZombieMaxCpuPercent', value: 4, reason: '本市僵尸主机判定阈值' },
    });
    expect(platform.statusCode, platform.body).toBe(200);
    const fromDefaults = (await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' })).json();
    expect(fromDefaults.thresholds.zombieMaxCpuPercent).toBe(4);
    expect(fromDefaults.thresholdSources.zombieMaxCpuPercent).toBe(
      'policy defaults.detectionZombieMaxCpuPercent (overridden for the jurisdiction)',
    );
    const unset = await as(t.app, approver, {
      method: 'DELETE',
      url: `${overrides}?path=defaults.detectionZombieMaxCpuPercent`,
    });
    expect(unset.statusCode, unset.body).toBe(200);
  });

  it('reports utilisation per unit and city-wide, as JSON and as audited Excel; heat map; monthly analysis', {
    timeout: 300_000,
  }, async () => {
    let mark = Date.now();
    const lap = (what: string) => {
      console.log(`${what}: ${Date.now() - mark} ms`);
      mark = Date.now();
    };
    const week = await as(t.app, reviewer, {
      url: '/api/v1/monitoring/reports/utilisation?period=week&start=2026-09-21',
    });
    lap('weekly report');
    expect(week.statusCode, week.body).toBe(200);
    const report = week.json();
    expect(report.units).toHaveLength(3);
    expect(report.city.resources).toBe(VMS);
    expect(report.units.reduce((n: number, u: { resources: number }) => n + u.resources, 0)).toBe(VMS);
    expect(report.city.cpuAvg).toBeGreaterThan(30);
    const xlsx = await as(t.app, reviewer, {
      url: '/api/v1/monitoring/reports/utilisation?period=week&start=2026-09-21&format=xlsx',
    });
    lap('weekly xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const audit = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'monitoring.report_exported')
      .execute();
    expect(audit).toHaveLength(1);
    const heat = await as(t.app, reviewer, { url: '/api/v1/monitoring/reports/heatmap?from=2026-09-01&days=27' });
    expect(heat.json().units).toHaveLength(3);
    expect(heat.json().cells).toHaveLength(3 * 27);
    const analysis = await as(t.app, reviewer, { url: '/api/v1/monitoring/reports/analysis?month=2026-09' });
    lap('heatmap + analysis');
    expect(analysis.statusCode, analysis.body).toBe(200);
    const idle = analysis.json().suggestions.find((s: { resourceName: string }) => s.resourceName === pad(1));
    expect(idle).toMatchObject({ advice: 'downsize', suggestedVcpu: 1 });
    // a unit sees only its own resources
    const unit = await login(t.app, 'edu');
    const own = await as(t.app, unit, { url: '/api/v1/monitoring/reports/utilisation?period=week&start=2026-09-21' });
    expect(own.json().units.map((u: { organisationId: string }) => u.organisationId)).toEqual([ids['demo-education']]);
  });

  it('retention drops rollups older than the jurisdiction’s period', async () => {
    await as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload: { retentionDays: 29 } });
    const r = (await retentionJob.run({ db: t.database.db, now: NOW, log })) as { deleted: number };
    expect(r.deleted).toBeGreaterThan(0);
    const { rows } = await sql<{ oldest: Date }>`select min(hour) as oldest from monitoring_rollup`.execute(
      t.database.db,
    );
    expect(rows[0]?.oldest.getTime()).toBeGreaterThanOrEqual(NOW.getTime() - 29 * 24 * HOUR);
    await as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload: { retentionDays: 400 } });
  });
});
