import { ApartmentOutlined, DashboardOutlined } from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { MessageKey } from '../i18n';

export interface NavItem {
  path: string;
  label: MessageKey;
  icon: ReactNode;
}

/**
 * The side menu. Only pages that exist belong here: a module adds its entry when its page lands.
 * Paths must match the routes in router.tsx.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', label: 'nav.overview', icon: <DashboardOutlined /> },
  { path: '/jurisdictions', label: 'nav.jurisdictions', icon: <ApartmentOutlined /> },
];

/** The menu entry a location belongs to: the longest path that is the location or one of its parents. */
export function activeNavPath(pathname: string): string | undefined {
  const matches = NAV_ITEMS.filter(
    ({ path }) => pathname === path || (path !== '/' && pathname.startsWith(`${path}/`)),
  ).sort((a, b) => b.path.length - a.path.length);
  return matches[0]?.path;
}
