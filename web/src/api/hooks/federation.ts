import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Federation (issue 22): the city's view of the district installations that report to it.

export type DistrictSummary =
  paths['/api/v1/federation/districts']['get']['responses']['200']['content']['application/json'][number];

const KEY = ['federation'] as const;

export function useDistricts() {
  return useQuery({
    queryKey: [...KEY, 'districts'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/federation/districts', { signal })),
    refetchInterval: 15_000,
  });
}

// Link management (the city's side) and the district's link to its city.

export type DistrictLink =
  paths['/api/v1/federation/links']['get']['responses']['200']['content']['application/json'][number];
export type CityLink = paths['/api/v1/federation/city']['get']['responses']['200']['content']['application/json'];

export function useDistrictLinks() {
  return useQuery({
    queryKey: [...KEY, 'links'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/federation/links', { signal })),
    refetchInterval: 15_000,
  });
}

/** The link to the city; null when this installation reports to no city (404). */
export function useCityLink() {
  return useQuery({
    queryKey: [...KEY, 'city'],
    queryFn: async ({ signal }) => {
      const res = await api.GET('/api/v1/federation/city', { signal });
      if (res.response.status === 404) return null;
      return unwrap(Promise.resolve(res));
    },
    refetchInterval: 15_000,
  });
}

export function useRetention() {
  return useQuery({
    queryKey: [...KEY, 'settings'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/federation/settings', { signal })),
  });
}

function useFederationChange<V, R>(change: (variables: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: change, onSuccess: () => client.invalidateQueries({ queryKey: KEY }) });
}

export const useRegisterDistrict = () =>
  useFederationChange(
    (body: { name: string; districtCode: string; url?: string; allowedNetworks?: string[]; silenceMinutes?: number }) =>
      unwrap(api.POST('/api/v1/federation/districts', { body })),
  );

export const useRevokeDistrict = () =>
  useFederationChange((v: { id: string; reason: string }) =>
    unwrap(
      api.POST('/api/v1/federation/districts/{id}/revoke', {
        params: { path: { id: v.id } },
        body: { reason: v.reason },
      }),
    ),
  );

export const useRotateDistrictKey = () =>
  useFederationChange((id: string) =>
    unwrap(api.POST('/api/v1/federation/districts/{id}/rotate', { params: { path: { id } } })),
  );

export const usePushToDistrict = () =>
  useFederationChange((v: { id: string; what: 'catalogue' | 'policy'; jurisdictionCode: string }) =>
    v.what === 'catalogue'
      ? unwrap(
          api.POST('/api/v1/federation/districts/{id}/catalogue', {
            params: { path: { id: v.id } },
            body: { jurisdictionCode: v.jurisdictionCode },
          }),
        )
      : unwrap(
          api.POST('/api/v1/federation/districts/{id}/policy', {
            params: { path: { id: v.id } },
            body: { jurisdictionCode: v.jurisdictionCode },
          }),
        ),
  );

export const useSetRetention = () =>
  useFederationChange((retentionDays: number) =>
    unwrap(api.PUT('/api/v1/federation/settings', { body: { retentionDays } })),
  );

export const useLinkCity = () =>
  useFederationChange(
    (body: { url: string; enrolmentCode: string; districtCode: string; allowedNetworks?: string[] }) =>
      unwrap(api.POST('/api/v1/federation/city', { body })),
  );

export const useAcceptFromCity = () =>
  useFederationChange((v: { what: 'catalogue' | 'policy'; version: string; effectiveFrom?: string }) =>
    v.what === 'catalogue'
      ? unwrap(
          api.POST('/api/v1/federation/city/catalogues/{version}/accept', {
            params: { path: { version: v.version } },
            body: v.effectiveFrom ? { effectiveFrom: v.effectiveFrom } : {},
          }),
        )
      : unwrap(
          api.POST('/api/v1/federation/city/policies/{version}/accept', {
            params: { path: { version: v.version } },
            body: {},
          }),
        ),
  );

export const useRevokeCity = () =>
  useFederationChange((reason: string) => unwrap(api.POST('/api/v1/federation/city/revoke', { body: { reason } })));

export const useRotateCityKey = () =>
  useFederationChange((_: undefined) => unwrap(api.POST('/api/v1/federation/city/rotate')));

/** "demo-city-v3" -> 3: the number of a pushed catalogue version. */
export const catalogueVersionNo = (version: string | null) => {
  const m = version ? /-v(\d+)$/.exec(version) : null;
  return m ? Number(m[1]) : null;
};

/** "demo-city-policy-20270207-abc123" -> "2027-02-07": the day a policy baseline was issued. */
export const policyVersionDay = (version: string | null) => {
  const m = version ? /-policy-(\d{4})(\d{2})(\d{2})-/.exec(version) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
};
