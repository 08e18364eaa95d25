import { hasAdminRole, isRole, permissionsOf, ROLES, type Role } from './roles.ts';

/**
 * Separation of the three admin duties (三员分立) as data; docs/security.md shows the same table. The
 * services enforce it at every grant, reset, second-factor clear, unlock and disable, and every refusal
 * is audited (platform/auth: `separation.denied`).
 */
export type AdminRole = 'system_admin' | 'security_admin' | 'audit_admin';

/** What may be done to an account that holds (or is to receive) an admin role, by another admin. */
export type AdminAccountAction =
  | 'create'
  | 'business-roles'
  | 'admin-roles'
  | 'update'
  | 'unlock'
  | 'reset-password'
  | 'reset-totp'
  | 'revoke-sessions';

export const ADMIN_ACCOUNT_RULES: Record<AdminAccountAction, 'impossible' | 'two-person' | 'allowed'> = {
  /** accounts are created with business roles only; an admin role comes from the security admin */
  create: 'impossible',
  /** an admin account holds no other role, in any organisation */
  'business-roles': 'impossible',
  /** granting or revoking an admin role: the security admin asks, the third admin approves */
  'admin-roles': 'two-person',
  /** name, e-mail (where reset passwords go), disable or enable */
  update: 'two-person',
  unlock: 'two-person',
  'reset-password': 'two-person',
  'reset-totp': 'two-person',
  /** ending sessions gives nobody access */
  'revoke-sessions': 'allowed',
};

/** The approver: the admin role that is neither the requester's nor the target's (the third admin). */
export const THIRD_ADMIN: Record<AdminRole, Record<AdminRole, AdminRole>> = {
  system_admin: { system_admin: 'security_admin', security_admin: 'audit_admin', audit_admin: 'security_admin' },
  security_admin: { system_admin: 'audit_admin', security_admin: 'audit_admin', audit_admin: 'system_admin' },
  audit_admin: { system_admin: 'security_admin', security_admin: 'system_admin', audit_admin: 'security_admin' },
};

export function isAdminRole(role: string): role is AdminRole {
  return isRole(role) && ROLES[role].admin;
}

/** The admin role among `roles`, if any (an account holds at most one). */
export function adminRoleOf(roles: readonly string[]): AdminRole | null {
  return roles.find(isAdminRole) ?? null;
}

/**
 * Why a set of roles held by one account (in all its organisations) breaks the separation, or null:
 * an admin role is held alone, and one person holds at most one admin role.
 */
export function separationProblem(roles: readonly string[]): string | null {
  const distinct = [...new Set(roles)];
  const admin = distinct.filter(isAdminRole);
  if (admin.length > 1) return 'one person holds at most one of the three admin roles / 三员不得兼任';
  if (admin.length === 1 && distinct.length > 1)
    return 'an admin role is held alone, with no other role in any organisation / 管理员账号不得兼任其他角色';
  return null;
}

/**
 * Accounts whose temporary password is never shown to the admin who set it: admin accounts and anyone
 * who reads the audit trail. Their password goes to the account's own e-mail (notifications outbox).
 */
export function passwordGoesByMail(roles: readonly string[]): boolean {
  return hasAdminRole(roles) || permissionsOf(roles).has('audit:read');
}

export type { Role };
