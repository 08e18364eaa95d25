/**
 * Moments and calendar days in Asia/Shanghai, the platform's one civil time zone.
 *
 * China Standard Time is UTC+8 all year: no daylight saving since 1991, and none for any date the platform
 * deals with. So a moment's Shanghai calendar day is its UTC instant shifted by eight hours, and
 * "23:59:59.999 on day D" is one fixed instant; no time-zone database is needed.
 *
 * A calendar day is a `YYYY-MM-DD` string (the same shape the database layer gives `date` columns).
 * Day arithmetic goes through the "epoch day", the number of days since 1970-01-01.
 */

export const SHANGHAI_OFFSET = '+08:00';
const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A calendar day, `YYYY-MM-DD`. */
export type CalendarDay = string;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
// Date, 'T' (or a space), time with optional fraction, then 'Z' or an offset. The offset's sign may arrive
// as a space: an unencoded '+' in a URL query string decodes to one, and nothing else can put a space there.
const MOMENT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))$/;

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses an ISO 8601 / RFC 3339 date-time that carries its offset (`Z` or `±hh:mm`), e.g.
 * `2026-09-30T10:00:00+08:00`. A moment without an offset is ambiguous and rejected, as are impossible
 * dates and times. Returns null when the text is not such a moment.
 */
export function parseMoment(text: string): Date | null {
  const m = MOMENT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', fraction = '', z, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // Four-digit years only (Date.UTC would read 0-99 as 1900-1999).
  if (year < 100 || !validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (!z) {
    const offsetHours = Number(oh);
    const offsetMins = Number(om);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return new Date(local - offsetMinutes * 60_000);
}

/** True for a real calendar day written `YYYY-MM-DD`. */
export function isCalendarDay(text: string): boolean {
  const m = DAY.exec(text);
  return !!m && Number(m[1]) >= 100 && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` day. */
export function toEpochDay(day: CalendarDay): number {
  const m = DAY.exec(day);
  if (!m || !isCalendarDay(day)) throw new RangeError(`not a calendar day: ${day}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

export function fromEpochDay(epochDay: number): CalendarDay {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

/** The day `n` days after `day` (before it when `n` is negative). */
export function addDays(day: CalendarDay, n: number): CalendarDay {
  return fromEpochDay(toEpochDay(day) + n);
}

/**
 * The day `n` calendar months after `day` (before it when `n` is negative), on the same day of the month or
 * the month's last day when it has no such day: 2026-08-31 + 6 months = 2027-02-28.
 */
export function addMonthsToDay(day: CalendarDay, n: number): CalendarDay {
  toEpochDay(day);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + n;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const last = daysInMonth(year, month);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The moment `n` calendar months after `moment` on Shanghai's calendar: same time of day, month-end clamped. */
export function addShanghaiMonths(moment: Date, n: number): Date {
  const day = shanghaiDay(moment);
  const timeOfDay = moment.getTime() - startOfShanghaiDay(day).getTime();
  return new Date(startOfShanghaiDay(addMonthsToDay(day, n)).getTime() + timeOfDay);
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: CalendarDay, b: CalendarDay): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(day: CalendarDay): number {
  // 1970-01-01 was a Thursday (4).
  return ((((toEpochDay(day) + 3) % 7) + 7) % 7) + 1;
}

export function isWeekend(day: CalendarDay): boolean {
  return isoWeekday(day) >= 6;
}

export function yearOf(day: CalendarDay): number {
  return Number(day.slice(0, 4));
}

/** Every day of a year, 1 January first. */
export function daysOfYear(year: number): CalendarDay[] {
  const first = toEpochDay(`${String(year).padStart(4, '0')}-01-01`);
  const next = toEpochDay(`${String(year + 1).padStart(4, '0')}-01-01`);
  const days: CalendarDay[] = [];
  for (let d = first; d < next; d++) days.push(fromEpochDay(d));
  return days;
}

/** The Shanghai calendar day a moment falls on. */
export function shanghaiDay(moment: Date): CalendarDay {
  return new Date(moment.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The first moment of a Shanghai calendar day: 00:00:00.000+08:00. */
export function startOfShanghaiDay(day: CalendarDay): Date {
  return new Date(toEpochDay(day) * DAY_MS - OFFSET_MS);
}

/** The last millisecond of a Shanghai calendar day: 23:59:59.999+08:00. */
export function endOfShanghaiDay(day: CalendarDay): Date {
  return new Date((toEpochDay(day) + 1) * DAY_MS - OFFSET_MS - 1);
}

/** ISO 8601 in Shanghai time with milliseconds and the explicit offset: `2026-10-09T23:59:59.999+08:00`. */
export function formatShanghai(moment: Date): string {
  if (Number.isNaN(moment.getTime())) throw new RangeError('invalid moment');
  return `${new Date(moment.getTime() + OFFSET_MS).toISOString().slice(0, 23)}${SHANGHAI_OFFSET}`;
}
