import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { CreateApiTokenInput } from '../types';

export function useApiTokens() {
  return useQuery({
    queryKey: queryKeys.apiTokens.list(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/api-tokens', { signal })),
    select: (page) => page.items,
  });
}

/** Issues a token; the answer is the only time its secret is ever shown. */
export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateApiTokenInput) => unwrap(api.POST('/api/v1/api-tokens', { body: input })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens.all }),
  });
}

export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/api-tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.apiTokens.all }),
  });
}
