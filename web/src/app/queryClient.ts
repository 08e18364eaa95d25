import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/errors';
import { signedOut } from '../api/hooks/auth';
import { queryKeys } from '../api/query-keys';
import { subscribeLanguage } from '../i18n';
import { markSessionEnded } from './redirects';

const MAX_RETRIES = 2;

/** A 4xx answer will not change on retry; a network failure or a 5xx might. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < MAX_RETRIES;
}

/**
 * Answers that concern the session rather than the page, wherever they come from:
 * - 401 unauthenticated: the session ended (expired, revoked, logged out elsewhere); the console forgets the
 *   user and the frame sends them to the login page, remembering where they were;
 * - 403 password_change_required / totp_enrolment_required: Me is read again, and the frame sends the user to
 *   the page that lifts the restriction.
 */
function onSessionProblem(client: QueryClient, error: unknown): void {
  if (!(error instanceof ApiError)) return;
  if (error.code === 'unauthenticated') {
    markSessionEnded();
    signedOut(client);
  } else if (error.code === 'password_change_required' || error.code === 'totp_enrolment_required') {
    void client.invalidateQueries({ queryKey: queryKeys.auth.me() });
  }
}

function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error) => onSessionProblem(client, error) }),
    mutationCache: new MutationCache({ onError: (error) => onSessionProblem(client, error) }),
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 30_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  // Error titles come localised from the server: after a language switch, failed queries ask again.
  subscribeLanguage(() => {
    void client.invalidateQueries({ predicate: (query) => query.state.status === 'error' });
  });
  return client;
}

/** The console's one cache of server state. */
export const queryClient = createQueryClient();
