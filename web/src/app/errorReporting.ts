import { ApiError } from '../api/errors';
import { reportClientError } from '../api/telemetry';

export type ErrorSource = 'window' | 'promise' | 'render' | 'route';

export interface ReportedError {
  source: ErrorSource;
  message: string;
}

/** A page that loops on an error must not flood the server log. */
const MAX_REPORTS_PER_PAGE = 20;

/** Browser noise that is not an application error. */
const IGNORED = [/^ResizeObserver loop/];

const listeners = new Set<(error: ReportedError) => void>();
const reported = new Set<string>();

function describe(error: unknown): { message: string; stack?: string } {
  if (error instanceof ApiError) {
    const id = error.requestId ? ` requestId=${error.requestId}` : '';
    return {
      message: `ApiError ${error.code} (HTTP ${error.status})${id}: ${error.detail ?? error.title}`,
      stack: error.stack,
    };
  }
  if (error instanceof Error) return { message: `${error.name}: ${error.message}`, stack: error.stack };
  if (typeof error === 'string') return { message: error };
  try {
    return { message: JSON.stringify(error) ?? String(error) };
  } catch {
    return { message: String(error) };
  }
}

/**
 * Reports an error the user met: to the server log (POST /api/v1/telemetry/client-errors) and to whoever shows
 * the user a friendly message. The same error is reported once per page.
 */
export function reportError(error: unknown, source: ErrorSource, extraStack?: string): void {
  const { message, stack } = describe(error);
  if (IGNORED.some((pattern) => pattern.test(message))) return;
  const key = `${source}|${message}|${stack?.split('\n', 2)[1] ?? ''}`;
  if (reported.has(key)) return;
  if (reported.size >= MAX_REPORTS_PER_PAGE) return;
  reported.add(key);

  void reportClientError({
    message: `[${source}] ${message}`,
    stack: [stack, extraStack].filter(Boolean).join('\n--- component stack ---') || undefined,
    url: window.location.href,
    userAgent: navigator.userAgent,
  });
  for (const listener of listeners) listener({ source, message });
}

/** Called for every reported error, e.g. to show a toast. */
export function subscribeReportedErrors(listener: (error: ReportedError) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Catches what nothing else caught: uncaught exceptions and unhandled promise rejections. */
export function installGlobalErrorHandlers(): () => void {
  const onError = (event: ErrorEvent) => reportError(event.error ?? event.message, 'window');
  const onRejection = (event: PromiseRejectionEvent) => reportError(event.reason, 'promise');
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  return () => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  };
}
