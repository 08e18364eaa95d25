import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapEmpty } from '../client';
import { queryKeys } from '../query-keys';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where the browser downloads the blank form and a form's export (plain links: the session cookie suffices). */
export const REQUEST_FORM_TEMPLATE_URL = '/api/v1/request-forms/template';
export const requestFormExportUrl = (id: string) => `/api/v1/request-forms/${encodeURIComponent(id)}/export`;

export function useRequestForms() {
  return useQuery({
    queryKey: queryKeys.requestForms.list(),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/request-forms', { params: { query: { limit: 500, offset: 0 } }, signal })),
  });
}

export function useRequestForm(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.requestForms.detail(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/request-forms/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

/**
 * Imports an .xlsx: the file itself is the request body. A refused form answers 400 with every bad cell in
 * `errors[]` (ApiError.fields).
 */
export function useImportRequestForm() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (file: File) =>
      unwrap(
        api.POST('/api/v1/request-forms/import', {
          params: { query: { filename: file.name } },
          // The raw bytes, not JSON: the client's middleware still adds the CSRF token and the language.
          body: file as unknown as Record<string, never>,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'Content-Type': XLSX_TYPE },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.requestForms.all }),
  });
}

export function useDeleteRequestForm() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrapEmpty(api.DELETE('/api/v1/request-forms/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.requestForms.all }),
  });
}
