// Detection reads per-day rows kept by triggers on the hourly rollups (migrations/0140, issue 24): late samples
// folded into an hour of an old day change the findings exactly as they change the hourly rollups, retention
// drops the days with the hours, and what the triggers keep equals the days recomputed from the hourly rollups.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { foldStaged } from './monitoring.fold.ts';
import { detectionJob, retentionJob } from './monitoring.jobs.ts';

const NOW = new Date('2026-09-28T02:00:00Z');
const HOUR = 3_600_000;
const log = { info: () => {}, warn: () => {}, error: () => {} };

let t: TestApp;
let reviewer: Session;
let token: string;

/** The hour of vm-b whose inbound average is high until late samples bring it down, and vm-a's late spike. */
const B_HOUR = new Date(NOW.getTime() - 3 * 24 * HOUR - 5 * HOUR);
const A_HOUR = new Date(NOW.getTime() - 5 * 24 * HOUR - 11 * HOUR);

async function findings() {
  const rows = await t.database.db
    .selectFrom('monitoring_finding')
    .innerJoin('resource', 'resource.id', 'monitoring_finding.resource_id')
    .select(['resource.external_id', 'rule', 'evidence'])
    .where('monitoring_finding.status', 'in', ['open', 'in_rectification', 'escalated'])
    .orderBy('resource.external_id')
    .execute();
  return rows.map((r) => ({ resource: r.external_id, rule: r.rule, evidence: r.evidence as Record<string, any> }));
}

/** Both day tables as the triggers left them, then as recomputed from the hourly rollups. */
async function daysKeptAndRecomputed() {
  const read = async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select d.resource_id, d.day::text as day, d.cpu_sum, d.cpu_count::int as cpu_count, d.cpu_hours, d.cpu_max,
        d.cpu_min_avg, d.in_hours, d.in_peak, d.out_hours, d.out_peak, h.cpu_sum::text as h_sum,
        h.cpu_count::text as h_count, h.cpu_max::text as h_max, h.in_avg::text as h_in, h.out_avg::text as h_out
      from monitoring_rollup_daily d full join monitoring_rollup_day_hours h using (resource_id, day)
      order by 1, 2`.execute(t.database.db);
    return rows;
  };
  const kept = await read();
  await sql`select monitoring_rollup_daily_rebuild()`.execute(t.database.db);
  return { kept, recomputed: await read() };
}

beforeAll(async () => {
  t = await testApp({ clock: new ManualClock(NOW) });
  await seedDemo(t.database.db);
  const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
  const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
  const city = await t.database.db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', 'demo-city')
    .executeTakeFirstOrThrow();
  await sql`
    insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state,
      quantities, delivered_at)
    select ${id('demo-health')}, ${city.id}, ${id('demo-provider-a')}, 'ecs', n, n, 'active', '{"vcpu": 4}',
      ${new Date(NOW.getTime() - 60 * 24 * HOUR)}
    from unnest(array['vm-a', 'vm-b', 'vm-c']) n`.execute(t.database.db);
  // 30 days: vm-a and vm-b idle at 1% CPU with 100 B/s each way, vm-b with one hour of 600 kB/s in; vm-c busy.
  await sql`
    insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
    select r.id, m.metric, ${NOW}::timestamptz - (h + 1) * interval '1 hour', r.organisation_id, r.jurisdiction_id,
      r.provider_id, v.sum, v.max, v.count
    from resource r, generate_series(0, 719) h, (values ('cpu'), ('network_in'), ('network_out')) m(metric),
      lateral (select case
        when m.metric = 'cpu' then case when r.external_id = 'vm-c' then 40.0 else 1.0 end * 60
        when r.external_id = 'vm-b' and m.metric = 'network_in' and ${NOW}::timestamptz - (h + 1) * interval '1 hour' = ${B_HOUR}
          then 600000.0
        else 100.0 * 60 end as sum,
        case when m.metric = 'cpu' then case when r.external_id = 'vm-c' then 40.0 else 1.0 end
          when r.external_id = 'vm-b' and m.metric = 'network_in' and ${NOW}::timestamptz - (h + 1) * interval '1 hour' = ${B_HOUR}
          then 600000.0 else 100.0 end as max,
        case when r.external_id = 'vm-b' and m.metric = 'network_in' and ${NOW}::timestamptz - (h + 1) * interval '1 hour' = ${B_HOUR}
          then 1 else 60 end as count) v
    where r.external_id in ('vm-a', 'vm-b', 'vm-c')
    order by h desc, r.id`.execute(t.database.db);
  await sql`
    insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
    select id, organisation_id, jurisdiction_id, provider_id, ${new Date(NOW.getTime() - 600_000)}
    from resource where external_id in ('vm-a', 'vm-b', 'vm-c')`.execute(t.database.db);
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

describe('detection from the day rows', () => {
  it('finds what the hourly rollups hold: vm-a a zombie, vm-b under-used (its one busy hour)', async () => {
    await detectionJob.run({ db: t.database.db, now: NOW, log });
    const found = await findings();
    expect(found.map((f) => [f.resource, f.rule])).toEqual([
      ['vm-a', 'zombie'],
      ['vm-b', 'low_utilisation'],
    ]);
    const a = found[0]?.evidence;
    expect(a?.cpu).toEqual({ avg: 1, max: 1, p95: 1, hours: 720 });
    expect(a?.networkPeakBytesPerSecond).toBe(200);
    expect(a?.series.cpuDaily).toHaveLength(31);
    const { kept, recomputed } = await daysKeptAndRecomputed();
    expect(kept).toEqual(recomputed);
  });

  it('late samples folded into hours of old days change the findings as they change the hourly rollups', async () => {
    const put = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/monitoring/settings',
      payload: { outOfOrderMinutes: 10080 },
    });
    expect(put.statusCode, put.body).toBe(200);
    // vm-a: one sample of 50% CPU five days ago (no longer a zombie: its peak); vm-b: 999 samples of 0 B/s in the
    // hour whose inbound average was 600 kB/s (now 600 B/s: its network peak falls under the zombie limit)
    const late = await t.app.inject({
      method: 'POST',
      url: '/api/v1/monitoring/samples',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        series: [
          { resource: 'vm-a', metric: 'cpu', samples: [[A_HOUR.getTime() + 60_000, 50]] },
          {
            resource: 'vm-b',
            metric: 'network_in',
            samples: Array.from({ length: 999 }, (_, k) => [B_HOUR.getTime() + 1000 + k * 3000, 0]),
          },
        ],
      },
    });
    expect(late.statusCode, late.body).toBe(200);
    expect(late.json()).toMatchObject({ accepted: 1000 });
    await foldStaged(t.database.db, { now: NOW });
    await detectionJob.run({ db: t.database.db, now: NOW, log });
    const found = await findings();
    expect(found.map((f) => [f.resource, f.rule])).toEqual([
      ['vm-a', 'low_utilisation'],
      ['vm-b', 'zombie'],
    ]);
    expect(found[0]?.evidence.cpu).toMatchObject({ max: 50, hours: 720 });
    expect(found[1]?.evidence.networkPeakBytesPerSecond).toBe(700);
    const { kept, recomputed } = await daysKeptAndRecomputed();
    expect(kept).toEqual(recomputed);
  });

  it('retention drops the days with their hours: too few hours left, the findings clear', async () => {
    await as(t.app, reviewer, { method: 'PUT', url: '/api/v1/monitoring/settings', payload: { retentionDays: 7 } });
    await retentionJob.run({ db: t.database.db, now: NOW, log });
    const { rows } = await sql<{ hours: number; days: number }>`
      select (select coalesce(sum(cpu_hours), 0)::int from monitoring_rollup_daily) as hours,
        (select count(*)::int from monitoring_rollup_day_hours where day < ${'2026-09-21'}::date) as days`.execute(
      t.database.db,
    );
    expect(rows[0]).toEqual({ hours: 3 * 7 * 24, days: 0 });
    const { kept, recomputed } = await daysKeptAndRecomputed();
    expect(kept).toEqual(recomputed);
    await detectionJob.run({ db: t.database.db, now: NOW, log });
    expect(await findings()).toEqual([]);
  });
});
