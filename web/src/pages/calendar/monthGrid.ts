import type { CalendarDay } from '../../api/types';

export interface MonthGrid {
  /** 1–12 */
  month: number;
  /** empty cells before the first day (the week starts on Monday) */
  leading: number;
  days: CalendarDay[];
}

/** The days of a year, month by month, as the server lists them (date YYYY-MM-DD, weekday 1 = Monday). */
export function monthGrids(days: readonly CalendarDay[]): MonthGrid[] {
  const months: MonthGrid[] = [];
  for (const day of days) {
    const month = Number(day.date.slice(5, 7));
    let grid = months[months.length - 1];
    if (!grid || grid.month !== month) {
      grid = { month, leading: day.weekday - 1, days: [] };
      months.push(grid);
    }
    grid.days.push(day);
  }
  return months;
}

/** A moment as ISO 8601 in Beijing time, for the calendar API (the picker's wall clock is read as +08:00). */
export function shanghaiIso(wallClock: string): string {
  return `${wallClock}+08:00`;
}

const SHANGHAI_FORMAT = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** An instant as YYYY-MM-DD HH:mm:ss in Asia/Shanghai, whatever the browser's zone. */
export function formatShanghai(iso: string): string {
  return SHANGHAI_FORMAT.format(new Date(iso));
}
