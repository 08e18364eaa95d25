import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/errors';
import { subscribeLanguage } from '../i18n';

const MAX_RETRIES = 2;

/** A 4xx answer will not change on retry; a network failure or a 5xx might. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.isClientError) return false;
  return failureCount < MAX_RETRIES;
}

function createQueryClient(): QueryClient {
  const client = new QueryClient({
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
