import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import { ApiError } from '../errors';
import { queryKeys, SESSION_INDEPENDENT_DOMAINS } from '../query-keys';
import { expectSession, forgetSession, mayBeSignedIn, rememberSession } from '../session';
import type { ChangePasswordInput, LoginInput, Me } from '../types';

const isUnauthenticated = (error: unknown) => error instanceof ApiError && error.code === 'unauthenticated';

/** Everything cached for the previous user or organisation goes; what is the same for everyone stays. */
function dropSessionData(client: QueryClient): void {
  client.removeQueries({
    predicate: (query) => !SESSION_INDEPENDENT_DOMAINS.includes(String(query.queryKey[0])),
  });
}

/** A new signed-in user or acting organisation: remember its CSRF token, and refetch what depends on it. */
function acceptMe(client: QueryClient, me: Me): void {
  rememberSession(me);
  client.setQueryData(queryKeys.auth.me(), me);
  void client.resetQueries({
    predicate: (query) => !SESSION_INDEPENDENT_DOMAINS.includes(String(query.queryKey[0])),
  });
}

/** The session ended (logout, expiry, revocation): the console forgets the user. */
export function signedOut(client: QueryClient): void {
  forgetSession();
  client.setQueryData(queryKeys.auth.me(), null);
  dropSessionData(client);
}

/**
 * The signed-in user, or null when there is none. "Not signed in" is an answer, not an error: the 401 of
 * /auth/me is handled here and never reported.
 */
export const meQuery = () =>
  queryOptions({
    queryKey: queryKeys.auth.me(),
    queryFn: async ({ signal }): Promise<Me | null> => {
      if (!mayBeSignedIn()) return null;
      try {
        const me = await unwrap(api.GET('/api/v1/auth/me', { signal }));
        rememberSession(me);
        return me;
      } catch (error) {
        if (!isUnauthenticated(error)) throw error;
        forgetSession();
        return null;
      }
    },
    staleTime: 5 * 60_000,
  });

export function useMe() {
  return useQuery(meQuery());
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: LoginInput) => unwrap(api.POST('/api/v1/auth/login', { body: input })),
    onSuccess: (me) => acceptMe(client, me),
  });
}

/** Ends the session. An already expired session counts as logged out. The caller navigates, then calls `signedOut`. */
export function useLogout() {
  return useMutation({
    mutationFn: async () => {
      try {
        await unwrap(api.POST('/api/v1/auth/logout'));
      } catch (error) {
        if (!isUnauthenticated(error)) throw error;
      }
    },
  });
}

export function useSwitchOrganisation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (organisationId: string) =>
      unwrap(api.POST('/api/v1/auth/switch-organisation', { body: { organisationId } })),
    onSuccess: (me) => acceptMe(client, me),
  });
}

/** Changing the password lifts the "change your password" restriction: Me is read again. */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ChangePasswordInput) => unwrap(api.POST('/api/v1/auth/password', { body: input })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.auth.me() }),
  });
}

/** A new TOTP secret and its otpauth:// URI; every call replaces the previous, unconfirmed one. */
export function useStartTotpEnrolment() {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/totp/enrolment')),
  });
}

export function useConfirmTotpEnrolment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/api/v1/auth/totp/enrolment/confirm', { body: { code } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.auth.me() }),
  });
}

/**
 * Single sign-on with the unified identity platform (统一身份认证), when the server has it configured
 * (SystemInfo.sso): a full-page navigation to the server, which sends the browser to the platform and back to
 * `next` with a session, or to /login?sso_error=<code>. Call `beginSingleSignOn` as the browser leaves.
 */
export function singleSignOnUrl(next: string): string {
  return `/api/v1/auth/oidc/login?${new URLSearchParams({ next }).toString()}`;
}

export function beginSingleSignOn(): void {
  expectSession();
}

/** The password rules in force (the security admin may have tightened them). */
export function usePasswordPolicy() {
  return useQuery({
    queryKey: queryKeys.auth.passwordPolicy(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/auth/password-policy', { signal })),
    staleTime: 5 * 60_000,
  });
}
