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
