/**
 * The calendar's file formats: CSV and iCalendar in (an operator loads a year from the State Council's
 * notice), iCalendar out. Pure functions over text; the service stores what they return.
 *
 * CSV (UTF-8, a byte-order mark is ignored; RFC 4180 quoting; blank lines are skipped):
 *
 *     date,kind,name
 *     2026-10-01,holiday,国庆节
 *     2026-10-10,makeup_working,国庆节
 *
 * - The first line is the header `date,kind,name`, exactly these three columns.
 * - `date` is `YYYY-MM-DD` and must lie in the year being imported; each date at most once.
 * - `kind` is `holiday` (a statutory holiday, any day of the week; `休` is accepted too),
 *   `makeup_working` (a Saturday or Sunday worked instead, 调休上班; `班` is accepted too),
 *   `working` (a Monday to Friday worked) or `weekend` (a Saturday or Sunday off). `working` and `weekend`
 *   only repeat the plain rule and store nothing; they are accepted so a full list of the year's days
 *   (as the year's listing gives it) can be loaded back.
 * - `name` is the holiday's Chinese name as the notice gives it (国庆节); required for a holiday, optional for
 *   a make-up working day (the holiday it makes up for), at most 100 characters.
 * - Days the file does not list follow the plain rule: Monday to Friday work, Saturday and Sunday off.
 *
 * iCalendar (RFC 5545): every VEVENT with an all-day DTSTART (`DTSTART;VALUE=DATE:20261001`) and an
 * exclusive DTEND or a `P<n>D` DURATION (default one day) marks each day it spans. Whether it is a holiday
 * or a make-up working day is read from `X-YUNGUAN-KIND` (`holiday` / `makeup_working`, as exported), else
 * from a SUMMARY ending in `(休)` or `(班)` (the convention of published Chinese holiday feeds), else from
 * `X-APPLE-SPECIAL-DAY` (`WORK-HOLIDAY` / `ALTERNATE-WORKDAY`); the SUMMARY without that suffix is the name.
 * Days of an event outside the year are ignored (a multi-year feed can be loaded one year at a time);
 * cancelled events are skipped. Errors are reported at the line of the event's BEGIN:VEVENT.
 */
import { addDays, daysBetween, isCalendarDay, isoWeekday, yearOf } from '../../platform/time/time.ts';
import type { DayKind } from './calendar.table.ts';

export type ImportFormat = 'csv' | 'ics';

/** A day that departs from the plain rule, as stored. */
export interface ExceptionDay {
  day: string;
  kind: 'holiday' | 'makeup_working';
  name: string | null;
}

export interface LineError {
  line: number;
  reason: string;
}

export type ParseResult = { ok: true; days: ExceptionDay[] } | { ok: false; errors: LineError[] };

interface ListedDay {
  line: number;
  day: string;
  kind: DayKind;
  name: string | null;
}

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MAX_NAME = 100;
// Control characters other than none at all: a name is one line of text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The checks both formats share: the day lies in the year, is listed once, and its kind fits its weekday;
 * holidays carry a name. Returns the exceptions to store, or every problem found.
 */
function validateDays(year: number, listed: ListedDay[], errors: LineError[], fileLine: number): ParseResult {
  const seen = new Map<string, number>();
  const days: ExceptionDay[] = [];
  for (const d of listed) {
    const weekday = isoWeekday(d.day);
    const weekend = weekday >= 6;
    const earlier = seen.get(d.day);
    if (earlier !== undefined) {
      errors.push({ line: d.line, reason: `${d.day} is already given on line ${earlier}` });
      continue;
    }
    seen.set(d.day, d.line);
    if (d.kind === 'makeup_working' && !weekend) {
      errors.push({
        line: d.line,
        reason: `${d.day} is a ${WEEKDAY_NAMES[weekday]}: a make-up working day is a Saturday or Sunday`,
      });
    } else if (d.kind === 'working' && weekend) {
      errors.push({
        line: d.line,
        reason: `${d.day} is a ${WEEKDAY_NAMES[weekday]}: a weekend day worked is makeup_working`,
      });
    } else if (d.kind === 'weekend' && !weekend) {
      errors.push({ line: d.line, reason: `${d.day} is a ${WEEKDAY_NAMES[weekday]}: a weekday off is a holiday` });
    } else if (d.kind === 'holiday' && !d.name) {
      errors.push({ line: d.line, reason: `${d.day}: a holiday needs its name (e.g. 国庆节)` });
    } else if (d.name && (d.name.length > MAX_NAME || CONTROL.test(d.name))) {
      errors.push({ line: d.line, reason: `${d.day}: the name must be one line of at most ${MAX_NAME} characters` });
    } else if (d.kind === 'holiday' || d.kind === 'makeup_working') {
      days.push({ day: d.day, kind: d.kind, name: d.name || null });
    }
  }
  if (errors.length === 0 && listed.length === 0) {
    errors.push({ line: fileLine, reason: `the file lists no day of ${year}` });
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  return { ok: true, days: days.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0)) };
}

function splitLines(content: string): string[] {
  return content.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
}

// ---------------------------------------------------------------------------------------------- CSV

/** Splits one CSV record (RFC 4180 quoting, no line breaks inside quotes); null when a quote is unclosed. */
function csvFields(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i];
        i++;
      }
      // Anything between the closing quote and the next comma is kept, as spreadsheets tolerate it.
      while (i < line.length && line[i] !== ',') field += line[i++];
    } else {
      while (i < line.length && line[i] !== ',') field += line[i++];
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

const CSV_KINDS: Record<string, DayKind> = {
  holiday: 'holiday',
  makeup_working: 'makeup_working',
  working: 'working',
  weekend: 'weekend',
  休: 'holiday',
  班: 'makeup_working',
};

/** One data line of the CSV: the day it lists, or why it is wrong. */
function csvDay(year: number, line: number, text: string): ListedDay | string {
  const fields = csvFields(text);
  if (!fields) return 'a quoted field is not closed';
  if (fields.length < 2 || fields.length > 3) {
    return `expected the columns date,kind,name, found ${fields.length} columns`;
  }
  const [day = '', kindText = '', name = ''] = fields;
  if (!isCalendarDay(day)) return `"${day}" is not a date (YYYY-MM-DD)`;
  if (yearOf(day) !== year) return `${day} is not in ${year}`;
  const kind = CSV_KINDS[kindText] ?? CSV_KINDS[kindText.toLowerCase()];
  if (!kind) return `"${kindText}" is not a kind: holiday, makeup_working, working or weekend`;
  return { line, day, kind, name: name || null };
}

export function parseCalendarCsv(year: number, content: string): ParseResult {
  const lines = splitLines(content);
  const errors: LineError[] = [];
  const header = csvFields(lines[0] ?? '');
  if (header?.map((h) => h.toLowerCase()).join(',') !== 'date,kind,name') {
    return { ok: false, errors: [{ line: 1, reason: 'the first line must be the header date,kind,name' }] };
  }
  const listed: ListedDay[] = [];
  for (const [index, text] of lines.entries()) {
    if (index === 0 || text.trim() === '') continue;
    const result = csvDay(year, index + 1, text);
    if (typeof result === 'string') errors.push({ line: index + 1, reason: result });
    else listed.push(result);
  }
  return validateDays(year, listed, errors, 1);
}

// ---------------------------------------------------------------------------------------- iCalendar

interface ContentLine {
  line: number;
  name: string;
  params: Record<string, string>;
  value: string;
}

/** Unfolds continuation lines and splits each content line into name, parameters and value. */
function contentLines(content: string): { lines: ContentLine[]; errors: LineError[] } {
  const physical = splitLines(content);
  const logical: { line: number; text: string }[] = [];
  physical.forEach((text, index) => {
    const last = logical.at(-1);
    if ((text.startsWith(' ') || text.startsWith('\t')) && last) last.text += text.slice(1);
    else if (text.trim() !== '') logical.push({ line: index + 1, text });
  });
  const lines: ContentLine[] = [];
  const errors: LineError[] = [];
  for (const { line, text } of logical) {
    let quoted = false;
    let colon = -1;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '"') quoted = !quoted;
      else if (text[i] === ':' && !quoted) {
        colon = i;
        break;
      }
    }
    if (colon <= 0) {
      errors.push({ line, reason: 'not an iCalendar content line (NAME:value)' });
      continue;
    }
    const [name = '', ...paramTexts] = text.slice(0, colon).split(';');
    const params: Record<string, string> = {};
    for (const p of paramTexts) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"(.*)"$/, '$1');
    }
    lines.push({ line, name: name.toUpperCase(), params, value: text.slice(colon + 1) });
  }
  return { lines, errors };
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** `20261001` as a calendar day, or null. */
function icsDate(value: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  return isCalendarDay(day) ? day : null;
}

const SUFFIX = /\s*[(（]\s*(休|班)\s*[)）]\s*$/;

interface EventLines {
  begin: number;
  props: Map<string, ContentLine>;
}

function eventDays(year: number, event: EventLines, errors: LineError[]): ListedDay[] {
  const line = event.begin;
  if (event.props.get('STATUS')?.value.trim().toUpperCase() === 'CANCELLED') return [];
  const dtstart = event.props.get('DTSTART');
  if (!dtstart) {
    errors.push({ line, reason: 'the event has no DTSTART' });
    return [];
  }
  const start = icsDate(dtstart.value);
  if (!start) {
    errors.push({
      line: dtstart.line,
      reason: `DTSTART "${dtstart.value}" is not an all-day date (DTSTART;VALUE=DATE:YYYYMMDD)`,
    });
    return [];
  }
  let length = 1;
  const dtend = event.props.get('DTEND');
  const duration = event.props.get('DURATION');
  if (dtend) {
    const end = icsDate(dtend.value);
    if (!end || end <= start) {
      errors.push({ line: dtend.line, reason: `DTEND "${dtend.value}" is not an all-day date after DTSTART` });
      return [];
    }
    length = daysBetween(start, end);
  } else if (duration) {
    const m = /^P(?:(\d+)W|(\d+)D)$/.exec(duration.value.trim());
    const n = m ? (m[1] ? Number(m[1]) * 7 : Number(m[2])) : 0;
    if (n < 1) {
      errors.push({ line: duration.line, reason: `DURATION "${duration.value}" is not a whole number of days` });
      return [];
    }
    length = n;
  }
  if (length > 366) {
    errors.push({ line, reason: `the event spans ${length} days; a holiday or make-up day spans at most a year` });
    return [];
  }

  const summary = unescapeText(event.props.get('SUMMARY')?.value ?? '').trim();
  const suffix = SUFFIX.exec(summary);
  const name = summary.replace(SUFFIX, '').trim() || null;
  const marker = event.props.get('X-YUNGUAN-KIND')?.value.trim().toLowerCase();
  const apple = event.props.get('X-APPLE-SPECIAL-DAY')?.value.trim().toUpperCase();
  let kind: DayKind | undefined;
  if (marker === 'holiday' || marker === 'makeup_working') kind = marker;
  else if (marker) {
    errors.push({ line, reason: `X-YUNGUAN-KIND "${marker}" is not holiday or makeup_working` });
    return [];
  } else if (suffix) kind = suffix[1] === '休' ? 'holiday' : 'makeup_working';
  else if (apple === 'WORK-HOLIDAY') kind = 'holiday';
  else if (apple === 'ALTERNATE-WORKDAY') kind = 'makeup_working';
  if (!kind) {
    errors.push({
      line,
      reason: `cannot tell whether "${summary}" is a holiday or a make-up working day: end the SUMMARY with (休) or (班)`,
    });
    return [];
  }
  const days: ListedDay[] = [];
  for (let i = 0; i < length; i++) {
    const day = addDays(start, i);
    if (yearOf(day) === year) days.push({ line, day, kind, name });
  }
  return days;
}

export function parseCalendarIcs(year: number, content: string): ParseResult {
  const { lines, errors } = contentLines(content);
  if (!lines.some((l) => l.name === 'BEGIN' && l.value.trim().toUpperCase() === 'VCALENDAR')) {
    return { ok: false, errors: [{ line: 1, reason: 'not an iCalendar file: no BEGIN:VCALENDAR' }] };
  }
  const listed: ListedDay[] = [];
  const stack: { name: string; line: number }[] = [];
  let event: EventLines | null = null;
  for (const l of lines) {
    const value = l.value.trim().toUpperCase();
    if (l.name === 'BEGIN') {
      stack.push({ name: value, line: l.line });
      if (value === 'VEVENT') event = { begin: l.line, props: new Map() };
    } else if (l.name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== value) {
        errors.push({
          line: l.line,
          reason: `END:${value} does not close ${open ? `BEGIN:${open.name}` : 'anything'}`,
        });
        return { ok: false, errors };
      }
      if (value === 'VEVENT' && event) {
        listed.push(...eventDays(year, event, errors));
        event = null;
      }
    } else if (event && stack.at(-1)?.name === 'VEVENT' && !event.props.has(l.name)) {
      event.props.set(l.name, l);
    }
  }
  const unclosed = stack.at(-1);
  if (unclosed) errors.push({ line: unclosed.line, reason: `BEGIN:${unclosed.name} is never closed` });
  return validateDays(year, listed, errors, 1);
}

export function parseCalendarFile(format: ImportFormat, year: number, content: string): ParseResult {
  return format === 'csv' ? parseCalendarCsv(year, content) : parseCalendarIcs(year, content);
}

// --------------------------------------------------------------------------------- iCalendar export

function escapeText(value: string): string {
  return value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\n|\r/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the continuation's leading space counts
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function icsStamp(moment: Date): string {
  return `${moment.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

export interface IcsCalendar {
  jurisdictionCode: string;
  jurisdictionName: string;
  year: number;
  status: 'confirmed' | 'provisional';
  /** DTSTAMP of every event: when the year's calendar last changed (a fixed value keeps the file stable). */
  stamp: Date;
  days: ExceptionDay[];
}

/** The year's holidays and make-up working days, one all-day VEVENT per day. */
export function writeCalendarIcs(calendar: IcsCalendar): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Yunguan//Working-day calendar//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`${calendar.jurisdictionName} ${calendar.year} 年工作日历`)}`,
    'X-WR-TIMEZONE:Asia/Shanghai',
    `X-YUNGUAN-JURISDICTION:${escapeText(calendar.jurisdictionCode)}`,
    `X-YUNGUAN-STATUS:${calendar.status}`,
  ];
  const stamp = icsStamp(calendar.stamp);
  for (const d of calendar.days) {
    const holiday = d.kind === 'holiday';
    const compact = d.day.replace(/-/g, '');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${compact}-${d.kind}-${calendar.jurisdictionCode}@yunguan`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${compact}`,
      `DTEND;VALUE=DATE:${addDays(d.day, 1).replace(/-/g, '')}`,
      `SUMMARY:${escapeText(`${d.name ?? (holiday ? '假日' : '调休上班')}(${holiday ? '休' : '班'})`)}`,
      `CATEGORIES:${holiday ? '法定节假日' : '调休上班'}`,
      'TRANSP:TRANSPARENT',
      `X-YUNGUAN-KIND:${d.kind}`,
      `X-APPLE-SPECIAL-DAY:${holiday ? 'WORK-HOLIDAY' : 'ALTERNATE-WORKDAY'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
