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
  // information systems, projects, quotas, orders (modules/projects, modules/orders)
  'project:read',
  'project:manage',
  'quota:set',
  'project:approve',
  'order:read',
  'order:place',
  'order:act',
  'order:oversee',
  'webhook:manage',
  // fulfilment and inventory (modules/provisioning, modules/inventory)
  'work-order:fulfil',
  'inventory:read',
  'inventory:report',
  'inventory:reconcile',
  // metering and settlement (modules/metering)
  'settlement:read',
  'settlement:run',
  'settlement:confirm',
  'coefficient:set',
  'budget:set',
  // usage monitoring (modules/monitoring)
  'monitoring:ingest',
  'monitoring:read',
  'monitoring:manage',
  'rectification:respond',
  'rectification:approve',
  // shared data (modules/shareddata, NB 13-15)
  'shared-data:read',
  'shared-data:register',
  'shared-data:apply',
  'shared-data:authorise',
  'shared-data:review',
  'shared-data:revoke',
  'shared-data:trace',
  'shared-data:call',
  // legacy data centres (modules/datacentres, LZ 12-19)
  'datacentre:read',
  'datacentre:register',
  'datacentre:evaluate',
  'datacentre:approve',
  // efficiency evaluation (modules/evaluation, SH 27, 33-34; TZ 20; LZ 30)
  'evaluation:read',
  'evaluation:draft',
  'evaluation:review',
  'evaluation:approve',
  'evaluation:survey',
  'evaluation:appeal',
  // operations (modules/operations, TZ 12, JQ 13)
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
  // federation between installations (modules/federation, issue 22)
  'federation:read',
  'federation:manage',
  // the two-person rule on admin accounts (modules/identity/separation.ts)
  'admin-approval:decide',
  // IT projects from declaration to acceptance (modules/itprojects, JQ-proj 7-17, NB 17)
  'project:review',
] as const;

export type NamedPermission = (typeof PERMISSIONS)[number];
export type Permission = 'public' | 'authenticated' | NamedPermission;

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    /** Routes a restricted session (forced password change, TOTP enrolment pending) may still call. */
    allowRestricted?: boolean;
    /**
     * A route that authenticates a bearer token itself, in its own statement (the data gateway: the token check
     * folded into its lookup); it must then call `admitCaller` and count its machine limit itself
     * (`answerMachineLimit`). Other credentials (a session cookie) go through the usual hook.
     */
    authenticatesBearer?: boolean;
  }
}
