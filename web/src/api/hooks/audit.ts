import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { AuditExportFormat, AuditFilter } from '../types';

/** Drops empty filters, so the query key and the URL only name what is set. */
function compact(filter: AuditFilter): AuditFilter {
  return Object.fromEntries(
    Object.entries(filter).filter(([, value]) => value !== undefined && value !== ''),
  ) as AuditFilter;
}

/** One page of the audit trail, newest first; the previous page stays on screen while the next loads. */
export function useAuditEvents(filter: AuditFilter, page: { limit: number; offset: number }) {
  const query = compact(filter);
  return useQuery({
    queryKey: queryKeys.audit.list(query, page),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/audit-events', { params: { query: { ...query, ...page } }, signal })),
    placeholderData: keepPreviousData,
  });
}

/**
 * Where the browser downloads the filtered trail (GET, authenticated by the session cookie). A plain link: the
 * file goes straight to the downloads, with the name the server gives it.
 */
export function auditExportUrl(filter: AuditFilter, format: AuditExportFormat): string {
  const params = new URLSearchParams({ ...compact(filter), format } as Record<string, string>);
  return `/api/v1/audit-events/export?${params.toString()}`;
}
