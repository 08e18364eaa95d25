/**
 * Every route declares who may call it in `config.permission`, next to the route:
 * - `public`: no session needed;
 * - `authenticated`: any signed-in user or token (their own session, profile, password);
 * - a named permission, held through a role in the acting organisation (see modules/identity/roles.ts).
 * docs/permissions.md lists every route; a test keeps the two equal.
 */
export const PERMISSIONS = [
  'organisation:read',
  'organisation:manage',
  'contact:manage',
  'user:read',
  'user:manage',
  'admin-role:grant',
  'account-security:manage',
  'security-policy:manage',
  'token:manage',
  'audit:read',
  'audit:export',
  'policy:manage',
  'catalogue:draft',
  'catalogue:approve',
  'calendar:manage',
  'request-form:manage',
] as const;

export type NamedPermission = (typeof PERMISSIONS)[number];
export type Permission = 'public' | 'authenticated' | NamedPermission;

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    /** Routes a restricted session (forced password change, TOTP enrolment pending) may still call. */
    allowRestricted?: boolean;
  }
}
