import createClient, { type Middleware } from 'openapi-fetch';
import { ACCEPT_LANGUAGE, getLanguage } from '../i18n/language';
import { problemToApiError, thrownToApiError } from './errors';
import type { paths } from './schema';

/** Tells the server which language to answer problem titles and field messages in: the console's own. */
const acceptLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', ACCEPT_LANGUAGE[getLanguage()]);
    return request;
  },
};

/**
 * The one HTTP client of the console, typed by the server's OpenAPI document. Same origin: in production the
 * server serves the console, in development Vite proxies /api to it.
 */
export const api = createClient<paths>({ baseUrl: '', headers: { Accept: 'application/json' } });
api.use(acceptLanguage);

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
