import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { paths } from '../schema';

type ResourcesQuery = NonNullable<paths['/api/v1/inventory/resources']['get']['parameters']['query']>;
export type ResourceFilter = Omit<ResourcesQuery, 'limit' | 'offset' | 'after' | 'before'>;
/** A page: by offset, or (next/previous from a page shown) by the cursor the API gave with it. */
export type ResourcePage = Pick<ResourcesQuery, 'after' | 'before'> & { limit: number; offset: number };
export type Resource =
  paths['/api/v1/inventory/resources']['get']['responses']['200']['content']['application/json']['items'][number];
export type ResourceDetail =
  paths['/api/v1/inventory/resources/{id}']['get']['responses']['200']['content']['application/json'];
export type WorkOrder =
  paths['/api/v1/work-orders']['get']['responses']['200']['content']['application/json']['items'][number];
export type WorkOrderDetail =
  paths['/api/v1/work-orders/{id}']['get']['responses']['200']['content']['application/json'];
export type ReceiptBody = NonNullable<
  paths['/api/v1/work-orders/{id}/receipts']['post']['requestBody']
>['content']['application/json'];
export type Finding =
  paths['/api/v1/inventory/findings']['get']['responses']['200']['content']['application/json']['items'][number];
export type WorkOrderStatus = WorkOrder['status'];
export type ResourceState = Resource['state'];

export const RESOURCE_STATES: ResourceState[] = ['provisioning', 'active', 'suspended', 'reclaiming', 'reclaimed'];
export const WORK_ORDER_STATUSES: WorkOrderStatus[] = ['open', 'submitted', 'disputed', 'completed', 'failed'];

/** Download links (plain links: the session cookie suffices; the server audits every export). */
export function inventoryExportUrl(filter: ResourceFilter, format: 'xlsx' | 'csv'): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
  q.set('format', format);
  return `/api/v1/inventory/resources/export?${q.toString()}`;
}
export const receiptExportUrl = (id: string, revision: number) =>
  `/api/v1/work-orders/${encodeURIComponent(id)}/receipts/${revision}/export`;
export const receiptPrintUrl = (id: string, revision: number) =>
  `/api/v1/work-orders/${encodeURIComponent(id)}/receipts/${revision}/print`;

export function useResources(filter: ResourceFilter, page: ResourcePage, options: { enabled?: boolean } = {}) {
  // With a cursor the offset is only the page number shown; the API reads the cursor.
  const query = { ...filter, ...page, offset: page.after || page.before ? 0 : page.offset };
  return useQuery({
    queryKey: queryKeys.inventory.resources(query),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/inventory/resources', { params: { query }, signal })),
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}

export function useResource(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.inventory.resource(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/inventory/resources/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

export function useWorkOrders(
  filter: { status?: WorkOrderStatus; orderId?: string },
  page: { limit: number; offset: number },
) {
  return useQuery({
    queryKey: queryKeys.inventory.workOrders({ ...filter, ...page }),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/work-orders', { params: { query: { ...filter, ...page } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useWorkOrder(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.inventory.workOrder(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/work-orders/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.inventory.all });
    void client.invalidateQueries({ queryKey: queryKeys.orders.all });
  };
}

export function useSubmitReceipt(id: string) {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (body: ReceiptBody) =>
      unwrap(api.POST('/api/v1/work-orders/{id}/receipts', { params: { path: { id } }, body })),
    onSuccess: done,
  });
}

export function useConfirmReceipt(id: string) {
  const done = useInvalidate();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/work-orders/{id}/receipts/confirm', { params: { path: { id } } })),
    onSuccess: done,
  });
}

export function useDisputeReceipt(id: string) {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (lines: { lineNo: number; reason: string }[]) =>
      unwrap(api.POST('/api/v1/work-orders/{id}/receipts/dispute', { params: { path: { id } }, body: { lines } })),
    onSuccess: done,
  });
}

export function useConfirmBackup(id: string) {
  const done = useInvalidate();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/work-orders/{id}/backup-confirmation', { params: { path: { id } } })),
    onSuccess: done,
  });
}

/** The competent authority consents to a platform-opened reclaim going ahead after the unit's backup deadline (SH 25). */
export function useConsentBackupWaiver(id: string) {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (comment?: string) =>
      unwrap(
        api.POST('/api/v1/work-orders/{id}/backup-waiver/consent', {
          params: { path: { id } },
          body: comment ? { comment } : {},
        }),
      ),
    onSuccess: done,
  });
}

/** The ops unit proceeds with the reclaim on the authority's recorded consent. */
export function useProceedWithoutBackup(id: string) {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (comment?: string) =>
      unwrap(
        api.POST('/api/v1/work-orders/{id}/backup-waiver', {
          params: { path: { id } },
          body: comment ? { comment } : {},
        }),
      ),
    onSuccess: done,
  });
}

export function useFindings(filter: { status?: 'open' | 'resolved' }, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: queryKeys.inventory.findings({ ...filter, ...page }),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/inventory/findings', { params: { query: { ...filter, ...page } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useResolveFinding() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: ({ id, resolution }: { id: string; resolution: string }) =>
      unwrap(api.POST('/api/v1/inventory/findings/{id}/resolve', { params: { path: { id } }, body: { resolution } })),
    onSuccess: done,
  });
}

export type ProvisioningOverdue =
  paths['/api/v1/provisioning/overdue']['get']['responses']['200']['content']['application/json'];

/** The authority's overdue board, provisioning's part: unanswered disputes and unresolved findings. */
export function useProvisioningOverdue() {
  return useQuery({
    queryKey: [...queryKeys.inventory.all, 'overdue'] as const,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/provisioning/overdue', { signal })),
    refetchInterval: 60_000,
  });
}
