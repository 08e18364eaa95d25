import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonthsToDay,
  addShanghaiMonths,
  daysBetween,
  daysOfYear,
  endOfShanghaiDay,
  formatShanghai,
  isCalendarDay,
  isoWeekday,
  isWeekend,
  parseMoment,
  shanghaiDay,
  startOfShanghaiDay,
} from './time.ts';

describe('parseMoment', () => {
  it('reads ISO 8601 date-times with Z or an offset', () => {
    expect(parseMoment('2026-09-30T10:00:00+08:00')?.toISOString()).toBe('2026-09-30T02:00:00.000Z');
    expect(parseMoment('2026-09-30T02:00:00Z')?.toISOString()).toBe('2026-09-30T02:00:00.000Z');
    expect(parseMoment('2026-09-29T21:00:00-05:00')?.toISOString()).toBe('2026-09-30T02:00:00.000Z');
    expect(parseMoment('2026-09-30T10:00:00.5+08:00')?.toISOString()).toBe('2026-09-30T02:00:00.500Z');
    expect(parseMoment('2026-09-30T10:00:00.123456+0800')?.toISOString()).toBe('2026-09-30T02:00:00.123Z');
    expect(parseMoment('2026-09-30T10:00+08:00')?.toISOString()).toBe('2026-09-30T02:00:00.000Z');
  });

  it("takes a space before the offset as the '+' a URL query string turned into one", () => {
    expect(parseMoment('2026-09-30T10:00:00 08:00')?.toISOString()).toBe('2026-09-30T02:00:00.000Z');
  });

  it('rejects moments without an offset, impossible dates and times, and other text', () => {
    for (const bad of [
      '2026-09-30T10:00:00',
      '2026-09-30',
      '2026-02-29T10:00:00+08:00',
      '2026-13-01T10:00:00Z',
      '2026-09-30T24:00:00Z',
      '2026-09-30T10:60:00Z',
      '2026-09-30T10:00:00+24:00',
      '0099-01-01T00:00:00Z',
      'yesterday',
      '',
    ]) {
      expect(parseMoment(bad), bad).toBeNull();
    }
    expect(parseMoment('2024-02-29T10:00:00+08:00')).not.toBeNull();
  });
});

describe('Shanghai calendar days', () => {
  it('a moment falls on its Shanghai day, which can differ from its UTC day', () => {
    expect(shanghaiDay(new Date('2026-09-30T15:59:59.999Z'))).toBe('2026-09-30');
    expect(shanghaiDay(new Date('2026-09-30T16:00:00.000Z'))).toBe('2026-10-01');
    expect(shanghaiDay(parseMoment('2026-12-31T23:30:00-02:00')!)).toBe('2027-01-01');
  });

  it('builds the first and last millisecond of a day in +08:00', () => {
    expect(endOfShanghaiDay('2026-10-09').toISOString()).toBe('2026-10-09T15:59:59.999Z');
    expect(formatShanghai(endOfShanghaiDay('2026-10-09'))).toBe('2026-10-09T23:59:59.999+08:00');
    expect(formatShanghai(startOfShanghaiDay('2026-10-09'))).toBe('2026-10-09T00:00:00.000+08:00');
    expect(shanghaiDay(endOfShanghaiDay('2026-12-31'))).toBe('2026-12-31');
    expect(shanghaiDay(new Date(endOfShanghaiDay('2026-12-31').getTime() + 1))).toBe('2027-01-01');
  });

  it('formats any moment in Shanghai time with milliseconds', () => {
    expect(formatShanghai(new Date('2026-09-30T02:00:00Z'))).toBe('2026-09-30T10:00:00.000+08:00');
    expect(formatShanghai(new Date('2026-12-31T20:00:00.042Z'))).toBe('2027-01-01T04:00:00.042+08:00');
    expect(() => formatShanghai(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('does day arithmetic across months, leap days and years', () => {
    expect(addDays('2026-09-30', 2)).toBe('2026-10-02');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(daysBetween('2026-09-30', '2026-10-09')).toBe(9);
    expect(daysBetween('2026-10-09', '2026-09-30')).toBe(-9);
  });

  it('adds calendar months, clamped to the month’s last day, on Shanghai’s calendar', () => {
    expect(addMonthsToDay('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonthsToDay('2027-08-31', 6)).toBe('2028-02-29');
    expect(addMonthsToDay('2026-08-28', 6)).toBe('2027-02-28');
    expect(addMonthsToDay('2027-02-28', -6)).toBe('2026-08-28');
    expect(addMonthsToDay('2027-03-31', -1)).toBe('2027-02-28');
    expect(addMonthsToDay('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonthsToDay('2027-01-15', -1)).toBe('2026-12-15');
    // 2026-08-31 20:00 UTC is already 1 September in Shanghai
    expect(addShanghaiMonths(new Date('2026-08-31T20:00:00Z'), 6).toISOString()).toBe('2027-02-28T20:00:00.000Z');
    expect(addShanghaiMonths(new Date('2026-08-31T10:00:00+08:00'), 6).toISOString()).toBe('2027-02-28T02:00:00.000Z');
    expect(addShanghaiMonths(new Date('2027-02-28T23:59:00+08:00'), -6).toISOString()).toBe('2026-08-28T15:59:00.000Z');
  });

  it('knows weekdays: 2026-10-03 is a Saturday, 2026-10-05 a Monday, 1970-01-01 a Thursday', () => {
    expect(isoWeekday('2026-10-03')).toBe(6);
    expect(isoWeekday('2026-10-04')).toBe(7);
    expect(isoWeekday('2026-10-05')).toBe(1);
    expect(isoWeekday('1970-01-01')).toBe(4);
    expect(isoWeekday('1969-12-28')).toBe(7);
    expect(isWeekend('2026-10-03')).toBe(true);
    expect(isWeekend('2026-10-09')).toBe(false);
  });

  it('lists every day of a year', () => {
    expect(daysOfYear(2026)).toHaveLength(365);
    expect(daysOfYear(2024)).toHaveLength(366);
    expect(daysOfYear(2026)[0]).toBe('2026-01-01');
    expect(daysOfYear(2026).at(-1)).toBe('2026-12-31');
  });

  it('validates calendar days', () => {
    expect(isCalendarDay('2026-02-28')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-2-28')).toBe(false);
    expect(isCalendarDay('20260228')).toBe(false);
  });
});
