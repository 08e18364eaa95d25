import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { ContactInput, CreateOrganisationInput, OrganisationType, UpdateOrganisationInput } from '../types';

export interface OrganisationFilter {
  type?: OrganisationType;
  search?: string;
}

export const organisationsQuery = (filter: OrganisationFilter = {}) =>
  queryOptions({
    queryKey: queryKeys.organisations.list(filter),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/organisations', {
          params: { query: { type: filter.type, search: filter.search || undefined } },
          signal,
        }),
      ),
    select: (page) => page.items,
  });

export function useOrganisations(filter: OrganisationFilter = {}, options: { enabled?: boolean } = {}) {
  return useQuery({ ...organisationsQuery(filter), enabled: options.enabled ?? true });
}

export function useOrganisation(id: string) {
  return useQuery({
    queryKey: queryKeys.organisations.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/organisations/{id}', { params: { path: { id } }, signal })),
  });
}

export function useContacts(id: string) {
  return useQuery({
    queryKey: queryKeys.organisations.contacts(id),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/organisations/{id}/contacts', { params: { path: { id } }, signal })),
    select: (page) => page.items,
  });
}

export function useContactHistory(id: string) {
  return useQuery({
    queryKey: queryKeys.organisations.contactHistory(id),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/organisations/{id}/contacts/history', { params: { path: { id } }, signal })),
    select: (page) => page.items,
  });
}

export function useCreateOrganisation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateOrganisationInput) => unwrap(api.POST('/api/v1/organisations', { body: input })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.organisations.all }),
  });
}

export function useUpdateOrganisation(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: UpdateOrganisationInput) =>
      unwrap(api.PATCH('/api/v1/organisations/{id}', { params: { path: { id } }, body: patch })),
    onSuccess: (organisation) => {
      client.setQueryData(queryKeys.organisations.detail(id), organisation);
      return client.invalidateQueries({ queryKey: queryKeys.organisations.all });
    },
  });
}

/** Replaces the contacts; the previous ones become history. */
export function useReplaceContacts(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (contacts: ContactInput[]) =>
      unwrap(api.PUT('/api/v1/organisations/{id}/contacts', { params: { path: { id } }, body: { contacts } })),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.organisations.contacts(id) }),
        client.invalidateQueries({ queryKey: queryKeys.organisations.contactHistory(id) }),
      ]),
  });
}
