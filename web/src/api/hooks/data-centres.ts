import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Legacy data centres (LZ 12-19): the register, certification, migration and closure.

export type DataCentre = paths['/api/v1/data-centres/{id}']['get']['responses']['200']['content']['application/json'];
export type DataCentreInput = NonNullable<
  paths['/api/v1/data-centres']['post']['requestBody']
>['content']['application/json'];
export type Overview = paths['/api/v1/data-centres/overview']['get']['responses']['200']['content']['application/json'];
export type MigrationProgress =
  paths['/api/v1/data-centres/migration']['get']['responses']['200']['content']['application/json'];
export type Precheck =
  paths['/api/v1/data-centres/{id}/precheck']['get']['responses']['200']['content']['application/json'];
export type Application =
  paths['/api/v1/data-centres/applications/{id}']['get']['responses']['200']['content']['application/json'];
export type Stage = DataCentre['stage'];
export type Criterion = keyof Application['answers'];
export type Upload = NonNullable<
  paths['/api/v1/data-centres/{id}/attachments']['post']['requestBody']
>['content']['application/json'];
type ListQuery = NonNullable<paths['/api/v1/data-centres']['get']['parameters']['query']>;
type ApplicationQuery = NonNullable<paths['/api/v1/data-centres/applications']['get']['parameters']['query']>;

export const CRITERIA: readonly Criterion[] = ['network', 'technology', 'scale', 'operations', 'security'];
export const REGISTER_EXPORT_URL = '/api/v1/data-centres/export';
export const PROGRESS_EXPORT_URL = '/api/v1/data-centres/migration/export';
export const attachmentUrl = (id: string) => `/api/v1/data-centres/attachments/${id}`;
const KEY = ['data-centres'] as const;

export function useDataCentres(query: ListQuery) {
  return useQuery({
    queryKey: [...KEY, 'list', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/data-centres', { params: { query }, signal })),
  });
}

export function useDataCentre(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'one', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/data-centres/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function usePrecheck(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'precheck', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/data-centres/{id}/precheck', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function useRoomAttachments(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'attachments', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/data-centres/{id}/attachments', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function useOverview(enabled = true) {
  return useQuery({
    queryKey: [...KEY, 'overview'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/data-centres/overview', { signal })),
    enabled,
  });
}

export function useMigrationProgress() {
  return useQuery({
    queryKey: [...KEY, 'migration'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/data-centres/migration', { signal })),
  });
}

export function useApplications(query: ApplicationQuery) {
  return useQuery({
    queryKey: [...KEY, 'applications', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/data-centres/applications', { params: { query }, signal })),
  });
}

export function useApplication(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'application', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/data-centres/applications/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

export function useSaveDataCentre() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: DataCentreInput }) => {
      if (!id) return unwrap(api.POST('/api/v1/data-centres', { body }));
      const { construction: _construction, organisationId: _organisation, ...patch } = body;
      return unwrap(api.PATCH('/api/v1/data-centres/{id}', { params: { path: { id } }, body: patch }));
    },
    onSuccess: invalidate,
  });
}

export function useCreateApplication() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      ...body
    }: {
      id: string;
      path: 'standard' | 'sensitive';
      sensitiveReason: string | null;
      answers: Application['answers'];
    }) => unwrap(api.POST('/api/v1/data-centres/{id}/applications', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

/** Reads a chosen file as base64 for the JSON upload. */
export async function fileToUpload(file: File, purpose: Upload['purpose']): Promise<Upload> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return {
    purpose,
    fileName: file.name,
    mediaType: file.type || 'application/octet-stream',
    contentBase64: btoa(binary),
  };
}

export function useUpload() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ target, id, body }: { target: 'application' | 'room'; id: string; body: Upload }) =>
      target === 'application'
        ? unwrap(api.POST('/api/v1/data-centres/applications/{id}/attachments', { params: { path: { id } }, body }))
        : unwrap(api.POST('/api/v1/data-centres/{id}/attachments', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export type ApplicationAction =
  | { action: 'submit' }
  | { action: 'withdraw' }
  | { action: 'evaluate'; siteSurveyOn: string | null; recommendation: 'approve' | 'refuse'; opinion: string }
  | { action: 'decide'; decision: 'approve' | 'refuse'; reason: string | null };

export function useApplicationAction() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({ id, ...a }: ApplicationAction & { id: string }) => {
      const path = { params: { path: { id } } };
      switch (a.action) {
        case 'submit':
          return unwrap(api.POST('/api/v1/data-centres/applications/{id}/submit', path));
        case 'withdraw':
          return unwrap(api.POST('/api/v1/data-centres/applications/{id}/withdraw', path));
        case 'evaluate':
          return unwrap(
            api.POST('/api/v1/data-centres/applications/{id}/evaluation', {
              ...path,
              body: { siteSurveyOn: a.siteSurveyOn, recommendation: a.recommendation, opinion: a.opinion },
            }),
          );
        default:
          return (
            await unwrap(
              api.POST('/api/v1/data-centres/applications/{id}/decision', {
                ...path,
                body: { decision: a.decision, reason: a.reason },
              }),
            )
          ).application;
      }
    },
    onSuccess: invalidate,
  });
}

export function useSetPlan() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      items,
    }: {
      id: string;
      items: { systemId: string; plan: 'migrate' | 'shut_down'; targetDate: string }[];
    }) => unwrap(api.PUT('/api/v1/data-centres/{id}/plan', { params: { path: { id } }, body: { items } })),
    onSuccess: invalidate,
  });
}

export function useRecordDone() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      systemId,
      ...body
    }: {
      id: string;
      systemId: string;
      doneOn: string;
      dataHandling: string | null;
      orderNumbers: string[];
    }) =>
      unwrap(
        api.POST('/api/v1/data-centres/{id}/systems/{systemId}/done', {
          params: { path: { id, systemId } },
          body: { ...body, projectId: null },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useCloseDataCentre() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      ...body
    }: {
      id: string;
      closedOn: string;
      note: string;
      equipment: { kind: string; model: string; quantity: number; note: string | null }[];
    }) => unwrap(api.POST('/api/v1/data-centres/{id}/closure', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}
