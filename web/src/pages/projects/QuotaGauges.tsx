import { Flex, Progress, Tooltip, Typography } from 'antd';
import { useQuotaUsage } from '../../api/hooks/orders';
import type { Project } from '../../api/hooks/projects';
import { useCan } from '../../app/session';
import { useI18n } from '../../i18n';
import { dimensionLabel, toNumber } from './labels';

interface Row {
  dimension: string;
  quota: string;
  reserved: string;
  inUse: string;
}

/**
 * One gauge per dimension: in use (green) and reserved by open orders (blue) against the quota in force
 * today. Usage comes from the orders module; without it (no order:read) the quota alone is shown.
 */
export function QuotaGauges({
  project,
  itemNames,
}: {
  project: Project;
  itemNames: ReadonlyMap<string, { name: string; nameEn: string }>;
}) {
  const { t, language } = useI18n();
  const canReadOrders = useCan('order:read');
  const usage = useQuotaUsage(canReadOrders ? project.id : undefined);
  const rows: Row[] = usage.data
    ? usage.data.dimensions.map((d) => ({
        dimension: d.dimension,
        quota: d.quota,
        reserved: d.reserved,
        inUse: d.inUse,
      }))
    : Object.entries(project.quotaToday).map(([dimension, quota]) => ({ dimension, quota, reserved: '0', inUse: '0' }));

  if (rows.length === 0) {
    return <Typography.Text type="secondary">{t('projects.quota.none')}</Typography.Text>;
  }
  return (
    <Flex vertical gap={4} style={{ minWidth: 320 }} data-testid="quota-gauges">
      {rows.map((r) => {
        const quota = toNumber(r.quota);
        const inUse = toNumber(r.inUse);
        const taken = inUse + toNumber(r.reserved);
        const percent = quota > 0 ? Math.min(100, (taken / quota) * 100) : taken > 0 ? 100 : 0;
        const success = quota > 0 ? Math.min(100, (inUse / quota) * 100) : 0;
        return (
          <Tooltip
            key={r.dimension}
            title={t('projects.quota.gaugeTip', { inUse: r.inUse, reserved: r.reserved, quota: r.quota })}
          >
            <Flex gap={8} align="center">
              <Typography.Text style={{ width: 120 }} ellipsis>
                {dimensionLabel(r.dimension, language, itemNames)}
              </Typography.Text>
              <Progress
                percent={percent}
                success={{ percent: success }}
                status={taken > quota ? 'exception' : 'normal'}
                showInfo={false}
                aria-label={`${dimensionLabel(r.dimension, language, itemNames)} ${t('projects.quota.gaugeTip', { inUse: r.inUse, reserved: r.reserved, quota: r.quota })}`}
                style={{ flex: 1, margin: 0 }}
              />
              <Typography.Text type="secondary" style={{ width: 110, textAlign: 'right' }}>
                {r.inUse}+{r.reserved}/{r.quota}
              </Typography.Text>
            </Flex>
          </Tooltip>
        );
      })}
    </Flex>
  );
}
