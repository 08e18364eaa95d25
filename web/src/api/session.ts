/*
 * What the console remembers about its session outside React, for the API client: the CSRF token every
 * cookie-authenticated write must carry, and a hint that this browser may be signed in.
 *
 * The session cookie itself is httpOnly, so the console cannot see it. The hint spares a signed-out visitor a
 * GET /auth/me that can only answer 401 (which the browser would log as a failed request): it is set by every
 * answer that carries the signed-in user (login, /auth/me, switching organisation) and cleared on logout and
 * on any 401, and set before single sign-on (the session then arrives with a redirect). A hint that is wrong
 * costs at most one login form or one quiet 401.
 */

const HINT_KEY = 'yunguan.session';

let csrfToken: string | null = null;

export function getCsrfToken(): string | null {
  return csrfToken;
}

function writeHint(present: boolean): void {
  try {
    if (present) window.localStorage.setItem(HINT_KEY, '1');
    else window.localStorage.removeItem(HINT_KEY);
  } catch {
    // Storage unavailable (privacy mode): the console then asks the server on every load.
  }
}

/** Whether this browser may hold a session worth asking /auth/me about. */
export function mayBeSignedIn(): boolean {
  try {
    return window.localStorage.getItem(HINT_KEY) !== null;
  } catch {
    return true;
  }
}

/** Called with every answer that describes the signed-in user. */
export function rememberSession(session: { csrfToken: string | null }): void {
  csrfToken = session.csrfToken;
  writeHint(true);
}

/**
 * Called before leaving for single sign-on: the browser comes back with a session cookie the console cannot see,
 * so it must ask /auth/me when it returns.
 */
export function expectSession(): void {
  writeHint(true);
}

/** Called on logout and whenever the server says there is no session. */
export function forgetSession(): void {
  csrfToken = null;
  writeHint(false);
}
