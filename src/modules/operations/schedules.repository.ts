import { sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import type { Db, Trx } from '../../schema.ts';
import type { ScheduleRow } from './operations.table.ts';

// The SQL of report schedules (migration 0074): owned like the reports (a provider's by the provider, the city-wide
// one by the ops unit); jurisdiction-wide roles see all of their jurisdictions.

export async function insertSchedule(
  trx: Trx,
  v: Omit<ScheduleRow, 'id' | 'active' | 'last_run_at' | 'last_report_id' | 'last_error'>,
) {
  return trx.insertInto('operations_report_schedule').values(v).returningAll().executeTakeFirstOrThrow();
}

function visibleSchedules(trx: Trx | Db, v: Visibility) {
  return trx
    .selectFrom('operations_report_schedule as s')
    .leftJoin('organisation as p', 'p.id', 's.provider_id')
    .where((eb) =>
      v.kind === 'jurisdiction'
        ? eb('s.jurisdiction_id', 'in', v.jurisdictions)
        : eb('s.organisation_id', 'in', v.organisations),
    );
}

export async function listSchedules(trx: Trx, v: Visibility) {
  return visibleSchedules(trx, v)
    .selectAll('s')
    .select('p.name as provider_name')
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .limit(200)
    .execute();
}

export async function findSchedule(trx: Trx, v: Visibility, id: string, lock = false) {
  const q = visibleSchedules(trx, v).selectAll('s').select('p.name as provider_name').where('s.id', '=', id);
  return (lock ? q.forUpdate('s') : q).executeTakeFirst();
}

export async function updateSchedule(
  trx: Trx | Db,
  id: string,
  values: Partial<
    Pick<
      ScheduleRow,
      'active' | 'recipient_roles' | 'next_run_at' | 'last_run_at' | 'last_report_id' | 'last_error' | 'updated_at'
    >
  >,
) {
  await trx.updateTable('operations_report_schedule').set(values).where('id', '=', id).execute();
}

/** Active schedules due at `now`, oldest first, locked (another instance skips them). */
export async function dueSchedules(trx: Trx, now: Date, limit: number) {
  return trx
    .selectFrom('operations_report_schedule as s')
    .innerJoin('organisation as o', 'o.id', 's.organisation_id')
    .selectAll('s')
    .select('o.type as organisation_type')
    .where('s.active', '=', true)
    .where('s.next_run_at', '<=', now)
    .orderBy('s.next_run_at')
    .orderBy('s.id')
    .limit(limit)
    .forUpdate('s')
    .skipLocked()
    .execute();
}

/** The jurisdiction and the districts under it (what the ops unit of a city sees). */
export async function jurisdictionTree(trx: Trx | Db, jurisdictionId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive tree as (
      select id from jurisdiction where id = ${jurisdictionId}
      union all
      select j.id from jurisdiction j join tree t on j.parent_id = t.id
    ) select id from tree`.execute(trx);
  return rows.map((r) => r.id);
}
