import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// The libvirt driver (issue 23): providers' network zones bound to libvirt connections, and a host's capacity.

export type LibvirtConnection =
  paths['/api/v1/libvirt/connections']['get']['responses']['200']['content']['application/json']['items'][number];
export type LibvirtConnectionInput =
  paths['/api/v1/libvirt/connections']['put']['requestBody']['content']['application/json'];
export type LibvirtCapacity =
  paths['/api/v1/libvirt/connections/{id}/capacity']['get']['responses']['200']['content']['application/json'];

const KEY = ['libvirt'] as const;

export function useLibvirtConnections() {
  return useQuery({
    queryKey: [...KEY, 'connections'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/libvirt/connections', { signal })),
    select: (r) => r.items,
  });
}

export function usePutLibvirtConnection() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LibvirtConnectionInput) => unwrap(api.PUT('/api/v1/libvirt/connections', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
}

export function useLibvirtCapacity(id: string | null) {
  return useQuery({
    queryKey: [...KEY, 'capacity', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/libvirt/connections/{id}/capacity', { params: { path: { id: id as string } }, signal })),
    enabled: id !== null,
  });
}

export type OrderCapacityCheck =
  paths['/api/v1/libvirt/orders/{id}/capacity']['get']['responses']['200']['content']['application/json'];

/** The capacity flag at review: does the order fit its libvirt zones' hosts (libvirt, now)? The ops unit's view. */
export function useOrderCapacity(orderId: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: [...KEY, 'order-capacity', orderId],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/libvirt/orders/{id}/capacity', { params: { path: { id: orderId as string } }, signal })),
    enabled: enabled && orderId !== undefined,
  });
}
