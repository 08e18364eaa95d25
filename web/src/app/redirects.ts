import type { Location } from 'react-router';
import type { SessionRestriction } from '../api/types';

/** Where a restricted session must go first, and may only be. */
export const RESTRICTION_PAGES: Record<SessionRestriction, string> = {
  password_change: '/account/password',
  totp_enrolment: '/account/totp',
};

/** A `next` parameter is followed only within the console: never to another site ("//evil", "https://…"). */
export function safeNext(value: string | null | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (value === '/login' || value.startsWith('/login?') || value.startsWith('/account/')) return '/';
  return value;
}

const here = (location: Pick<Location, 'pathname' | 'search'>) => `${location.pathname}${location.search}`;

/*
 * Whether the session ended because the user signed out (then the login page starts afresh) rather than
 * because it expired or was revoked (then the login page brings them back to where they were).
 */
let signingOut = false;

export function markSigningOut(value: boolean): void {
  signingOut = value;
}

/** The session ended under the user (expiry, revocation): the login page says so, once. */
let sessionEnded = false;

export function markSessionEnded(): void {
  sessionEnded = true;
}

export function hasSessionEnded(): boolean {
  return sessionEnded;
}

export function clearSessionEnded(): void {
  sessionEnded = false;
}

/** The login page, remembering where the user was (the overview needs no reminder). */
export function loginPath(location: Pick<Location, 'pathname' | 'search'>): string {
  if (signingOut) return '/login';
  const next = here(location);
  return next === '/' ? '/login' : `/login?${new URLSearchParams({ next }).toString()}`;
}

/** A page that must come first (restriction), remembering where the user was going. */
export function detourPath(target: string, location: Pick<Location, 'pathname' | 'search'>): string {
  const next = safeNext(here(location));
  return next === '/' ? target : `${target}?${new URLSearchParams({ next }).toString()}`;
}
