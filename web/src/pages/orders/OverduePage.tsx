import { Card, Col, Row, Statistic, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { type ProvisioningOverdue, useProvisioningOverdue } from '../../api/hooks/inventory';
import { type OverdueDashboard, useOverdue } from '../../api/hooks/orders';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { RoleTag } from '../../components/RoleTag';
import { type MessageKey, useI18n } from '../../i18n';
import { StepDue, useStepName } from './StepDue';

type Item = OverdueDashboard['items'][number];
type PerStep = OverdueDashboard['perStep'][number];
type PerUnit = OverdueDashboard['perUnit'][number];
type Dispute = ProvisioningOverdue['disputes'][number];
type Finding = ProvisioningOverdue['findings'][number];
type PerProvider = ProvisioningOverdue['perProvider'][number];

const RED = '#cf1322';
/** A missed deadline: the due time in red with the tag. */
function Missed({ at }: { at: string }) {
  const { t } = useI18n();
  return (
    <span style={{ color: RED }}>
      <DateTime value={at} format="YYYY-MM-DD HH:mm" />
      <Tag color="red" style={{ marginInlineStart: 8 }}>
        {t('orders.overdue')}
      </Tag>
    </span>
  );
}

/**
 * The authority's view: every overdue step in the jurisdiction, counted per step and per unit; then the
 * fulfilment's missed deadlines (disputed receipts the provider left unanswered, reconciliation findings the
 * ops unit left open), counted per provider.
 */
export function OverduePage() {
  const { t } = useI18n();
  const stepName = useStepName();
  const overdue = useOverdue();
  const data = overdue.data;
  const fulfilment = useProvisioningOverdue();
  const f = fulfilment.data;

  const itemColumns: TableColumnsType<Item> = [
    {
      key: 'number',
      title: t('orders.number'),
      render: (_, i) => <Link to={`/orders/${i.orderId}`}>{i.orderNumber}</Link>,
    },
    { key: 'unit', title: t('orders.unit'), dataIndex: 'organisationCode' },
    { key: 'type', title: t('orders.type'), render: (_, i) => t(`orders.types.${i.orderType as 'new_resources'}`) },
    { key: 'step', title: t('orders.step'), render: (_, i) => stepName(i.step.name) },
    { key: 'role', title: t('orders.role'), render: (_, i) => <RoleTag role={i.step.role} /> },
    { key: 'due', title: t('orders.due'), render: (_, i) => <StepDue step={i.step} /> },
  ];
  const stepColumns: TableColumnsType<PerStep> = [
    { key: 'step', title: t('orders.step'), render: (_, s) => stepName(s.name) },
    { key: 'role', title: t('orders.role'), render: (_, s) => <RoleTag role={s.role} /> },
    { key: 'count', title: t('orders.count'), dataIndex: 'count', align: 'right' },
  ];
  const unitColumns: TableColumnsType<PerUnit> = [
    { key: 'unit', title: t('orders.unit'), render: (_, u) => `${u.name} (${u.code})` },
    { key: 'count', title: t('orders.count'), dataIndex: 'count', align: 'right' },
  ];

  const disputeColumns: TableColumnsType<Dispute> = [
    {
      key: 'number',
      title: t('orders.number'),
      render: (_, d) => <Link to={`/work-orders/${d.workOrderId}`}>{d.orderNo ?? d.workOrderId.slice(0, 8)}</Link>,
    },
    { key: 'unit', title: t('orders.unit'), dataIndex: 'organisationCode' },
    { key: 'provider', title: t('orders.overduePage.provider'), dataIndex: 'providerName' },
    { key: 'due', title: t('workOrders.disputeDueAt'), render: (_, d) => <Missed at={d.disputeDueAt} /> },
  ];
  const findingColumns: TableColumnsType<Finding> = [
    {
      key: 'kind',
      title: t('inventory.findings.kind'),
      render: (_, x) => <Link to="/inventory/findings">{t(`inventory.findings.kinds.${x.kind}` as MessageKey)}</Link>,
    },
    { key: 'externalId', title: t('inventory.externalId'), dataIndex: 'externalId' },
    { key: 'provider', title: t('orders.overduePage.provider'), dataIndex: 'providerName' },
    { key: 'due', title: t('inventory.findings.dueAt'), render: (_, x) => <Missed at={x.dueAt} /> },
  ];
  const providerColumns: TableColumnsType<PerProvider> = [
    { key: 'provider', title: t('orders.overduePage.provider'), render: (_, p) => `${p.name} (${p.code})` },
    { key: 'disputes', title: t('orders.overduePage.disputeCount'), dataIndex: 'disputes', align: 'right' },
    { key: 'findings', title: t('orders.overduePage.findingCount'), dataIndex: 'findings', align: 'right' },
  ];
  const count = (n: number | undefined) => ({ content: { color: (n ?? 0) > 0 ? RED : undefined } });

  return (
    <>
      <PageHeader title={t('orders.nav.overdue')} description={t('orders.overduePage.description')} />
      {overdue.isError ? (
        <ApiErrorAlert error={overdue.error} onRetry={() => void overdue.refetch()} />
      ) : (
        <>
          <Row gutter={16} style={{ marginBottom: 16 }}>
            <Col xs={24} md={6}>
              <Card>
                <Statistic
                  title={t('orders.overduePage.total')}
                  value={data?.items.length ?? 0}
                  loading={overdue.isPending}
                  styles={{ content: { color: (data?.items.length ?? 0) > 0 ? '#cf1322' : undefined } }}
                />
              </Card>
            </Col>
            <Col xs={24} md={9}>
              <Card title={t('orders.overduePage.perStep')} size="small">
                <Table<PerStep>
                  rowKey="stepKey"
                  size="small"
                  pagination={false}
                  columns={stepColumns}
                  dataSource={data?.perStep ?? []}
                  loading={overdue.isPending}
                />
              </Card>
            </Col>
            <Col xs={24} md={9}>
              <Card title={t('orders.overduePage.perUnit')} size="small">
                <Table<PerUnit>
                  rowKey="organisationId"
                  size="small"
                  pagination={false}
                  columns={unitColumns}
                  dataSource={data?.perUnit ?? []}
                  loading={overdue.isPending}
                />
              </Card>
            </Col>
          </Row>
          <Card>
            <Table<Item>
              rowKey={(i) => `${i.orderId}-${i.step.key}`}
              loading={overdue.isPending}
              columns={itemColumns}
              dataSource={data?.items ?? []}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              locale={{ emptyText: t('orders.overduePage.empty') }}
            />
          </Card>
        </>
      )}
      {fulfilment.isError ? (
        <ApiErrorAlert error={fulfilment.error} onRetry={() => void fulfilment.refetch()} />
      ) : (
        <>
          <Row gutter={16} style={{ marginTop: 16, marginBottom: 16 }}>
            <Col xs={24} md={6}>
              <Card>
                <Statistic
                  title={t('orders.overduePage.disputes')}
                  value={f?.disputes.length ?? 0}
                  loading={fulfilment.isPending}
                  styles={count(f?.disputes.length)}
                />
              </Card>
            </Col>
            <Col xs={24} md={6}>
              <Card>
                <Statistic
                  title={t('orders.overduePage.findings')}
                  value={f?.findings.length ?? 0}
                  loading={fulfilment.isPending}
                  styles={count(f?.findings.length)}
                />
              </Card>
            </Col>
            <Col xs={24} md={12}>
              <Card title={t('orders.overduePage.perProvider')} size="small">
                <Table<PerProvider>
                  rowKey="providerId"
                  size="small"
                  pagination={false}
                  columns={providerColumns}
                  dataSource={f?.perProvider ?? []}
                  loading={fulfilment.isPending}
                />
              </Card>
            </Col>
          </Row>
          <Card title={t('orders.overduePage.disputes')} style={{ marginBottom: 16 }}>
            <Typography.Paragraph type="secondary">{t('orders.overduePage.disputesHint')}</Typography.Paragraph>
            <Table<Dispute>
              rowKey="workOrderId"
              loading={fulfilment.isPending}
              columns={disputeColumns}
              dataSource={f?.disputes ?? []}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              locale={{ emptyText: t('orders.overduePage.disputesEmpty') }}
            />
          </Card>
          <Card title={t('orders.overduePage.findings')}>
            <Typography.Paragraph type="secondary">{t('orders.overduePage.findingsHint')}</Typography.Paragraph>
            <Table<Finding>
              rowKey="id"
              loading={fulfilment.isPending}
              columns={findingColumns}
              dataSource={f?.findings ?? []}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              locale={{ emptyText: t('orders.overduePage.findingsEmpty') }}
            />
          </Card>
        </>
      )}
    </>
  );
}
