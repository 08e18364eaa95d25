import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';

/** One thing the header's search found, with the console page that shows it. */
export interface Found {
  kind: 'order' | 'resource' | 'project' | 'system' | 'unit';
  id: string;
  label: string;
  detail?: string;
  path: string;
}

export interface SearchScopes {
  orders: boolean;
  resources: boolean;
  projects: boolean;
  units: boolean;
}

/**
 * The header's global search (issue 16): orders by number or title, resources by name, identifier or IP,
 * projects and information systems by name, units by name; each list API in the caller's scope, in parallel,
 * five of each at most. Only what the caller may read is asked.
 */
export function useGlobalSearch(text: string, scopes: SearchScopes) {
  const q = text.trim();
  return useQuery({
    queryKey: ['search', q, scopes] as const,
    enabled: q.length >= 2,
    staleTime: 30_000,
    queryFn: async ({ signal }): Promise<Found[]> => {
      const none = Promise.resolve([] as Found[]);
      const [orders, resources, projects, systems, units] = await Promise.all([
        scopes.orders
          ? unwrap(api.GET('/api/v1/orders/lookup', { params: { query: { q, limit: 5 } }, signal })).then((r) =>
              r.items.map(
                (o): Found => ({ kind: 'order', id: o.id, label: o.number, detail: o.title, path: `/orders/${o.id}` }),
              ),
            )
          : none,
        scopes.resources
          ? unwrap(
              api.GET('/api/v1/inventory/resources', {
                params: { query: { q, limit: 5, offset: 0, sort: 'name', order: 'asc' } },
                signal,
              }),
            ).then((r) =>
              r.items.map(
                (x): Found => ({
                  kind: 'resource',
                  id: x.id,
                  label: x.name,
                  detail: x.addresses.join(', ') || undefined,
                  path: `/inventory/${x.id}`,
                }),
              ),
            )
          : none,
        scopes.projects
          ? unwrap(api.GET('/api/v1/projects', { params: { query: { q, limit: 5, offset: 0 } }, signal })).then((r) =>
              r.items.map(
                (p): Found => ({
                  kind: 'project',
                  id: p.id,
                  label: p.name,
                  detail: p.approvalNo,
                  path: `/projects?q=${encodeURIComponent(p.name)}`,
                }),
              ),
            )
          : none,
        scopes.projects
          ? unwrap(api.GET('/api/v1/systems', { params: { query: { q, limit: 5, offset: 0 } }, signal })).then((r) =>
              r.items.map(
                (s): Found => ({
                  kind: 'system',
                  id: s.id,
                  label: s.name,
                  path: `/systems?q=${encodeURIComponent(s.name)}`,
                }),
              ),
            )
          : none,
        scopes.units
          ? unwrap(api.GET('/api/v1/organisations', { params: { query: { search: q } }, signal })).then((r) =>
              r.items
                .slice(0, 5)
                .map((o): Found => ({ kind: 'unit', id: o.id, label: o.name, path: `/organisations/${o.id}` })),
            )
          : none,
      ]);
      return [...orders, ...resources, ...projects, ...systems, ...units];
    },
  });
}
