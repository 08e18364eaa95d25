import type { NamedPermission } from '../../platform/http/permissions.ts';
import type { OrganisationType } from '../tenancy/index.ts';

interface RoleDefinition {
  /** the organisation types in which the role can be held */
  organisationTypes: readonly OrganisationType[];
  /** what the role sees in tenant-owned tables: its own organisation (and sub-units), or its whole jurisdiction */
  scope: 'organisation' | 'jurisdiction';
  /** one of the three separated admin roles (三员分立): needs TOTP, granted only by the security admin */
  admin: boolean;
  permissions: readonly NamedPermission[];
  zh: string;
  en: string;
}

/**
 * Roles per organisation type (DOMAIN.md section 1) and the three separated admin roles: the system
 * admin runs organisations and accounts but cannot read the audit trail; the security admin manages
 * policies and accounts' security settings but no business data; the audit admin only reads the trail.
 */
export const ROLES = {
  unit_applicant: {
    organisationTypes: ['using_unit'],
    scope: 'organisation',
    admin: false,
    permissions: [
      'organisation:read',
      'request-form:manage',
      'project:read',
      'project:manage',
      'order:read',
      'order:place',
      'order:act',
      'inventory:read',
      'settlement:read',
      'monitoring:read',
      'rectification:respond',
      'shared-data:read',
      'shared-data:register',
      'shared-data:apply',
      'shared-data:trace',
      'datacentre:read',
      'datacentre:register',
      'evaluation:read',
      'evaluation:survey',
      'ticket:read',
      'ticket:open',
      'maintenance:read',
      'maintenance:respond',
      'incident:read',
    ],
    zh: '单位申请人',
    en: 'Unit applicant',
  },
  unit_admin: {
    organisationTypes: ['using_unit'],
    scope: 'organisation',
    admin: false,
    permissions: [
      'organisation:read',
      'organisation:manage',
      'contact:manage',
      'token:manage',
      'request-form:manage',
      'project:read',
      'project:manage',
      'order:read',
      'order:place',
      'order:act',
      'inventory:read',
      'settlement:read',
      'monitoring:read',
      'rectification:respond',
      'shared-data:read',
      'shared-data:register',
      'shared-data:apply',
      'shared-data:authorise',
      'shared-data:revoke',
      'shared-data:trace',
      'datacentre:read',
      'datacentre:register',
      'evaluation:read',
      'evaluation:survey',
      'evaluation:appeal',
      'ticket:read',
      'ticket:open',
      'maintenance:read',
      'maintenance:respond',
      'incident:read',
    ],
    zh: '单位管理员',
    en: 'Unit administrator',
  },
  ops_reviewer: {
    organisationTypes: ['cloud_operations_unit'],
    scope: 'jurisdiction',
    admin: false,
    permissions: [
      'organisation:read',
      'catalogue:draft',
      'calendar:manage',
      'project:read',
      'order:read',
      'order:act',
      'order:oversee',
      'inventory:read',
      'inventory:reconcile',
      'settlement:read',
      'settlement:run',
      'monitoring:ingest',
      'monitoring:read',
      'monitoring:manage',
      'shared-data:read',
      'shared-data:review',
      'shared-data:revoke',
      'shared-data:trace',
      'datacentre:read',
      'datacentre:evaluate',
      'evaluation:read',
      'evaluation:review',
      'ticket:read',
      'maintenance:read',
      'ops-report:read',
      'ops-report:generate',
      'incident:read',
      'project:review',
      'federation:read',
      // issue 18: the ops unit declares an incident for a provider, posts its updates
      'incident:declare',
    ],
    zh: '运管审核员',
    en: 'Operations reviewer',
  },
  ops_evaluator: {
    organisationTypes: ['cloud_operations_unit'],
    scope: 'jurisdiction',
    admin: false,
    permissions: [
      'organisation:read',
      'project:read',
      'inventory:read',
      'settlement:read',
      'monitoring:read',
      'datacentre:read',
      'evaluation:read',
      'evaluation:draft',
      'ticket:read',
      'incident:read',
    ],
    zh: '运管评估员',
    en: 'Operations evaluator',
  },
  provider_operator: {
    organisationTypes: ['cloud_service_provider'],
    scope: 'organisation',
    admin: false,
    permissions: [
      'organisation:read',
      'work-order:fulfil',
      'inventory:read',
      'inventory:report',
      'monitoring:ingest',
      'evaluation:read',
      'ticket:read',
      'ticket:work',
      'maintenance:read',
      'maintenance:apply',
      'ops-report:read',
      'ops-report:generate',
      'incident:read',
      'incident:declare',
    ],
    zh: '云服务商操作员',
    en: 'Provider operator',
  },
  provider_admin: {
    organisationTypes: ['cloud_service_provider'],
    scope: 'organisation',
    admin: false,
    permissions: [
      'organisation:read',
      'contact:manage',
      'token:manage',
      'work-order:fulfil',
      'inventory:read',
      'inventory:report',
      'monitoring:ingest',
      'evaluation:read',
      'evaluation:appeal',
      'ticket:read',
      'ticket:work',
      'maintenance:read',
      'maintenance:apply',
      'ops-report:read',
      'ops-report:generate',
      'incident:read',
      'incident:declare',
    ],
    zh: '云服务商管理员',
    en: 'Provider administrator',
  },
  authority_approver: {
    organisationTypes: ['competent_authority'],
    scope: 'jurisdiction',
    admin: false,
    permissions: [
      'organisation:read',
      'catalogue:approve',
      'policy:manage',
      'project:read',
      'project:approve',
      'order:read',
      'order:act',
      'order:oversee',
      'inventory:read',
      'settlement:read',
      'coefficient:set',
      'budget:set',
      'monitoring:read',
      'rectification:approve',
      'shared-data:read',
      'shared-data:trace',
      'datacentre:read',
      'datacentre:approve',
      'evaluation:read',
      'evaluation:approve',
      'ticket:read',
      'maintenance:read',
      'maintenance:decide',
      'ops-report:read',
      'incident:read',
      'project:review',
      'federation:read',
    ],
    zh: '主管部门审批人',
    en: 'Authority approver',
  },
  economy_it_approver: {
    organisationTypes: ['economy_it_authority'],
    scope: 'jurisdiction',
    admin: false,
    permissions: [
      'organisation:read',
      // SH 15: confirms (核定) catalogue versions with the competent authority, where the pack says so
      'catalogue:approve',
      'project:read',
      'quota:set',
      'order:read',
      'order:act',
      'order:oversee',
      'inventory:read',
      'settlement:read',
      'settlement:confirm',
      'coefficient:set',
      'monitoring:read',
      'shared-data:read',
      'evaluation:read',
      'ops-report:read',
      'incident:read',
    ],
    zh: '经信部门审批人',
    en: 'Economy & IT approver',
  },
  finance_officer: {
    organisationTypes: ['finance'],
    scope: 'jurisdiction',
    admin: false,
    permissions: [
      'organisation:read',
      'project:read',
      'order:read',
      'inventory:read',
      'settlement:read',
      'budget:set',
      'evaluation:read',
    ],
    zh: '财政经办人',
    en: 'Finance officer',
  },
  auditor: {
    organisationTypes: ['security_supervisor'],
    scope: 'jurisdiction',
    admin: false,
    permissions: [
      'organisation:read',
      'audit:read',
      'order:read',
      'inventory:read',
      'shared-data:read',
      'shared-data:trace',
      'datacentre:read',
    ],
    zh: '安全审计员',
    en: 'Auditor',
  },
  system_admin: {
    organisationTypes: ['cloud_operations_unit'],
    scope: 'jurisdiction',
    admin: true,
    permissions: [
      'organisation:read',
      'organisation:manage',
      'contact:manage',
      'user:read',
      'user:manage',
      'token:manage',
      'webhook:manage',
      'admin-approval:decide',
      'federation:read',
      'federation:manage',
    ],
    zh: '系统管理员',
    en: 'System administrator',
  },
  security_admin: {
    organisationTypes: ['cloud_operations_unit'],
    scope: 'jurisdiction',
    admin: true,
    permissions: [
      'user:read',
      'account-security:manage',
      'security-policy:manage',
      'admin-role:grant',
      'admin-approval:decide',
    ],
    zh: '安全管理员',
    en: 'Security administrator',
  },
  audit_admin: {
    organisationTypes: ['cloud_operations_unit'],
    scope: 'jurisdiction',
    admin: true,
    permissions: ['audit:read', 'audit:export', 'admin-approval:decide'],
    zh: '审计管理员',
    en: 'Audit administrator',
  },
} as const satisfies Record<string, RoleDefinition>;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];
export const ADMIN_ROLES = ROLE_NAMES.filter((r) => ROLES[r].admin);

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

export function permissionsOf(roles: readonly string[]): Set<NamedPermission> {
  const result = new Set<NamedPermission>();
  for (const role of roles) if (isRole(role)) for (const p of ROLES[role].permissions) result.add(p);
  return result;
}

export function hasAdminRole(roles: readonly string[]): boolean {
  return roles.some((r) => isRole(r) && ROLES[r].admin);
}

/** Jurisdiction-wide when any held role is; otherwise the organisation and its sub-units. */
export function scopeOf(roles: readonly string[]): 'organisation' | 'jurisdiction' {
  return roles.some((r) => isRole(r) && ROLES[r].scope === 'jurisdiction') ? 'jurisdiction' : 'organisation';
}

/** Scopes an API token may carry: what machine clients (providers' systems, district platforms) do. */
export const TOKEN_SCOPES = [
  'organisation:read',
  'work-order:fulfil',
  'inventory:read',
  'inventory:report',
  'monitoring:ingest',
  'order:read',
  'settlement:read',
  'shared-data:call',
  // issue 18: a provider's ticketing system works its service-desk queue (list, answer, resolve)
  'ticket:read',
  'ticket:work',
] as const satisfies readonly NamedPermission[];

/**
 * A token scope the issuer holds under another name: `shared-data:call` is what a unit's system does with
 * data the unit applied for, so the issuer needs `shared-data:apply`. Every other scope needs itself.
 */
export const TOKEN_SCOPE_ISSUER: Partial<Record<(typeof TOKEN_SCOPES)[number], NamedPermission>> = {
  'shared-data:call': 'shared-data:apply',
};

/** Whether an account holding `permissions` may issue (or keep using) a token with `scope`. */
export function issuerMayGrant(permissions: ReadonlySet<NamedPermission>, scope: string): boolean {
  if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) return false;
  const needed = TOKEN_SCOPE_ISSUER[scope as (typeof TOKEN_SCOPES)[number]] ?? (scope as NamedPermission);
  return permissions.has(needed);
}

/**
 * The roles any one of which lets an issuer grant `scope` (permissions are the union of the roles' own): what a
 * statement checking a token's issuer in SQL compares the issuer's roles with (`token_for_call`'s callers).
 */
export function issuerRolesFor(scope: string): string[] {
  return Object.keys(ROLES).filter((role) => issuerMayGrant(permissionsOf([role]), scope));
}
