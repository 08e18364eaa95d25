import { Descriptions, Space, Typography } from 'antd';
import { useMemo } from 'react';
import type { MonitoringFinding } from '../../api/hooks/monitoring';
import { Chart } from '../../components/Chart';
import { CitedText } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import type { ChartOption } from '../../components/echarts';
import { type MessageKey, type Translate, useI18n } from '../../i18n';

/** `default` and `jurisdiction override` in the console's language; a policy source names its pack and article. */
const sourceText = (source: string, t: Translate) =>
  source === 'default' ? (
    t('monitoring.source.default')
  ) : source === 'jurisdiction override' ? (
    t('monitoring.source.jurisdiction')
  ) : (
    <CitedText text={source} />
  );

interface EvidenceFigures {
  cpu?: { avg: number; max: number; p95: number; hours: number };
  networkPeakBytesPerSecond?: number;
  lastSampleAt?: string | null;
  thresholds?: Record<string, number>;
  thresholdSources?: Record<string, string>;
  series?: { cpuDaily: { day: string; avg: number; max: number }[] };
}

/** A finding's evidence: the figures the rule saw, its thresholds and their sources, the daily CPU chart. */
export function Evidence({ finding }: { finding: MonitoringFinding }) {
  const { t } = useI18n();
  const e = finding.evidence as EvidenceFigures;
  const daily = e.series?.cpuDaily ?? [];
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 30 },
      xAxis: { type: 'category', data: daily.map((p) => p.day) },
      yAxis: { type: 'value', max: 100, name: '%' },
      series: [
        { type: 'line', name: t('monitoring.cpuAvg'), data: daily.map((p) => p.avg), showSymbol: false },
        { type: 'line', name: t('monitoring.cpuMax'), data: daily.map((p) => p.max), showSymbol: false },
      ],
    }),
    [daily, t],
  );
  const thresholds = Object.entries(e.thresholds ?? {});
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label={t('monitoring.rule')}>
          {t(`monitoring.rules.${finding.rule}` as MessageKey)}
        </Descriptions.Item>
        <Descriptions.Item label={t('monitoring.ruleVersion')}>
          <Typography.Text code>{finding.ruleVersion}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('monitoring.resource')}>
          {finding.resourceName ?? finding.resourceId}
        </Descriptions.Item>
        <Descriptions.Item label={t('monitoring.unit')}>{finding.organisationName ?? '—'}</Descriptions.Item>
        {e.cpu ? (
          <>
            <Descriptions.Item label={t('monitoring.cpuAvg')}>{e.cpu.avg}</Descriptions.Item>
            <Descriptions.Item label={t('monitoring.cpuP95')}>{e.cpu.p95}</Descriptions.Item>
            <Descriptions.Item label={t('monitoring.cpuMax')}>{e.cpu.max}</Descriptions.Item>
            <Descriptions.Item label={t('monitoring.hoursCovered')}>{e.cpu.hours}</Descriptions.Item>
          </>
        ) : null}
        {e.networkPeakBytesPerSecond !== undefined ? (
          <Descriptions.Item label={t('monitoring.networkPeak')}>{e.networkPeakBytesPerSecond}</Descriptions.Item>
        ) : null}
        {e.lastSampleAt !== undefined ? (
          <Descriptions.Item label={t('monitoring.lastSample')}>
            {e.lastSampleAt ? <DateTime value={e.lastSampleAt} /> : t('monitoring.never')}
          </Descriptions.Item>
        ) : null}
      </Descriptions>
      {e.series ? <Chart option={option} ariaLabel={t('monitoring.evidenceChart')} height={260} /> : null}
      {thresholds.length > 0 ? (
        <Descriptions size="small" column={1} title={t('monitoring.thresholds')}>
          {thresholds.map(([k, v]) => (
            <Descriptions.Item key={k} label={<Typography.Text code>{k}</Typography.Text>}>
              {v}
              {e.thresholdSources?.[k] ? (
                <Typography.Text type="secondary"> （{sourceText(e.thresholdSources[k], t)}）</Typography.Text>
              ) : null}
            </Descriptions.Item>
          ))}
        </Descriptions>
      ) : null}
    </Space>
  );
}
