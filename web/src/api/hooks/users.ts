import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { queryKeys } from '../query-keys';
import type { CreateUserInput, RoleAssignmentInput, SecurityPolicyPatch, UpdateUserInput, User } from '../types';

export function useUsers(search: string) {
  return useQuery({
    queryKey: queryKeys.users.list(search),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/users', { params: { query: { search: search || undefined } }, signal })),
    select: (page) => page.items,
  });
}

export function useUser(id: string) {
  return useQuery({
    queryKey: queryKeys.users.detail(id),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } }, signal })),
  });
}

/** Creates an account; the answer carries its temporary password, shown once. */
export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateUserInput) => unwrap(api.POST('/api/v1/users', { body: input })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users.all }),
  });
}

/** An action on another admin's account answers with the approval it waits for (two-person rule). */
export type Deferred = { approval: { id: string; approverRole: string; status: string } };
export const isDeferred = (value: unknown): value is Deferred =>
  typeof value === 'object' && value !== null && 'approval' in value;

function useUserChange<V>(id: string, change: (variables: V) => Promise<User | Deferred>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: change,
    onSuccess: (user) => {
      if (!isDeferred(user)) client.setQueryData(queryKeys.users.detail(id), user);
      return client.invalidateQueries({ queryKey: queryKeys.users.all });
    },
  });
}

export function useUpdateUser(id: string) {
  return useUserChange(id, (patch: UpdateUserInput) =>
    unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: patch })),
  );
}

/** Replaces the business roles (user:manage). */
export function useSetUserRoles(id: string) {
  return useUserChange(id, (assignments: RoleAssignmentInput[]) =>
    unwrap(api.PUT('/api/v1/users/{id}/roles', { params: { path: { id } }, body: { assignments } })),
  );
}

/** Replaces the three separated admin roles (admin-role:grant). */
export function useSetAdminRoles(id: string) {
  return useUserChange(id, (assignments: RoleAssignmentInput[]) =>
    unwrap(api.PUT('/api/v1/users/{id}/admin-roles', { params: { path: { id } }, body: { assignments } })),
  );
}

export type SecurityAction = 'unlock' | 'reset-password' | 'reset-totp' | 'revoke-sessions';

const SECURITY_ACTION_PATHS = {
  unlock: '/api/v1/users/{id}/unlock',
  'reset-password': '/api/v1/users/{id}/reset-password',
  'reset-totp': '/api/v1/users/{id}/reset-totp',
  'revoke-sessions': '/api/v1/users/{id}/revoke-sessions',
} as const satisfies Record<SecurityAction, string>;

/** The security admin's account actions (account-security:manage); reset-password answers a temporary password. */
export function useSecurityAction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: SecurityAction) =>
      unwrap(api.POST(SECURITY_ACTION_PATHS[action], { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users.all }),
  });
}

export function useSecurityPolicy() {
  return useQuery({
    queryKey: queryKeys.security.policy(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/security/policy', { signal })),
  });
}

export function useUpdateSecurityPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: SecurityPolicyPatch) => unwrap(api.PATCH('/api/v1/security/policy', { body: patch })),
    onSuccess: (policy) => client.setQueryData(queryKeys.security.policy(), policy),
  });
}
