import { Card, Col, Row, Statistic, Table, type TableColumnsType } from 'antd';
import { Link } from 'react-router';
import { type OverdueDashboard, useOverdue } from '../../api/hooks/orders';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { RoleTag } from '../../components/RoleTag';
import { useI18n } from '../../i18n';
import { StepDue, useStepName } from './StepDue';

type Item = OverdueDashboard['items'][number];
type PerStep = OverdueDashboard['perStep'][number];
type PerUnit = OverdueDashboard['perUnit'][number];

/** The authority's view: every overdue step in the jurisdiction, counted per step and per unit. */
export function OverduePage() {
  const { t } = useI18n();
  const stepName = useStepName();
  const overdue = useOverdue();
  const data = overdue.data;

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
    </>
  );
}
