import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';

export function usePolicyPacks() {
  return useQuery({
    queryKey: queryKeys.policy.packs(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/policy-packs', { signal })),
    select: (answer) => answer.items,
  });
}

/** One pack as published (without a jurisdiction's overrides). */
export function usePolicyPack(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.policy.pack(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/policy-packs/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

/** The policy a jurisdiction applies: its pack with its local overrides. */
export function useJurisdictionPolicy(code: string | undefined) {
  return useQuery({
    queryKey: queryKeys.policy.jurisdiction(code ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/jurisdictions/{code}/policy', { params: { path: { code: code ?? '' } }, signal })),
    enabled: code !== undefined,
  });
}

/** A regulation the packs cite, article by article in its own words (a citation's hover); read once. */
export function useRegulation(prefix: string | undefined) {
  return useQuery({
    queryKey: [...queryKeys.policy.all, 'regulation', prefix ?? ''] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/regulations/{prefix}', { params: { path: { prefix: prefix ?? '' } }, signal })),
    enabled: prefix !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
