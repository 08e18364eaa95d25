import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../schema.ts';

/**
 * `yunguan seed --scale`: `count` delivered virtual machines and database servers across the demo units,
 * each in one of its unit's information systems where the unit has any (in no project: no order reserved
 * their quota), with their `delivered` events and open spec intervals, in three set-based statements
 * (generate_series), so 100,000 take seconds. Idempotent: resources it made before (external id
 * `scale-N`) are not made again.
 */
export async function seedScaleInventory(db: Db, actor: Actor, count = 100_000): Promise<number> {
  const made = await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ n: number }>`
      with units as (
        select array_agg(id order by code) as ids, array_agg(jurisdiction_id order by code) as jids, count(*)::int as n
        from organisation where type = 'using_unit' and code like 'demo-%'
      ),
      providers as (
        select (select id from organisation where code = 'demo-provider-a') as a,
               (select id from organisation where code = 'demo-provider-b') as b
      ),
      systems as (
        select organisation_id, count(*)::int as n, array_agg(id order by name) as ids
        from information_system group by organisation_id
      ),
      made as (
        insert into resource (organisation_id, jurisdiction_id, provider_id, system_id, catalogue_item_code, zone,
          name, external_id, addresses, state, purpose, specification, quantities, delivered_at, created_at, updated_at)
        select u.ids[1 + g % u.n], u.jids[1 + g % u.n],
          case when g % 4 = 0 then p.b else p.a end,
          s.ids[1 + (g / u.n) % s.n],
          case when g % 4 = 0 then 'database-server' else 'cloud-vm' end,
          case when g % 3 = 0 then '互联网区' else '公共网络区' end,
          case when g % 4 = 0 then 'db-' else 'vm-' end || lpad(g::text, 6, '0'),
          'scale-' || g,
          jsonb_build_array('10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256),
          'active',
          case when g % 50 = 0 then 'development' else 'formal' end,
          case when g % 4 = 0
            then jsonb_build_object('engine', 'PostgreSQL 15', 'vcpu', 2 * (1 + g % 8), 'memoryGb', 8 * (1 + g % 4), 'storageGb', 100 * (1 + g % 5))
            else jsonb_build_object('vcpu', 1 + g % 16, 'memoryGb', 2 * (1 + g % 32), 'systemDiskGb', 60, 'dataDiskGb', 100 * (g % 4), 'os', '麒麟 Kylin V10')
          end,
          case when g % 4 = 0
            then jsonb_build_object('vcpu', 2 * (1 + g % 8), 'memory_gb', 8 * (1 + g % 4), 'storage_gb', 100 * (1 + g % 5))
            else jsonb_build_object('vcpu', 1 + g % 16, 'memory_gb', 2 * (1 + g % 32), 'storage_gb', 60 + 100 * (g % 4))
          end,
          timestamptz '2026-01-01 00:00+08' + (g % 300) * interval '1 day',
          timestamptz '2026-01-01 00:00+08' + (g % 300) * interval '1 day',
          timestamptz '2026-01-01 00:00+08' + (g % 300) * interval '1 day'
        from generate_series(1, ${count}::int) g cross join units u cross join providers p
          left join systems s on s.organisation_id = u.ids[1 + g % u.n]
        where u.n > 0 and p.a is not null and p.b is not null
          and not exists (select 1 from resource x where x.external_id = 'scale-' || g
            and x.provider_id = case when g % 4 = 0 then p.b else p.a end)
        returning id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, specification, quantities, delivered_at
      ),
      intervals as (
        insert into resource_spec_interval (resource_id, organisation_id, jurisdiction_id, valid_from, specification, quantities)
        select id, organisation_id, jurisdiction_id, delivered_at, specification, quantities from made
      ),
      events as (
        insert into resource_event (resource_id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code,
          kind, occurred_at, quantities, specification, source, reference, actor)
        select id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, 'delivered', delivered_at,
          quantities, specification, 'seed', 'seed --scale', 'system'
        from made
      )
      select count(*)::int as n from made`.execute(trx);
    const made = rows[0]?.n ?? 0;
    if (made > 0) {
      await writeAudit(trx, actor, {
        action: 'inventory.scale_seeded',
        objectType: 'resource',
        detail: { created: made, source: 'seed --scale' },
      });
    }
    return made;
  });
  // The planner's statistics after a bulk load (the embedded database has no autovacuum to gather them):
  // the list's plans, and whether a search goes through the trigram index, are chosen from them.
  if (made > 0) await sql`analyze resource`.execute(db);
  return made;
}
