import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';

/** The service catalogue in force today, or on `at` (YYYY-MM-DD), for the default jurisdiction. */
export function useCatalogue(at: string | undefined) {
  return useQuery({
    queryKey: queryKeys.catalogue.current(at),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/catalogue', { params: { query: at ? { at } : {} }, signal })),
    placeholderData: keepPreviousData,
  });
}
