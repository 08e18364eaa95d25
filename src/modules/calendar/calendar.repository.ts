import type { Kysely } from 'kysely';
import { reusable } from '../../platform/db/reusable.ts';
import type { DB, Db } from '../../schema.ts';
import type { CalendarYearStatus, DayKind, NewCalendarDay, NewCalendarYear } from './calendar.table.ts';

export interface StoredYearDay {
  jurisdiction_id: string;
  status: CalendarYearStatus;
  source: string;
  confirmed_at: Date | null;
  updated_at: Date;
  /** null for a stored year without a single exception day */
  day: string | null;
  kind: DayKind | null;
  holiday_name: string | null;
}

/**
 * One query for a year of several jurisdictions (a jurisdiction and its ancestors): each stored year row
 * with its exception days, or one row with null day fields when the year has none.
 */
export async function loadYear(db: Db, jurisdictionIds: string[], year: number): Promise<StoredYearDay[]> {
  if (jurisdictionIds.length === 0) return [];
  const first = `${String(year).padStart(4, '0')}-01-01`;
  const last = `${String(year).padStart(4, '0')}-12-31`;
  if (jurisdictionIds.length === 1) return yearOfOne.execute(db, jurisdictionIds[0] as string, year, first, last);
  return yearQuery(db, jurisdictionIds, year, first, last).execute();
}

function yearQuery(db: Kysely<DB>, jurisdictionIds: readonly string[], year: number, first: string, last: string) {
  return db
    .selectFrom('calendar_year as y')
    .leftJoin('calendar_day as d', (join) =>
      join.onRef('d.jurisdiction_id', '=', 'y.jurisdiction_id').on('d.day', '>=', first).on('d.day', '<=', last),
    )
    .select([
      'y.jurisdiction_id',
      'y.status',
      'y.source',
      'y.confirmed_at',
      'y.updated_at',
      'd.day',
      'd.kind',
      'd.holiday_name',
    ])
    .where('y.jurisdiction_id', 'in', jurisdictionIds)
    .where('y.year', '=', year)
    .orderBy('d.day');
}

// One jurisdiction (a step's deadline): compiled once, the same text as `yearQuery` with one id.
const yearOfOne = reusable((db: Kysely<DB>, jurisdictionId: string, year: number, first: string, last: string) =>
  yearQuery(db, [jurisdictionId], year, first, last),
);

export async function findYear(db: Db, jurisdictionId: string, year: number) {
  return db
    .selectFrom('calendar_year')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('year', '=', year)
    .executeTakeFirst();
}

/** Inserts the year unless it exists; true when it was inserted. */
export async function insertYearIfAbsent(db: Db, row: NewCalendarYear): Promise<boolean> {
  const inserted = await db
    .insertInto('calendar_year')
    .values(row)
    .onConflict((oc) => oc.columns(['jurisdiction_id', 'year']).doNothing())
    .returning('year')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Writes the year row, replacing status and source if it exists. The row lock this takes serialises two
 * imports of the same year, so their day replacements never interleave.
 */
export async function upsertYear(db: Db, row: NewCalendarYear): Promise<void> {
  await db
    .insertInto('calendar_year')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['jurisdiction_id', 'year']).doUpdateSet({
        status: row.status,
        source: row.source,
        confirmed_at: row.confirmed_at ?? null,
        updated_at: row.updated_at ?? new Date(),
      }),
    )
    .execute();
}

/** Deletes a year's stored days; returns how many there were. */
export async function deleteYearDays(db: Db, jurisdictionId: string, year: number): Promise<number> {
  const result = await db
    .deleteFrom('calendar_day')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('day', '>=', `${String(year).padStart(4, '0')}-01-01`)
    .where('day', '<=', `${String(year).padStart(4, '0')}-12-31`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertDays(db: Db, rows: NewCalendarDay[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('calendar_day').values(rows).execute();
}
