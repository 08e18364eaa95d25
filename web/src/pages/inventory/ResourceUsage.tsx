import { Card, Empty, Segmented, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useResourceSeries } from '../../api/hooks/resource-usage';
import { Chart } from '../../components/Chart';
import type { ChartOption } from '../../components/echarts';
import { useI18n } from '../../i18n';

const DAY = 86_400_000;

/** Hourly points folded into Beijing days: the mean of the hourly means and the highest peak. */
function daily(points: readonly { hour: string; avg: number; max: number }[]) {
  const days = new Map<string, { sum: number; n: number; max: number }>();
  for (const p of points) {
    const day = new Date(new Date(p.hour).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const d = days.get(day) ?? { sum: 0, n: 0, max: 0 };
    d.sum += p.avg;
    d.n += 1;
    d.max = Math.max(d.max, p.max);
    days.set(day, d);
  }
  return [...days].map(([day, d]) => ({
    day,
    avg: Math.round((d.sum / d.n) * 10) / 10,
    max: Math.round(d.max * 10) / 10,
  }));
}

/**
 * The resource's utilisation (issue 16): CPU and memory per day over the last 30 or 90 days, average and peak,
 * from the monitoring rollups.
 */
export function ResourceUsage({ resourceId }: { resourceId: string }) {
  const { t } = useI18n();
  const [days, setDays] = useState(30);
  // the window ends at the next whole hour, so the query key stays the same while the page is open
  const to = useMemo(() => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000), []);
  const from = new Date(to.getTime() - days * DAY).toISOString();
  const cpu = useResourceSeries(resourceId, 'cpu', from, to.toISOString());
  const memory = useResourceSeries(resourceId, 'memory', from, to.toISOString());
  const cpuDays = useMemo(() => daily(cpu.data?.points ?? []), [cpu.data]);
  const memoryDays = useMemo(() => daily(memory.data?.points ?? []), [memory.data]);
  const allDays = useMemo(
    () => [...new Set([...cpuDays, ...memoryDays].map((d) => d.day))].sort(),
    [cpuDays, memoryDays],
  );
  const option = useMemo<ChartOption>(() => {
    const at = (series: { day: string; avg: number; max: number }[], key: 'avg' | 'max') =>
      allDays.map((day) => series.find((d) => d.day === day)?.[key] ?? null);
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`) },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 30 },
      xAxis: { type: 'category', data: allDays },
      yAxis: { type: 'value', max: 100, name: '%' },
      series: [
        { type: 'line', name: t('resource.usage.cpuAvg'), data: at(cpuDays, 'avg'), showSymbol: false },
        { type: 'line', name: t('resource.usage.cpuMax'), data: at(cpuDays, 'max'), showSymbol: false },
        { type: 'line', name: t('resource.usage.memoryAvg'), data: at(memoryDays, 'avg'), showSymbol: false },
      ],
    };
  }, [allDays, cpuDays, memoryDays, t]);
  return (
    <Card
      title={t('resource.usage.title')}
      style={{ marginBottom: 16 }}
      data-testid="resource-usage"
      extra={
        <Segmented
          aria-label={t('resource.usage.period')}
          value={days}
          onChange={(v) => setDays(Number(v))}
          options={[
            { value: 30, label: t('resource.usage.days', { n: 30 }) },
            { value: 90, label: t('resource.usage.days', { n: 90 }) },
          ]}
        />
      }
    >
      {cpu.isError ? (
        <Typography.Text type="secondary">{t('resource.usage.unavailable')}</Typography.Text>
      ) : allDays.length === 0 ? (
        <Empty description={cpu.isPending ? t('estimate.loading') : t('resource.usage.none')} />
      ) : (
        <Chart option={option} ariaLabel={t('resource.usage.aria', { n: days })} height={260} />
      )}
    </Card>
  );
}
