import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Detection that scales with resources, not with resources x hours (issue 24). `monitoring_rollup_daily` keeps,
// per resource and Asia/Shanghai day, what detection needs to rule a resource out without reading its hourly
// rollups: the CPU sum, count and hours, and bounds (CPU peak, lowest hourly CPU average, each network
// direction's highest hourly average). Detection reads one row per resource and day; the few resources the
// bounds cannot rule out are then evaluated exactly from their hourly rollups by the primary key, so the
// findings are those the hourly rollups give (src/modules/monitoring/monitoring.detect.ts).
//
// The table is kept by statement-level triggers on monitoring_rollup, over the transition tables, so every
// writer keeps it in step in its own transaction (the fold, pull mode, the demo seed, federation, retention,
// tests that plant rollups):
// - inserted hours add to their day (sum, count, hours; peaks and maxima by greatest, the lowest average by
//   least);
// - updated hours (a late sample folded into an hour already rolled up) add the difference of sum and count;
//   a maximum whose hour went down is lowered to what is known (never above the truth: a lower bound), the
//   lowest average only ever goes down (never below the truth's lower bound);
// - deleted hours (retention) and updates that move a row to another key recompute their days from the hourly
//   rollups, exactly.
// sum and count are exact up to floating-point order; the max/peak columns are LOWER bounds of the day's true
// maxima (equal to them unless an update lowered an hour's average), cpu_min_avg a lower bound of its minimum.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('monitoring_rollup_daily')
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    // the Asia/Shanghai day of the hours
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('cpu_sum', 'float8', (c) => c.notNull().defaultTo(0))
    .addColumn('cpu_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cpu_hours', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cpu_max', 'float8')
    .addColumn('cpu_min_avg', 'float8')
    .addColumn('in_hours', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('in_peak', 'float8')
    .addColumn('out_hours', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('out_peak', 'float8')
    .addPrimaryKeyConstraint('monitoring_rollup_daily_pkey', ['resource_id', 'day'])
    // the current day's rows are updated at every fold: room for HOT updates
    .modifyEnd(sql`with (fillfactor = 70)`)
    .execute();
  await db.schema
    .createIndex('monitoring_rollup_daily_day_idx')
    .on('monitoring_rollup_daily')
    .columns(['jurisdiction_id', 'day'])
    .execute();
  await sql`alter table monitoring_rollup_daily enable row level security`.execute(db);
  await sql`create policy tenant_isolation on monitoring_rollup_daily to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))`.execute(
    db,
  );

  // The same days' hours, one row per resource and day: each hour's CPU sum, count and peak and each network
  // direction's average, as arrays by the hour of the day (1 = 00:00-01:00 Asia/Shanghai; null: no rollup).
  // What the few resources the bounds cannot rule out are evaluated from (the 95th percentile, the in + out
  // peak, the evidence chart): one row per day instead of one per hour, stored by day rather than scattered
  // over a month of hourly pages.
  await db.schema
    .createTable('monitoring_rollup_day_hours')
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('cpu_sum', sql`float8[]`)
    .addColumn('cpu_count', sql`float8[]`)
    .addColumn('cpu_max', sql`float8[]`)
    .addColumn('in_avg', sql`float8[]`)
    .addColumn('out_avg', sql`float8[]`)
    .addPrimaryKeyConstraint('monitoring_rollup_day_hours_pkey', ['resource_id', 'day'])
    .modifyEnd(sql`with (fillfactor = 50)`)
    .execute();
  await sql`alter table monitoring_rollup_day_hours enable row level security`.execute(db);
  await sql`create policy tenant_isolation on monitoring_rollup_day_hours to yunguan_app
    using (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))
    with check (yunguan_visible(organisation_id, jurisdiction_id) or yunguan_visible(provider_id, jurisdiction_id))`.execute(
    db,
  );
  // 24 slots from (hour of the day, value) pairs; and slots of b over those of a.
  await sql`
    create function monitoring_day_slots(hours int[], vals float8[]) returns float8[] language sql immutable as $$
      select array_agg(u.v order by g) from generate_series(1, 24) g
        left join unnest(coalesce(hours, '{}'), coalesce(vals, '{}')) u(h, v) on u.h = g
    $$`.execute(db);
  await sql`
    create function monitoring_day_merge(a float8[], b float8[]) returns float8[] language sql immutable as $$
      select case when b is null then a when a is null then b else
        (select array_agg(coalesce(y, x) order by i) from unnest(a, b) with ordinality u(x, y, i)) end
    $$`.execute(db);

  // The days of the given resources, recomputed from the hourly rollups (deleted when no hour is left).
  await sql`
    create function monitoring_rollup_daily_refresh(ids uuid[], days date[]) returns void language plpgsql as $$
    begin
      delete from monitoring_rollup_daily d using unnest(ids, days) k(resource_id, day)
        where d.resource_id = k.resource_id and d.day = k.day;
      insert into monitoring_rollup_daily (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum,
        cpu_count, cpu_hours, cpu_max, cpu_min_avg, in_hours, in_peak, out_hours, out_peak)
      select k.resource_id, k.day, (array_agg(r.organisation_id))[1], (array_agg(r.jurisdiction_id))[1],
        (array_agg(r.provider_id))[1],
        coalesce(sum(r.sum) filter (where r.metric = 'cpu'), 0), coalesce(sum(r.count) filter (where r.metric = 'cpu'), 0),
        count(*) filter (where r.metric = 'cpu'), max(r.max) filter (where r.metric = 'cpu'),
        min(r.sum / r.count) filter (where r.metric = 'cpu'),
        count(*) filter (where r.metric = 'network_in'), max(r.sum / r.count) filter (where r.metric = 'network_in'),
        count(*) filter (where r.metric = 'network_out'), max(r.sum / r.count) filter (where r.metric = 'network_out')
      from (select distinct * from unnest(ids, days)) k(resource_id, day)
      join monitoring_rollup r on r.resource_id = k.resource_id
        and r.metric in ('cpu', 'network_in', 'network_out')
        and r.hour >= (k.day::timestamp at time zone 'Asia/Shanghai')
        and r.hour < ((k.day + 1)::timestamp at time zone 'Asia/Shanghai')
      group by k.resource_id, k.day;
      delete from monitoring_rollup_day_hours d using unnest(ids, days) k(resource_id, day)
        where d.resource_id = k.resource_id and d.day = k.day;
      insert into monitoring_rollup_day_hours (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum, cpu_count,
        cpu_max, in_avg, out_avg)
      select resource_id, (hour at time zone 'Asia/Shanghai')::date, (array_agg(organisation_id))[1],
        (array_agg(jurisdiction_id))[1], (array_agg(provider_id))[1],
        monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(sum) filter (where metric = 'cpu')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(count::float8) filter (where metric = 'cpu')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(max) filter (where metric = 'cpu')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'network_in'),
          array_agg(sum / count) filter (where metric = 'network_in')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'network_out'),
          array_agg(sum / count) filter (where metric = 'network_out'))
      from (select *, extract(hour from hour at time zone 'Asia/Shanghai')::int + 1 as i from (select r.* from (select distinct * from unnest(ids, days)) k(resource_id, day)
        join monitoring_rollup r on r.resource_id = k.resource_id
          and r.hour >= (k.day::timestamp at time zone 'Asia/Shanghai')
          and r.hour < ((k.day + 1)::timestamp at time zone 'Asia/Shanghai')) x) r
      where metric in ('cpu', 'network_in', 'network_out')
      group by 1, 2;
    end $$`.execute(db);

  // Every day, recomputed (this migration's backfill; a bench that loads rollups with the triggers disabled).
  await sql`
    create function monitoring_rollup_daily_rebuild_bounds() returns void language plpgsql as $$
    begin
      delete from monitoring_rollup_daily;
      insert into monitoring_rollup_daily (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum,
        cpu_count, cpu_hours, cpu_max, cpu_min_avg, in_hours, in_peak, out_hours, out_peak)
      select resource_id, (hour at time zone 'Asia/Shanghai')::date, (array_agg(organisation_id))[1],
        (array_agg(jurisdiction_id))[1], (array_agg(provider_id))[1],
        coalesce(sum(sum) filter (where metric = 'cpu'), 0), coalesce(sum(count) filter (where metric = 'cpu'), 0),
        count(*) filter (where metric = 'cpu'), max(max) filter (where metric = 'cpu'),
        min(sum / count) filter (where metric = 'cpu'),
        count(*) filter (where metric = 'network_in'), max(sum / count) filter (where metric = 'network_in'),
        count(*) filter (where metric = 'network_out'), max(sum / count) filter (where metric = 'network_out')
      from monitoring_rollup
      where metric in ('cpu', 'network_in', 'network_out')
      group by 1, 2;
    end $$`.execute(db);
  await sql`
    create function monitoring_rollup_daily_rebuild_hours() returns void language plpgsql as $$
    begin
      delete from monitoring_rollup_day_hours;
      insert into monitoring_rollup_day_hours (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum, cpu_count,
        cpu_max, in_avg, out_avg)
      select resource_id, (hour at time zone 'Asia/Shanghai')::date, (array_agg(organisation_id))[1],
        (array_agg(jurisdiction_id))[1], (array_agg(provider_id))[1],
        -- a whole day (24 hours of the metric) in hour order as it is; the others slot by slot
        case when count(*) filter (where metric = 'cpu') = 24 then array_agg(sum order by i) filter (where metric = 'cpu')
          else monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(sum) filter (where metric = 'cpu')) end,
        case when count(*) filter (where metric = 'cpu') = 24 then array_agg(count::float8 order by i) filter (where metric = 'cpu')
          else monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'),
            array_agg(count::float8) filter (where metric = 'cpu')) end,
        case when count(*) filter (where metric = 'cpu') = 24 then array_agg(max order by i) filter (where metric = 'cpu')
          else monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(max) filter (where metric = 'cpu')) end,
        case when count(*) filter (where metric = 'network_in') = 24
          then array_agg(sum / count order by i) filter (where metric = 'network_in')
          else monitoring_day_slots(array_agg(i) filter (where metric = 'network_in'),
            array_agg(sum / count) filter (where metric = 'network_in')) end,
        case when count(*) filter (where metric = 'network_out') = 24
          then array_agg(sum / count order by i) filter (where metric = 'network_out')
          else monitoring_day_slots(array_agg(i) filter (where metric = 'network_out'),
            array_agg(sum / count) filter (where metric = 'network_out')) end
      from (select *, extract(hour from hour at time zone 'Asia/Shanghai')::int + 1 as i from monitoring_rollup) r
      where metric in ('cpu', 'network_in', 'network_out')
      group by 1, 2;
    end $$`.execute(db);
  await sql`
    create function monitoring_rollup_daily_rebuild() returns void language plpgsql as $$
    begin
      perform monitoring_rollup_daily_rebuild_bounds();
      perform monitoring_rollup_daily_rebuild_hours();
    end $$`.execute(db);

  // Inserted hours (and the rows of an upsert that inserted): added to their days.
  await sql`
    create function monitoring_rollup_daily_insert() returns trigger language plpgsql as $$
    begin
      insert into monitoring_rollup_daily as d (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum,
        cpu_count, cpu_hours, cpu_max, cpu_min_avg, in_hours, in_peak, out_hours, out_peak)
      select resource_id, (hour at time zone 'Asia/Shanghai')::date, (array_agg(organisation_id))[1],
        (array_agg(jurisdiction_id))[1], (array_agg(provider_id))[1],
        coalesce(sum(sum) filter (where metric = 'cpu'), 0), coalesce(sum(count) filter (where metric = 'cpu'), 0),
        count(*) filter (where metric = 'cpu'), max(max) filter (where metric = 'cpu'),
        min(sum / count) filter (where metric = 'cpu'),
        count(*) filter (where metric = 'network_in'), max(sum / count) filter (where metric = 'network_in'),
        count(*) filter (where metric = 'network_out'), max(sum / count) filter (where metric = 'network_out')
      from new_rows
      where metric in ('cpu', 'network_in', 'network_out')
      group by 1, 2
      on conflict (resource_id, day) do update set
        cpu_sum = d.cpu_sum + excluded.cpu_sum, cpu_count = d.cpu_count + excluded.cpu_count,
        cpu_hours = d.cpu_hours + excluded.cpu_hours, cpu_max = greatest(d.cpu_max, excluded.cpu_max),
        cpu_min_avg = least(d.cpu_min_avg, excluded.cpu_min_avg),
        in_hours = d.in_hours + excluded.in_hours, in_peak = greatest(d.in_peak, excluded.in_peak),
        out_hours = d.out_hours + excluded.out_hours, out_peak = greatest(d.out_peak, excluded.out_peak);
      return null;
    end $$`.execute(db);

  // Updated hours: the difference added; a maximum whose hour may have been its witness and went down becomes
  // the new value (a lower bound); rows moved to another key recompute their days.
  await sql`
    create function monitoring_rollup_daily_update() returns trigger language plpgsql as $$
    declare
      moved integer;
    begin
      select count(*) into moved from new_rows n
        where not exists (select 1 from old_rows o where o.resource_id = n.resource_id and o.metric = n.metric
          and o.hour = n.hour);
      if moved > 0 then
        perform monitoring_rollup_daily_refresh(array_agg(k.resource_id), array_agg(k.day))
        from (select resource_id, (hour at time zone 'Asia/Shanghai')::date as day from old_rows
          union select resource_id, (hour at time zone 'Asia/Shanghai')::date from new_rows) k;
        return null;
      end if;
      update monitoring_rollup_daily d set
        cpu_sum = d.cpu_sum + u.dsum, cpu_count = d.cpu_count + u.dcount,
        cpu_max = case when u.cpu_omax is null then d.cpu_max
          when u.cpu_omax < d.cpu_max then greatest(d.cpu_max, u.cpu_nmax) else u.cpu_nmax end,
        cpu_min_avg = least(d.cpu_min_avg, u.cpu_navg),
        in_peak = case when u.in_o is null then d.in_peak
          when u.in_o < d.in_peak then greatest(d.in_peak, u.in_n) else u.in_n end,
        out_peak = case when u.out_o is null then d.out_peak
          when u.out_o < d.out_peak then greatest(d.out_peak, u.out_n) else u.out_n end,
        organisation_id = u.organisation_id, jurisdiction_id = u.jurisdiction_id, provider_id = u.provider_id
      from (
        select n.resource_id, (n.hour at time zone 'Asia/Shanghai')::date as day,
          (array_agg(n.organisation_id))[1] as organisation_id, (array_agg(n.jurisdiction_id))[1] as jurisdiction_id,
          (array_agg(n.provider_id))[1] as provider_id,
          coalesce(sum(n.sum - o.sum) filter (where n.metric = 'cpu'), 0) as dsum,
          coalesce(sum(n.count - o.count) filter (where n.metric = 'cpu'), 0) as dcount,
          max(o.max) filter (where n.metric = 'cpu') as cpu_omax, max(n.max) filter (where n.metric = 'cpu') as cpu_nmax,
          min(n.sum / n.count) filter (where n.metric = 'cpu') as cpu_navg,
          max(o.sum / o.count) filter (where n.metric = 'network_in') as in_o,
          max(n.sum / n.count) filter (where n.metric = 'network_in') as in_n,
          max(o.sum / o.count) filter (where n.metric = 'network_out') as out_o,
          max(n.sum / n.count) filter (where n.metric = 'network_out') as out_n
        from new_rows n join old_rows o on o.resource_id = n.resource_id and o.metric = n.metric and o.hour = n.hour
        where n.metric in ('cpu', 'network_in', 'network_out')
        group by 1, 2) u
      where d.resource_id = u.resource_id and d.day = u.day;
      return null;
    end $$`.execute(db);

  // Inserted and updated hours (an upsert's new values are the hours' values): their slots in their days' rows.
  await sql`
    create function monitoring_rollup_day_hours_put() returns trigger language plpgsql as $$
    declare
      n integer;
      h timestamptz;
    begin
      select count(distinct hour) into n from new_rows where metric in ('cpu', 'network_in', 'network_out');
      if n <= 2 then
        -- the fold's case (the current hour, and the one before at an hour's turn): each hour's slot set in place
        insert into monitoring_rollup_day_hours (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum,
          cpu_count, cpu_max, in_avg, out_avg)
        select distinct on (1, 2) resource_id, (hour at time zone 'Asia/Shanghai')::date, organisation_id, jurisdiction_id,
          provider_id, e, e, e, e, e
        from new_rows, (select array_fill(null::float8, array[24]) as e) f
        where metric in ('cpu', 'network_in', 'network_out')
        on conflict (resource_id, day) do nothing;
        for h in select distinct hour from new_rows where metric in ('cpu', 'network_in', 'network_out') loop
          update monitoring_rollup_day_hours d set
            cpu_sum[u.i] = coalesce(u.s, d.cpu_sum[u.i]), cpu_count[u.i] = coalesce(u.c, d.cpu_count[u.i]),
            cpu_max[u.i] = coalesce(u.x, d.cpu_max[u.i]), in_avg[u.i] = coalesce(u.a, d.in_avg[u.i]),
            out_avg[u.i] = coalesce(u.b, d.out_avg[u.i]),
            organisation_id = u.organisation_id, jurisdiction_id = u.jurisdiction_id, provider_id = u.provider_id
          from (select resource_id, (h at time zone 'Asia/Shanghai')::date as day,
              extract(hour from h at time zone 'Asia/Shanghai')::int + 1 as i,
              (array_agg(organisation_id))[1] as organisation_id, (array_agg(jurisdiction_id))[1] as jurisdiction_id,
              (array_agg(provider_id))[1] as provider_id,
              max(sum) filter (where metric = 'cpu') as s, max(count::float8) filter (where metric = 'cpu') as c,
              max(max) filter (where metric = 'cpu') as x,
              max(sum / count) filter (where metric = 'network_in') as a,
              max(sum / count) filter (where metric = 'network_out') as b
            from new_rows where hour = h and metric in ('cpu', 'network_in', 'network_out')
            group by resource_id) u
          where d.resource_id = u.resource_id and d.day = u.day;
        end loop;
        return null;
      end if;
      insert into monitoring_rollup_day_hours as d (resource_id, day, organisation_id, jurisdiction_id, provider_id, cpu_sum, cpu_count,
        cpu_max, in_avg, out_avg)
      select resource_id, (hour at time zone 'Asia/Shanghai')::date, (array_agg(organisation_id))[1],
        (array_agg(jurisdiction_id))[1], (array_agg(provider_id))[1],
        monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(sum) filter (where metric = 'cpu')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(count::float8) filter (where metric = 'cpu')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'cpu'), array_agg(max) filter (where metric = 'cpu')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'network_in'),
          array_agg(sum / count) filter (where metric = 'network_in')),
        monitoring_day_slots(array_agg(i) filter (where metric = 'network_out'),
          array_agg(sum / count) filter (where metric = 'network_out'))
      from (select *, extract(hour from hour at time zone 'Asia/Shanghai')::int + 1 as i from new_rows) r
      where metric in ('cpu', 'network_in', 'network_out')
      group by 1, 2
      on conflict (resource_id, day) do update set
        cpu_sum = monitoring_day_merge(d.cpu_sum, excluded.cpu_sum),
        cpu_count = monitoring_day_merge(d.cpu_count, excluded.cpu_count),
        cpu_max = monitoring_day_merge(d.cpu_max, excluded.cpu_max),
        in_avg = monitoring_day_merge(d.in_avg, excluded.in_avg),
        out_avg = monitoring_day_merge(d.out_avg, excluded.out_avg),
        organisation_id = excluded.organisation_id, jurisdiction_id = excluded.jurisdiction_id,
        provider_id = excluded.provider_id;
      return null;
    end $$`.execute(db);

  // Deleted hours (retention): their days recomputed from what is left.
  await sql`
    create function monitoring_rollup_daily_delete() returns trigger language plpgsql as $$
    begin
      perform monitoring_rollup_daily_refresh(array_agg(k.resource_id), array_agg(k.day))
      from (select distinct resource_id, (hour at time zone 'Asia/Shanghai')::date as day from old_rows
        where metric in ('cpu', 'network_in', 'network_out')) k
      having count(*) > 0;
      return null;
    end $$`.execute(db);

  await sql`create trigger monitoring_rollup_daily_insert after insert on monitoring_rollup
    referencing new table as new_rows for each statement execute function monitoring_rollup_daily_insert()`.execute(db);
  await sql`create trigger monitoring_rollup_daily_update after update on monitoring_rollup
    referencing old table as old_rows new table as new_rows
    for each statement execute function monitoring_rollup_daily_update()`.execute(db);
  for (const op of ['insert', 'update']) {
    await sql
      .raw(
        `create trigger monitoring_rollup_day_hours_${op} after ${op} on monitoring_rollup
         referencing new table as new_rows for each statement execute function monitoring_rollup_day_hours_put()`,
      )
      .execute(db);
  }
  await sql`create trigger monitoring_rollup_daily_delete after delete on monitoring_rollup
    referencing old table as old_rows for each statement execute function monitoring_rollup_daily_delete()`.execute(db);
  await sql`truncate monitoring_rollup_daily`.execute(db);
  await sql`select monitoring_rollup_daily_rebuild()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
