import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';

export const systemInfoQuery = () =>
  queryOptions({
    queryKey: queryKeys.system.info(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/system/info', { signal })),
    // What the installation is changes only with a deployment.
    staleTime: 10 * 60_000,
  });

export function useSystemInfo() {
  return useQuery(systemInfoQuery());
}
