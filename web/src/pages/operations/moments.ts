import { shanghaiIso } from '../calendar/monthGrid';

/** A `datetime-local` input's wall clock (YYYY-MM-DDTHH:mm), read as Beijing time, as ISO 8601 for the API. */
export function wallClockIso(value: string): string {
  return shanghaiIso(value.length === 16 ? `${value}:00` : value);
}
