import { Button, Card, Col, DatePicker, Row, Segmented, Space, Statistic, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import {
  type MonthlyAnalysis,
  type UtilisationRow,
  useHeatmap,
  useMonthlyAnalysis,
  useUtilisationReport,
  utilisationExportUrl,
} from '../../api/hooks/monitoring';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Chart } from '../../components/Chart';
import { inBeijingTime } from '../../components/DateTime';
import type { ChartOption } from '../../components/echarts';
import { useI18n } from '../../i18n';
import { mondayOf, switchedStart } from './shared';

const HEATMAP_DAYS = 30;
const fmt = (v: number | null) => (v === null ? '—' : v.toLocaleString(undefined, { maximumFractionDigits: 2 }));

type Suggestion = MonthlyAnalysis['suggestions'][number];
const ADVICE_COLOURS: Record<Suggestion['advice'], string> = { downsize: 'orange', expand: 'red', keep: 'green' };

/** The month's right-sizing suggestions (TZ 12(5)): downsize or expand first, by unit. */
function AnalysisCard({ month }: { month: string }) {
  const { t } = useI18n();
  const analysis = useMonthlyAnalysis(month);
  const data = analysis.data;
  const rows = (data?.suggestions ?? [])
    .slice()
    .sort((a, b) => Number(a.advice === 'keep') - Number(b.advice === 'keep'));
  return (
    <Card title={t('monitoring.analysis.title', { month })} data-testid="monthly-analysis">
      {analysis.error ? <ApiErrorAlert error={analysis.error} onRetry={() => analysis.refetch()} /> : null}
      <Row gutter={32} style={{ marginBottom: 16 }}>
        <Col>
          <Statistic title={t('monitoring.analysis.resources')} value={data?.summary.resources ?? 0} />
        </Col>
        <Col>
          <Statistic title={t('monitoring.analysis.downsize')} value={data?.summary.downsize ?? 0} />
        </Col>
        <Col>
          <Statistic title={t('monitoring.analysis.expand')} value={data?.summary.expand ?? 0} />
        </Col>
        <Col>
          <Statistic title={t('monitoring.analysis.keep')} value={data?.summary.keep ?? 0} />
        </Col>
      </Row>
      <Table<Suggestion>
        rowKey="resourceId"
        size="small"
        loading={analysis.isFetching}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: t('monitoring.analysis.empty') }}
        columns={[
          { key: 'unit', title: t('monitoring.unit'), render: (_, s) => s.organisationName ?? '—' },
          { key: 'resource', title: t('monitoring.analysis.resource'), dataIndex: 'resourceName' },
          { key: 'vcpu', title: 'vCPU', align: 'right', render: (_, s) => s.vcpu ?? '—' },
          { key: 'cpuAvg', title: t('monitoring.cpuAvg'), align: 'right', render: (_, s) => fmt(s.cpuAvg) },
          { key: 'cpuP95', title: t('monitoring.cpuP95'), align: 'right', render: (_, s) => fmt(s.cpuP95) },
          {
            key: 'advice',
            title: t('monitoring.analysis.advice'),
            render: (_, s) => <Tag color={ADVICE_COLOURS[s.advice]}>{t(`monitoring.analysis.${s.advice}`)}</Tag>,
          },
          {
            key: 'suggested',
            title: t('monitoring.analysis.suggestedVcpu'),
            align: 'right',
            render: (_, s) => (s.advice === 'keep' ? '—' : (s.suggestedVcpu ?? '—')),
          },
          { key: 'reason', title: t('monitoring.analysis.reason'), dataIndex: 'reason' },
        ]}
      />
    </Card>
  );
}

/** Weekly and monthly utilisation per unit and city-wide (TZ 12), exportable; the heat map of units by CPU. */
export function ReportsTab() {
  const { t } = useI18n();
  const [period, setPeriod] = useState<'week' | 'month'>('week');
  // Today is the Asia/Shanghai calendar day (the server's periods are), whatever the browser's zone.
  const today = useMemo(() => inBeijingTime(new Date()).format('YYYY-MM-DD'), []);
  // Opens on last week when it has samples (issue 16): a new week is empty in its first hours and days; the
  // current week (Monday) otherwise. Once a person picks a period, theirs.
  const lastWeek = useMemo(() => mondayOf(dayjs(today).subtract(7, 'day')), [today]);
  const probe = useUtilisationReport('week', lastWeek);
  const [chosen, setStart] = useState<string | null>(null);
  const start = chosen ?? (probe.isSuccess && probe.data.city.reporting === 0 ? mondayOf(dayjs(today)) : lastWeek);
  const report = useUtilisationReport(period, start);
  const heatFrom = useMemo(
    () =>
      dayjs(today)
        .subtract(HEATMAP_DAYS - 1, 'day')
        .format('YYYY-MM-DD'),
    [today],
  );
  const heat = useHeatmap(heatFrom, HEATMAP_DAYS);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { position: 'top' },
      grid: { left: 180, right: 16, top: 8, bottom: 110 },
      xAxis: { type: 'category', data: (heat.data?.days ?? []).map((d) => d.slice(5)), splitArea: { show: true } },
      yAxis: { type: 'category', data: (heat.data?.units ?? []).map((u) => u.name), splitArea: { show: true } },
      visualMap: {
        min: 0,
        max: 100,
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        inRange: { color: ['#f0f5ff', '#597ef7', '#10239e'] },
      },
      series: [{ type: 'heatmap', name: t('monitoring.cpuAvg'), data: heat.data?.cells ?? [], label: { show: false } }],
    }),
    [heat.data, t],
  );
  const rows: UtilisationRow[] = report.data ? [...report.data.units, report.data.city] : [];
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('monitoring.utilisationTable')} data-testid="utilisation-table">
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col>
            <Segmented
              value={period}
              onChange={(v) => {
                const p = v as 'week' | 'month';
                setPeriod(p);
                setStart(switchedStart(p, start, today));
              }}
              options={[
                { value: 'week', label: t('monitoring.weekly') },
                { value: 'month', label: t('monitoring.monthly') },
              ]}
            />
          </Col>
          <Col>
            <DatePicker
              picker={period}
              value={dayjs(start)}
              allowClear={false}
              aria-label={t('monitoring.period')}
              onChange={(d) => d && setStart(period === 'week' ? mondayOf(d) : d.startOf('month').format('YYYY-MM-DD'))}
            />
          </Col>
          <Col>
            <Button href={utilisationExportUrl(period, start)}>{t('monitoring.exportXlsx')}</Button>
          </Col>
          {report.data ? (
            <Col>
              <Typography.Text type="secondary">
                {report.data.from} – {dayjs(report.data.to).subtract(1, 'day').format('YYYY-MM-DD')}
              </Typography.Text>
            </Col>
          ) : null}
        </Row>
        {report.error ? <ApiErrorAlert error={report.error} onRetry={() => report.refetch()} /> : null}
        <Table<UtilisationRow>
          rowKey={(r) => r.organisationId ?? 'city'}
          size="small"
          loading={report.isFetching}
          pagination={false}
          dataSource={rows}
          scroll={{ x: true }}
          rowClassName={(r) => (r.organisationId === null ? 'ant-table-row-selected' : '')}
          columns={[
            {
              key: 'unit',
              title: t('monitoring.unit'),
              render: (_, r) =>
                r.organisationId === null ? <strong>{t('monitoring.cityTotal')}</strong> : r.organisationName,
            },
            { key: 'resources', title: t('monitoring.resources'), dataIndex: 'resources', align: 'right' },
            { key: 'reporting', title: t('monitoring.reporting'), dataIndex: 'reporting', align: 'right' },
            { key: 'cpuAvg', title: t('monitoring.cpuAvg'), align: 'right', render: (_, r) => fmt(r.cpuAvg) },
            { key: 'cpuP95', title: t('monitoring.cpuP95'), align: 'right', render: (_, r) => fmt(r.cpuP95) },
            { key: 'cpuMax', title: t('monitoring.cpuMax'), align: 'right', render: (_, r) => fmt(r.cpuMax) },
            { key: 'memoryAvg', title: t('monitoring.memoryAvg'), align: 'right', render: (_, r) => fmt(r.memoryAvg) },
            {
              key: 'network',
              title: t('monitoring.networkAvg'),
              align: 'right',
              render: (_, r) => `${fmt(r.networkInAvg)} / ${fmt(r.networkOutAvg)}`,
            },
            { key: 'findings', title: t('monitoring.openFindings'), dataIndex: 'findings', align: 'right' },
          ]}
        />
      </Card>
      {period === 'month' ? <AnalysisCard month={start.slice(0, 7)} /> : null}
      <Card title={t('monitoring.heatmapTitle', { n: HEATMAP_DAYS })}>
        {heat.error ? <ApiErrorAlert error={heat.error} onRetry={() => heat.refetch()} /> : null}
        <Chart
          option={option}
          ariaLabel={t('monitoring.heatmap')}
          height={Math.max(240, (heat.data?.units.length ?? 0) * 32 + 150)}
        />
      </Card>
    </Space>
  );
}
