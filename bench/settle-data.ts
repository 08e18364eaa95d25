import { type Kysely, sql } from 'kysely';

// Synthetic load for the settlement engine: using units, catalogue prices in two versions (one taking
// effect mid-month), resources and their lifecycle events, generated set-based inside the database
// (generate_series, multi-row INSERT ... SELECT) so generation itself is fast. Needs the demo seed
// (demo-city, demo-east, the two demo providers).

export interface LoadSize {
  units: number;
  resources: number;
  eventsPerResource: number;
  /** items per catalogue version; each has two priced dimensions, and there are two versions */
  itemsPerVersion: number;
}

export const FULL: LoadSize = { units: 500, resources: 100_000, eventsPerResource: 30, itemsPerVersion: 50 };

export async function generateLoad(db: Kysely<any>, size: LoadSize, log: (m: string) => void = () => {}) {
  const { rows: js } = await sql<{ id: string; code: string }>`select id, code from jurisdiction
    where code in ('demo-city', 'demo-east')`.execute(db);
  const city = js.find((j) => j.code === 'demo-city')?.id;
  const east = js.find((j) => j.code === 'demo-east')?.id;
  if (!city || !east) throw new Error('seed the demo first');

  // Units: every tenth in the east district (districts roll up to the city); every 25th outside the budget.
  await sql`insert into organisation (jurisdiction_id, type, code, name, outside_city_budget)
    select case when g % 10 = 0 then ${east}::uuid else ${city}::uuid end, 'using_unit',
      'bench-unit-' || lpad(g::text, 4, '0'), '压测单位' || g, g % 25 = 0
    from generate_series(1, ${size.units}) g`.execute(db);
  log(`${size.units} units`);

  // Two approved versions: from 1 September and from 16 October (a price change mid-month).
  for (const [n, from] of [
    [901, '2026-09-01'],
    [902, '2026-10-16'],
  ] as const) {
    const { rows } = await sql<{ id: string }>`insert into catalogue_version (jurisdiction_id, version_no, status,
      effective_from, created_by) values (${city}, ${n}, 'draft', ${from}, 'bench') returning id`.execute(db);
    const version = rows[0]?.id as string;
    await sql`insert into catalogue_item (version_id, code, position, name, name_en, layer, category, specification)
      select ${version}::uuid, 'bench-item-' || lpad(g::text, 3, '0'), g, '压测目录项' || g, 'bench item ' || g, 'IaaS', 'bench', '[]'
      from generate_series(0, ${size.itemsPerVersion - 1}) g`.execute(db);
    await sql`insert into catalogue_price (item_id, dimension, unit, unit_price)
      select i.id, d.dim, '元/月', round((10 + (i.position * 37 + d.k * 11 + ${n}) % 997 / 7.0)::numeric, 4)
      from catalogue_item i cross join (values ('vcpu', 1), ('memory_gb', 2)) d(dim, k)
      where i.version_id = ${version}::uuid`.execute(db);
    await sql`update catalogue_version set status = 'approved' where id = ${version}::uuid`.execute(db);
  }
  log(`${size.itemsPerVersion * 4} prices`);

  const { rows: providers } = await sql<{ id: string }>`select id from organisation
    where code in ('demo-provider-a', 'demo-provider-b') order by code`.execute(db);
  const [pa, pb] = providers.map((p) => p.id) as [string, string];
  await sql`insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, state)
    select o.id, o.jurisdiction_id, case when g % 2 = 0 then ${pa}::uuid else ${pb}::uuid end,
      'bench-item-' || lpad((g % ${size.itemsPerVersion})::text, 3, '0'), 'bench-' || g, 'active'
    from generate_series(1, ${size.resources}) g
    join organisation o on o.code = 'bench-unit-' || lpad((g % ${size.units} + 1)::text, 4, '0')`.execute(db);
  log(`${size.resources} resources`);

  // Events: delivered, then resized / suspended / resumed every ~2.5 days from 1 September into November,
  // every fifth resource reclaimed at its last event. Recorded when they occurred.
  // Loaded as a bulk load is (30,000,000 rows at BENCH_SCALE=10): the secondary indexes are dropped and built
  // again afterwards from their own definitions (one sort each instead of 30,000,000 random index inserts),
  // and each chunk runs with session_replication_role = replica, which skips the row-by-row foreign-key
  // check against resource (true by construction: every event is generated from a resource row) and the
  // federation outbox trigger (which writes nothing without an active city link). The rows are the same.
  const { rows: indexes } = await sql<{ name: string; definition: string }>`
    select indexname as name, indexdef as definition from pg_indexes
    where schemaname = current_schema() and tablename = 'resource_event' and indexname <> 'resource_event_pkey'`.execute(
    db,
  );
  for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(db);
  const chunk = 20_000;
  const last = size.eventsPerResource - 1;
  for (let from = 1; from <= size.resources; from += chunk) {
    const to = Math.min(from + chunk - 1, size.resources);
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`insert into resource_event (resource_id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code,
          kind, occurred_at, recorded_at, quantities, source, actor)
        select r.id, r.organisation_id, r.jurisdiction_id, r.provider_id, r.catalogue_item_code, x.kind, x.at, x.at, x.q, 'seed', 'bench'
        from generate_series(${from}::int, ${to}::int) n(i)
        join resource r on r.name = 'bench-' || n.i
        cross join lateral generate_series(0, ${last}) k
        cross join lateral (
          select at, kind,
            case when kind in ('suspended', 'reclaimed') then '{}'::jsonb
              else jsonb_build_object('vcpu', 1 + (n.i + k) % 16, 'memory_gb', 2 * (1 + (n.i * 7 + k) % 32)) end as q
          from (select timestamptz '2026-09-01 00:00:00+08' + (k * 216000 + (n.i::bigint * 7919) % 200000) * interval '1 second' as at,
            case when k = 0 then 'delivered' when k = ${last} and n.i % 5 = 0 then 'reclaimed'
              when k % 7 = 3 then 'suspended' when k % 7 = 4 then 'resumed' else 'resized' end as kind) y
        ) x`.execute(trx);
    });
    log(`events for resources ${from}..${to}`);
  }
  await db.transaction().execute(async (trx) => {
    await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
    for (const i of indexes) await sql.raw(i.definition).execute(trx);
  });
  log(`${indexes.length} event indexes built`);
  await sql`analyze`.execute(db);
}

/**
 * The same per-unit totals in one hand-written statement (range types instead of the engine's
 * window-and-clip, its own price lookup): the reference the engine is measured and checked against.
 */
export function referenceTotalsSql(cityId: string, month: { start: Date; end: Date; seconds: number }) {
  const s = month.start.toISOString();
  const e = month.end.toISOString();
  return sql<{ organisation_id: string; total_fen: string }>`
    with v as (
      select id, tstzrange((effective_from::text || ' 00:00:00+08')::timestamptz,
        lead((effective_from::text || ' 00:00:00+08')::timestamptz, 1, 'infinity') over (order by effective_from), '[)') as valid
      from catalogue_version where jurisdiction_id = ${cityId}::uuid and status = 'approved'
    ),
    price as (
      select i.code, p.dimension, p.unit_price, v.valid
      from v join catalogue_item i on i.version_id = v.id join catalogue_price p on p.item_id = i.id
    ),
    spans as (
      select e.organisation_id, e.resource_id, e.catalogue_item_code, e.kind, e.quantities,
        tstzrange(date_trunc('second', e.occurred_at),
          lead(date_trunc('second', e.occurred_at), 1, 'infinity') over (partition by e.resource_id order by e.occurred_at, e.id), '[)')
          * tstzrange(${s}::timestamptz, ${e}::timestamptz, '[)') as span
      from resource_event e where e.occurred_at < ${e}::timestamptz
    ),
    line as (
      select sp.organisation_id, sp.resource_id, q.key as dimension,
        sum(q.value::numeric * p.unit_price * extract(epoch from upper(sp.span * p.valid) - lower(sp.span * p.valid))) as ps
      from spans sp
      cross join lateral jsonb_each_text(sp.quantities) q
      join price p on p.code = sp.catalogue_item_code and p.dimension = q.key and p.valid && sp.span
      where sp.kind in ('delivered', 'resized', 'resumed') and not isempty(sp.span)
      group by 1, 2, 3
    )
    select l.organisation_id,
      sum(div(200 * l.ps * coalesce(c.coefficient, 1) + ${month.seconds}, ${2 * month.seconds}))::text as total_fen
    from line l
    left join efficiency_coefficient c on c.organisation_id = l.organisation_id
      and c.period = to_char(${s}::timestamptz at time zone 'Asia/Shanghai', 'YYYY-MM')
    group by l.organisation_id`;
}
