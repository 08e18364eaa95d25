import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { components, paths } from '../schema';

export type Notification = components['schemas']['Notification'];
export type WebhookSubscription = components['schemas']['WebhookSubscription'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type WebhookAttempt = WebhookDelivery['log'][number];
export type EgressPolicy = components['schemas']['WebhookEgressPolicy'];
export type CreateSubscriptionInput = NonNullable<
  paths['/api/v1/webhooks/subscriptions']['post']['requestBody']
>['content']['application/json'];
export type UpdateSubscriptionInput = NonNullable<
  paths['/api/v1/webhooks/subscriptions/{id}']['patch']['requestBody']
>['content']['application/json'];

/** How often the bell asks for the unread count. */
const UNREAD_POLL_MS = 60_000;

export function useUnreadCount() {
  return useQuery({
    queryKey: queryKeys.notifications.unread(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/notifications/unread-count', { signal })),
    select: (answer) => answer.unread,
    refetchInterval: UNREAD_POLL_MS,
  });
}

export function useInbox(filter: { unread: boolean; limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.notifications.inbox(filter),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/notifications', {
          params: { query: { unread: filter.unread || undefined, limit: filter.limit, offset: filter.offset } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.all }),
  });
}

export function useMarkAllRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/notifications/read-all')),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.all }),
  });
}

// ---- webhooks (webhook:manage)

export function useWebhookSubscriptions() {
  return useQuery({
    queryKey: queryKeys.notifications.subscriptions(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/webhooks/subscriptions', { signal })),
  });
}

/** Creates a subscription; the answer is the only time its signing secret is shown. */
export function useCreateSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateSubscriptionInput) => unwrap(api.POST('/api/v1/webhooks/subscriptions', { body: input })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.subscriptions() }),
  });
}

export function useUpdateSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: UpdateSubscriptionInput & { id: string }) =>
      unwrap(api.PATCH('/api/v1/webhooks/subscriptions/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.subscriptions() }),
  });
}

export function useRotateSecret() {
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/webhooks/subscriptions/{id}/rotate-secret', { params: { path: { id } } })),
  });
}

export function useDeliveries(subscriptionId: string | undefined, filter: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.notifications.deliveries(subscriptionId ?? '', filter),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/webhooks/subscriptions/{id}/deliveries', {
          params: { path: { id: subscriptionId as string }, query: filter },
          signal,
        }),
      ),
    enabled: subscriptionId !== undefined,
    placeholderData: keepPreviousData,
  });
}

export function useRedeliver() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(api.POST('/api/v1/webhooks/deliveries/{id}/redeliver', { params: { path: { id: deliveryId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: [...queryKeys.notifications.all, 'deliveries'] }),
  });
}

export function useEgressPolicy() {
  return useQuery({
    queryKey: queryKeys.notifications.egressPolicy(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/webhooks/egress-policy', { signal })),
  });
}

export function useSetEgressPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EgressPolicy) => unwrap(api.PUT('/api/v1/webhooks/egress-policy', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications.egressPolicy() }),
  });
}
