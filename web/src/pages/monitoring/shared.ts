import dayjs from 'dayjs';
import { ApiError, localiseServerText } from '../../api/errors';
import type { Language } from '../../i18n';

export const RULE_COLOR: Record<string, string> = {
  low_utilisation: 'gold',
  zombie: 'volcano',
  silent_agent: 'purple',
};

export const RECT_COLOR: Record<string, string> = {
  proposed: 'blue',
  warned: 'orange',
  responded: 'cyan',
  accepted: 'green',
  consent_requested: 'volcano',
  declined: 'default',
  escalated: 'red',
  reversed: 'default',
  withdrawn: 'default',
};

/** A failed mutation as one line for a toast: the server's localised title and detail. */
export function failureText(error: unknown, language: Language): string {
  if (error instanceof ApiError) {
    return error.detail ? `${error.title}: ${localiseServerText(error.detail, language)}` : error.title;
  }
  return String(error);
}

/** Monday of the week `day` lies in, YYYY-MM-DD (whatever the locale's first day of the week). */
export function mondayOf(day: { day(): number; subtract(n: number, unit: 'day'): { format(f: string): string } }) {
  return day.subtract((day.day() + 6) % 7, 'day').format('YYYY-MM-DD');
}

/**
 * The period shown after switching between week and month: the current week becomes the current month (not the
 * month its Monday lies in), the current month the current week; any other period the month or week it starts.
 */
export function switchedStart(to: 'week' | 'month', start: string, today: string): string {
  if (to === 'month') {
    const current = start <= today && today < dayjs(start).add(7, 'day').format('YYYY-MM-DD');
    return dayjs(current ? today : start)
      .startOf('month')
      .format('YYYY-MM-DD');
  }
  return start.slice(0, 7) === today.slice(0, 7) ? mondayOf(dayjs(today)) : mondayOf(dayjs(start));
}

/**
 * The evidence drawer scrolls as a whole, header with it: a scrolling body without a control in it cannot be
 * reached by keyboard (axe scrollable-region-focusable, issue 16); the whole drawer holds its close button.
 */
export const EVIDENCE_DRAWER_STYLES = { body: { overflow: 'visible' } } as const;
