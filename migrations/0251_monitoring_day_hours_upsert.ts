import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The fold's hours reach their day-hours rows in one write (issue 24, ingest counted honestly). The trigger of
// migration 0140 set a fold's one or two hours in place in two steps: it inserted an empty row (five arrays of 24
// nulls) for every resource and day without one, then updated the slots of each hour, so a new day row was written
// twice (the insert, then its update: a second full row version of ~1 kB with its WAL). Now each hour is ONE
// upsert: a new row is inserted with the hour's slot already set (the arrays built as nulls || value || nulls), an
// existing one has that slot set in place, as before (`cpu_sum[i] = coalesce(new, old)`). The rows are the same
// as before, value for value; statements of more than two hours (the seed, federation, a bench's load) keep the
// merge of whole arrays unchanged.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function monitoring_rollup_day_hours_put() returns trigger language plpgsql as $$
    declare
      n integer;
      h timestamptz;
      slot integer;
      nulls_before float8[];
      nulls_after float8[];
    begin
      select count(distinct hour) into n from new_rows where metric in ('cpu', 'network_in', 'network_out');
      if n <= 2 then
        for h in select distinct hour from new_rows where metric in ('cpu', 'network_in', 'network_out') loop
          slot := extract(hour from h at time zone 'Asia/Shanghai')::int + 1;
          nulls_before := array_fill(null::float8, array[slot - 1]);
          nulls_after := array_fill(null::float8, array[24 - slot]);
          insert into monitoring_rollup_day_hours as d (resource_id, day, organisation_id, jurisdiction_id, provider_id,
            cpu_sum, cpu_count, cpu_max, in_avg, out_avg)
          select u.resource_id, (h at time zone 'Asia/Shanghai')::date, u.organisation_id, u.jurisdiction_id, u.provider_id,
            nulls_before || u.s || nulls_after, nulls_before || u.c || nulls_after, nulls_before || u.x || nulls_after,
            nulls_before || u.a || nulls_after, nulls_before || u.b || nulls_after
          from (select n.resource_id, (array_agg(n.organisation_id))[1] as organisation_id,
              (array_agg(n.jurisdiction_id))[1] as jurisdiction_id, (array_agg(n.provider_id))[1] as provider_id,
              max(n.sum) filter (where n.metric = 'cpu') as s, max(n.count::float8) filter (where n.metric = 'cpu') as c,
              max(n.max) filter (where n.metric = 'cpu') as x, max(n.sum / n.count) filter (where n.metric = 'network_in') as a,
              max(n.sum / n.count) filter (where n.metric = 'network_out') as b
            from new_rows n where n.hour = h and n.metric in ('cpu', 'network_in', 'network_out')
            group by n.resource_id) u
          on conflict (resource_id, day) do update set
            cpu_sum[slot] = coalesce(excluded.cpu_sum[slot], d.cpu_sum[slot]),
            cpu_count[slot] = coalesce(excluded.cpu_count[slot], d.cpu_count[slot]),
            cpu_max[slot] = coalesce(excluded.cpu_max[slot], d.cpu_max[slot]),
            in_avg[slot] = coalesce(excluded.in_avg[slot], d.in_avg[slot]),
            out_avg[slot] = coalesce(excluded.out_avg[slot], d.out_avg[slot]),
            organisation_id = excluded.organisation_id, jurisdiction_id = excluded.jurisdiction_id,
            provider_id = excluded.provider_id;
        end loop;
        return null;
      end if;
      -- more hours (the seed, federation, a bench's load): whole arrays merged, as migration 0140 did
      insert into monitoring_rollup_day_hours as d (resource_id, day, organisation_id, jurisdiction_id, provider_id,
        cpu_sum, cpu_count, cpu_max, in_avg, out_avg)
      select g.resource_id, g.day, g.o, g.j, g.p, monitoring_day_slots(g.ci, g.s), monitoring_day_slots(g.ci, g.c),
        monitoring_day_slots(g.ci, g.x), monitoring_day_slots(g.ii, g.a), monitoring_day_slots(g.oi, g.b)
      from (select r.resource_id, r.day, (array_agg(r.organisation_id))[1] as o, (array_agg(r.jurisdiction_id))[1] as j,
          (array_agg(r.provider_id))[1] as p,
          array_agg(r.slot) filter (where r.metric = 'cpu') as ci, array_agg(r.slot) filter (where r.metric = 'network_in') as ii,
          array_agg(r.slot) filter (where r.metric = 'network_out') as oi,
          array_agg(r.sum) filter (where r.metric = 'cpu') as s, array_agg(r.count::float8) filter (where r.metric = 'cpu') as c,
          array_agg(r.max) filter (where r.metric = 'cpu') as x,
          array_agg(r.sum / r.count) filter (where r.metric = 'network_in') as a,
          array_agg(r.sum / r.count) filter (where r.metric = 'network_out') as b
        from (select n.*, (n.hour at time zone 'Asia/Shanghai')::date as day,
            extract(hour from n.hour at time zone 'Asia/Shanghai')::int + 1 as slot
          from new_rows n where n.metric in ('cpu', 'network_in', 'network_out')) r
        group by r.resource_id, r.day) g
      on conflict (resource_id, day) do update set
        (cpu_sum, cpu_count, cpu_max, in_avg, out_avg, organisation_id, jurisdiction_id, provider_id) =
        (monitoring_day_merge(d.cpu_sum, excluded.cpu_sum), monitoring_day_merge(d.cpu_count, excluded.cpu_count),
          monitoring_day_merge(d.cpu_max, excluded.cpu_max), monitoring_day_merge(d.in_avg, excluded.in_avg),
          monitoring_day_merge(d.out_avg, excluded.out_avg), excluded.organisation_id, excluded.jurisdiction_id,
          excluded.provider_id);
      return null;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
