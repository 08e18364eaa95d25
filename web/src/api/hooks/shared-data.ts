import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Shared data (NB 13-15): the catalogue, applications and grants, traces, data error reports.

export type ResourceSummary =
  paths['/api/v1/shared-data/resources']['get']['responses']['200']['content']['application/json']['items'][number];
export type Resource =
  paths['/api/v1/shared-data/resources/{id}']['get']['responses']['200']['content']['application/json'];
export type ResourceVersion = NonNullable<Resource['published']>;
export type ResourceInput = NonNullable<
  paths['/api/v1/shared-data/resources']['post']['requestBody']
>['content']['application/json'];
export type DataField = ResourceInput['fields'][number];
export type Grant =
  paths['/api/v1/shared-data/applications/{id}']['get']['responses']['200']['content']['application/json'];
export type Trace =
  paths['/api/v1/shared-data/traces']['get']['responses']['200']['content']['application/json']['items'][number];
export type Usage =
  paths['/api/v1/shared-data/traces/usage']['get']['responses']['200']['content']['application/json']['items'][number];
export type ErrorReport =
  paths['/api/v1/shared-data/error-reports/{id}']['get']['responses']['200']['content']['application/json'];
export type Guide = paths['/api/v1/shared-data/guide']['get']['responses']['200']['content']['application/json'];
type CatalogueQuery = NonNullable<paths['/api/v1/shared-data/resources']['get']['parameters']['query']>;
type GrantQuery = NonNullable<paths['/api/v1/shared-data/applications']['get']['parameters']['query']>;
export type TraceQuery = NonNullable<paths['/api/v1/shared-data/traces']['get']['parameters']['query']>;
type ReportQuery = NonNullable<paths['/api/v1/shared-data/error-reports']['get']['parameters']['query']>;

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const KEY = ['shared-data'] as const;

/** A query string of the defined values (for the plain download links, which carry the session cookie). */
export function queryString(query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const CATALOGUE_TEMPLATE_URL = '/api/v1/shared-data/resources/template';
export const catalogueExportUrl = (query: Record<string, string | undefined>) =>
  `/api/v1/shared-data/resources/export${queryString(query)}`;
export const traceExportUrl = (query: Record<string, string | boolean | undefined>) =>
  `/api/v1/shared-data/traces/export${queryString(query)}`;

export function useGuide() {
  return useQuery({
    queryKey: [...KEY, 'guide'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/shared-data/guide', { signal })),
  });
}

export function useCatalogue(query: CatalogueQuery) {
  return useQuery({
    queryKey: [...KEY, 'resources', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/shared-data/resources', { params: { query }, signal })),
  });
}

export function useResource(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'resource', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/shared-data/resources/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

/** The meaning of each field of the resources named (for lists that carry field names only). */
export function useFieldMeanings(resourceIds: readonly string[]): Map<string, Map<string, string>> {
  const ids = [...new Set(resourceIds)];
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: [...KEY, 'resource', id],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        unwrap(api.GET('/api/v1/shared-data/resources/{id}', { params: { path: { id } }, signal })),
      retry: false,
      staleTime: 60_000,
    })),
  });
  const out = new Map<string, Map<string, string>>();
  results.forEach((r, i) => {
    const version = r.data?.published ?? r.data?.open;
    if (version) out.set(ids[i] as string, new Map(version.fields.map((f) => [f.name, f.meaning])));
  });
  return out;
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

export function useSaveResource() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: ResourceInput }) =>
      id
        ? unwrap(api.PUT('/api/v1/shared-data/resources/{id}/draft', { params: { path: { id } }, body }))
        : unwrap(api.POST('/api/v1/shared-data/resources', { body })),
    onSuccess: invalidate,
  });
}

export type ResourceAction =
  | { action: 'submit' }
  | { action: 'review'; decision: 'publish' | 'return'; comment: string | null }
  | { action: 'withdraw'; reason: string }
  | { action: 'credential'; headerName: string; value: string };

export function useResourceAction() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...a }: ResourceAction & { id: string }) => {
      const path = { params: { path: { id } } };
      switch (a.action) {
        case 'submit':
          return unwrap(api.POST('/api/v1/shared-data/resources/{id}/submit', path));
        case 'review':
          return unwrap(
            api.POST('/api/v1/shared-data/resources/{id}/review', {
              ...path,
              body: { decision: a.decision, comment: a.comment },
            }),
          );
        case 'withdraw':
          return unwrap(
            api.POST('/api/v1/shared-data/resources/{id}/withdraw', { ...path, body: { reason: a.reason } }),
          );
        default:
          return unwrap(
            api.PUT('/api/v1/shared-data/resources/{id}/credential', {
              ...path,
              body: { headerName: a.headerName, value: a.value },
            }),
          );
      }
    },
    onSuccess: invalidate,
  });
}

export function useImportCatalogue() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (file: File) =>
      unwrap(
        api.POST('/api/v1/shared-data/resources/import', {
          body: file as unknown as Record<string, never>,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'Content-Type': XLSX_TYPE },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useApplications(query: GrantQuery) {
  return useQuery({
    queryKey: [...KEY, 'applications', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/shared-data/applications', { params: { query }, signal })),
  });
}

export type ApplicationBody = NonNullable<
  paths['/api/v1/shared-data/applications']['post']['requestBody']
>['content']['application/json'];

export function useApply() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: ApplicationBody) => unwrap(api.POST('/api/v1/shared-data/applications', { body })),
    onSuccess: invalidate,
  });
}

export type GrantAction =
  | {
      action: 'decision';
      decision: 'approve' | 'refuse';
      fields?: string[];
      validFrom?: string;
      validTo?: string;
      rateLimitPerMinute?: number | null;
      reason: string | null;
    }
  | { action: 'review'; decision: 'approve' | 'refuse'; reason: string | null }
  | { action: 'withdraw' }
  | { action: 'revoke'; reason: string };

export function useGrantAction() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...a }: GrantAction & { id: string }) => {
      const path = { params: { path: { id } } };
      switch (a.action) {
        case 'decision': {
          const { action: _a, ...body } = a;
          return unwrap(api.POST('/api/v1/shared-data/applications/{id}/decision', { ...path, body }));
        }
        case 'review':
          return unwrap(
            api.POST('/api/v1/shared-data/applications/{id}/review', {
              ...path,
              body: { decision: a.decision, reason: a.reason },
            }),
          );
        case 'withdraw':
          return unwrap(api.POST('/api/v1/shared-data/applications/{id}/withdraw', path));
        default:
          return unwrap(
            api.POST('/api/v1/shared-data/applications/{id}/revoke', { ...path, body: { reason: a.reason } }),
          );
      }
    },
    onSuccess: invalidate,
  });
}

export function useTraces(query: TraceQuery) {
  return useQuery({
    queryKey: [...KEY, 'traces', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/shared-data/traces', { params: { query }, signal })),
  });
}

export function useUsage(query: Omit<TraceQuery, 'limit' | 'offset'>, enabled: boolean) {
  return useQuery({
    queryKey: [...KEY, 'usage', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/shared-data/traces/usage', { params: { query }, signal })),
    enabled,
  });
}

export function useErrorReports(query: ReportQuery) {
  return useQuery({
    queryKey: [...KEY, 'errors', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/shared-data/error-reports', { params: { query }, signal })),
  });
}

export function useReportError() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { resourceId: string; recordReference: string; field: string; description: string }) =>
      unwrap(api.POST('/api/v1/shared-data/error-reports', { body })),
    onSuccess: invalidate,
  });
}

export type ErrorStep = 'acknowledge' | 'correct' | 'confirm' | 'reject';

export function useErrorStep() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, step, note }: { id: string; step: ErrorStep; note: string | null }) => {
      const path = { params: { path: { id } } };
      switch (step) {
        case 'acknowledge':
          return unwrap(api.POST('/api/v1/shared-data/error-reports/{id}/acknowledge', { ...path, body: { note } }));
        case 'correct':
          return unwrap(
            api.POST('/api/v1/shared-data/error-reports/{id}/correct', { ...path, body: { correction: note } }),
          );
        case 'confirm':
          return unwrap(api.POST('/api/v1/shared-data/error-reports/{id}/confirm', { ...path, body: { note } }));
        default:
          return unwrap(api.POST('/api/v1/shared-data/error-reports/{id}/reject', { ...path, body: { reason: note } }));
      }
    },
    onSuccess: invalidate,
  });
}
