import type { MessageKey, Translate } from '../../i18n';

/** The actions the server records (src/**: writeAudit), each with a label; others are shown by their code. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.organisation_switched',
  'auth.session_expired',
  'account.locked',
  'permission.denied',
  'user.created',
  'user.updated',
  'user.roles_set',
  'user.admin_roles_set',
  'user.password_changed',
  'user.totp_enrolment_started',
  'user.totp_enabled',
  'user.unlock',
  'user.reset-password',
  'user.reset-totp',
  'user.revoke-sessions',
  'organisation.created',
  'organisation.updated',
  'organisation.contacts_replaced',
  'api_token.created',
  'api_token.revoked',
  'security_policy.updated',
  'audit.exported',
  'jurisdiction.created',
  'calendar.year_loaded',
  'calendar.year_imported',
  'catalogue.draft_created',
  'catalogue.draft_updated',
  'catalogue.item_removed',
  'catalogue.submitted',
  'catalogue.approved',
  'catalogue.rejected',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const isKnown = (action: string): action is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(action);

/** The action's label, or undefined for an action this console does not know yet (show its code). */
export function actionLabel(action: string, t: Translate): string | undefined {
  return isKnown(action) ? t(`auditAction.${action}` satisfies MessageKey) : undefined;
}
