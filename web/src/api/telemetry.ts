import { api } from './client';

export interface ClientErrorReport {
  message: string;
  stack?: string;
  url: string;
  userAgent?: string;
}

/** The server's limits for a report (see POST /api/v1/telemetry/client-errors). */
const LIMITS = { message: 2_000, stack: 10_000, url: 2_000, userAgent: 500 } as const;

const clip = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/**
 * Sends one browser error to the server log. Never throws: reporting must not cause the next error.
 * `keepalive` lets the report leave even when the error is followed by a reload or navigation.
 */
export async function reportClientError(report: ClientErrorReport): Promise<boolean> {
  try {
    const { response } = await api.POST('/api/v1/telemetry/client-errors', {
      body: {
        message: clip(report.message || 'unknown error', LIMITS.message),
        url: clip(report.url, LIMITS.url),
        ...(report.stack ? { stack: clip(report.stack, LIMITS.stack) } : {}),
        ...(report.userAgent ? { userAgent: clip(report.userAgent, LIMITS.userAgent) } : {}),
      },
      keepalive: true,
    });
    return response.ok;
  } catch {
    return false;
  }
}
