import { useMatches } from 'react-router';
import type { MessageKey } from '../../i18n';
import { isRouteHandle } from '../routeHandle';

export interface Crumb {
  key: string;
  label: MessageKey;
  /** Where the crumb links to; the last crumb (the current page) has none. */
  to?: string;
}

/** The breadcrumb trail of the current route, from each matched route's `handle.crumb`. */
export function useCrumbs(): Crumb[] {
  const matches = useMatches().flatMap((match) =>
    isRouteHandle(match.handle) ? [{ key: match.id, label: match.handle.crumb, pathname: match.pathname }] : [],
  );
  return matches.map(({ key, label, pathname }, index) => ({
    key,
    label,
    to: index < matches.length - 1 ? pathname : undefined,
  }));
}
