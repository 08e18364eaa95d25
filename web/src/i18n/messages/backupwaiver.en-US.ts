import type { backupWaiverZhCN } from './backupwaiver.zh-CN';

/** The backup deadline of a platform-opened reclaim and its waiver (SH 25-26; issue 14): English texts, spread into en-US.ts. */
export const backupWaiverEnUS: Record<keyof typeof backupWaiverZhCN, string> = {
  'backupWaiver.due': 'Backup deadline',
  'backupWaiver.dueDay': 'by {day}',
  'backupWaiver.overdue': 'The unit did not confirm its backup by {day}.',
  'backupWaiver.consent': 'Authority’s consent',
  'backupWaiver.waived': 'Ops unit proceeded',
  'backupWaiver.by': '{name}, {at}',
  'backupWaiver.consentNeeded':
    'The unit did not confirm its backup by {day}. Consent to the reclaim going ahead without it (SH 25: with the competent authority’s consent)?',
  'backupWaiver.consentButton': 'Consent to proceed',
  'backupWaiver.proceedNeeded': 'The authority consented. The ops unit may tell the provider to proceed.',
  'backupWaiver.proceedButton': 'Proceed with the reclaim',
  'backupWaiver.awaitingConsent': 'The unit did not confirm its backup in time; awaiting the authority’s consent.',
  'backupWaiver.comment': 'Comment (optional)',
  'backupWaiver.done': 'Done',
  'backupWaiver.confirmForUnit': 'Ops unit confirms the receipt',
  'orders.sources.test_release': 'Test release',
  'auditAction.work_order.backup_overdue': 'Work order: backup deadline passed',
  'auditAction.work_order.backup_waiver_consented': 'Authority consented to reclaim without backup',
  'auditAction.work_order.backup_waived': 'Ops unit proceeded without backup',
  'auditAction.catalogue.confirmed': 'Catalogue version confirmed',
  'auditAction.order.test_environment_released': 'Test environment released after formal opening',
};
