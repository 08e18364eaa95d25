import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Actor, writeAuditNow } from '../audit/audit.ts';
import { prepared } from '../db/prepared.ts';
import { AppError } from '../errors.ts';
import type { NamedPermission } from '../http/permissions.ts';

export type Visibility =
  | { kind: 'organisation'; organisations: readonly string[] }
  | { kind: 'jurisdiction'; jurisdictions: readonly string[] };

/** Who is calling: a signed-in user acting for one organisation, or a machine client's API token. */
export interface AuthContext {
  kind: 'user' | 'token';
  /** user id or token id */
  id: string;
  /** user name or token name */
  name: string;
  organisationId: string;
  organisationType: string;
  jurisdictionId: string;
  roles: readonly string[];
  permissions: ReadonlySet<NamedPermission>;
  /** the rows this caller may see in tenant-owned tables */
  visibility: Visibility;
  session?: {
    id: string;
    csrfToken: string;
    restriction: 'password_change' | 'totp_enrolment' | null;
  };
}

/** Resolves a request's credentials (session cookie, bearer token) to a caller; null when there are none or they are not valid. */
export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<AuthContext | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller of an authenticated route (the permission hook guarantees it is set). */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new AppError('unauthenticated');
  return request.auth;
}

/** The audit actor of a request: caller, organisation, roles, source address and request id. */
export function actorOf(request: FastifyRequest): Actor {
  const auth = request.auth;
  return {
    kind: auth?.kind ?? 'system',
    id: auth?.id ?? null,
    name: auth?.name ?? null,
    organisationId: auth?.organisationId ?? null,
    role: auth ? auth.roles.join(',') : null,
    sourceIp: request.ip,
    requestId: String(request.id),
  };
}

/**
 * The permission check every route goes through, before its body is even parsed: the route's declared
 * permission, CSRF on cookie-authenticated writes, and the limits of a restricted session. Denials of a
 * signed-in caller are audited.
 */
export function registerAuth(app: FastifyInstance, authenticator: Authenticator, db: Kysely<any>): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const permission = config?.permission;
    if (permission === undefined || permission === 'public') return;
    if (config.authenticatesBearer && request.headers.authorization?.startsWith('Bearer ')) return;
    const auth = await authenticator.authenticate(request);
    if (!auth) throw new AppError('unauthenticated');
    await admitCaller(request, auth, db);
  });
  // Every refusal on separation-of-duties grounds is audited, in a transaction of its own: the refused
  // request's transaction has rolled back by now.
  app.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof AppError) || error.code !== 'separation_of_duties') return;
    const extra = (error as AppError & { auditDetail?: Record<string, unknown> }).auditDetail ?? {};
    await writeAuditNow(db, actorOf(request), {
      action: 'separation.denied',
      outcome: 'denied',
      objectType: 'route',
      objectId: `${request.method} ${request.routeOptions.url}`,
      detail: { reason: error.detail ?? null, params: request.params ?? null, ...extra },
    });
  });
}

/**
 * The checks after authentication, for a caller `auth` (set as the request's): CSRF on cookie-authenticated
 * writes, a restricted session's limits, and the route's permission (a denial is audited). The hook of
 * `registerAuth` runs it; a route that authenticates its bearer itself (`authenticatesBearer`) calls it.
 */
export async function admitCaller(request: FastifyRequest, auth: AuthContext, db: Kysely<any>): Promise<void> {
  const config = request.routeOptions.config;
  const permission = config?.permission;
  request.auth = auth;
  if (auth.session && !SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (sent !== auth.session.csrfToken) throw new AppError('csrf_failed');
  }
  if (auth.session?.restriction && !config.allowRestricted) {
    throw new AppError(
      auth.session.restriction === 'password_change' ? 'password_change_required' : 'totp_enrolment_required',
    );
  }
  if (
    permission !== undefined &&
    permission !== 'public' &&
    permission !== 'authenticated' &&
    !auth.permissions.has(permission)
  ) {
    await writeAuditNow(db, actorOf(request), {
      action: 'permission.denied',
      outcome: 'denied',
      objectType: 'route',
      objectId: `${request.method} ${request.routeOptions.url}`,
      detail: { permission },
    });
    throw new AppError('forbidden', `needs permission ${permission}`);
  }
}

/**
 * A transaction in which row-level security applies: it runs as the database role `yunguan_app` and
 * carries the caller's visibility, so even a query that forgets its filter returns nothing foreign.
 */
export async function withTenant<DB, T>(
  db: Kysely<DB>,
  auth: AuthContext,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const v = auth.visibility;
    const organisations = v.kind === 'organisation' ? v.organisations.join(',') : '';
    const jurisdictions = v.kind === 'jurisdiction' ? v.jurisdictions.join(',') : '';
    // One round trip: `set_config('role', ..., true)` is `set local role` (the same check that the session's
    // user may take the role), in the statement that carries the caller's scope. Left to right: the role is
    // taken before the scope is set, and a failure of either aborts the transaction before `fn` runs. Its `begin` is
    // not folded into it (tried and removed: docs/decisions.md, lane inv24b).
    await sql`${prepared} select set_config('role', 'yunguan_app', true),
      set_config('yunguan.scope', ${v.kind}, true),
      set_config('yunguan.organisations', ${organisations}, true),
      set_config('yunguan.jurisdictions', ${jurisdictions}, true)`.execute(trx);
    return fn(trx);
  });
}
