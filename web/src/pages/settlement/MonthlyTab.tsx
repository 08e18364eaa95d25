import {
  App,
  Button,
  Card,
  Drawer,
  Flex,
  Popconfirm,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import {
  formatCoefficient,
  formatFen,
  type SettlementRun,
  type StatementSummary,
  useConfirmRun,
  useReviewRun,
  useRunSummary,
  useRuns,
  useStatements,
  useTrends,
} from '../../api/hooks/settlement';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Chart } from '../../components/Chart';
import type { ChartOption } from '../../components/echarts';
import { type MessageKey, useI18n } from '../../i18n';
import { dimensionLabel } from '../projects/labels';
import { monthsBack, STATUS_COLOURS } from './shared';
import { useCompute } from './useCompute';

/** Trends of the last 12 months, the runs and their flow (jurisdiction-wide roles), and the month's statements. */
export function MonthlyTab({ month }: { month: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [summaryOf, setSummaryOf] = useState<string | undefined>();
  const canRun = useCan('settlement:run');
  const canConfirm = useCan('settlement:confirm');
  const canBudget = useCan('budget:set');
  const canCoefficient = useCan('coefficient:set');
  // every role that holds one of these is jurisdiction-wide: units see no runs
  const cityWide = canRun || canConfirm || canBudget || canCoefficient;
  const runs = useRuns(cityWide);
  const statements = useStatements({ month });
  const trends = useTrends(monthsBack(month, 11), month);
  const review = useReviewRun();
  const confirm = useConfirmRun();
  const { settle, compute } = useCompute();

  const option = useMemo<ChartOption>(() => {
    // all twelve months on the axis, a month without statements at zero
    const byMonth = new Map((trends.data?.items ?? []).map((i) => [i.month, i]));
    const months = Array.from({ length: 12 }, (_, n) => monthsBack(month, 11 - n));
    const none = { cityBudgetFen: '0', billedToUnitsFen: '0' };
    const items = months.map((m) => byMonth.get(m) ?? none);
    // chart heights only: the figures shown as text stay exact
    const yuan = (fen: string) => Number(fen) / 100;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 70, right: 16, top: 32, bottom: 32 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: t('settlement.yuan') },
      series: [
        {
          type: 'bar',
          stack: 'total',
          barMaxWidth: 40,
          name: t('settlement.cityBudget'),
          data: items.map((i) => yuan(i.cityBudgetFen)),
        },
        {
          type: 'bar',
          stack: 'total',
          name: t('settlement.billedToUnits'),
          data: items.map((i) => yuan(i.billedToUnitsFen)),
        },
      ],
    };
  }, [trends.data, month, t]);

  const runColumns: TableColumnsType<SettlementRun> = [
    { key: 'month', title: t('settlement.month'), dataIndex: 'month' },
    { key: 'jurisdiction', title: t('settlement.jurisdiction'), dataIndex: 'jurisdictionName' },
    {
      key: 'status',
      title: t('settlement.status'),
      render: (_, r) => (
        <Space size={4} wrap>
          <Tag color={STATUS_COLOURS[r.status]}>{t(`settlement.statuses.${r.status}` as MessageKey)}</Tag>
          {/* a run whose figures a recompute would change is neither reviewed nor confirmed (the server refuses it) */}
          {r.outdated && (
            <Tooltip title={t(`settlement.outdated.${r.outdated}` as MessageKey)}>
              <Tag color="red" tabIndex={0}>
                {t('settlement.outdated')}
              </Tag>
            </Tooltip>
          )}
        </Space>
      ),
    },
    { key: 'statements', title: t('settlement.statements'), dataIndex: 'statementCount' },
    { key: 'total', title: t('settlement.total'), align: 'right', render: (_, r) => formatFen(r.totalFen) },
    { key: 'reviewedBy', title: t('settlement.reviewedBy'), render: (_, r) => r.reviewedByName ?? r.reviewedBy ?? '—' },
    {
      key: 'confirmedBy',
      title: t('settlement.confirmedBy'),
      render: (_, r) => r.confirmedByName ?? r.confirmedBy ?? '—',
    },
    {
      key: 'actions',
      title: t('settlement.actions'),
      render: (_, r) => (
        <Space>
          <Button size="small" onClick={() => setSummaryOf(r.id)}>
            {t('settlement.summary')}
          </Button>
          {canRun && r.outdated && (
            <Button
              size="small"
              type="primary"
              loading={settle.isPending && settle.variables?.month === r.month}
              onClick={() => compute(r.month, r.jurisdiction)}
            >
              {t('settlement.recompute')}
            </Button>
          )}
          {canRun && r.status === 'draft' && !r.outdated && (
            <Button
              size="small"
              loading={review.isPending && review.variables === r.id}
              onClick={() =>
                review.mutate(r.id, {
                  onSuccess: () => void message.success(t('settlement.reviewed', { month: r.month })),
                })
              }
            >
              {t('settlement.review')}
            </Button>
          )}
          {canConfirm && r.status === 'reviewed' && !r.outdated && (
            <Popconfirm
              title={t('settlement.confirmTitle', { month: r.month })}
              description={t('settlement.confirmHint', { total: formatFen(r.totalFen) })}
              okText={t('settlement.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() =>
                confirm.mutate(r.id, {
                  onSuccess: () => void message.success(t('settlement.confirmed', { month: r.month })),
                })
              }
            >
              <Button size="small" type="primary" loading={confirm.isPending && confirm.variables === r.id}>
                {t('settlement.confirm')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  const statementColumns: TableColumnsType<StatementSummary> = [
    {
      key: 'unit',
      title: t('settlement.unit'),
      render: (_, s) => <Link to={`/settlement/statements/${s.id}`}>{s.organisationName}</Link>,
    },
    { key: 'jurisdiction', title: t('settlement.jurisdiction'), dataIndex: 'jurisdictionName' },
    {
      key: 'budget',
      title: t('settlement.billedTo'),
      render: (_, s) =>
        s.outsideCityBudget ? <Tag color="purple">{t('settlement.billedToUnits')}</Tag> : t('settlement.cityBudget'),
    },
    { key: 'coefficient', title: t('settlement.coefficient'), render: (_, s) => formatCoefficient(s.coefficient) },
    { key: 'usage', title: t('settlement.usage'), align: 'right', render: (_, s) => formatFen(s.usageFen) },
    {
      key: 'adjustment',
      title: t('settlement.adjustments'),
      align: 'right',
      render: (_, s) => formatFen(s.adjustmentFen),
    },
    { key: 'total', title: t('settlement.total'), align: 'right', render: (_, s) => formatFen(s.totalFen) },
    {
      key: 'status',
      title: t('settlement.status'),
      render: (_, s) => (
        <Tag color={STATUS_COLOURS[s.status]}>{t(`settlement.statuses.${s.status}` as MessageKey)}</Tag>
      ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      {(review.error ?? confirm.error ?? settle.error) && (
        <ApiErrorAlert error={review.error ?? confirm.error ?? settle.error} compact />
      )}
      <Card title={t('settlement.trends')} size="small">
        {trends.error ? (
          <ApiErrorAlert error={trends.error} onRetry={() => void trends.refetch()} />
        ) : (
          <Chart option={option} ariaLabel={t('settlement.trendsAria')} height={260} />
        )}
      </Card>
      {cityWide && (
        <Card title={t('settlement.runs')} size="small">
          {runs.error ? (
            <ApiErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />
          ) : (
            <Table
              rowKey="id"
              size="small"
              loading={runs.isPending}
              columns={runColumns}
              dataSource={runs.data?.items ?? []}
              pagination={false}
              scroll={{ x: true }}
            />
          )}
        </Card>
      )}
      <Card title={t('settlement.statementsOf', { month })} size="small">
        {statements.error ? (
          <ApiErrorAlert error={statements.error} onRetry={() => void statements.refetch()} />
        ) : (
          <Table
            rowKey="id"
            size="small"
            loading={statements.isPending}
            columns={statementColumns}
            dataSource={statements.data?.items ?? []}
            pagination={{ pageSize: 50 }}
            scroll={{ x: true }}
          />
        )}
      </Card>
      <RunSummaryDrawer id={summaryOf} onClose={() => setSummaryOf(undefined)} />
    </Flex>
  );
}

/** A run's city-wide summary: per unit (with the budget mark), per district, per provider, per catalogue item. */
function RunSummaryDrawer({ id, onClose }: { id: string | undefined; onClose: () => void }) {
  const { t, language } = useI18n();
  const summary = useRunSummary(id);
  const s = summary.data;
  return (
    <Drawer
      open={id !== undefined}
      onClose={onClose}
      size={720}
      title={s ? t('settlement.summaryOf', { month: s.run.month }) : t('settlement.summary')}
    >
      {summary.error && <ApiErrorAlert error={summary.error} />}
      {s && (
        <Flex vertical gap={16}>
          <Typography.Text>
            {t('settlement.total')}: {formatFen(s.totalFen)} · {t('settlement.cityBudget')}:{' '}
            {formatFen(s.cityBudget.totalFen)} · {t('settlement.billedToUnits')}: {formatFen(s.billedToUnits.totalFen)}
          </Typography.Text>
          <Table
            rowKey="organisationId"
            size="small"
            pagination={false}
            title={() => t('settlement.byUnit')}
            dataSource={s.byUnit}
            columns={[
              { key: 'name', title: t('settlement.unit'), dataIndex: 'name' },
              { key: 'jurisdiction', title: t('settlement.jurisdiction'), dataIndex: 'jurisdictionName' },
              {
                key: 'budget',
                title: t('settlement.billedTo'),
                render: (_, u) =>
                  u.outsideCityBudget ? (
                    <Tag color="purple">{t('settlement.billedToUnits')}</Tag>
                  ) : (
                    t('settlement.cityBudget')
                  ),
              },
              { key: 'total', title: t('settlement.total'), align: 'right', render: (_, u) => formatFen(u.totalFen) },
            ]}
          />
          <Table
            rowKey="code"
            size="small"
            pagination={false}
            title={() => t('settlement.byJurisdiction')}
            dataSource={s.byJurisdiction}
            columns={[
              { key: 'code', title: t('settlement.jurisdiction'), dataIndex: 'name' },
              { key: 'parent', title: t('settlement.parent'), render: (_, j) => j.parent ?? '—' },
              { key: 'total', title: t('settlement.total'), align: 'right', render: (_, j) => formatFen(j.totalFen) },
            ]}
          />
          <Table
            rowKey="providerId"
            size="small"
            pagination={false}
            title={() => t('settlement.byProvider')}
            dataSource={s.byProvider}
            columns={[
              { key: 'name', title: t('settlement.provider'), dataIndex: 'name' },
              { key: 'total', title: t('settlement.total'), align: 'right', render: (_, p) => formatFen(p.totalFen) },
            ]}
          />
          <Table
            rowKey={(i) => `${i.catalogueItemCode}/${i.dimension}`}
            size="small"
            pagination={false}
            title={() => t('settlement.byItem')}
            dataSource={s.byItem}
            columns={[
              { key: 'item', title: t('settlement.item'), dataIndex: 'catalogueItemName' },
              {
                key: 'dimension',
                title: t('settlement.dimension'),
                render: (_, i) => dimensionLabel(i.dimension, language),
              },
              { key: 'total', title: t('settlement.total'), align: 'right', render: (_, i) => formatFen(i.totalFen) },
            ]}
          />
        </Flex>
      )}
    </Drawer>
  );
}
