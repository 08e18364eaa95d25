import { useMemo } from 'react';
import type { Jurisdiction } from '../../api/types';
import { Chart } from '../../components/Chart';
import type { ChartOption } from '../../components/echarts';
import { useI18n } from '../../i18n';
import { countByKind, JURISDICTION_KINDS } from './kindCounts';

const KIND_COLORS = { city: '#1677ff', district: '#13c2c2', dedicated_domain: '#722ed1' } as const;

/** A bar per jurisdiction kind (city cloud, district cloud, dedicated domain). */
export function JurisdictionKindChart({ items }: { items: readonly Jurisdiction[] }) {
  const { t } = useI18n();
  const counts = useMemo(() => countByKind(items), [items]);

  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: JURISDICTION_KINDS.map((kind) => t(`kind.${kind}`)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          name: t('overview.chartSeries'),
          barMaxWidth: 48,
          label: { show: true, position: 'top' },
          data: JURISDICTION_KINDS.map((kind) => ({ value: counts[kind], itemStyle: { color: KIND_COLORS[kind] } })),
        },
      ],
    }),
    [counts, t],
  );

  const summary = JURISDICTION_KINDS.map((kind) => `${t(`kind.${kind}`)} ${counts[kind]}`).join(', ');
  return <Chart option={option} height={260} ariaLabel={t('overview.chartAria', { summary })} />;
}
