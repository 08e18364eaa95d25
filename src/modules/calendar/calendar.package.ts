import { createRequire } from 'node:module';
import type { ExceptionDay } from './calendar.formats.ts';

/**
 * The official calendars the `chinese-days` package (MIT) carries, read from its JSON data only: its date
 * functions work in the process's local time zone, ours in the time helper. The package transcribes each
 * year's State Council notice (国务院办公厅关于部分节假日安排的通知); it knows a year once a release after
 * the notice ships it, so the newest year is usually missing for a few weeks every November.
 */
const require = createRequire(import.meta.url);
const data = require('chinese-days/dist/chinese-days.json') as {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
};
const version = (require('chinese-days/package.json') as { version: string }).version;

/** `source` of the years loaded from the package. */
export const PACKAGED_SOURCE = `chinese-days ${version}`;

// The package abbreviates some names; the notices name them in full.
const OFFICIAL_NAMES: Record<string, string> = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };

function holidayName(description: string): string {
  // "National Day,国庆节,3": English name, Chinese name, the statutory number of days.
  const chinese = description.split(',')[1]?.trim() ?? '';
  return OFFICIAL_NAMES[chinese] ?? chinese;
}

function byYear(): Map<number, ExceptionDay[]> {
  const years = new Map<number, ExceptionDay[]>();
  const add = (day: string, kind: ExceptionDay['kind'], description: string) => {
    const year = Number(day.slice(0, 4));
    const list = years.get(year) ?? [];
    list.push({ day, kind, name: holidayName(description) || null });
    years.set(year, list);
  };
  for (const [day, description] of Object.entries(data.holidays)) add(day, 'holiday', description);
  for (const [day, description] of Object.entries(data.workdays)) add(day, 'makeup_working', description);
  for (const list of years.values()) list.sort((a, b) => (a.day < b.day ? -1 : 1));
  return new Map([...years].sort(([a], [b]) => a - b));
}

let cached: Map<number, ExceptionDay[]> | undefined;

/** Every year the package knows, with its holidays and make-up working days, oldest first. */
export function packagedYears(): Map<number, ExceptionDay[]> {
  cached ??= byYear();
  return cached;
}
