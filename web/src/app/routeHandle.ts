import type { MessageKey } from '../i18n';

/** What a route declares about itself in `handle`: its breadcrumb label (also the page title). */
export interface RouteHandle {
  crumb: MessageKey;
}

export function isRouteHandle(handle: unknown): handle is RouteHandle {
  return typeof handle === 'object' && handle !== null && typeof (handle as { crumb?: unknown }).crumb === 'string';
}
