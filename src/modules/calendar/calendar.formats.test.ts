import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { foldLine, parseCalendarCsv, parseCalendarIcs, writeCalendarIcs } from './calendar.formats.ts';

describe('CSV import format', () => {
  it('reads holidays and make-up days, accepts 休/班, a BOM, CRLF, quotes, and drops plain-rule rows', () => {
    const csv = [
      '\uFEFFdate,kind,name',
      '2026-10-01,holiday,国庆节',
      '"2026-10-02",休,"国庆节"',
      '',
      '2026-10-10,班,国庆节',
      '2026-10-08,working,',
      '2026-10-17,weekend',
    ].join('\r\n');
    expect(parseCalendarCsv(2026, csv)).toEqual({
      ok: true,
      days: [
        { day: '2026-10-01', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-02', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-10', kind: 'makeup_working', name: '国庆节' },
      ],
    });
  });

  it('reports every bad line with its number and reason', () => {
    const csv = [
      'date,kind,name',
      '2026-10-01,holiday,国庆节',
      '2026-10-32,holiday,国庆节',
      '2025-10-01,holiday,国庆节',
      '2026-10-08,makeup_working,国庆节',
      '2026-10-01,holiday,国庆节',
      '2026-10-03,vacation,国庆节',
      '2026-10-05,holiday,',
      '2026-10-10,working,',
      '2026-10-09,weekend,',
      '2026-10-06,holiday,"国庆节',
      '2026-10-07',
    ].join('\n');
    const result = parseCalendarCsv(2026, csv);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(result.errors[0]?.reason).toContain('is not a date');
    expect(result.errors[1]?.reason).toBe('2025-10-01 is not in 2026');
    expect(result.errors[2]?.reason).toContain('Thursday: a make-up working day is a Saturday or Sunday');
    expect(result.errors[3]?.reason).toBe('2026-10-01 is already given on line 2');
    expect(result.errors[4]?.reason).toContain('"vacation" is not a kind');
    expect(result.errors[5]?.reason).toContain('a holiday needs its name');
    expect(result.errors[6]?.reason).toContain('Saturday: a weekend day worked is makeup_working');
    expect(result.errors[7]?.reason).toContain('Friday: a weekday off is a holiday');
    expect(result.errors[8]?.reason).toBe('a quoted field is not closed');
    expect(result.errors[9]?.reason).toContain('found 1 columns');
  });

  it('needs the header and at least one day', () => {
    expect(parseCalendarCsv(2026, '2026-10-01,holiday,国庆节')).toEqual({
      ok: false,
      errors: [{ line: 1, reason: 'the first line must be the header date,kind,name' }],
    });
    expect(parseCalendarCsv(2026, 'date,kind,name\n\n')).toEqual({
      ok: false,
      errors: [{ line: 1, reason: 'the file lists no day of 2026' }],
    });
  });
});

describe('iCalendar import format', () => {
  const ics = (events: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n${events}END:VCALENDAR\r\n`;

  it('expands all-day events, reads the kind from (休)/(班), X-YUNGUAN-KIND or X-APPLE-SPECIAL-DAY', () => {
    const text = ics(
      [
        'BEGIN:VEVENT',
        'UID:1',
        'DTSTART;VALUE=DATE:20261001',
        'DTEND;VALUE=DATE:20261004',
        'SUMMARY:国庆节（休）',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:2',
        'DTSTART;VALUE=DATE:20261004',
        'DURATION:P2D',
        'SUMMARY:国庆节',
        'X-APPLE-SPECIAL-DAY:WORK-HOLIDAY',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'UID:3',
        'DTSTART;VALUE=DATE:20261010',
        // a folded SUMMARY with an escaped comma
        'SUMMARY:国庆节\\, 中秋',
        ' 节',
        'X-YUNGUAN-KIND:makeup_working',
        'END:VEVENT',
        // a cancelled event and one wholly in another year are ignored; one spanning the new year is clipped
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20261201',
        'SUMMARY:取消(休)',
        'STATUS:CANCELLED',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20251001',
        'SUMMARY:国庆节(休)',
        'END:VEVENT',
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20261231',
        'DTEND;VALUE=DATE:20270102',
        'SUMMARY:元旦(休)',
        'END:VEVENT',
        '',
      ].join('\r\n'),
    );
    expect(parseCalendarIcs(2026, text)).toEqual({
      ok: true,
      days: [
        { day: '2026-10-01', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-02', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-03', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-04', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-05', kind: 'holiday', name: '国庆节' },
        { day: '2026-10-10', kind: 'makeup_working', name: '国庆节, 中秋节' },
        { day: '2026-12-31', kind: 'holiday', name: '元旦' },
      ],
    });
  });

  it('reports bad events at their lines', () => {
    const text = ics(
      [
        'BEGIN:VEVENT', // line 4
        'DTSTART:20261001T000000',
        'SUMMARY:国庆节(休)',
        'END:VEVENT',
        'BEGIN:VEVENT', // line 8
        'DTSTART;VALUE=DATE:20261001',
        'SUMMARY:国庆节',
        'END:VEVENT',
        'BEGIN:VEVENT', // line 12
        'DTSTART;VALUE=DATE:20261008',
        'SUMMARY:国庆节(班)',
        'END:VEVENT',
        'BEGIN:VEVENT', // line 16
        'DTSTART;VALUE=DATE:20261010',
        'DTEND;VALUE=DATE:20261010',
        'SUMMARY:国庆节(班)',
        'END:VEVENT',
        '',
      ].join('\r\n'),
    );
    const result = parseCalendarIcs(2026, text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { line: 5, reason: 'DTSTART "20261001T000000" is not an all-day date (DTSTART;VALUE=DATE:YYYYMMDD)' },
      { line: 8, reason: expect.stringContaining('cannot tell whether "国庆节" is a holiday') },
      { line: 12, reason: expect.stringContaining('Thursday: a make-up working day') },
      { line: 18, reason: 'DTEND "20261010" is not an all-day date after DTSTART' },
    ]);
  });

  it('rejects what is not a calendar, unbalanced components, and a calendar without days of the year', () => {
    expect(parseCalendarIcs(2026, 'date,kind,name\n')).toEqual({
      ok: false,
      errors: [{ line: 1, reason: 'not an iCalendar file: no BEGIN:VCALENDAR' }],
    });
    expect(parseCalendarIcs(2026, 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VCALENDAR\n').ok).toBe(false);
    expect(parseCalendarIcs(2026, ics(''))).toEqual({
      ok: false,
      errors: [{ line: 1, reason: 'the file lists no day of 2026' }],
    });
  });
});

describe('published holiday feeds', () => {
  it("loads chinese-days' own 2025 .ics as it is: 国庆节 10/1-10/8 off, 9/28 and 10/11 worked", () => {
    const file = createRequire(import.meta.url).resolve('chinese-days/dist/years/2025.ics');
    const result = parseCalendarIcs(2025, readFileSync(file, 'utf8'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const october = result.days.filter((d) => d.day >= '2025-09-28' && d.day <= '2025-10-11');
    expect(october.map((d) => [d.day.slice(5), d.kind])).toEqual([
      ['09-28', 'makeup_working'],
      ...['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => [`10-${d}`, 'holiday']),
      ['10-11', 'makeup_working'],
    ]);
  });
});

describe('iCalendar export', () => {
  it('folds long lines at 75 octets without splitting a character', () => {
    const line = `SUMMARY:${'中'.repeat(40)}`;
    const folded = foldLine(line);
    const parts = folded.split('\r\n');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(parts.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });

  it('writes one all-day event per day, escaped, CRLF, and reads back the same days', () => {
    const days = [
      { day: '2026-10-01', kind: 'holiday' as const, name: '国庆节' },
      { day: '2026-10-10', kind: 'makeup_working' as const, name: '国庆节;中秋节, 调休' },
    ];
    const text = writeCalendarIcs({
      jurisdictionCode: 'demo-city',
      jurisdictionName: '示范市政务云',
      year: 2026,
      status: 'confirmed',
      stamp: new Date('2026-11-01T00:00:00Z'),
      days,
    });
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
    expect(text).toContain('DTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261002\r\nSUMMARY:国庆节(休)');
    expect(text).toContain('SUMMARY:国庆节\\;中秋节\\, 调休(班)');
    expect(text).toContain('DTSTAMP:20261101T000000Z');
    expect(text.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    expect(parseCalendarIcs(2026, text)).toEqual({ ok: true, days });
  });
});
