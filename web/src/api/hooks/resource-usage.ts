import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';

/** One metric of one resource, hourly: average and peak (GET /monitoring/resources/:id/series). */
export interface ResourceSeries {
  resourceId: string;
  metric: string;
  points: { hour: string; avg: number; max: number; count: number }[];
}

/** A resource's utilisation over [from, to) for the resource page's chart (issue 16). */
export function useResourceSeries(id: string | undefined, metric: 'cpu' | 'memory', from: string, to: string) {
  return useQuery({
    queryKey: ['monitoring', 'resource-series', id ?? '', metric, from, to] as const,
    queryFn: async ({ signal }) =>
      (await unwrap(
        api.GET('/api/v1/monitoring/resources/{id}/series', {
          params: { path: { id: id ?? '' }, query: { metric, from, to } },
          signal,
        }),
      )) as unknown as ResourceSeries,
    enabled: id !== undefined,
  });
}
