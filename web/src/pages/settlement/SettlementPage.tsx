import { Button, Card, Drawer, Flex, Input, Space, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import {
  formatFen,
  type SettlementRun,
  type StatementSummary,
  useConfirmRun,
  useReviewRun,
  useRunSummary,
  useRuns,
  useSettle,
  useStatements,
  useTrends,
} from '../../api/hooks/settlement';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Chart } from '../../components/Chart';
import type { ChartOption } from '../../components/echarts';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';

export const STATUS_COLOURS: Record<SettlementRun['status'], string> = {
  draft: 'blue',
  reviewed: 'orange',
  closed: 'green',
};

function lastMonth(): string {
  const now = new Date(Date.now() + 8 * 3600_000);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth(); // 0-based: the previous month's number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

function monthsBack(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Monthly settlement: runs and their flow (compute, review, confirm), trends, and the statements of a month. */
export function SettlementPage() {
  const { t } = useI18n();
  const [month, setMonth] = useState(lastMonth());
  const [summaryOf, setSummaryOf] = useState<string | undefined>();
  const canRun = useCan('settlement:run');
  const canConfirm = useCan('settlement:confirm');
  const canBudget = useCan('budget:set');
  const canCoefficient = useCan('coefficient:set');
  const cityWide = canRun || canConfirm || canBudget || canCoefficient;
  const runs = useRuns(cityWide);
  const statements = useStatements({ month });
  const trends = useTrends(monthsBack(month, 11), month);
  const settle = useSettle();
  const review = useReviewRun();
  const confirm = useConfirmRun();
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);

  const option = useMemo<ChartOption>(() => {
    const items = trends.data?.items ?? [];
    const yuan = (fen: string) => Number(formatFen(fen).replace(/,/g, ''));
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 16, top: 24, bottom: 32 },
      xAxis: { type: 'category', data: items.map((i) => i.month) },
      yAxis: { type: 'value' },
      series: [
        {
          type: 'bar',
          stack: 'total',
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
  }, [trends.data, t]);

  const runColumns: TableColumnsType<SettlementRun> = [
    { key: 'month', title: t('settlement.month'), dataIndex: 'month' },
    { key: 'jurisdiction', title: t('settlement.jurisdiction'), dataIndex: 'jurisdiction' },
    {
      key: 'status',
      title: t('settlement.status'),
      render: (_, r) => (
        <Tag color={STATUS_COLOURS[r.status]}>{t(`settlement.statuses.${r.status}` as MessageKey)}</Tag>
      ),
    },
    { key: 'statements', title: t('settlement.statements'), dataIndex: 'statementCount' },
    { key: 'total', title: t('settlement.total'), align: 'right', render: (_, r) => formatFen(r.totalFen) },
    {
      key: 'actions',
      title: t('settlement.actions'),
      render: (_, r) => (
        <Space>
          <Button size="small" onClick={() => setSummaryOf(r.id)}>
            {t('settlement.summary')}
          </Button>
          {canRun && r.status === 'draft' && (
            <Button size="small" loading={review.isPending} onClick={() => review.mutate(r.id)}>
              {t('settlement.review')}
            </Button>
          )}
          {canConfirm && r.status === 'reviewed' && (
            <Button size="small" type="primary" loading={confirm.isPending} onClick={() => confirm.mutate(r.id)}>
              {t('settlement.confirm')}
            </Button>
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
    { key: 'jurisdiction', title: t('settlement.jurisdiction'), dataIndex: 'jurisdiction' },
    {
      key: 'budget',
      title: t('settlement.billedTo'),
      render: (_, s) =>
        s.outsideCityBudget ? <Tag color="purple">{t('settlement.billedToUnits')}</Tag> : t('settlement.cityBudget'),
    },
    { key: 'coefficient', title: t('settlement.coefficient'), dataIndex: 'coefficient' },
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
    <>
      <PageHeader
        title={t('settlement.title')}
        description={t('settlement.description')}
        extra={
          <Space>
            <Input
              aria-label={t('settlement.month')}
              value={month}
              onChange={(e) => setMonth(e.target.value)}
              style={{ width: 110 }}
              status={validMonth ? undefined : 'error'}
            />
            {canRun && (
              <Button
                type="primary"
                disabled={!validMonth}
                loading={settle.isPending}
                onClick={() => settle.mutate({ month })}
              >
                {t('settlement.compute')}
              </Button>
            )}
          </Space>
        }
      />
      {settle.error && <ApiErrorAlert error={settle.error} compact />}
      {(review.error ?? confirm.error) && <ApiErrorAlert error={review.error ?? confirm.error} compact />}
      <Flex vertical gap={16}>
        <Card title={t('settlement.trends')} size="small">
          <Chart option={option} ariaLabel={t('settlement.trendsAria')} height={260} />
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
            />
          )}
        </Card>
      </Flex>
      <RunSummaryDrawer id={summaryOf} onClose={() => setSummaryOf(undefined)} />
    </>
  );
}

function RunSummaryDrawer({ id, onClose }: { id: string | undefined; onClose: () => void }) {
  const { t } = useI18n();
  const summary = useRunSummary(id);
  const s = summary.data;
  return (
    <Drawer open={id !== undefined} onClose={onClose} width={640} title={t('settlement.summary')}>
      {summary.error && <ApiErrorAlert error={summary.error} />}
      {s && (
        <Flex vertical gap={16}>
          <Typography.Text>
            {t('settlement.total')}: {formatFen(s.totalFen)} · {t('settlement.cityBudget')}:{' '}
            {formatFen(s.cityBudget.totalFen)} · {t('settlement.billedToUnits')}: {formatFen(s.billedToUnits.totalFen)}
          </Typography.Text>
          <Table
            rowKey="code"
            size="small"
            pagination={false}
            title={() => t('settlement.byJurisdiction')}
            dataSource={s.byJurisdiction}
            columns={[
              { key: 'code', title: t('settlement.jurisdiction'), dataIndex: 'code' },
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
              { key: 'item', title: t('settlement.item'), dataIndex: 'catalogueItemCode' },
              { key: 'dimension', title: t('settlement.dimension'), dataIndex: 'dimension' },
              { key: 'total', title: t('settlement.total'), align: 'right', render: (_, i) => formatFen(i.totalFen) },
            ]}
          />
        </Flex>
      )}
    </Drawer>
  );
}
