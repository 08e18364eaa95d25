import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR, verifyAuditChain } from '../../platform/audit/audit.ts';
import { AppError } from '../../platform/errors.ts';
import { seedDemo } from '../../seed.ts';
import { importYear } from './calendar.service.ts';

// Expected dates are worked out by hand from the State Council's notices, not from the packaged data, so these
// tests catch wrong data as well as wrong arithmetic:
//   2025 (国办发明电〔2024〕12号) 春节 1/28-2/4, work 1/26 (Sun) and 2/8 (Sat); 劳动节 5/1-5/5, work 4/27 (Sun);
//        国庆节、中秋节 10/1-10/8, work 9/28 (Sun) and 10/11 (Sat).
//   2026 (国办发明电〔2025〕7号) 元旦 1/1-1/3, work 1/4 (Sun); 春节 2/15-2/23, work 2/14 (Sat) and 2/28 (Sat);
//        清明节 4/4-4/6; 劳动节 5/1-5/5, work 5/9 (Sat); 端午节 6/19-6/21; 中秋节 9/25-9/27;
//        国庆节 10/1-10/7, work 9/20 (Sun) and 10/10 (Sat).

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
});
afterAll(() => t.close());

interface Deadline {
  from: string;
  due: string;
  dueDay: string;
  provisional: boolean;
  unconfirmedYears: number[];
  workingDays: number;
  jurisdiction: string;
}

async function get(url: string) {
  return t.app.inject(url);
}

async function addWorkingDays(from: string, days: number, jurisdiction?: string): Promise<Deadline> {
  const query = new URLSearchParams({ from, days: String(days), ...(jurisdiction ? { jurisdiction } : {}) });
  const res = await get(`/api/v1/calendar/working-days/add?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function countWorkingDays(from: string, to: string, jurisdiction?: string) {
  const query = new URLSearchParams({ from, to, ...(jurisdiction ? { jurisdiction } : {}) });
  const res = await get(`/api/v1/calendar/working-days/count?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { workingDays: number; provisional: boolean; unconfirmedYears: number[]; toDay: string };
}

/** Due days for 1..n working days from `from`. */
async function dueDays(from: string, n: number, jurisdiction?: string): Promise<string[]> {
  const days: string[] = [];
  for (let i = 1; i <= n; i++) days.push((await addWorkingDays(from, i, jurisdiction)).dueDay);
  return days;
}

interface YearDay {
  date: string;
  weekday: number;
  kind: string;
  holidayName: string | null;
}

async function listYear(year: number, jurisdiction?: string) {
  const res = await get(`/api/v1/calendar/years/${year}${jurisdiction ? `?jurisdiction=${jurisdiction}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  const byDate = new Map<string, YearDay>(body.days.map((d: YearDay) => [d.date, d]));
  return { ...body, byDate } as {
    status: string;
    source: string | null;
    calendarOf: string | null;
    jurisdiction: string;
    workingDayCount: number;
    days: YearDay[];
    byDate: Map<string, YearDay>;
  };
}

describe('the fixed point', () => {
  it('2026-09-30 10:00 +08:00 plus 2 working days is due 2026-10-09 23:59:59.999 +08:00, not provisional', async () => {
    // Written exactly as the API contract gives it: the unencoded '+' arrives as a space and is still understood.
    const res = await get('/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00+08:00&days=2');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      due: '2026-10-09T23:59:59.999+08:00',
      provisional: false,
      dueDay: '2026-10-09',
      workingDays: 2,
      jurisdiction: 'demo-city',
      from: '2026-09-30T10:00:00.000+08:00',
    });
    const encoded = await get('/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00%2B08:00&days=2');
    expect(encoded.json().due).toBe('2026-10-09T23:59:59.999+08:00');
  });

  it('needs no login and names the default jurisdiction, the city cloud', async () => {
    const res = await get('/api/v1/calendar/working-days/add?from=2026-09-30T02:00:00Z&days=2');
    expect(res.statusCode).toBe(200);
    expect(res.json().jurisdiction).toBe('demo-city');
    expect(res.json().due).toBe('2026-10-09T23:59:59.999+08:00');
  });
});

describe('working days across the 2025 and 2026 holidays', () => {
  it('Spring Festival 2026: 2/15-2/23 off, Saturdays 2/14 and 2/28 worked', async () => {
    // From Thursday 2/12: Fri 2/13, Sat 2/14 (make-up), then 2/24, 2/25, 2/26, 2/27, Sat 2/28 (make-up), 3/2.
    expect(await dueDays('2026-02-12T09:00:00+08:00', 8)).toEqual([
      '2026-02-13',
      '2026-02-14',
      '2026-02-24',
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-02',
    ]);
    // Counting from the make-up Saturday itself: the holiday follows, the next working day is Tuesday 2/24.
    expect((await addWorkingDays('2026-02-14T17:30:00+08:00', 1)).due).toBe('2026-02-24T23:59:59.999+08:00');
  });

  it('Labour Day 2026: 5/1-5/5 off, Saturday 5/9 worked, Sunday 5/10 not', async () => {
    expect(await dueDays('2026-04-30T17:00:00+08:00', 5)).toEqual([
      '2026-05-06',
      '2026-05-07',
      '2026-05-08',
      '2026-05-09',
      '2026-05-11',
    ]);
  });

  it('National Day 2025: 10/1-10/8 off, Sunday 9/28 and Saturday 10/11 worked', async () => {
    // From Friday 9/26: Sat 9/27 off, Sun 9/28 (make-up), Mon 9/29, Tue 9/30, then 10/9, 10/10, Sat 10/11.
    expect(await dueDays('2025-09-26T10:00:00+08:00', 6)).toEqual([
      '2025-09-28',
      '2025-09-29',
      '2025-09-30',
      '2025-10-09',
      '2025-10-10',
      '2025-10-11',
    ]);
    const deadline = await addWorkingDays('2025-09-30T16:00:00+08:00', 1);
    expect(deadline).toMatchObject({ due: '2025-10-09T23:59:59.999+08:00', provisional: false });
  });

  it('National Day 2026: 10/1-10/7 off, Sunday 9/20 and Saturday 10/10 worked', async () => {
    // From Friday 9/18: Sat 9/19 off, Sun 9/20 (make-up), 9/21-9/24, Fri 9/25 is 中秋节, then 9/28-9/30, 10/8...
    expect(await dueDays('2026-09-18T10:00:00+08:00', 11)).toEqual([
      '2026-09-20',
      '2026-09-21',
      '2026-09-22',
      '2026-09-23',
      '2026-09-24',
      '2026-09-28',
      '2026-09-29',
      '2026-09-30',
      '2026-10-08',
      '2026-10-09',
      '2026-10-10',
    ]);
  });

  it('a make-up working day counts as a working day', async () => {
    expect((await addWorkingDays('2026-10-09T09:00:00+08:00', 1)).dueDay).toBe('2026-10-10');
    expect((await addWorkingDays('2025-10-10T09:00:00+08:00', 1)).dueDay).toBe('2025-10-11');
    expect((await countWorkingDays('2026-10-09T09:00:00+08:00', '2026-10-10T09:00:00+08:00')).workingDays).toBe(1);
  });

  it('the calendar day of the moment is its Shanghai day, whatever offset it was given in', async () => {
    // 2026-10-08 23:30 in Shanghai: the next working day is Friday 10/9.
    expect((await addWorkingDays('2026-10-08T15:30:00Z', 1)).dueDay).toBe('2026-10-09');
    // 2026-10-09 00:30 in Shanghai: the next working day is the make-up Saturday 10/10.
    expect((await addWorkingDays('2026-10-08T16:30:00Z', 1)).dueDay).toBe('2026-10-10');
  });

  it('0 working days is the end of the same day, even a holiday', async () => {
    expect((await addWorkingDays('2026-10-03T10:00:00+08:00', 0)).due).toBe('2026-10-03T23:59:59.999+08:00');
  });
});

describe('a year without a confirmed calendar', () => {
  // No notice for 2027 or 2028 is loaded: their statutory holidays come from the national rules as amended in
  // 2024 (元旦 1, 春节 除夕-初三, 清明节 1, 劳动节 5/1-5/2, 端午节 1, 中秋节 1, 国庆节 10/1-10/3), the lunar and
  // solar-term dates worked out by hand from the almanac, not from the library:
  //   2027 春节 2/6 (Sat; 除夕 Fri 2/5, 初三 Mon 2/8), 清明 Mon 4/5, 端午 Wed 6/9, 中秋 Wed 9/15;
  //   2028 春节 Wed 1/26 (除夕 Tue 1/25, 初三 Fri 1/28), 清明 Tue 4/4, 端午 Sun 5/28, 中秋 Tue 10/3 (国庆节 too).
  // The make-up working days and days in lieu only the notice decides stay unknown: every deadline is provisional.
  it('2027-01-01 is a holiday: Thursday 2026-12-31 + 1 working day is Monday 2027-01-04, provisional', async () => {
    expect(await addWorkingDays('2026-12-31T10:00:00+08:00', 1)).toMatchObject({
      dueDay: '2027-01-04',
      provisional: true,
      unconfirmedYears: [2027],
    });
    // Wednesday 2026-12-30: Thu 12/31, then (1/1 off) Mon 1/4 and Tue 1/5.
    expect((await addWorkingDays('2026-12-30T10:00:00+08:00', 3)).dueDay).toBe('2027-01-05');
    expect((await addWorkingDays('2026-12-30T10:00:00+08:00', 1)).provisional).toBe(false);
  });

  it('lists 2027 with its statutory holidays by name, status provisional, no make-up working day', async () => {
    const year = await listYear(2027);
    expect(year).toMatchObject({ status: 'provisional', calendarOf: null, jurisdiction: 'demo-city' });
    expect(year.source).toMatch(/^statutory-rules 2025 \(tyme4ts \d+\.\d+\.\d+\)$/);
    const holidays = year.days.filter((d) => d.kind === 'holiday').map((d) => `${d.date} ${d.holidayName}`);
    expect(holidays).toEqual([
      '2027-01-01 元旦',
      '2027-02-05 春节',
      '2027-02-06 春节',
      '2027-02-07 春节',
      '2027-02-08 春节',
      '2027-04-05 清明节',
      '2027-05-01 劳动节',
      '2027-05-02 劳动节',
      '2027-06-09 端午节',
      '2027-09-15 中秋节',
      '2027-10-01 国庆节',
      '2027-10-02 国庆节',
      '2027-10-03 国庆节',
    ]);
    expect(year.days.some((d) => d.kind === 'makeup_working')).toBe(false);
    // 261 weekdays, 7 statutory days on weekdays (1/1, 2/5, 2/8, 4/5, 6/9, 9/15, 10/1).
    expect(year.workingDayCount).toBe(254);
  });

  it('deadlines across 2027’s Spring Festival, Qingming, Dragon Boat, Mid-Autumn and National Day', async () => {
    const cases: [string, number, string][] = [
      ['2027-02-04T10:00:00+08:00', 2, '2027-02-10'], // Fri 2/5 and Mon 2/8 off: Tue 2/9, Wed 2/10
      ['2027-04-02T10:00:00+08:00', 1, '2027-04-06'], // Mon 4/5 off
      ['2027-06-08T10:00:00+08:00', 1, '2027-06-10'], // Wed 6/9 off
      ['2027-09-14T10:00:00+08:00', 1, '2027-09-16'], // Wed 9/15 off
      ['2027-09-30T10:00:00+08:00', 1, '2027-10-04'], // Fri 10/1 off
    ];
    for (const [from, days, dueDay] of cases) {
      expect(await addWorkingDays(from, days), from).toMatchObject({
        dueDay,
        provisional: true,
        unconfirmedYears: [2027],
      });
    }
    expect(await countWorkingDays('2027-02-04T10:00:00+08:00', '2027-02-10T10:00:00+08:00')).toMatchObject({
      workingDays: 2,
      provisional: true,
      unconfirmedYears: [2027],
    });
  });

  it('2028: Spring Festival on 26 January, Mid-Autumn on National Day (one day, both names)', async () => {
    const year = await listYear(2028);
    const holiday = (date: string) => year.byDate.get(date)?.holidayName ?? null;
    expect(['2028-01-24', '2028-01-25', '2028-01-28', '2028-01-29'].map(holiday)).toEqual([null, '春节', '春节', null]);
    expect(holiday('2028-04-04')).toBe('清明节');
    expect(holiday('2028-05-28')).toBe('端午节');
    expect(holiday('2028-10-03')).toBe('中秋节、国庆节');
    // Monday 2028-01-24 + 1: Tue 1/25 to Fri 1/28 off, Monday 1/31.
    expect(await addWorkingDays('2028-01-24T10:00:00+08:00', 1)).toMatchObject({
      dueDay: '2028-01-31',
      provisional: true,
      unconfirmedYears: [2028],
    });
  });

  it('a year before the rules the platform knows (1999) counts weekends alone, provisional, no source', async () => {
    const year = await listYear(1999);
    expect(year).toMatchObject({ status: 'provisional', source: null, calendarOf: null });
    expect(year.days.some((d) => d.kind === 'holiday')).toBe(false);
    expect(await addWorkingDays('1999-09-30T10:00:00+08:00', 1)).toMatchObject({
      dueDay: '1999-10-01',
      provisional: true,
    });
  });
});

describe('counting working days', () => {
  it('counts the days after the first day up to and including the last, negative backwards', async () => {
    expect((await countWorkingDays('2026-09-30T10:00:00+08:00', '2026-10-09T08:00:00+08:00')).workingDays).toBe(2);
    expect((await countWorkingDays('2026-10-09T08:00:00+08:00', '2026-09-30T10:00:00+08:00')).workingDays).toBe(-2);
    expect((await countWorkingDays('2026-10-01T10:00:00+08:00', '2026-10-07T10:00:00+08:00')).workingDays).toBe(0);
    // Thu 2/12 to Sat 2/28 2026: 2/13, 2/14, 2/24, 2/25, 2/26, 2/27, 2/28.
    expect((await countWorkingDays('2026-02-12T10:00:00+08:00', '2026-02-28T10:00:00+08:00')).workingDays).toBe(7);
  });

  it('agrees with adding: count(t, add(t, n).due) = n', async () => {
    const moments = [
      '2026-02-13T18:00:00+08:00',
      '2025-09-27T08:00:00+08:00',
      '2026-09-30T23:59:59.999+08:00',
      '2026-12-20T12:00:00Z',
    ];
    for (const from of moments) {
      for (const n of [0, 1, 2, 5, 9, 23, 60]) {
        const { due } = await addWorkingDays(from, n);
        expect((await countWorkingDays(from, due)).workingDays, `${from} + ${n}`).toBe(n);
      }
    }
  });
});

describe('calendar days', () => {
  it('N calendar days end at 23:59:59.999 on the day N days later, holidays or not, never provisional', async () => {
    const res = await get('/api/v1/calendar/calendar-days/add?from=2026-09-30T10:00:00%2B08:00&days=15');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      from: '2026-09-30T10:00:00.000+08:00',
      calendarDays: 15,
      due: '2026-10-15T23:59:59.999+08:00',
      dueDay: '2026-10-15',
      provisional: false,
    });
    const far = await get('/api/v1/calendar/calendar-days/add?from=2031-12-20T10:00:00Z&days=30');
    expect(far.json()).toMatchObject({ due: '2032-01-19T23:59:59.999+08:00', provisional: false });
  });
});

describe('listing a year', () => {
  it('2026: every day with its kind and holiday name, confirmed from the packaged data', async () => {
    const year = await listYear(2026);
    expect(year).toMatchObject({ status: 'confirmed', calendarOf: 'demo-city', jurisdiction: 'demo-city' });
    expect(year.source).toMatch(/^chinese-days \d+\.\d+\.\d+$/);
    expect(year.days).toHaveLength(365);
    const kinds = (from: string, to: string) =>
      year.days.filter((d) => d.date >= from && d.date <= to).map((d) => [d.date.slice(5), d.kind, d.holidayName]);
    expect(kinds('2026-09-30', '2026-10-11')).toEqual([
      ['09-30', 'working', null],
      ['10-01', 'holiday', '国庆节'],
      ['10-02', 'holiday', '国庆节'],
      ['10-03', 'holiday', '国庆节'],
      ['10-04', 'holiday', '国庆节'],
      ['10-05', 'holiday', '国庆节'],
      ['10-06', 'holiday', '国庆节'],
      ['10-07', 'holiday', '国庆节'],
      ['10-08', 'working', null],
      ['10-09', 'working', null],
      ['10-10', 'makeup_working', '国庆节'],
      ['10-11', 'weekend', null],
    ]);
    expect(year.byDate.get('2026-02-14')?.kind).toBe('makeup_working');
    expect(year.byDate.get('2026-02-15')).toMatchObject({ kind: 'holiday', holidayName: '春节', weekday: 7 });
    expect(year.byDate.get('2026-02-23')?.kind).toBe('holiday');
    expect(year.byDate.get('2026-04-06')?.holidayName).toBe('清明节');
    expect(year.byDate.get('2026-01-04')?.kind).toBe('makeup_working');
    // 261 weekdays, 19 of them holidays, plus 6 make-up days.
    expect(year.workingDayCount).toBe(248);
  });

  it('2025: 248 working days (261 weekdays, 18 holidays on weekdays, 5 make-up days)', async () => {
    const year = await listYear(2025);
    expect(year.workingDayCount).toBe(248);
    expect(year.byDate.get('2025-01-26')?.kind).toBe('makeup_working');
    expect(year.byDate.get('2025-10-08')?.kind).toBe('holiday');
    expect(year.byDate.get('2025-10-11')?.kind).toBe('makeup_working');
  });

  it('exports the year as iCalendar, one event per holiday and make-up day', async () => {
    const res = await get('/api/v1/calendar/years/2026/ics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    const lines = res.body.split('\r\n');
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.every((l) => Buffer.byteLength(l, 'utf8') <= 75)).toBe(true);
    // 33 holiday days (3 + 9 + 3 + 5 + 3 + 3 + 7) and 6 make-up days.
    expect(res.body.match(/X-YUNGUAN-KIND:holiday/g)).toHaveLength(33);
    expect(res.body.match(/X-YUNGUAN-KIND:makeup_working/g)).toHaveLength(6);
    expect(res.body).toContain('DTSTART;VALUE=DATE:20261010\r\nDTEND;VALUE=DATE:20261011\r\nSUMMARY:国庆节(班)');
    expect(res.body).toContain('X-YUNGUAN-STATUS:confirmed');
  });
});

describe('districts', () => {
  it("a district without its own calendar uses the city's", async () => {
    const deadline = await addWorkingDays('2026-09-30T10:00:00+08:00', 2, 'demo-east');
    expect(deadline).toMatchObject({
      due: '2026-10-09T23:59:59.999+08:00',
      provisional: false,
      jurisdiction: 'demo-east',
    });
    const year = await listYear(2026, 'demo-east');
    expect(year).toMatchObject({ jurisdiction: 'demo-east', calendarOf: 'demo-city', status: 'confirmed' });
    expect(year.byDate.get('2026-10-10')?.kind).toBe('makeup_working');
  });
});

describe('bad input is a problem naming the field', () => {
  const cases: [string, number, string][] = [
    ['/api/v1/calendar/working-days/add?from=yesterday&days=2', 400, 'query.from'],
    ['/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00&days=2', 400, 'query.from'],
    ['/api/v1/calendar/working-days/add?from=2026-02-30T10:00:00Z&days=2', 400, 'query.from'],
    ['/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00Z&days=367', 400, 'query.days'],
    ['/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00Z&days=-1', 400, 'query.days'],
    ['/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00Z&days=1.5', 400, 'query.days'],
    ['/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00Z', 400, 'query.days'],
    [
      '/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00Z&days=2&jurisdiction=nowhere',
      404,
      'query.jurisdiction',
    ],
    [
      '/api/v1/calendar/working-days/add?from=2026-09-30T10:00:00Z&days=2&jurisdiction=Bad%20Code',
      400,
      'query.jurisdiction',
    ],
    ['/api/v1/calendar/working-days/count?from=2026-09-30T10:00:00Z&to=soon', 400, 'query.to'],
    ['/api/v1/calendar/working-days/count?from=2026-09-30T10:00:00Z&to=2046-09-30T10:00:00Z', 400, 'query.to'],
    ['/api/v1/calendar/calendar-days/add?from=2026-09-30&days=15', 400, 'query.from'],
    ['/api/v1/calendar/working-days/add?from=1800-01-01T00:00:00Z&days=1', 400, 'query.from'],
    ['/api/v1/calendar/years/1800', 400, 'path.year'],
    ['/api/v1/calendar/years/2026?jurisdiction=nowhere', 404, 'query.jurisdiction'],
  ];
  for (const [url, status, field] of cases) {
    it(`${url} -> ${status} on ${field}`, async () => {
      const res = await get(url);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  }
});

describe('importing a year (operators; no HTTP route yet)', () => {
  // 2027 is not in the packaged data. The days below are test data shaped like a notice, not the real 2027 one.
  const csv2027 = [
    'date,kind,name',
    '2027-09-26,makeup_working,国庆节',
    ...['01', '02', '03', '04', '05', '06', '07'].map((d) => `2027-10-${d},holiday,国庆节`),
    '2027-10-09,班,国庆节',
  ].join('\n');

  it('loads a CSV into a district of its own, confirmed and audited; the district now differs from the city', async () => {
    const auditBefore = await countRows(t.database, 'audit_event');
    const result = await t.database.db
      .transaction()
      .execute((trx) => importYear(trx, SYSTEM_ACTOR, 'demo-west', 2027, 'csv', csv2027));
    expect(result).toEqual({
      jurisdiction: 'demo-west',
      year: 2027,
      status: 'confirmed',
      source: 'import:csv',
      holidays: 7,
      makeupWorkingDays: 2,
    });
    expect(await countRows(t.database, 'audit_event')).toBe(auditBefore + 1);

    // Thursday 2027-09-30 + 2: 10/1-10/7 off, Fri 10/8, Sat 10/9 (make-up).
    expect(await addWorkingDays('2027-09-30T10:00:00+08:00', 2, 'demo-west')).toMatchObject({
      due: '2027-10-09T23:59:59.999+08:00',
      provisional: false,
    });
    // The city (and demo-east with it) still has no 2027 notice: statutory 10/1-10/3 off, Mon 10/4, Tue 10/5.
    expect(await addWorkingDays('2027-09-30T10:00:00+08:00', 2, 'demo-east')).toMatchObject({
      due: '2027-10-05T23:59:59.999+08:00',
      provisional: true,
    });
    const year = await listYear(2027, 'demo-west');
    expect(year).toMatchObject({ status: 'confirmed', source: 'import:csv', calendarOf: 'demo-west' });
    expect(year.byDate.get('2027-09-26')).toMatchObject({ kind: 'makeup_working', holidayName: '国庆节' });
  });

  it('rejects a file with one bad line whole, listing (line, reason), and stores nothing', async () => {
    const bad = `${csv2027.replace('2027-10-09,班,国庆节', '2027-10-09,班,国庆节\n2027-10-11,makeup_working,国庆节')}`;
    const daysBefore = await countRows(t.database, 'calendar_day');
    const auditBefore = await countRows(t.database, 'audit_event');
    const attempt = t.database.db
      .transaction()
      .execute((trx) => importYear(trx, SYSTEM_ACTOR, 'demo-city', 2027, 'csv', bad));
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    const error = (await attempt.catch((e: AppError) => e)) as AppError;
    expect(error.code).toBe('validation_failed');
    expect(error.fields).toEqual([
      { field: 'line 11', message: '2027-10-11 is a Monday: a make-up working day is a Saturday or Sunday' },
    ]);
    expect(await countRows(t.database, 'calendar_day')).toBe(daysBefore);
    expect(await countRows(t.database, 'audit_event')).toBe(auditBefore);
    expect((await listYear(2027)).status).toBe('provisional');
  });

  it('an unknown jurisdiction, a bad year or format is refused', async () => {
    const run = (code: string, year: number, format: 'csv' | 'ics') =>
      t.database.db.transaction().execute((trx) => importYear(trx, SYSTEM_ACTOR, code, year, format, csv2027));
    await expect(run('nowhere', 2027, 'csv')).rejects.toMatchObject({ code: 'not_found' });
    await expect(run('demo-city', 1800, 'csv')).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(run('demo-city', 2027, 'xls' as 'csv')).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it("replaces a year with an iCalendar file: the city's own 2026 export loads back into a district unchanged", async () => {
    const exported = (await get('/api/v1/calendar/years/2026/ics')).body;
    const result = await t.database.db
      .transaction()
      .execute((trx) => importYear(trx, SYSTEM_ACTOR, 'demo-west', 2026, 'ics', exported));
    expect(result).toMatchObject({ source: 'import:ics', holidays: 33, makeupWorkingDays: 6 });
    const city = await listYear(2026, 'demo-city');
    const west = await listYear(2026, 'demo-west');
    expect(west).toMatchObject({ calendarOf: 'demo-west', source: 'import:ics', status: 'confirmed' });
    expect(west.days).toEqual(city.days);
  });

  it('an import replaces the earlier one for that year instead of adding to it', async () => {
    const ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//test//EN',
      'BEGIN:VEVENT',
      'DTSTART;VALUE=DATE:20270211',
      'DTEND;VALUE=DATE:20270215',
      'SUMMARY:春节(休)',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    await t.database.db.transaction().execute((trx) => importYear(trx, SYSTEM_ACTOR, 'demo-west', 2027, 'ics', ics));
    const year = await listYear(2027, 'demo-west');
    expect(year.source).toBe('import:ics');
    expect(year.byDate.get('2027-10-01')).toMatchObject({ kind: 'working', holidayName: null });
    expect(year.byDate.get('2027-02-11')).toMatchObject({ kind: 'holiday', holidayName: '春节' });
    expect(year.days.filter((d) => d.kind === 'holiday' || d.kind === 'makeup_working')).toHaveLength(4);
  });

  it('every load and import is in the audit trail, and the chain still verifies', async () => {
    const rows = await t.database.db
      .selectFrom('audit_event')
      .select(['action', 'object_id', 'detail'])
      .where('object_type', '=', 'calendar_year')
      .orderBy('id')
      .execute();
    const loaded = rows.filter((r) => r.action === 'calendar.year_loaded');
    expect(loaded.map((r) => r.object_id)).toContain('demo-city:2026');
    expect(loaded.length).toBeGreaterThanOrEqual(23);
    const imports = rows.filter((r) => r.action === 'calendar.year_imported');
    expect(imports.map((r) => r.object_id)).toEqual(['demo-west:2027', 'demo-west:2026', 'demo-west:2027']);
    expect(imports[2]?.detail).toMatchObject({
      format: 'ics',
      replaced: { source: 'import:csv', status: 'confirmed', days: 9 },
      contentSm3: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });

  it('seeding again loads nothing twice', async () => {
    const steps = await seedDemo(t.database.db);
    expect(steps.find((s) => s.name === 'calendar')?.created).toBe(0);
  });
});
