import { Card, Empty, Flex, List, Typography } from 'antd';
import { useMemo } from 'react';
import { Link } from 'react-router';
import { useCatalogue } from '../../api/hooks/catalogue';
import { useFindings, useWorkOrders } from '../../api/hooks/inventory';
import { useMonitoringFindings, useRectifications } from '../../api/hooks/monitoring';
import { type OrderStatus, useOrders, useOverdue } from '../../api/hooks/orders';
import { useProjects } from '../../api/hooks/projects';
import { formatFen, useAnnual, useTrends } from '../../api/hooks/settlement';
import { Chart } from '../../components/Chart';
import type { ChartOption } from '../../components/echarts';
import { useI18n } from '../../i18n';
import { QuotaGauges } from '../projects/QuotaGauges';
import { monthsBack } from '../settlement/shared';
import { WorkOrderDue } from '../work-orders/WorkOrdersPage';
import { CountCard } from './CountCard';

/** This month in Beijing time, `YYYY-MM`. */
export function thisMonth(now = new Date()): string {
  const beijing = new Date(now.getTime() + 8 * 3600_000);
  return `${beijing.getUTCFullYear()}-${String(beijing.getUTCMonth() + 1).padStart(2, '0')}`;
}

const IN_FLIGHT: readonly OrderStatus[] = ['draft', 'submitted', 'in_progress'];

/** The unit's orders by state: each figure is the length of the order list filtered to that state. */
export function OrdersCard() {
  const { t } = useI18n();
  // the same list the orders page opens on for a unit: the caller's own orders
  const orders = useOrders({ mine: true });
  // delivery receipts the provider submitted, waiting for the unit's confirmation (it makes them billable)
  const receipts = useWorkOrders({ status: 'submitted' }, { limit: 1, offset: 0 });
  const items = orders.data?.items ?? [];
  return (
    <CountCard
      title={t('home.orders.title')}
      loading={orders.isPending || receipts.isPending}
      extra={<Link to="/orders/new">{t('orders.nav.new')}</Link>}
      counts={[
        ...IN_FLIGHT.map((status) => ({
          id: `home-orders-${status}`,
          label: t(`orders.statuses.${status}`),
          value: items.filter((o) => o.status === status).length,
          to: `/orders?status=${status}`,
        })),
        {
          id: 'home-receipts-to-confirm',
          label: t('home.orders.receipts'),
          value: receipts.data?.total ?? 0,
          to: '/work-orders?status=submitted',
          danger: true,
        },
      ]}
    />
  );
}

/** The provider's queue: work orders waiting on it, by due time, overdue in red. */
export function WorkOrdersCard() {
  const { t } = useI18n();
  const open = useWorkOrders({ status: 'open' }, { limit: 200, offset: 0 });
  const disputed = useWorkOrders({ status: 'disputed' }, { limit: 200, offset: 0 });
  const waiting = [...(open.data?.items ?? []), ...(disputed.data?.items ?? [])];
  const overdue = waiting.filter((w) => w.overdue).length;
  const due = (w: (typeof waiting)[number]) => (w.status === 'disputed' ? w.disputeDueAt : w.dueAt) ?? '9999';
  const byDue = [...waiting].sort((a, b) => due(a).localeCompare(due(b)));
  return (
    <Flex vertical gap={16}>
      <CountCard
        title={t('home.workOrders.title')}
        loading={open.isPending || disputed.isPending}
        counts={[
          {
            id: 'home-wo-open',
            label: t('workOrders.statuses.open'),
            value: open.data?.total ?? 0,
            to: '/work-orders?status=open',
          },
          {
            id: 'home-wo-disputed',
            label: t('workOrders.statuses.disputed'),
            value: disputed.data?.total ?? 0,
            to: '/work-orders?status=disputed',
            danger: true,
          },
          {
            id: 'home-wo-overdue',
            label: t('home.overdue'),
            value: overdue,
            to: '/work-orders?status=open',
            danger: true,
          },
        ]}
      />
      <Card title={t('home.workOrders.byDue')}>
        {byDue.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.workOrders.empty')} />
        ) : (
          <List
            size="small"
            dataSource={byDue.slice(0, 8)}
            renderItem={(w) => (
              <List.Item key={w.id}>
                <Flex vertical gap={2} style={{ minWidth: 0, flex: 1 }}>
                  <Link to={`/work-orders/${w.id}`}>
                    {w.details.unitName ?? ''} · {w.details.systemName ?? ''}
                  </Link>
                  <Typography.Text type="secondary">
                    {w.details.orderNo ?? ''} · {t(`workOrders.statuses.${w.status}`)}
                  </Typography.Text>
                </Flex>
                <WorkOrderDue w={w} format="MM-DD HH:mm" />
              </List.Item>
            )}
          />
        )}
      </Card>
    </Flex>
  );
}

/** What the jurisdiction's supervisors watch: overdue steps, with the units that have most. */
export function OverdueCard() {
  const { t } = useI18n();
  const board = useOverdue();
  const perUnit = board.data?.perUnit ?? [];
  return (
    <Card
      title={t('home.overdueBoard.title')}
      extra={<Link to="/orders/overdue">{t('home.todo.all')}</Link>}
      loading={board.isPending}
      style={{ height: '100%' }}
    >
      <Link to="/orders/overdue" data-testid="home-overdue-count" data-count={board.data?.items.length ?? 0}>
        <Typography.Title level={2} type={board.data?.items.length ? 'danger' : undefined} style={{ margin: 0 }}>
          {t('home.overdueBoard.count', { count: board.data?.items.length ?? 0 })}
        </Typography.Title>
      </Link>
      {perUnit.length > 0 && (
        <List
          size="small"
          header={t('home.overdueBoard.byUnit')}
          dataSource={perUnit.slice(0, 5)}
          renderItem={(u) => (
            <List.Item key={u.organisationId}>
              <Flex justify="space-between" style={{ width: '100%' }}>
                <span>{u.name}</span>
                <Typography.Text type="danger">{t('home.items', { count: u.count })}</Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

/** Open monitoring findings and rectifications in progress. */
export function MonitoringCard() {
  const { t } = useI18n();
  const findings = useMonitoringFindings({ status: 'open', limit: 1, offset: 0 });
  const rectifications = useRectifications({ status: 'warned', limit: 1, offset: 0 });
  return (
    <CountCard
      title={t('home.monitoring.title')}
      loading={findings.isPending || rectifications.isPending}
      counts={[
        {
          id: 'home-findings-open',
          label: t('home.monitoring.findings'),
          value: findings.data?.total ?? 0,
          to: '/monitoring?tab=findings',
        },
        {
          id: 'home-rectifications',
          label: t('home.monitoring.rectifications'),
          value: rectifications.data?.total ?? 0,
          to: '/monitoring?tab=rectifications',
        },
      ]}
    />
  );
}

/** Reconciliation differences between the providers' reports and the inventory, still open. */
export function ReconciliationCard() {
  const { t } = useI18n();
  const findings = useFindings({ status: 'open' }, { limit: 1, offset: 0 });
  return (
    <CountCard
      title={t('home.reconciliation.title')}
      loading={findings.isPending}
      counts={[
        {
          id: 'home-reconciliation-open',
          label: t('home.reconciliation.open'),
          value: findings.data?.total ?? 0,
          to: '/inventory/findings',
          danger: true,
        },
      ]}
    />
  );
}

/** The unit's approved projects, each with its quota gauges (used, reserved, left). */
export function QuotaCard() {
  const { t } = useI18n();
  const projects = useProjects({ status: 'approved' });
  const catalogue = useCatalogue(undefined);
  const itemNames = useMemo(
    () => new Map((catalogue.data?.items ?? []).map((i) => [i.code, { name: i.name, nameEn: i.nameEn }])),
    [catalogue.data],
  );
  const items = projects.data?.items ?? [];
  return (
    <Card
      title={t('home.quota.title')}
      extra={<Link to="/projects">{t('home.todo.all')}</Link>}
      loading={projects.isPending}
      style={{ height: '100%' }}
    >
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.quota.empty')} />
      ) : (
        <Flex vertical gap={16}>
          {items.slice(0, 3).map((p) => (
            <div key={p.id}>
              <Typography.Text strong>{p.name}</Typography.Text>
              <QuotaGauges project={p} itemNames={itemNames} />
            </div>
          ))}
        </Flex>
      )}
    </Card>
  );
}

/** Cost by month (statements of the last six months): the unit's own, or the jurisdiction's. */
export function SpendingCard() {
  const { t } = useI18n();
  const month = thisMonth();
  const trends = useTrends(monthsBack(month, 5), month);
  const option = useMemo<ChartOption>(() => {
    const byMonth = new Map((trends.data?.items ?? []).map((i) => [i.month, i]));
    const months = Array.from({ length: 6 }, (_, n) => monthsBack(month, 5 - n));
    const yuan = (fen: string | undefined) => Number(BigInt(fen ?? '0')) / 100;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', name: t('home.spending.yuan') },
      series: [
        {
          type: 'bar',
          stack: 'total',
          name: t('home.spending.cityBudget'),
          data: months.map((m) => yuan(byMonth.get(m)?.cityBudgetFen)),
        },
        {
          type: 'bar',
          stack: 'total',
          name: t('home.spending.billedToUnits'),
          data: months.map((m) => yuan(byMonth.get(m)?.billedToUnitsFen)),
        },
      ],
    };
  }, [trends.data, month, t]);
  // the latest month with statements (the current month is settled after it ends)
  const latest = [...(trends.data?.items ?? [])]
    .filter((i) => BigInt(i.totalFen) > 0n)
    .sort((a, b) => b.month.localeCompare(a.month))[0];
  return (
    <Card
      title={t('home.spending.title')}
      extra={<Link to="/settlement">{t('home.todo.all')}</Link>}
      loading={trends.isPending}
      style={{ height: '100%' }}
    >
      <Typography.Paragraph type="secondary">
        {latest
          ? t('home.spending.latest', { month: latest.month, amount: formatFen(latest.totalFen) })
          : t('home.spending.noStatement')}
      </Typography.Paragraph>
      <Chart option={option} ariaLabel={t('home.spending.aria')} height={240} />
    </Card>
  );
}

/** This year's cost by unit (the authorities' and finance's view), the largest first. */
export function SpendingByUnitCard() {
  const { t } = useI18n();
  const year = Number(thisMonth().slice(0, 4));
  const annual = useAnnual(year);
  const top = [...(annual.data?.items ?? [])]
    .sort((a, b) => (BigInt(b.totalFen) > BigInt(a.totalFen) ? 1 : BigInt(b.totalFen) < BigInt(a.totalFen) ? -1 : 0))
    .slice(0, 8);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 160, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', name: t('home.spending.yuan') },
      yAxis: { type: 'category', inverse: true, data: top.map((u) => u.name) },
      series: [{ type: 'bar', name: t('home.spending.total'), data: top.map((u) => Number(BigInt(u.totalFen)) / 100) }],
    }),
    [top, t],
  );
  return (
    <Card
      title={t('home.spendingByUnit.title', { year })}
      extra={<Link to="/settlement?tab=annual">{t('home.todo.all')}</Link>}
      loading={annual.isPending}
      style={{ height: '100%' }}
    >
      {top.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.spending.noStatement')} />
      ) : (
        <Chart
          option={option}
          ariaLabel={t('home.spendingByUnit.aria', { year })}
          height={Math.max(160, top.length * 32)}
        />
      )}
    </Card>
  );
}
