import { Tag } from 'antd';
import type { Ticket } from '../../api/hooks/operations';
import { type MessageKey, useI18n } from '../../i18n';

const STATUS_COLOURS: Record<Ticket['status'], string> = {
  open: 'gold',
  responded: 'blue',
  resolved: 'cyan',
  confirmed: 'default',
};

export function TicketStatusTag({ status }: { status: Ticket['status'] }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOURS[status]}>{t(`ops.status.${status}` as MessageKey)}</Tag>;
}

/** The response clock as words: met, breached (escalated), pending, or no target. */
export function ResponseTag({ response }: { response: Ticket['response'] }) {
  const { t } = useI18n();
  if (response.targetMinutes === null) return <Tag>{t('ops.response.none')}</Tag>;
  if (response.breached)
    return (
      <Tag color="red">
        {t('ops.response.breached')}
        {response.escalatedAt ? ` · ${t('ops.response.escalated')}` : ''}
      </Tag>
    );
  if (response.met) return <Tag color="green">{t('ops.response.met')}</Tag>;
  return <Tag color="gold">{t('ops.response.pending')}</Tag>;
}
