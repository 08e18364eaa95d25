import createClient, { type Middleware } from 'openapi-fetch';
import { ACCEPT_LANGUAGE, getLanguage } from '../i18n/language';
import { problemToApiError, thrownToApiError } from './errors';
import type { paths } from './schema';
import { getCsrfToken } from './session';

/** Tells the server which language to answer problem titles and field messages in: the console's own. */
const acceptLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', ACCEPT_LANGUAGE[getLanguage()]);
    return request;
  },
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every write made with the session cookie must prove it comes from the console: the server answers
 * 403 csrf_failed unless `x-csrf-token` carries the token of the session (from login and GET /auth/me).
 */
const csrfToken: Middleware = {
  onRequest({ request }) {
    const token = getCsrfToken();
    if (token && !SAFE_METHODS.has(request.method)) request.headers.set('x-csrf-token', token);
    return request;
  },
};

/**
 * The one HTTP client of the console, typed by the server's OpenAPI document. Same origin: in production the
 * server serves the console, in development Vite proxies /api to it.
 */
export const api = createClient<paths>({ baseUrl: '', headers: { Accept: 'application/json' } });
api.use(acceptLanguage, csrfToken);

interface ClientResult<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call and returns its data, or throws an ApiError. */
export async function unwrap<D>(pending: Promise<ClientResult<D>>): Promise<D> {
  let result: ClientResult<D>;
  try {
    result = await pending;
  } catch (error) {
    throw thrownToApiError(error);
  }
  if (!result.response.ok) throw problemToApiError(result.error, result.response);
  if (result.data === undefined) {
    throw thrownToApiError(new SyntaxError(`empty answer from ${result.response.url}`));
  }
  return result.data;
}

/** Awaits an openapi-fetch call whose success has no body (204), or throws an ApiError. */
export async function unwrapEmpty(pending: Promise<ClientResult<unknown>>): Promise<void> {
  let result: ClientResult<unknown>;
  try {
    result = await pending;
  } catch (error) {
    throw thrownToApiError(error);
  }
  if (!result.response.ok) throw problemToApiError(result.error, result.response);
}
