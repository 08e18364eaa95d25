import { Form, Select, Tag } from 'antd';
import type { Ticket } from '../../api/hooks/operations';
import { type MessageKey, useI18n } from '../../i18n';
import { ResourcePicker, useResourceZones } from './ResourcePicker';

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

/** The resolution clock as words: met, overdue (while open or resolved late), in progress, or no target. */
export function ResolutionTag({ target }: { target: Ticket['resolutionTarget'] }) {
  const { t } = useI18n();
  if (target.targetHours === null) return <Tag>{t('ops.resolution.none')}</Tag>;
  if (target.overdue)
    return (
      <Tag color="red">
        {t('ops.resolution.overdue')}
        {target.escalatedAt ? ` · ${t('ops.response.escalated')}` : ''}
      </Tag>
    );
  if (target.met) return <Tag color="green">{t('ops.resolution.met')}</Tag>;
  return <Tag color="gold">{t('ops.resolution.pending')}</Tag>;
}

/**
 * The zone and resource fields of a maintenance application or an incident: the caller's live resources by name
 * (with `providerId`, that provider's only: the ops unit declaring an incident for it).
 */
export function ScopeFields({ providerId }: { providerId?: string | null } = {}) {
  const { t } = useI18n();
  const zones = useResourceZones(providerId);
  return (
    <>
      <Form.Item name="zone" label={t('ops.maintenance.zone')}>
        <Select allowClear options={zones.map((z) => ({ value: z, label: z }))} />
      </Form.Item>
      <Form.Item name="resourceIds" label={t('ops.maintenance.resources')}>
        <ResourcePicker multiple providerId={providerId} />
      </Form.Item>
    </>
  );
}
