import { sql } from 'kysely';
import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { detect } from './monitoring.detect.ts';
import { pgArray } from './monitoring.ingest.ts';

// Demo data only (seedDemo with `activity`). The demo's fixed "today" is 2026-11-22 10:00 Asia/Shanghai.
export const DEMO_NOW = new Date('2026-11-22T02:00:00Z');
const DAYS = 30;

/** Hourly CPU profile per demo resource: a working-day curve around `base`% with amplitude `swing`. */
const PROFILES: { name: string; base: number; swing: number; memory: number }[] = [
  { name: 'jkxx-101', base: 38, swing: 22, memory: 61 },
  { name: 'jkxx-102', base: 45, swing: 25, memory: 72 },
  { name: 'jkxx-201', base: 30, swing: 15, memory: 55 },
  { name: 'zsbm-101', base: 24, swing: 14, memory: 48 },
  // Idle: a few percent all month long -> one low-utilisation finding (rule low_utilisation/1).
  { name: 'jkxx-303', base: 4, swing: 2, memory: 12 },
];

/**
 * Small monitoring figures for a few delivered resources (5 resources x 30 days x 24 h, cpu and memory
 * rollups), agents reporting for every active resource of the demo units, then the detection rules run at the
 * demo's "today" — which finds the idle one. Idempotent: nothing when rollups exist. Returns findings opened.
 */
export async function seedDemoMonitoring(trx: Trx, actor: Actor): Promise<number> {
  const resources = await trx
    .selectFrom('resource')
    .innerJoin('organisation', 'organisation.id', 'resource.organisation_id')
    .select([
      'resource.id',
      'resource.name',
      'resource.organisation_id',
      'resource.jurisdiction_id',
      'resource.provider_id',
    ])
    .where('organisation.code', 'in', ['demo-health', 'demo-education'])
    .where('resource.state', '=', 'active')
    .execute();
  if (resources.length === 0) return 0;
  // One array parameter, not one per resource: after `seed --scale` these units have tens of thousands.
  const ids = sql`any(${pgArray(resources.map((r) => r.id))}::uuid[])`;
  const seeded = await trx
    .selectFrom('monitoring_rollup')
    .select('resource_id')
    .where(sql<boolean>`resource_id = ${ids}`)
    .limit(1)
    .execute();
  if (seeded.length > 0) return 0;

  const to = DEMO_NOW.getTime() - (DEMO_NOW.getTime() % 3600_000);
  const from = new Date(to - DAYS * 24 * 3600_000);
  for (const [i, p] of PROFILES.entries()) {
    const r = resources.find((x) => x.name === p.name);
    if (!r) continue;
    // One INSERT per resource: hours from `from` to the last full hour; the value peaks at 15:00 Shanghai time,
    // lower at weekends, with a deterministic jitter. 60 one-minute samples per hour.
    await sql`
      insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
      select ${r.id}, m.metric, h, ${r.organisation_id}, ${r.jurisdiction_id}, ${r.provider_id},
             round((v * 60)::numeric, 3), round(least(100, v * 1.3)::numeric, 3), 60
      from generate_series(${from}::timestamptz, ${new Date(to - 3600_000)}::timestamptz, interval '1 hour') as h
      cross join (values ('cpu', ${p.base}::float8, ${p.swing}::float8), ('memory', ${p.memory}::float8, 4::float8))
        as m(metric, base, swing)
      cross join lateral (
        select greatest(0.5, m.base
          + m.swing * sin((extract(hour from h at time zone 'Asia/Shanghai') - 9) * pi() / 12)
            * (case when extract(isodow from h at time zone 'Asia/Shanghai') >= 6 then 0.4 else 1 end)
          + ((extract(epoch from h)::bigint / 3600 * ${7 + i}) % 7 - 3) * m.swing / 20) as v
      ) as x`.execute(trx);
  }
  await sql`
    insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
    select id, organisation_id, jurisdiction_id, provider_id, ${new Date(DEMO_NOW.getTime() - 5 * 60_000)}
    from resource where id = ${ids}
    on conflict (resource_id) do nothing`.execute(trx);
  const result = await detect(trx, actor, resources[0]?.jurisdiction_id as string, DEMO_NOW);
  return result.created;
}
