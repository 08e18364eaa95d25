import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';

/** The working calendar of a year for the default jurisdiction (the city cloud). */
export function useCalendarYear(year: number) {
  return useQuery({
    queryKey: queryKeys.calendar.year(year),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/calendar/years/{year}', { params: { path: { year } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/**
 * The deadline N working days after a moment. `from` is ISO 8601 with an offset (+08:00); absent: nothing asked.
 */
export function useAddWorkingDays(from: string | undefined, days: number) {
  return useQuery({
    queryKey: queryKeys.calendar.addWorkingDays(from ?? '', days),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/calendar/working-days/add', {
          params: { query: { from: from ?? '', days } },
          signal,
        }),
      ),
    enabled: from !== undefined,
  });
}
