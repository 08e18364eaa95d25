import { type ComponentType, lazy } from 'react';
import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import type { Permission } from '../api/identity';
import { AppLayout } from './layout/AppLayout';
import { RequirePermission } from './RequirePermission';
import { RouteError } from './RouteError';
import type { RouteHandle } from './routeHandle';

/** Pages are loaded on first visit, so the login page does not pay for the charts of the overview. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  const Page = lazy<ComponentType>(async () => ({ default: (await load())[name] }));
  return <Page />;
}

const crumb = (key: RouteHandle['crumb']): RouteHandle => ({ crumb: key });

/** A section only some roles may use (the same permission its side-menu entry names). */
const guarded = (permission: Permission) => (
  <RequirePermission permission={permission}>
    <Outlet />
  </RequirePermission>
);

export const routes: RouteObject[] = [
  {
    path: '/login',
    element: page(() => import('../pages/login/LoginPage'), 'LoginPage'),
    errorElement: <RouteError />,
    handle: crumb('login.documentTitle'),
  },
  {
    path: '/',
    // Needs a session: without one, the login page; with a restricted one, only the page that lifts it.
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
            element: page(() => import('../pages/home/HomePage'), 'HomePage'),
            handle: crumb('nav.home'),
          },
          {
            path: 'about',
            element: page(() => import('../pages/about/AboutPage'), 'AboutPage'),
            handle: crumb('nav.about'),
          },
          {
            path: 'jurisdictions',
            element: page(() => import('../pages/jurisdictions/JurisdictionsPage'), 'JurisdictionsPage'),
            handle: crumb('nav.jurisdictions'),
          },
          {
            path: 'calendar',
            element: page(() => import('../pages/calendar/CalendarPage'), 'CalendarPage'),
            handle: crumb('nav.calendar'),
          },
          {
            path: 'catalogue',
            element: page(() => import('../pages/catalogue/CataloguePage'), 'CataloguePage'),
            handle: crumb('nav.catalogue'),
          },
          {
            path: 'policy',
            element: page(() => import('../pages/policy/PolicyPage'), 'PolicyPage'),
            handle: crumb('nav.policy'),
          },
          {
            path: 'request-forms',
            element: guarded('request-form:manage'),
            handle: crumb('nav.requestForms'),
            children: [
              {
                index: true,
                element: page(() => import('../pages/request-forms/RequestFormsPage'), 'RequestFormsPage'),
              },
            ],
          },
          {
            path: 'systems',
            element: guarded('project:read'),
            handle: crumb('projects.nav.systems'),
            children: [{ index: true, element: page(() => import('../pages/projects/SystemsPage'), 'SystemsPage') }],
          },
          {
            path: 'projects',
            element: guarded('project:read'),
            handle: crumb('projects.nav.projects'),
            children: [{ index: true, element: page(() => import('../pages/projects/ProjectsPage'), 'ProjectsPage') }],
          },
          {
            path: 'orders',
            element: guarded('order:read'),
            handle: crumb('orders.nav.orders'),
            children: [
              { index: true, element: page(() => import('../pages/orders/OrdersPage'), 'OrdersPage') },
              {
                path: 'new',
                element: guarded('order:place'),
                handle: crumb('orders.nav.new'),
                children: [
                  { index: true, element: page(() => import('../pages/orders/NewOrderPage'), 'NewOrderPage') },
                ],
              },
              {
                path: 'inbox',
                element: guarded('order:act'),
                handle: crumb('orders.nav.inbox'),
                children: [{ index: true, element: page(() => import('../pages/orders/InboxPage'), 'InboxPage') }],
              },
              {
                path: 'overdue',
                element: guarded('order:oversee'),
                handle: crumb('orders.nav.overdue'),
                children: [{ index: true, element: page(() => import('../pages/orders/OverduePage'), 'OverduePage') }],
              },
              {
                path: ':id',
                element: page(() => import('../pages/orders/OrderDetailPage'), 'OrderDetailPage'),
                handle: crumb('orders.nav.detail'),
              },
            ],
          },
          {
            path: 'inventory',
            element: guarded('inventory:read'),
            handle: crumb('inventory.nav'),
            children: [
              { index: true, element: page(() => import('../pages/inventory/InventoryPage'), 'InventoryPage') },
              {
                path: 'findings',
                element: guarded('inventory:reconcile'),
                handle: crumb('inventory.nav.findings'),
                children: [
                  { index: true, element: page(() => import('../pages/inventory/FindingsPage'), 'FindingsPage') },
                ],
              },
              {
                path: 'libvirt',
                element: guarded('inventory:reconcile'),
                handle: crumb('libvirt.nav'),
                children: [
                  { index: true, element: page(() => import('../pages/libvirt/LibvirtZonesPage'), 'LibvirtZonesPage') },
                ],
              },
              {
                path: ':id',
                element: page(() => import('../pages/inventory/ResourcePage'), 'ResourcePage'),
                handle: crumb('inventory.nav.resource'),
              },
            ],
          },
          {
            path: 'shared-data',
            element: guarded('shared-data:read'),
            handle: crumb('sd.nav'),
            children: [
              { index: true, element: page(() => import('../pages/shareddata/CataloguePage'), 'CataloguePage') },
              {
                path: 'resources/new',
                element: page(() => import('../pages/shareddata/ResourceFormPage'), 'ResourceFormPage'),
                handle: crumb('sd.form.newTitle'),
              },
              {
                path: 'resources/:id',
                element: page(() => import('../pages/shareddata/ResourcePage'), 'ResourcePage'),
                handle: crumb('sd.nav.catalogue'),
              },
              {
                path: 'resources/:id/edit',
                element: page(() => import('../pages/shareddata/ResourceFormPage'), 'ResourceFormPage'),
                handle: crumb('sd.entry.edit'),
              },
              {
                path: 'guide',
                element: page(() => import('../pages/shareddata/GuidePage'), 'GuidePage'),
                handle: crumb('sd.nav.guide'),
              },
              {
                path: 'applications',
                element: page(() => import('../pages/shareddata/ApplicationsPage'), 'ApplicationsPage'),
                handle: crumb('sd.nav.applications'),
              },
              {
                path: 'traces',
                element: page(() => import('../pages/shareddata/TracesPage'), 'TracesPage'),
                handle: crumb('sd.nav.traces'),
              },
              {
                path: 'errors',
                element: page(() => import('../pages/shareddata/ErrorReportsPage'), 'ErrorReportsPage'),
                handle: crumb('sd.nav.errors'),
              },
            ],
          },
          {
            path: 'evaluation',
            element: guarded('evaluation:read'),
            handle: crumb('ev.nav'),
            children: [
              { index: true, element: page(() => import('../pages/evaluation/EvaluationPage'), 'EvaluationPage') },
            ],
          },
          {
            path: 'it-projects',
            element: guarded('project:read'),
            handle: crumb('itp.nav'),
            children: [
              { index: true, element: page(() => import('../pages/itprojects/ItProjectsPage'), 'ItProjectsPage') },
              {
                path: 'declare',
                element: page(() => import('../pages/itprojects/DeclarationFormPage'), 'DeclarationFormPage'),
                handle: crumb('itp.form.title'),
              },
              {
                path: 'projects/:id',
                element: page(() => import('../pages/itprojects/ProjectDetailPage'), 'ProjectDetailPage'),
                handle: crumb('itp.detail.crumb'),
              },
            ],
          },
          {
            path: 'data-centres',
            element: guarded('datacentre:read'),
            handle: crumb('dc.nav'),
            children: [
              { index: true, element: page(() => import('../pages/datacentres/RegisterPage'), 'RegisterPage') },
              {
                path: 'applications',
                handle: crumb('dc.nav.applications'),
                children: [
                  {
                    index: true,
                    element: page(() => import('../pages/datacentres/ApplicationsPage'), 'ApplicationsPage'),
                  },
                  {
                    path: ':id',
                    element: page(() => import('../pages/datacentres/ApplicationsPage'), 'ApplicationPage'),
                    handle: crumb('dc.nav.application'),
                  },
                ],
              },
              {
                path: 'migration',
                element: page(() => import('../pages/datacentres/MigrationPage'), 'MigrationPage'),
                handle: crumb('dc.nav.migration'),
              },
              {
                path: ':id',
                element: page(() => import('../pages/datacentres/CentrePage'), 'CentrePage'),
                handle: crumb('dc.nav.centre'),
              },
            ],
          },
          {
            path: 'operations/maintenance',
            element: guarded('maintenance:read'),
            handle: crumb('ops.nav.maintenance'),
            children: [
              { index: true, element: page(() => import('../pages/operations/MaintenancePage'), 'MaintenancePage') },
              {
                path: ':id',
                element: page(() => import('../pages/operations/MaintenanceWindowPage'), 'MaintenanceWindowPage'),
                handle: crumb('ops.nav.maintenanceWindow'),
              },
            ],
          },
          {
            path: 'operations/incidents',
            element: guarded('incident:read'),
            handle: crumb('ops.nav.incidents'),
            children: [
              { index: true, element: page(() => import('../pages/operations/IncidentsPage'), 'IncidentsPage') },
            ],
          },
          {
            path: 'operations/reports',
            element: guarded('ops-report:read'),
            handle: crumb('ops.nav.reports'),
            children: [{ index: true, element: page(() => import('../pages/operations/ReportsPage'), 'ReportsPage') }],
          },
          {
            path: 'operations/tickets',
            element: guarded('ticket:read'),
            handle: crumb('ops.nav.tickets'),
            children: [
              { index: true, element: page(() => import('../pages/operations/TicketsPage'), 'TicketsPage') },
              {
                path: ':id',
                element: page(() => import('../pages/operations/TicketPage'), 'TicketPage'),
                handle: crumb('ops.nav.ticket'),
              },
            ],
          },
          {
            path: 'federation',
            element: guarded('federation:read'),
            handle: crumb('fed.nav'),
            children: [
              { index: true, element: page(() => import('../pages/federation/FederationPage'), 'FederationPage') },
            ],
          },
          {
            path: 'monitoring',
            element: guarded('monitoring:read'),
            handle: crumb('monitoring.nav'),
            children: [
              { index: true, element: page(() => import('../pages/monitoring/MonitoringPage'), 'MonitoringPage') },
            ],
          },
          {
            path: 'settlement',
            element: guarded('settlement:read'),
            handle: crumb('settlement.nav'),
            children: [
              { index: true, element: page(() => import('../pages/settlement/SettlementPage'), 'SettlementPage') },
              {
                path: 'statements/:id',
                element: page(() => import('../pages/settlement/StatementPage'), 'StatementPage'),
                handle: crumb('settlement.nav.statement'),
              },
            ],
          },
          {
            path: 'work-orders',
            element: guarded('inventory:read'),
            handle: crumb('workOrders.nav'),
            children: [
              { index: true, element: page(() => import('../pages/work-orders/WorkOrdersPage'), 'WorkOrdersPage') },
              {
                path: ':id',
                element: page(() => import('../pages/work-orders/WorkOrderPage'), 'WorkOrderPage'),
                handle: crumb('workOrders.nav.detail'),
              },
            ],
          },
          {
            path: 'organisations',
            element: guarded('organisation:read'),
            handle: crumb('nav.organisations'),
            children: [
              {
                index: true,
                element: page(() => import('../pages/organisations/OrganisationsPage'), 'OrganisationsPage'),
              },
              {
                path: ':id',
                element: page(() => import('../pages/organisations/OrganisationDetailPage'), 'OrganisationDetailPage'),
                handle: crumb('nav.organisationDetail'),
              },
            ],
          },
          {
            path: 'admin-approvals',
            element: guarded('admin-approval:decide'),
            handle: crumb('aa.nav'),
            children: [
              {
                index: true,
                element: page(() => import('../pages/admin-approvals/AdminApprovalsPage'), 'AdminApprovalsPage'),
              },
            ],
          },
          {
            path: 'users',
            element: guarded('user:read'),
            handle: crumb('nav.users'),
            children: [
              { index: true, element: page(() => import('../pages/users/UsersPage'), 'UsersPage') },
              {
                path: ':id',
                element: page(() => import('../pages/users/UserDetailPage'), 'UserDetailPage'),
                handle: crumb('nav.userDetail'),
              },
            ],
          },
          {
            path: 'security-policy',
            element: guarded('security-policy:manage'),
            handle: crumb('nav.securityPolicy'),
            children: [
              {
                index: true,
                element: page(() => import('../pages/security/SecurityPolicyPage'), 'SecurityPolicyPage'),
              },
            ],
          },
          {
            path: 'api-tokens',
            element: guarded('token:manage'),
            handle: crumb('nav.apiTokens'),
            children: [
              { index: true, element: page(() => import('../pages/api-tokens/ApiTokensPage'), 'ApiTokensPage') },
            ],
          },
          {
            path: 'notifications',
            element: page(() => import('../pages/notifications/InboxPage'), 'InboxPage'),
            handle: crumb('notifications.nav'),
          },
          {
            path: 'webhooks',
            element: guarded('webhook:manage'),
            handle: crumb('notifications.nav.webhooks'),
            children: [
              { index: true, element: page(() => import('../pages/notifications/WebhooksPage'), 'WebhooksPage') },
            ],
          },
          {
            path: 'audit',
            element: guarded('audit:read'),
            handle: crumb('nav.audit'),
            children: [{ index: true, element: page(() => import('../pages/audit/AuditPage'), 'AuditPage') }],
          },
          {
            path: 'account/password',
            element: page(() => import('../pages/account/ChangePasswordPage'), 'ChangePasswordPage'),
            handle: crumb('nav.changePassword'),
          },
          {
            path: 'account/totp',
            element: page(() => import('../pages/account/TotpEnrolmentPage'), 'TotpEnrolmentPage'),
            handle: crumb('nav.totp'),
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
