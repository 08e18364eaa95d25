/**
 * The working-day calendar of each jurisdiction and the deadline arithmetic built on it.
 *
 * A day is a working day by the plain rule (Monday to Friday) unless the jurisdiction's calendar for that
 * year says otherwise: statutory holidays are off, make-up working days (调休上班, a Saturday or Sunday) are
 * worked. A year's calendar is `confirmed` once loaded from the State Council's notice (the packaged data or
 * an operator's import); a year without one has the statutory holidays the national rules fix
 * (calendar.statutory.ts: 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节) but no make-up working days, and
 * every deadline or count that looked at a day of such a year is `provisional`.
 *
 * A jurisdiction without its own calendar for a year (a district, usually) uses its parent's, up to the city.
 *
 * The rules, all on Asia/Shanghai calendar days (see platform/time):
 * - N working days from moment t end at 23:59:59.999 on the N-th working day after the calendar day of t
 *   (N = 0: the end of t's own day). Whether t's own day is a working day does not matter.
 * - The working days from t1 to t2 are those strictly after t1's day up to and including t2's day, so that
 *   count(t, add(t, n).due) = n; negative when t2's day is before t1's.
 * - N calendar days from t end at 23:59:59.999 on t's day + N; they need no calendar and are never provisional.
 */
import { createHash } from 'node:crypto';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import {
  addDays,
  daysBetween,
  daysOfYear,
  endOfShanghaiDay,
  formatShanghai,
  isoWeekday,
  isWeekend,
  parseMoment,
  shanghaiDay,
  startOfShanghaiDay,
  yearOf,
} from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { defaultJurisdiction, getJurisdiction, type Jurisdiction } from '../tenancy/index.ts';
import { type ExceptionDay, type ImportFormat, parseCalendarFile, writeCalendarIcs } from './calendar.formats.ts';
import { PACKAGED_SOURCE, packagedYears } from './calendar.package.ts';
import * as repo from './calendar.repository.ts';
import { statutoryHolidays, statutorySource } from './calendar.statutory.ts';
import type { CalendarYearStatus, DayKind } from './calendar.table.ts';

export const MAX_DAYS = 366;
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2199;
/** A count of working days spans at most this many calendar days (about ten years). */
export const MAX_COUNT_SPAN = 3_660;

// ------------------------------------------------------------------------------------ jurisdictions

/** A jurisdiction and the ancestors whose calendars it falls back on, itself first. */
export interface CalendarJurisdiction {
  id: string;
  code: string;
  name: string;
  chain: { id: string; code: string }[];
}

/** A jurisdiction's code, one already resolved, or undefined for the default (the city cloud). */
export type JurisdictionRef = string | undefined | CalendarJurisdiction;

/**
 * Finds the jurisdiction (the default one, the city cloud, when no code is given) and its ancestors.
 * No such jurisdiction: `not_found` naming the field `jurisdiction`.
 */
export async function resolveJurisdiction(db: Db, code: string | undefined): Promise<CalendarJurisdiction> {
  const field = 'jurisdiction';
  let self: Jurisdiction | null;
  if (code === undefined) {
    self = await defaultJurisdiction(db);
    if (!self) {
      throw new AppError('not_found', 'there is no city jurisdiction yet / 尚未设立市级辖区', [
        { field, message: 'no default jurisdiction / 没有默认辖区' },
      ]);
    }
  } else {
    self = await findJurisdiction(db, code);
    if (!self) {
      throw new AppError('not_found', `jurisdiction "${code}" does not exist / 辖区 "${code}" 不存在`, [
        { field, message: `no jurisdiction "${code}" / 辖区不存在` },
      ]);
    }
  }
  const chain = [{ id: self.id, code: self.code }];
  let parentCode = self.parentCode;
  while (parentCode && chain.length < 10) {
    const parent = await findJurisdiction(db, parentCode);
    if (!parent) break;
    chain.push({ id: parent.id, code: parent.code });
    parentCode = parent.parentCode;
  }
  return { id: self.id, code: self.code, name: self.name, chain };
}

async function findJurisdiction(db: Db, code: string): Promise<Jurisdiction | null> {
  try {
    return await getJurisdiction(db, code);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  }
}

async function toJurisdiction(db: Db, ref: JurisdictionRef): Promise<CalendarJurisdiction> {
  return typeof ref === 'object' ? ref : resolveJurisdiction(db, ref);
}

// ---------------------------------------------------------------------------------------- the years

export interface YearCalendar {
  year: number;
  status: CalendarYearStatus;
  /** where the days came from; for a year without a notice the statutory rules' edition, or null (weekends only) */
  source: string | null;
  confirmedAt: Date | null;
  updatedAt: Date | null;
  /** the jurisdiction whose calendar this is: the asked one or an ancestor; null when nothing is stored */
  calendarOf: string | null;
  exceptions: Map<string, { kind: DayKind; name: string | null }>;
}

/** Reads a jurisdiction's years on demand, each with one query, each once. */
function calendarReader(db: Db, jurisdiction: CalendarJurisdiction) {
  const years = new Map<number, Promise<YearCalendar>>();
  const load = async (year: number): Promise<YearCalendar> => {
    const rows = await repo.loadYear(
      db,
      jurisdiction.chain.map((j) => j.id),
      year,
    );
    // The nearest jurisdiction in the chain with a stored year wins.
    const owner = jurisdiction.chain.find((j) => rows.some((r) => r.jurisdiction_id === j.id));
    const own = owner ? rows.filter((r) => r.jurisdiction_id === owner.id) : [];
    const first = own[0];
    if (!owner || !first) {
      // No notice loaded: the statutory holidays the rules fix are known, the make-up days are not.
      const statutory = statutoryHolidays(year);
      return {
        year,
        status: 'provisional',
        source: statutory ? statutorySource(statutory.edition) : null,
        confirmedAt: null,
        updatedAt: null,
        calendarOf: null,
        exceptions: new Map(statutory?.days.map((d) => [d.day, { kind: d.kind, name: d.name }])),
      };
    }
    const exceptions = new Map<string, { kind: DayKind; name: string | null }>();
    for (const r of own) if (r.day && r.kind) exceptions.set(r.day, { kind: r.kind, name: r.holiday_name });
    return {
      year,
      status: first.status,
      source: first.source,
      confirmedAt: first.confirmed_at,
      updatedAt: first.updated_at,
      calendarOf: owner.code,
      exceptions,
    };
  };
  return {
    year(year: number): Promise<YearCalendar> {
      let loaded = years.get(year);
      if (!loaded) {
        loaded = load(year);
        years.set(year, loaded);
      }
      return loaded;
    },
  };
}

function dayKind(day: string, calendar: YearCalendar): DayKind {
  return calendar.exceptions.get(day)?.kind ?? (isWeekend(day) ? 'weekend' : 'working');
}

function isWorkingDay(day: string, calendar: YearCalendar): boolean {
  const kind = dayKind(day, calendar);
  return kind === 'working' || kind === 'makeup_working';
}

// ------------------------------------------------------------------------------------------ inputs

/** Parses a moment given by a caller; `field` names it in the error. */
export function parseMomentInput(text: string, field: string): Date {
  const moment = parseMoment(text);
  if (!moment) {
    throw invalid(
      field,
      'must be an ISO 8601 date-time with an offset, e.g. 2026-09-30T10:00:00+08:00 / 应为带时区的 ISO 8601 时间',
    );
  }
  checkMoment(moment, field);
  return moment;
}

function checkMoment(moment: Date, field: string): void {
  const year = Number.isNaN(moment.getTime()) ? Number.NaN : yearOf(shanghaiDay(moment));
  if (!(year >= MIN_YEAR && year <= MAX_YEAR)) {
    throw invalid(field, `must lie in the years ${MIN_YEAR} to ${MAX_YEAR} / 年份应在 ${MIN_YEAR}-${MAX_YEAR} 之间`);
  }
}

function checkDays(n: number, field: string): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_DAYS) {
    throw invalid(field, `must be a whole number from 0 to ${MAX_DAYS} / 应为 0-${MAX_DAYS} 的整数`);
  }
}

function checkYear(year: number, field: string): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw invalid(field, `must be a year from ${MIN_YEAR} to ${MAX_YEAR} / 年份应在 ${MIN_YEAR}-${MAX_YEAR} 之间`);
  }
}

// ------------------------------------------------------------------------------------------ deadlines

export interface WorkingDaysDeadline {
  /** the moment counted from, in +08:00 */
  from: string;
  workingDays: number;
  /** 23:59:59.999+08:00 of the due day */
  due: string;
  dueDay: string;
  /** true when a day counted over lies in a year whose calendar is not confirmed (weekends only) */
  provisional: boolean;
  unconfirmedYears: number[];
  jurisdiction: string;
}

/** The deadline `n` working days after moment `from` (see the rules at the top of this file). */
export async function addWorkingDays(
  db: Db,
  jurisdiction: JurisdictionRef,
  from: Date,
  n: number,
): Promise<WorkingDaysDeadline> {
  checkMoment(from, 'from');
  checkDays(n, 'days');
  const j = await toJurisdiction(db, jurisdiction);
  const reader = calendarReader(db, j);
  const start = shanghaiDay(from);
  const unconfirmed = new Set<number>();
  let day = start;
  if (n === 0) {
    const calendar = await reader.year(yearOf(day));
    if (calendar.status !== 'confirmed') unconfirmed.add(calendar.year);
  }
  for (let counted = 0; counted < n; ) {
    day = addDays(day, 1);
    // A year could in theory be imported as all holidays; never walk on for ever.
    if (daysBetween(start, day) > MAX_COUNT_SPAN) {
      throw new AppError('conflict', `no ${n} working days within ${MAX_COUNT_SPAN} days of ${start}`);
    }
    const calendar = await reader.year(yearOf(day));
    if (calendar.status !== 'confirmed') unconfirmed.add(calendar.year);
    if (isWorkingDay(day, calendar)) counted++;
  }
  const years = [...unconfirmed].sort((a, b) => a - b);
  return {
    from: formatShanghai(from),
    workingDays: n,
    due: formatShanghai(endOfShanghaiDay(day)),
    dueDay: day,
    provisional: years.length > 0,
    unconfirmedYears: years,
    jurisdiction: j.code,
  };
}

export interface WorkingDaysCount {
  from: string;
  to: string;
  fromDay: string;
  toDay: string;
  /** working days after `fromDay` up to and including `toDay`; negative when `toDay` is earlier */
  workingDays: number;
  provisional: boolean;
  unconfirmedYears: number[];
  jurisdiction: string;
}

/** Working days strictly after the calendar day of `from` up to and including the calendar day of `to`. */
export async function countWorkingDays(
  db: Db,
  jurisdiction: JurisdictionRef,
  from: Date,
  to: Date,
): Promise<WorkingDaysCount> {
  checkMoment(from, 'from');
  checkMoment(to, 'to');
  const fromDay = shanghaiDay(from);
  const toDay = shanghaiDay(to);
  const span = daysBetween(fromDay, toDay);
  if (Math.abs(span) > MAX_COUNT_SPAN) {
    throw invalid('to', `must be within ${MAX_COUNT_SPAN} days of from / 与起点相差不能超过 ${MAX_COUNT_SPAN} 天`);
  }
  const j = await toJurisdiction(db, jurisdiction);
  const reader = calendarReader(db, j);
  const [low, high] = span >= 0 ? [fromDay, toDay] : [toDay, fromDay];
  const unconfirmed = new Set<number>();
  const last = await reader.year(yearOf(high));
  if (last.status !== 'confirmed') unconfirmed.add(last.year);
  let count = 0;
  for (let day = addDays(low, 1); day <= high; day = addDays(day, 1)) {
    const calendar = await reader.year(yearOf(day));
    if (calendar.status !== 'confirmed') unconfirmed.add(calendar.year);
    if (isWorkingDay(day, calendar)) count++;
  }
  const years = [...unconfirmed].sort((a, b) => a - b);
  return {
    from: formatShanghai(from),
    to: formatShanghai(to),
    fromDay,
    toDay,
    workingDays: span >= 0 ? count : -count,
    provisional: years.length > 0,
    unconfirmedYears: years,
    jurisdiction: j.code,
  };
}

/** Service hours of a working day, in minutes after Shanghai midnight: [startMinute, endMinute). */
export interface WorkingHours {
  startMinute: number;
  endMinute: number;
}

export interface WorkingTimeDeadline {
  /** the moment the working time runs out */
  due: Date;
  dueDay: string;
  provisional: boolean;
  unconfirmedYears: number[];
}

/**
 * The moment `minutes` of working time after `from` (issue 18: a resolution target in working hours): only the
 * service hours of working days count (holidays off, make-up working days worked). Counting starts at `from` if it
 * falls inside a working day's hours, else at the next start of service hours; 0 minutes gives that start.
 */
export async function addWorkingTime(
  db: Db,
  jurisdiction: JurisdictionRef,
  from: Date,
  minutes: number,
  hours: WorkingHours,
): Promise<WorkingTimeDeadline> {
  checkMoment(from, 'from');
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_DAYS * 24 * 60) {
    throw invalid('minutes', `must be a whole number from 0 to ${MAX_DAYS * 24 * 60} / 分钟数超出范围`);
  }
  const { startMinute, endMinute } = hours;
  if (!(Number.isInteger(startMinute) && Number.isInteger(endMinute) && 0 <= startMinute && startMinute < endMinute))
    throw invalid('hours', 'service hours must start before they end / 服务时段无效');
  if (endMinute > 24 * 60) throw invalid('hours', 'service hours end by midnight / 服务时段须在当日内');
  const j = await toJurisdiction(db, jurisdiction);
  const reader = calendarReader(db, j);
  const unconfirmed = new Set<number>();
  const start = shanghaiDay(from);
  let left = minutes * 60_000;
  for (let day = start; ; day = addDays(day, 1)) {
    if (daysBetween(start, day) > MAX_COUNT_SPAN) {
      throw new AppError('conflict', `no ${minutes} working minutes within ${MAX_COUNT_SPAN} days of ${start}`);
    }
    const calendar = await reader.year(yearOf(day));
    if (calendar.status !== 'confirmed') unconfirmed.add(calendar.year);
    if (!isWorkingDay(day, calendar)) continue;
    const midnight = startOfShanghaiDay(day).getTime();
    const open = Math.max(midnight + startMinute * 60_000, from.getTime());
    const close = midnight + endMinute * 60_000;
    if (open >= close) continue;
    if (open + left <= close) {
      const years = [...unconfirmed].sort((a, b) => a - b);
      return { due: new Date(open + left), dueDay: day, provisional: years.length > 0, unconfirmedYears: years };
    }
    left -= close - open;
  }
}

export interface CalendarDaysDeadline {
  from: string;
  calendarDays: number;
  due: string;
  dueDay: string;
  /** always false: calendar days do not depend on any year's holidays */
  provisional: false;
}

/** The end of the `n`-th calendar day after `from`'s day (trial periods and other calendar-day terms). */
export function addCalendarDays(from: Date, n: number): CalendarDaysDeadline {
  checkMoment(from, 'from');
  checkDays(n, 'days');
  const day = addDays(shanghaiDay(from), n);
  return {
    from: formatShanghai(from),
    calendarDays: n,
    due: formatShanghai(endOfShanghaiDay(day)),
    dueDay: day,
    provisional: false,
  };
}

// ---------------------------------------------------------------------------------------- a year's list

export interface CalendarDay {
  date: string;
  /** ISO weekday, 1 = Monday ... 7 = Sunday */
  weekday: number;
  kind: DayKind;
  holidayName: string | null;
}

export interface CalendarYear {
  jurisdiction: string;
  year: number;
  status: CalendarYearStatus;
  source: string | null;
  confirmedAt: string | null;
  updatedAt: string | null;
  /** whose calendar this is: the jurisdiction itself, an ancestor it falls back on, or null (weekends only) */
  calendarOf: string | null;
  workingDayCount: number;
  days: CalendarDay[];
}

async function yearCalendar(db: Db, jurisdiction: JurisdictionRef, year: number) {
  checkYear(year, 'year');
  const j = await toJurisdiction(db, jurisdiction);
  return { j, calendar: await calendarReader(db, j).year(year) };
}

/** Every day of the year with its kind and holiday name, and whether the year is confirmed. */
export async function listYear(db: Db, jurisdiction: JurisdictionRef, year: number): Promise<CalendarYear> {
  const { j, calendar } = await yearCalendar(db, jurisdiction, year);
  const days = daysOfYear(year).map((date) => ({
    date,
    weekday: isoWeekday(date),
    kind: dayKind(date, calendar),
    holidayName: calendar.exceptions.get(date)?.name ?? null,
  }));
  return {
    jurisdiction: j.code,
    year,
    status: calendar.status,
    source: calendar.source,
    confirmedAt: calendar.confirmedAt?.toISOString() ?? null,
    updatedAt: calendar.updatedAt?.toISOString() ?? null,
    calendarOf: calendar.calendarOf,
    workingDayCount: days.filter((d) => d.kind === 'working' || d.kind === 'makeup_working').length,
    days,
  };
}

/** The year's holidays and make-up working days as iCalendar (RFC 5545). */
export async function exportYearIcs(db: Db, jurisdiction: JurisdictionRef, year: number): Promise<string> {
  const { j, calendar } = await yearCalendar(db, jurisdiction, year);
  const days: ExceptionDay[] = [];
  for (const [day, e] of [...calendar.exceptions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Rows that only restate the plain rule are not events.
    if (e.kind === 'holiday' || (e.kind === 'makeup_working' && isWeekend(day))) {
      days.push({ day, kind: e.kind, name: e.name });
    }
  }
  return writeCalendarIcs({
    jurisdictionCode: j.code,
    jurisdictionName: j.name,
    year,
    status: calendar.status,
    stamp: calendar.updatedAt ?? new Date(Date.UTC(year, 0, 1)),
    days,
  });
}

// -------------------------------------------------------------------------------- loading and import

function counts(days: ExceptionDay[]) {
  return {
    holidays: days.filter((d) => d.kind === 'holiday').length,
    makeupWorkingDays: days.filter((d) => d.kind === 'makeup_working').length,
  };
}

/**
 * Gives a jurisdiction every year the packaged data (chinese-days) knows, as confirmed years, leaving any
 * year it already has alone. One audit entry per year loaded. Returns the number of years loaded.
 * Demo seeding calls it for the demo city; creating a jurisdiction in production should too.
 */
export async function installPackagedCalendar(trx: Trx, actor: Actor, jurisdiction: JurisdictionRef): Promise<number> {
  const j = await toJurisdiction(trx, jurisdiction);
  let loaded = 0;
  const now = new Date();
  for (const [year, days] of packagedYears()) {
    const created = await repo.insertYearIfAbsent(trx, {
      jurisdiction_id: j.id,
      year,
      status: 'confirmed',
      source: PACKAGED_SOURCE,
      confirmed_at: now,
      updated_at: now,
    });
    if (!created) continue;
    await repo.insertDays(
      trx,
      days.map((d) => ({ jurisdiction_id: j.id, day: d.day, kind: d.kind, holiday_name: d.name })),
    );
    await writeAudit(trx, actor, {
      action: 'calendar.year_loaded',
      objectType: 'calendar_year',
      objectId: `${j.code}:${year}`,
      detail: { jurisdiction: j.code, year, source: PACKAGED_SOURCE, status: 'confirmed', ...counts(days) },
    });
    loaded++;
  }
  return loaded;
}

export interface ImportResult {
  jurisdiction: string;
  year: number;
  status: 'confirmed';
  source: string;
  holidays: number;
  makeupWorkingDays: number;
}

/** Largest file accepted: a year is a few kilobytes even listing every day. */
export const MAX_IMPORT_BYTES = 1_000_000;
/** At most this many problems are reported for one file. */
export const MAX_REPORTED_ERRORS = 100;

/**
 * Replaces a jurisdiction's calendar for one year with the days in an operator's file and marks the year
 * confirmed (source `import:csv` / `import:ics`). The file formats are described in calendar.formats.ts.
 * Every line is checked first; on any problem the whole file is rejected with a `validation_failed` error
 * listing each problem as `{ field: 'line <n>', message: <reason> }`, and nothing changes. The import is
 * audited with the file's SM3 digest and what it replaced. Run it in the caller's transaction.
 */
export async function importYear(
  trx: Trx,
  actor: Actor,
  jurisdictionCode: string,
  year: number,
  format: ImportFormat,
  content: string,
): Promise<ImportResult> {
  checkYear(year, 'year');
  if (format !== 'csv' && format !== 'ics') throw invalid('format', 'must be csv or ics / 格式应为 csv 或 ics');
  if (Buffer.byteLength(content, 'utf8') > MAX_IMPORT_BYTES) {
    throw invalid('content', `must be at most ${MAX_IMPORT_BYTES} bytes / 文件过大`);
  }
  const j = await resolveJurisdiction(trx, jurisdictionCode);
  const parsed = parseCalendarFile(format, year, content);
  if (!parsed.ok) {
    const shown = parsed.errors.slice(0, MAX_REPORTED_ERRORS);
    throw new AppError(
      'validation_failed',
      `the ${format} file has ${parsed.errors.length} problem(s); nothing was imported / 文件有 ${parsed.errors.length} 处错误，未导入`,
      shown.map((e) => ({ field: `line ${e.line}`, message: e.reason })),
    );
  }
  const source = `import:${format}`;
  const previous = await repo.findYear(trx, j.id, year);
  const now = new Date();
  await repo.upsertYear(trx, {
    jurisdiction_id: j.id,
    year,
    status: 'confirmed',
    source,
    confirmed_at: now,
    updated_at: now,
  });
  const replacedDays = await repo.deleteYearDays(trx, j.id, year);
  await repo.insertDays(
    trx,
    parsed.days.map((d) => ({ jurisdiction_id: j.id, day: d.day, kind: d.kind, holiday_name: d.name })),
  );
  const result = { jurisdiction: j.code, year, status: 'confirmed' as const, source, ...counts(parsed.days) };
  await writeAudit(trx, actor, {
    action: 'calendar.year_imported',
    objectType: 'calendar_year',
    objectId: `${j.code}:${year}`,
    detail: {
      ...result,
      format,
      contentSm3: createHash('sm3').update(content, 'utf8').digest('hex'),
      replaced: previous ? { source: previous.source, status: previous.status, days: replacedDays } : null,
    },
  });
  return result;
}
