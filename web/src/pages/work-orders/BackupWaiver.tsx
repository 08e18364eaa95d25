import { Alert, Button, Descriptions, Input, Space } from 'antd';
import { useState } from 'react';
import {
  useConfirmReceipt,
  useConsentBackupWaiver,
  useProceedWithoutBackup,
  type WorkOrderDetail,
} from '../../api/hooks/inventory';
import { useSession } from '../../app/session';
import { inBeijingTime } from '../../components/DateTime';
import { type Translate, useI18n } from '../../i18n';

// A reclaim the platform opened (at expiry, after a rectification, after the formal opening) waits for the unit's
// backup (SH 26) only until its backup deadline; then the competent authority consents (SH 25) and the ops unit
// proceeds. Each role sees the step that is its own; the others see where it stands.

const when = (at: string) => inBeijingTime(at).format('YYYY-MM-DD HH:mm');

/** The backup deadline, the consent and the waiver, in words: items of the work order's Descriptions. */
export function backupWaiverItems(w: WorkOrderDetail, t: Translate) {
  if (!w.backupDueDay) return [];
  const items = [
    <Descriptions.Item key="due" label={t('backupWaiver.due')}>
      {t('backupWaiver.dueDay', { day: w.backupDueDay })}
    </Descriptions.Item>,
  ];
  if (w.backupConsent) {
    items.push(
      <Descriptions.Item key="consent" label={t('backupWaiver.consent')}>
        {t('backupWaiver.by', {
          name: w.backupConsent.byName ?? w.backupConsent.by ?? '—',
          at: when(w.backupConsent.at),
        })}
      </Descriptions.Item>,
    );
  }
  if (w.backupWaived) {
    items.push(
      <Descriptions.Item key="waived" label={t('backupWaiver.waived')}>
        {t('backupWaiver.by', { name: w.backupWaived.byName ?? w.backupWaived.by ?? '—', at: when(w.backupWaived.at) })}
      </Descriptions.Item>,
    );
  }
  return items;
}

/** The step after a missed backup deadline that is the signed-in role's: consent (authority) or proceed (ops). */
export function BackupWaiverActions({ w, now }: { w: WorkOrderDetail; now: number }) {
  const { t } = useI18n();
  const me = useSession();
  const [comment, setComment] = useState('');
  const consent = useConsentBackupWaiver(w.id);
  const proceed = useProceedWithoutBackup(w.id);
  const confirm = useConfirmReceipt(w.id);
  const waiting = w.status === 'open' && !w.backupConfirmedAt && !w.backupWaived;
  const passed = !!w.backupDueAt && now > new Date(w.backupDueAt).getTime();
  const day = w.backupDueDay ?? '';
  const isAuthority = me.roles.includes('authority_approver');
  const isOps = me.roles.includes('ops_reviewer');
  const commentBox = (
    <Input.TextArea
      aria-label={t('backupWaiver.comment')}
      placeholder={t('backupWaiver.comment')}
      value={comment}
      onChange={(e) => setComment(e.target.value)}
      autoSize={{ minRows: 1, maxRows: 3 }}
      style={{ minWidth: 240 }}
    />
  );
  // the ops unit confirms the provider's receipt of a reclaim that went ahead without the unit
  if (isOps && w.backupWaived && w.status === 'submitted') {
    return (
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('backupWaiver.waived')}
        action={
          <Button size="small" type="primary" loading={confirm.isPending} onClick={() => confirm.mutate()}>
            {t('backupWaiver.confirmForUnit')}
          </Button>
        }
      />
    );
  }
  if (!waiting || !passed) return null;
  if (isAuthority && !w.backupConsent) {
    return (
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('backupWaiver.consentNeeded', { day })}
        action={
          <Space direction="vertical">
            {commentBox}
            <Button
              type="primary"
              loading={consent.isPending}
              onClick={() => consent.mutate(comment.trim() || undefined)}
            >
              {t('backupWaiver.consentButton')}
            </Button>
          </Space>
        }
      />
    );
  }
  if (isOps && w.backupConsent) {
    return (
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('backupWaiver.proceedNeeded')}
        action={
          <Space direction="vertical">
            {commentBox}
            <Button
              type="primary"
              loading={proceed.isPending}
              onClick={() => proceed.mutate(comment.trim() || undefined)}
            >
              {t('backupWaiver.proceedButton')}
            </Button>
          </Space>
        }
      />
    );
  }
  return (
    <Alert
      type="info"
      showIcon
      style={{ marginBottom: 16 }}
      title={w.backupConsent ? t('backupWaiver.proceedNeeded') : t('backupWaiver.overdue', { day })}
    />
  );
}
