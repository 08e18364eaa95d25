import type { OrganisationType, TokenScope } from './types';

/*
 * The server's access model as the console needs it to offer choices (src/modules/identity/roles.ts and
 * docs/permissions.md). The server decides; these lists only keep the console from offering what it would refuse.
 */

export const ORGANISATION_TYPES = [
  'competent_authority',
  'economy_it_authority',
  'finance',
  'cloud_operations_unit',
  'cloud_service_provider',
  'using_unit',
  'security_supervisor',
] as const satisfies readonly OrganisationType[];

export const PERMISSIONS = [
  'organisation:read',
  'organisation:manage',
  'admin-approval:decide',
  'contact:manage',
  'user:read',
  'user:manage',
  'account-security:manage',
  'admin-role:grant',
  'security-policy:manage',
  'token:manage',
  'webhook:manage',
  'audit:read',
  'audit:export',
  'request-form:manage',
  'project:read',
  'project:manage',
  'project:approve',
  'quota:set',
  'order:read',
  'order:place',
  'order:act',
  'order:oversee',
  'work-order:fulfil',
  'inventory:read',
  'inventory:report',
  'inventory:reconcile',
  'settlement:read',
  'settlement:run',
  'settlement:confirm',
  'coefficient:set',
  'budget:set',
  'monitoring:read',
  'monitoring:manage',
  'rectification:respond',
  'rectification:approve',
  'shared-data:read',
  'shared-data:register',
  'shared-data:apply',
  'shared-data:authorise',
  'shared-data:review',
  'shared-data:revoke',
  'shared-data:trace',
  'shared-data:call',
  'datacentre:read',
  'datacentre:register',
  'datacentre:evaluate',
  'datacentre:approve',
  'evaluation:read',
  'evaluation:draft',
  'evaluation:review',
  'evaluation:approve',
  'evaluation:survey',
  'evaluation:appeal',
  'ticket:read',
  'ticket:open',
  'ticket:work',
  'maintenance:read',
  'maintenance:apply',
  'maintenance:respond',
  'maintenance:decide',
  'ops-report:read',
  'ops-report:generate',
  'incident:read',
  'incident:declare',
  'project:review',
  'federation:read',
  'federation:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

interface RoleInfo {
  /** the organisation types in which the role can be held */
  organisationTypes: readonly OrganisationType[];
  /** one of the three separated admin roles (三员分立): granted only by the security admin, needs TOTP */
  admin: boolean;
}

export const ROLES = {
  unit_applicant: { organisationTypes: ['using_unit'], admin: false },
  unit_admin: { organisationTypes: ['using_unit'], admin: false },
  ops_reviewer: { organisationTypes: ['cloud_operations_unit'], admin: false },
  ops_evaluator: { organisationTypes: ['cloud_operations_unit'], admin: false },
  provider_operator: { organisationTypes: ['cloud_service_provider'], admin: false },
  provider_admin: { organisationTypes: ['cloud_service_provider'], admin: false },
  authority_approver: { organisationTypes: ['competent_authority'], admin: false },
  economy_it_approver: { organisationTypes: ['economy_it_authority'], admin: false },
  finance_officer: { organisationTypes: ['finance'], admin: false },
  auditor: { organisationTypes: ['security_supervisor'], admin: false },
  system_admin: { organisationTypes: ['cloud_operations_unit'], admin: true },
  security_admin: { organisationTypes: ['cloud_operations_unit'], admin: true },
  audit_admin: { organisationTypes: ['cloud_operations_unit'], admin: true },
} as const satisfies Record<string, RoleInfo>;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];
export const ADMIN_ROLES = ROLE_NAMES.filter((role) => ROLES[role].admin);
export const BUSINESS_ROLES = ROLE_NAMES.filter((role) => !ROLES[role].admin);

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

export function isAdminRole(value: string): boolean {
  return isRole(value) && ROLES[value].admin;
}

/** The business roles an organisation of this type can hold. */
export function businessRolesFor(type: string | undefined): Role[] {
  return BUSINESS_ROLES.filter(
    (role) => type !== undefined && (ROLES[role].organisationTypes as readonly string[]).includes(type),
  );
}

export const TOKEN_SCOPES = [
  'organisation:read',
  'shared-data:call',
  // issue 18: a provider's ticketing system works its service-desk queue
  'ticket:read',
  'ticket:work',
] as const satisfies readonly TokenScope[];

/** Password rules the server enforces (security policy), for the hint next to the form. */
export const PASSWORD_RULES = { minLength: 10, classes: 3, history: 5 } as const;
