import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapEmpty } from '../client';
import { queryKeys } from '../query-keys';
import type { components, paths } from '../schema';

export type InformationSystem = components['schemas']['InformationSystem'];
export type Project = components['schemas']['Project'];
export type ProjectQuota = components['schemas']['ProjectQuota'];
export type SystemStatus = InformationSystem['status'];
export type ProjectStatus = Project['status'];
export type SystemInput = NonNullable<paths['/api/v1/systems']['post']['requestBody']>['content']['application/json'];
export type SystemPatch = NonNullable<
  paths['/api/v1/systems/{id}']['patch']['requestBody']
>['content']['application/json'];
export type ProjectInput = NonNullable<paths['/api/v1/projects']['post']['requestBody']>['content']['application/json'];
export type ProjectPatch = NonNullable<
  paths['/api/v1/projects/{id}']['patch']['requestBody']
>['content']['application/json'];
export type QuotaInput = NonNullable<
  paths['/api/v1/projects/{id}/quota']['put']['requestBody']
>['content']['application/json'];

export const SYSTEM_STATUSES: readonly SystemStatus[] = ['planned', 'on_cloud', 'legacy_data_centre', 'retired'];
export const PROJECT_STATUSES: readonly ProjectStatus[] = [
  'declared',
  'under_review',
  'approved',
  'rejected',
  'closed',
];
/** The quota dimensions every project has; other items use `item:<catalogue code>`. */
export const BASE_DIMENSIONS = ['vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps'] as const;

export interface SystemFilter {
  status?: SystemStatus;
  q?: string;
}
export interface ProjectFilter {
  status?: ProjectStatus;
  q?: string;
}

export function useSystems(filter: SystemFilter = {}) {
  return useQuery({
    queryKey: queryKeys.projects.systems(filter),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/systems', { params: { query: { ...filter, limit: 500, offset: 0 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useProjects(filter: ProjectFilter = {}) {
  return useQuery({
    queryKey: queryKeys.projects.list(filter),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/projects', { params: { query: { ...filter, limit: 500, offset: 0 } }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useCreateSystem() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SystemInput) => unwrap(api.POST('/api/v1/systems', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

export function useUpdateSystem() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: SystemPatch }) =>
      unwrap(api.PATCH('/api/v1/systems/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

export function useDeleteSystem() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrapEmpty(api.DELETE('/api/v1/systems/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

export function useCreateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ProjectInput) => unwrap(api.POST('/api/v1/projects', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

export function useUpdateProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ProjectPatch }) =>
      unwrap(api.PATCH('/api/v1/projects/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

/** The unit submits its declared project for the authority's review (SH 18). */
export function useSubmitProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/projects/{id}/submit', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

export type ProjectDecision = 'approve' | 'reject' | 'return';

/** The authority (`project:approve`) decides a project under review: 立项, not approved, or returned to the unit. */
export function useDecideProject() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: ProjectDecision }) =>
      unwrap(api.POST('/api/v1/projects/{id}/decision', { params: { path: { id } }, body: { decision } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.projects.all }),
  });
}

/** Economy & IT authority only (`quota:set`): replaces the base quota and the periodic windows. */
export function useSetQuota() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: QuotaInput }) =>
      unwrap(api.PUT('/api/v1/projects/{id}/quota', { params: { path: { id } }, body })),
    // The gauges read the quota through the orders module's usage view, cached under orders.
    onSuccess: (_, { id }) =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.projects.all }),
        client.invalidateQueries({ queryKey: queryKeys.orders.quotaUsage(id) }),
      ]),
  });
}
