import { describe, expect, it } from 'vitest';
import { isWeekend } from '../../platform/time/time.ts';
import { packagedYears } from './calendar.package.ts';
import { statutoryHolidays } from './calendar.statutory.ts';

// The computed statutory days against every State Council notice the packaged data carries since the rules of
// 2008: each computed day must be a day off under that year's notice, a holiday or a weekend day not made a
// working day (the notices add bridge days and days in lieu around them, never fewer; the data leaves out some
// weekend days of a holiday, e.g. Saturday 2012-06-23 of 端午节). 19 notices, seven festivals each, three lunar.
describe('the statutory holidays computed for a year without a notice', () => {
  const published = [...packagedYears()].filter(([year]) => year >= 2008);

  it('covers the published years 2008 onwards', () => {
    expect(published.length).toBeGreaterThanOrEqual(19);
  });

  for (const [year, notice] of published) {
    it(`${year}: every computed day is a day off under the notice`, () => {
      const computed = statutoryHolidays(year);
      expect(computed).not.toBeNull();
      const kind = new Map(notice.map((d) => [d.day, d.kind]));
      const off = (day: string) => kind.get(day) === 'holiday' || (isWeekend(day) && !kind.has(day));
      const worked = computed?.days.filter((d) => !off(d.day)).map((d) => `${d.day} ${d.name}`);
      expect(worked).toEqual([]);
      // and most of them are named holidays of the notice, not just weekends
      const named = computed?.days.filter((d) => kind.get(d.day) === 'holiday').length ?? 0;
      expect(named).toBeGreaterThanOrEqual((computed?.days.length ?? 0) - 2);
    });
  }

  it('follows the edition in force: four Spring Festival days and two Labour Day days from 2025', () => {
    const count = (year: number, name: string) =>
      statutoryHolidays(year)?.days.filter((d) => (d.name ?? '').split('、').includes(name)).length;
    expect([count(2013, '春节'), count(2024, '春节'), count(2025, '春节')]).toEqual([3, 3, 4]);
    expect([count(2024, '劳动节'), count(2025, '劳动节')]).toEqual([1, 2]);
    expect(statutoryHolidays(2024)?.edition).toBe(2014);
    expect(statutoryHolidays(2007)).toBeNull();
  });
});
