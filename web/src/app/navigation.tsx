import {
  AccountBookOutlined,
  AlertOutlined,
  ApartmentOutlined,
  AppstoreOutlined,
  AuditOutlined,
  BankOutlined,
  BellOutlined,
  BugOutlined,
  CalendarOutlined,
  CloudServerOutlined,
  CloudUploadOutlined,
  ClusterOutlined,
  CompassOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  DiffOutlined,
  FileDoneOutlined,
  FileExcelOutlined,
  FileProtectOutlined,
  FileTextOutlined,
  FormOutlined,
  FundOutlined,
  GlobalOutlined,
  HddOutlined,
  HistoryOutlined,
  InboxOutlined,
  InfoCircleOutlined,
  KeyOutlined,
  LineChartOutlined,
  ProjectOutlined,
  RadarChartOutlined,
  ReadOutlined,
  SafetyCertificateOutlined,
  ScheduleOutlined,
  SendOutlined,
  ShareAltOutlined,
  SolutionOutlined,
  TeamOutlined,
  ToolOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Permission } from '../api/identity';
import type { MessageKey } from '../i18n';

export interface NavItem {
  path: string;
  label: MessageKey;
  icon: ReactNode;
  /** Shown only to users whose acting roles hold this permission; absent: every signed-in user. */
  permission?: Permission;
}

/**
 * The side menu. Only pages that exist belong here: a module adds its entry when its page lands.
 * Paths must match the routes in router.tsx, and each permission the one its route requires.
 */
export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', label: 'nav.home', icon: <DashboardOutlined /> },
  { path: '/jurisdictions', label: 'nav.jurisdictions', icon: <ApartmentOutlined /> },
  { path: '/calendar', label: 'nav.calendar', icon: <CalendarOutlined /> },
  { path: '/catalogue', label: 'nav.catalogue', icon: <AppstoreOutlined /> },
  { path: '/policy', label: 'nav.policy', icon: <ReadOutlined /> },
  {
    path: '/request-forms',
    label: 'nav.requestForms',
    icon: <FileExcelOutlined />,
    permission: 'request-form:manage',
  },
  { path: '/systems', label: 'projects.nav.systems', icon: <ClusterOutlined />, permission: 'project:read' },
  { path: '/projects', label: 'projects.nav.projects', icon: <ProjectOutlined />, permission: 'project:read' },
  { path: '/orders', label: 'orders.nav.orders', icon: <FileDoneOutlined />, permission: 'order:read' },
  { path: '/orders/new', label: 'orders.nav.new', icon: <FormOutlined />, permission: 'order:place' },
  { path: '/orders/inbox', label: 'orders.nav.inbox', icon: <InboxOutlined />, permission: 'order:act' },
  { path: '/orders/overdue', label: 'orders.nav.overdue', icon: <AlertOutlined />, permission: 'order:oversee' },
  { path: '/work-orders', label: 'workOrders.nav', icon: <ToolOutlined />, permission: 'inventory:read' },
  { path: '/inventory', label: 'inventory.nav', icon: <DatabaseOutlined />, permission: 'inventory:read' },
  {
    path: '/inventory/findings',
    label: 'inventory.nav.findings',
    icon: <DiffOutlined />,
    permission: 'inventory:reconcile',
  },
  {
    path: '/inventory/libvirt',
    label: 'libvirt.nav',
    icon: <CloudServerOutlined />,
    permission: 'inventory:reconcile',
  },
  { path: '/settlement', label: 'settlement.nav', icon: <AccountBookOutlined />, permission: 'settlement:read' },
  {
    path: '/operations/tickets',
    label: 'ops.nav.tickets',
    icon: <CustomerServiceOutlined />,
    permission: 'ticket:read',
  },
  {
    path: '/operations/maintenance',
    label: 'ops.nav.maintenance',
    icon: <ScheduleOutlined />,
    permission: 'maintenance:read',
  },
  { path: '/operations/incidents', label: 'ops.nav.incidents', icon: <AlertOutlined />, permission: 'incident:read' },
  { path: '/operations/reports', label: 'ops.nav.reports', icon: <FileTextOutlined />, permission: 'ops-report:read' },

  { path: '/monitoring', label: 'monitoring.nav', icon: <LineChartOutlined />, permission: 'monitoring:read' },
  { path: '/federation', label: 'fed.nav', icon: <GlobalOutlined />, permission: 'federation:read' },
  { path: '/shared-data', label: 'sd.nav.catalogue', icon: <ShareAltOutlined />, permission: 'shared-data:read' },
  {
    path: '/shared-data/applications',
    label: 'sd.nav.applications',
    icon: <SolutionOutlined />,
    permission: 'shared-data:read',
  },
  { path: '/shared-data/traces', label: 'sd.nav.traces', icon: <HistoryOutlined />, permission: 'shared-data:trace' },
  { path: '/shared-data/errors', label: 'sd.nav.errors', icon: <BugOutlined />, permission: 'shared-data:read' },
  { path: '/shared-data/guide', label: 'sd.nav.guide', icon: <CompassOutlined />, permission: 'shared-data:read' },
  { path: '/evaluation', label: 'ev.nav', icon: <RadarChartOutlined />, permission: 'evaluation:read' },
  { path: '/it-projects', label: 'itp.nav', icon: <FundOutlined />, permission: 'project:read' },
  { path: '/data-centres', label: 'dc.nav.register', icon: <HddOutlined />, permission: 'datacentre:read' },
  {
    path: '/data-centres/applications',
    label: 'dc.nav.applications',
    icon: <FileProtectOutlined />,
    permission: 'datacentre:read',
  },
  {
    path: '/data-centres/migration',
    label: 'dc.nav.migration',
    icon: <CloudUploadOutlined />,
    permission: 'datacentre:read',
  },
  { path: '/organisations', label: 'nav.organisations', icon: <BankOutlined />, permission: 'organisation:read' },
  { path: '/users', label: 'nav.users', icon: <TeamOutlined />, permission: 'user:read' },
  {
    path: '/admin-approvals',
    label: 'aa.nav',
    icon: <UserSwitchOutlined />,
    permission: 'admin-approval:decide',
  },
  {
    path: '/security-policy',
    label: 'nav.securityPolicy',
    icon: <SafetyCertificateOutlined />,
    permission: 'security-policy:manage',
  },
  { path: '/api-tokens', label: 'nav.apiTokens', icon: <KeyOutlined />, permission: 'token:manage' },
  { path: '/audit', label: 'nav.audit', icon: <AuditOutlined />, permission: 'audit:read' },
  { path: '/notifications', label: 'notifications.nav', icon: <BellOutlined /> },
  { path: '/webhooks', label: 'notifications.nav.webhooks', icon: <SendOutlined />, permission: 'webhook:manage' },
  { path: '/about', label: 'nav.about', icon: <InfoCircleOutlined />, permission: 'user:read' },
];

/** The entries a user with these permissions may use. */
export function visibleNavItems(permissions: readonly string[]): NavItem[] {
  return NAV_ITEMS.filter((item) => !item.permission || permissions.includes(item.permission));
}

/** The menu entry a location belongs to: the longest path that is the location or one of its parents. */
export function activeNavPath(pathname: string): string | undefined {
  const matches = NAV_ITEMS.filter(
    ({ path }) => pathname === path || (path !== '/' && pathname.startsWith(`${path}/`)),
  ).sort((a, b) => b.path.length - a.path.length);
  return matches[0]?.path;
}
