/**
 * What a database error means for the caller. A lost connection, a database restarting or refusing
 * connections, and a full disk are conditions of the installation, not bugs: the API answers 503 with
 * Retry-After (never 500) and /readyz reports them, and nothing needs a restart once they pass.
 */
export type Unavailability = 'database_unavailable' | 'storage_full';

// SQLSTATE classes and codes: 08 connection exception, 57P01-57P03 shutdown / cannot connect now,
// 53100 disk_full, 58030 io_error (ENOSPC while writing WAL or a temp file surfaces as this too).
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const STORAGE_STATES = new Set(['53100']);
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|Client has encountered a connection error|Client was closed|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|the embedded database is closed/i;
const STORAGE_MESSAGES = /No space left on device|ENOSPC/i;

export function classifyDatabaseError(error: unknown): Unavailability | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string') {
    if (STORAGE_STATES.has(code) || code === 'ENOSPC') return 'storage_full';
    if (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_ERRNO.has(code)) return 'database_unavailable';
  }
  if (STORAGE_MESSAGES.test(error.message)) return 'storage_full';
  if (UNAVAILABLE_MESSAGES.test(error.message)) return 'database_unavailable';
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? classifyDatabaseError(cause) : undefined;
}

/**
 * The last time each condition was seen, so /readyz can report a full disk that a probe's read would
 * not notice (reads keep working while every write fails). An entry expires after `holdMs`.
 */
export class DatabaseConditions {
  private readonly seen = new Map<Unavailability, { at: number; message: string }>();
  constructor(private readonly holdMs = 15_000) {}

  record(condition: Unavailability, message: string, at = Date.now()): void {
    this.seen.set(condition, { at, message });
  }

  clear(condition: Unavailability): void {
    this.seen.delete(condition);
  }

  recent(condition: Unavailability, at = Date.now()): string | undefined {
    const entry = this.seen.get(condition);
    if (!entry) return undefined;
    if (at - entry.at > this.holdMs) {
      this.seen.delete(condition);
      return undefined;
    }
    return entry.message;
  }
}
