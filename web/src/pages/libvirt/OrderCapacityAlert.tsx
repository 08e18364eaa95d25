import { Alert } from 'antd';
import { useOrderCapacity } from '../../api/hooks/libvirt';
import { useI18n } from '../../i18n';

/**
 * The capacity flag at order review (issue 23), for the ops unit: when the order's lines go to a libvirt zone,
 * whether one of its hosts has the free vCPUs and memory for them. Nothing is shown for orders that create
 * nothing on libvirt.
 */
export function OrderCapacityAlert({ orderId, enabled }: { orderId: string; enabled: boolean }) {
  const { t } = useI18n();
  const check = useOrderCapacity(orderId, enabled);
  if (!enabled || !check.data || check.data.zones.length === 0) return null;
  const c = check.data;
  return (
    <Alert
      type={c.flagged ? 'warning' : 'success'}
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="order-capacity"
      message={c.flagged ? t('libvirt.review.flagged') : t('libvirt.review.fits')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 20 }}>
          {c.zones.map((z) => (
            <li key={`${z.providerName}|${z.zone}`}>{z.message}</li>
          ))}
        </ul>
      }
    />
  );
}
