import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { components, paths } from '../schema';

export type Order = components['schemas']['Order'];
export type OrderSummary = components['schemas']['OrderSummary'];
export type OrderStep = components['schemas']['OrderStep'];
export type OrderInbox = components['schemas']['OrderInbox'];
export type InboxItem = OrderInbox['items'][number];
export type OverdueDashboard = components['schemas']['OverdueDashboard'];
export type QuotaUsage = components['schemas']['QuotaUsage'];
export type OrderType = Order['type'];
export type OrderStatus = Order['status'];
export type PlaceOrderInput = NonNullable<
  paths['/api/v1/orders']['post']['requestBody']
>['content']['application/json'];
export type ActInput = NonNullable<
  paths['/api/v1/orders/{id}/act']['post']['requestBody']
>['content']['application/json'];
export type Decision = ActInput['decision'];

export const ORDER_TYPES: readonly OrderType[] = [
  'new_resources',
  'scale_up',
  'change',
  'reclaim',
  'development',
  'emergency',
  'temporary',
  'extension',
  'backup_extraction',
  'green_channel',
];
export const ORDER_STATUSES: readonly OrderStatus[] = [
  'draft',
  'submitted',
  'in_progress',
  'completed',
  'rejected',
  'cancelled',
];

export interface OrderFilter {
  status?: OrderStatus;
  type?: OrderType;
  mine?: boolean;
  projectId?: string;
}

/**
 * Idempotency keys per intended write: the same request sent again before it succeeded (its answer was lost,
 * a double click, a retry) carries the same key, so the server replays the first answer instead of acting
 * twice; once it succeeded, the next write of the same content is a new intent with a new key. A refused
 * write rolls its key back on the server, so a corrected request may reuse it.
 */
function useIdempotencyKeys() {
  const keys = useRef(new Map<string, string>());
  return {
    keyFor(request: unknown): string {
      const id = JSON.stringify(request);
      let key = keys.current.get(id);
      if (!key) {
        key = crypto.randomUUID();
        keys.current.set(id, key);
      }
      return key;
    },
    done(request: unknown) {
      keys.current.delete(JSON.stringify(request));
    },
  };
}

export function useOrders(filter: OrderFilter = {}) {
  return useQuery({
    queryKey: queryKeys.orders.list(filter),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/orders', { params: { query: { ...filter, limit: 500, offset: 0 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useOrder(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.orders.detail(id ?? ''),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/orders/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

/** The order types the caller's policy pack provides, each with its article (the order form offers these). */
export function useOrderTypes() {
  return useQuery({
    queryKey: [...queryKeys.orders.all, 'types'] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/orders/types', { signal })),
    select: (answer) => answer.items,
    staleTime: 5 * 60_000,
  });
}

export function useInbox() {
  return useQuery({
    queryKey: queryKeys.orders.inbox(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/orders/inbox', { signal })),
    // a to-do list is read fresh whenever it is opened (the home page may have loaded it moments before)
    refetchOnMount: 'always',
    refetchInterval: 60_000,
  });
}

export function useOverdue() {
  return useQuery({
    queryKey: queryKeys.orders.overdue(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/orders/overdue', { signal })),
    refetchOnMount: 'always',
    refetchInterval: 60_000,
  });
}

/** A project's quota against what orders reserve and hold (the orders module's view). */
export function useQuotaUsage(projectId: string | undefined) {
  return useQuery({
    queryKey: queryKeys.orders.quotaUsage(projectId ?? ''),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/orders/quota-usage/{projectId}', { params: { path: { projectId: projectId ?? '' } }, signal }),
      ),
    enabled: projectId !== undefined,
  });
}

export function usePlaceOrder() {
  const client = useQueryClient();
  const keys = useIdempotencyKeys();
  return useMutation({
    mutationFn: (body: PlaceOrderInput) =>
      unwrap(api.POST('/api/v1/orders', { body, params: { header: { 'idempotency-key': keys.keyFor(body) } } })),
    onSuccess: (_, body) => {
      keys.done(body);
      return client.invalidateQueries({ queryKey: queryKeys.orders.all });
    },
  });
}

export function useActOnOrder() {
  const client = useQueryClient();
  const keys = useIdempotencyKeys();
  return useMutation({
    mutationFn: (input: { id: string; body: ActInput }) =>
      unwrap(
        api.POST('/api/v1/orders/{id}/act', {
          params: { path: { id: input.id }, header: { 'idempotency-key': keys.keyFor(input) } },
          body: input.body,
        }),
      ),
    onSuccess: (_, input) => {
      keys.done(input);
      return client.invalidateQueries({ queryKey: queryKeys.orders.all });
    },
  });
}

export function useBatchAct() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (items: (ActInput & { orderId: string })[]) =>
      unwrap(api.POST('/api/v1/orders/batch-act', { body: { items } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.orders.all }),
  });
}

export function useCancelOrder() {
  const client = useQueryClient();
  const keys = useIdempotencyKeys();
  return useMutation({
    mutationFn: (input: { id: string; reason?: string }) =>
      unwrap(
        api.POST('/api/v1/orders/{id}/cancel', {
          params: { path: { id: input.id }, header: { 'idempotency-key': keys.keyFor(input) } },
          body: { reason: input.reason },
        }),
      ),
    onSuccess: (_, input) => {
      keys.done(input);
      return client.invalidateQueries({ queryKey: queryKeys.orders.all });
    },
  });
}
