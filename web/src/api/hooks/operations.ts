import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Operations (issue 18): the service desk's tickets (TZ 12) and the maintenance calendar (JQ 13).

export type Ticket = paths['/api/v1/operations/tickets/{id}']['get']['responses']['200']['content']['application/json'];
export type TicketListItem =
  paths['/api/v1/operations/tickets']['get']['responses']['200']['content']['application/json']['items'][number];
export type TicketInput = NonNullable<
  paths['/api/v1/operations/tickets']['post']['requestBody']
>['content']['application/json'];
type TicketQuery = NonNullable<paths['/api/v1/operations/tickets']['get']['parameters']['query']>;
export type MaintenanceListItem =
  paths['/api/v1/operations/maintenance']['get']['responses']['200']['content']['application/json']['items'][number];

const KEY = ['operations'] as const;

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

export function useTickets(query: TicketQuery) {
  return useQuery({
    queryKey: [...KEY, 'tickets', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/operations/tickets', { params: { query }, signal })),
  });
}

export function useTicket(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'ticket', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/tickets/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function useOpenTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: TicketInput) => unwrap(api.POST('/api/v1/operations/tickets', { body })),
    onSuccess: invalidate,
  });
}

export function useRespondTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: string }) =>
      unwrap(api.POST('/api/v1/operations/tickets/{id}/responses', { params: { path: { id } }, body: { body } })),
    onSuccess: invalidate,
  });
}

export function useResolveTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, resolution }: { id: string; resolution: string }) =>
      unwrap(
        api.POST('/api/v1/operations/tickets/{id}/resolution', { params: { path: { id } }, body: { resolution } }),
      ),
    onSuccess: invalidate,
  });
}

export function useConfirmTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, satisfaction, comment }: { id: string; satisfaction: number; comment: string | null }) =>
      unwrap(
        api.POST('/api/v1/operations/tickets/{id}/confirmation', {
          params: { path: { id } },
          body: { satisfaction, comment },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useMaintenance() {
  return useQuery({
    queryKey: [...KEY, 'maintenance'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/maintenance', { params: { query: { limit: 200, offset: 0 } }, signal })),
  });
}
