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

/** The login page, remembering where the user was (the overview needs no reminder). */
export function loginPath(location: Pick<Location, 'pathname' | 'search'>): string {
  const next = here(location);
  return next === '/' ? '/login' : `/login?${new URLSearchParams({ next }).toString()}`;
}

/** A page that must come first (restriction), remembering where the user was going. */
export function detourPath(target: string, location: Pick<Location, 'pathname' | 'search'>): string {
  const next = safeNext(here(location));
  return next === '/' ? target : `${target}?${new URLSearchParams({ next }).toString()}`;
}
