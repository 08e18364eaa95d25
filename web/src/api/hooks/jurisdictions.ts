import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';

export const jurisdictionsQuery = () =>
  queryOptions({
    queryKey: queryKeys.jurisdictions.list(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/jurisdictions', { signal })),
    select: (page) => page.items,
  });

export const jurisdictionQuery = (code: string) =>
  queryOptions({
    queryKey: queryKeys.jurisdictions.detail(code),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/jurisdictions/{code}', { params: { path: { code } }, signal })),
  });

export function useJurisdictions() {
  return useQuery(jurisdictionsQuery());
}

export function useJurisdiction(code: string) {
  return useQuery(jurisdictionQuery(code));
}
