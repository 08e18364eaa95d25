import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { components, paths } from '../schema';

// The facts beside an order and the order form's live cost estimate (issue 16). Keys live under the orders'
// root, so every order mutation (act, cancel, place) refreshes them.

export type OrderFacts = components['schemas']['OrderFacts'];
export type CostEstimate = components['schemas']['CostEstimate'];
export type EstimateLine = NonNullable<
  paths['/api/v1/orders/estimate']['post']['requestBody']
>['content']['application/json']['lines'][number];

export function useOrderFacts(id: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.orders.all, 'facts', id ?? ''] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/orders/{id}/facts', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

/** The monthly cost of lines being written; keeps the last answer while the next is computed. */
export function useCostEstimate(lines: EstimateLine[], enabled: boolean) {
  return useQuery({
    queryKey: [...queryKeys.orders.all, 'estimate', lines] as const,
    queryFn: ({ signal }) => unwrap(api.POST('/api/v1/orders/estimate', { body: { lines }, signal })),
    enabled: enabled && lines.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}
