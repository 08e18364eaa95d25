import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';

export type AdminApprovalStatus = 'pending' | 'approved' | 'rejected';

const KEY = ['admin-approvals'] as const;

/** Actions on admin accounts that wait for (or were decided by) the third admin (三员分立). */
export function useAdminApprovals(status?: AdminApprovalStatus) {
  return useQuery({
    queryKey: [...KEY, status ?? 'all'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/admin-approvals', { params: { query: status ? { status } : {} }, signal })),
    select: (page) => page.items.map((i) => i.approval),
  });
}

export function useDecideAdminApproval() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision }: { id: string; decision: 'approve' | 'reject' }) =>
      unwrap(
        decision === 'approve'
          ? api.POST('/api/v1/admin-approvals/{id}/approve', { params: { path: { id } } })
          : api.POST('/api/v1/admin-approvals/{id}/reject', { params: { path: { id } } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
}
