import type { AuditFilter, OrganisationType } from './types';

/**
 * Every query key in one place, hierarchical so a whole domain can be invalidated at once
 * (`queryClient.invalidateQueries({ queryKey: queryKeys.jurisdictions.all })`).
 */
export const queryKeys = {
  system: {
    all: ['system'] as const,
    info: () => [...queryKeys.system.all, 'info'] as const,
  },
  jurisdictions: {
    all: ['jurisdictions'] as const,
    list: () => [...queryKeys.jurisdictions.all, 'list'] as const,
    detail: (code: string) => [...queryKeys.jurisdictions.all, 'detail', code] as const,
  },
  auth: {
    all: ['auth'] as const,
    me: () => [...queryKeys.auth.all, 'me'] as const,
    passwordPolicy: () => [...queryKeys.auth.all, 'password-policy'] as const,
  },
  organisations: {
    all: ['organisations'] as const,
    list: (filter: { type?: OrganisationType; search?: string }) =>
      [...queryKeys.organisations.all, 'list', filter] as const,
    detail: (id: string) => [...queryKeys.organisations.all, 'detail', id] as const,
    contacts: (id: string) => [...queryKeys.organisations.all, 'contacts', id] as const,
    contactHistory: (id: string) => [...queryKeys.organisations.all, 'contact-history', id] as const,
  },
  users: {
    all: ['users'] as const,
    list: (search: string) => [...queryKeys.users.all, 'list', search] as const,
    detail: (id: string) => [...queryKeys.users.all, 'detail', id] as const,
  },
  security: {
    all: ['security'] as const,
    policy: () => [...queryKeys.security.all, 'policy'] as const,
  },
  apiTokens: {
    all: ['api-tokens'] as const,
    list: () => [...queryKeys.apiTokens.all, 'list'] as const,
  },
  calendar: {
    all: ['calendar'] as const,
    year: (year: number) => [...queryKeys.calendar.all, 'year', year] as const,
    addWorkingDays: (from: string, days: number) => [...queryKeys.calendar.all, 'add', from, days] as const,
  },
  catalogue: {
    all: ['catalogue'] as const,
    current: (at: string | undefined) => [...queryKeys.catalogue.all, 'current', at ?? null] as const,
  },
  policy: {
    all: ['policy'] as const,
    packs: () => [...queryKeys.policy.all, 'packs'] as const,
    pack: (id: string) => [...queryKeys.policy.all, 'pack', id] as const,
    jurisdiction: (code: string) => [...queryKeys.policy.all, 'jurisdiction', code] as const,
  },
  requestForms: {
    all: ['request-forms'] as const,
    list: () => [...queryKeys.requestForms.all, 'list'] as const,
    detail: (id: string) => [...queryKeys.requestForms.all, 'detail', id] as const,
  },
  projects: {
    all: ['projects'] as const,
    systems: (filter: object) => [...queryKeys.projects.all, 'systems', filter] as const,
    list: (filter: object) => [...queryKeys.projects.all, 'list', filter] as const,
  },
  orders: {
    all: ['orders'] as const,
    list: (filter: object) => [...queryKeys.orders.all, 'list', filter] as const,
    detail: (id: string) => [...queryKeys.orders.all, 'detail', id] as const,
    inbox: () => [...queryKeys.orders.all, 'inbox'] as const,
    overdue: () => [...queryKeys.orders.all, 'overdue'] as const,
    quotaUsage: (projectId: string) => [...queryKeys.orders.all, 'quota-usage', projectId] as const,
  },
  inventory: {
    all: ['inventory'] as const,
    resources: (filter: object) => [...queryKeys.inventory.all, 'resources', filter] as const,
    resource: (id: string) => [...queryKeys.inventory.all, 'resource', id] as const,
    findings: (filter: object) => [...queryKeys.inventory.all, 'findings', filter] as const,
    workOrders: (filter: object) => [...queryKeys.inventory.all, 'work-orders', filter] as const,
    workOrder: (id: string) => [...queryKeys.inventory.all, 'work-order', id] as const,
  },
  notifications: {
    all: ['notifications'] as const,
    inbox: (filter: object) => [...queryKeys.notifications.all, 'inbox', filter] as const,
    unread: () => [...queryKeys.notifications.all, 'unread'] as const,
    subscriptions: () => [...queryKeys.notifications.all, 'subscriptions'] as const,
    deliveries: (subscriptionId: string, filter: object) =>
      [...queryKeys.notifications.all, 'deliveries', subscriptionId, filter] as const,
    egressPolicy: () => [...queryKeys.notifications.all, 'egress-policy'] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (filter: AuditFilter, page: { limit: number; offset: number }) =>
      [...queryKeys.audit.all, 'list', filter, page] as const,
  },
};

/** Queries that do not depend on who is signed in: kept across logout and organisation switches. */
export const SESSION_INDEPENDENT_DOMAINS: readonly string[] = [
  queryKeys.system.all[0],
  queryKeys.jurisdictions.all[0],
  queryKeys.auth.all[0],
  queryKeys.calendar.all[0],
  queryKeys.catalogue.all[0],
  queryKeys.policy.all[0],
];
