import { type ComponentType, lazy } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { AppLayout } from './layout/AppLayout';
import { RouteError } from './RouteError';
import type { RouteHandle } from './routeHandle';

/** Pages are loaded on first visit, so the login page does not pay for the charts of the overview. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  const Page = lazy<ComponentType>(async () => ({ default: (await load())[name] }));
  return <Page />;
}

const crumb = (key: RouteHandle['crumb']): RouteHandle => ({ crumb: key });

export const routes: RouteObject[] = [
  {
    path: '/login',
    element: page(() => import('../pages/login/LoginPage'), 'LoginPage'),
    errorElement: <RouteError />,
    handle: crumb('login.documentTitle'),
  },
  {
    path: '/',
    element: <AppLayout />,
    errorElement: <RouteError />,
    handle: crumb('nav.console'),
    children: [
      {
        // Pathless: a page that crashes is replaced by the error page inside the frame.
        errorElement: <RouteError />,
        children: [
          {
            index: true,
            element: page(() => import('../pages/overview/OverviewPage'), 'OverviewPage'),
            handle: crumb('nav.overview'),
          },
          {
            path: 'jurisdictions',
            element: page(() => import('../pages/jurisdictions/JurisdictionsPage'), 'JurisdictionsPage'),
            handle: crumb('nav.jurisdictions'),
          },
          {
            path: '*',
            element: page(() => import('../pages/not-found/NotFoundPage'), 'NotFoundPage'),
            handle: crumb('nav.notFound'),
          },
        ],
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
