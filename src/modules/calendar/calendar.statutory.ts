import { createRequire } from 'node:module';
import path from 'node:path';
import { LunarDay, type SolarDay, SolarTerm } from 'tyme4ts';
import { addDays } from '../../platform/time/time.ts';
import type { ExceptionDay } from './calendar.formats.ts';

/**
 * The statutory holidays a year has before its State Council notice is published: those the national holiday
 * rules (全国年节及纪念日放假办法) fix by date, the lunar ones computed with tyme4ts (MIT). What only the
 * notice decides, the make-up working days (调休) and the day off in lieu of a holiday that falls on a weekend
 * (补假), stays unknown, so a year known this way is still `provisional`.
 *
 * Rules by the edition in force (国务院令 第270号, amended by 第513号 for 2008, 第644号 for 2014, 第793号 for 2025):
 * - from 2025: 元旦 1 day, 春节 4 (除夕 and 正月初一 to 初三), 清明节 1, 劳动节 2 (1-2 May), 端午节 1, 中秋节 1,
 *   国庆节 3 (1-3 October);
 * - 2014-2024: 春节 正月初一 to 初三, 劳动节 1 May only; the rest as above;
 * - 2008-2013: 春节 除夕 to 正月初二, 劳动节 1 May only; the rest as above.
 * Years before 2008 had other rules (three-day 劳动节, no 清明节): none is computed for them.
 */
interface Edition {
  from: number;
  /** the Spring Festival's days relative to 正月初一 (-1 = 除夕) */
  springFestival: readonly number[];
  labourDays: number;
}

const EDITIONS: readonly Edition[] = [
  { from: 2025, springFestival: [-1, 0, 1, 2], labourDays: 2 },
  { from: 2014, springFestival: [0, 1, 2], labourDays: 1 },
  { from: 2008, springFestival: [-1, 0, 1], labourDays: 1 },
];

// The package exports no `./package.json`: read it beside its entry point (dist/lib/index.cjs).
const require = createRequire(import.meta.url);
const version = (
  require(path.join(path.dirname(require.resolve('tyme4ts')), '..', '..', 'package.json')) as {
    version: string;
  }
).version;

/** `source` of a year whose holidays come from the rules of `edition` (the year the edition took effect). */
export function statutorySource(edition: number): string {
  return `statutory-rules ${edition} (tyme4ts ${version})`;
}

const iso = (d: SolarDay): string =>
  `${String(d.getYear()).padStart(4, '0')}-${String(d.getMonth()).padStart(2, '0')}-${String(d.getDay()).padStart(2, '0')}`;

/**
 * The statutory holidays of `year` in date order, each a `holiday` named as the notices name it (a day that is
 * two holidays at once, e.g. 中秋节 on 3 October 2028, carries both names), with the edition of the rules they
 * follow; null for a year before 2008.
 */
export function statutoryHolidays(year: number): { edition: number; days: ExceptionDay[] } | null {
  let known = computed.get(year);
  if (known === undefined) {
    known = compute(year);
    computed.set(year, known);
  }
  return known && { edition: known.edition, days: known.days.map((d) => ({ ...d })) };
}

// A year's holidays never change: each is computed once per process (about a millisecond each).
const computed = new Map<number, { edition: number; days: ExceptionDay[] } | null>();

function compute(year: number): { edition: number; days: ExceptionDay[] } | null {
  const edition = EDITIONS.find((e) => year >= e.from);
  if (!edition) return null;
  const y = String(year).padStart(4, '0');
  const named: [string, string][] = [[`${y}-01-01`, '元旦']];
  const newYear = iso(LunarDay.fromYmd(year, 1, 1).getSolarDay());
  for (const offset of edition.springFestival) named.push([addDays(newYear, offset), '春节']);
  named.push([iso(SolarTerm.fromName(year, '清明').getJulianDay().getSolarDay()), '清明节']);
  for (let d = 1; d <= edition.labourDays; d++) named.push([`${y}-05-0${d}`, '劳动节']);
  named.push([iso(LunarDay.fromYmd(year, 5, 5).getSolarDay()), '端午节']);
  named.push([iso(LunarDay.fromYmd(year, 8, 15).getSolarDay()), '中秋节']);
  for (let d = 1; d <= 3; d++) named.push([`${y}-10-0${d}`, '国庆节']);

  const byDay = new Map<string, string[]>();
  for (const [day, name] of named) {
    const names = byDay.get(day) ?? [];
    if (!names.includes(name)) names.push(name);
    byDay.set(day, names);
  }
  const days = [...byDay]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, names]) => ({ day, kind: 'holiday' as const, name: names.join('、') }));
  return { edition: edition.from, days };
}
