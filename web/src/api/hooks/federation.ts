import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Federation (issue 22): the city's view of the district installations that report to it.

export type DistrictSummary =
  paths['/api/v1/federation/districts']['get']['responses']['200']['content']['application/json'][number];

const KEY = ['federation'] as const;

export function useDistricts() {
  return useQuery({
    queryKey: [...KEY, 'districts'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/federation/districts', { signal })),
    refetchInterval: 15_000,
  });
}
