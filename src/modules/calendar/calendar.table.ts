import type { ColumnType, Insertable, Selectable } from 'kysely';

/** How a day counts: `makeup_working` is a weekend day worked instead of a holiday (调休上班). */
export type DayKind = 'working' | 'holiday' | 'makeup_working' | 'weekend';
export type CalendarYearStatus = 'confirmed' | 'provisional';

export interface CalendarYearTable {
  jurisdiction_id: string;
  year: number;
  status: CalendarYearStatus;
  /** Where the year's days came from: `chinese-days 1.5.7`, `import:csv`, `import:ics`. */
  source: string;
  confirmed_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Only the days that depart from the weekday/weekend rule are stored: holidays and make-up working days. */
export interface CalendarDayTable {
  jurisdiction_id: string;
  /** `YYYY-MM-DD` (the database layer never turns a `date` into a Date). */
  day: string;
  kind: DayKind;
  holiday_name: string | null;
}

export interface CalendarTables {
  calendar_year: CalendarYearTable;
  calendar_day: CalendarDayTable;
}

export type CalendarYearRow = Selectable<CalendarYearTable>;
export type NewCalendarYear = Insertable<CalendarYearTable>;
export type NewCalendarDay = Insertable<CalendarDayTable>;
