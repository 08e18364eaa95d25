import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Select, Switch, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  ORDER_STATUSES,
  ORDER_TYPES,
  type OrderStatus,
  type OrderSummary,
  type OrderType,
  useOrders,
} from '../../api/hooks/orders';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { downloadCsv } from '../../components/csvExport';
import { DateTime, inBeijingTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { RoleTag } from '../../components/RoleTag';
import { useI18n } from '../../i18n';
import { cardColumns } from '../cardColumns';
import { StepDue, useStepName } from './StepDue';

export const STATUS_COLOURS: Record<OrderStatus, string> = {
  draft: 'default',
  submitted: 'blue',
  in_progress: 'processing',
  completed: 'green',
  rejected: 'red',
  cancelled: 'default',
};

/** The unit's orders (or the jurisdiction's, for its roles) with where each stands. */
export function OrdersPage() {
  const { t } = useI18n();
  const me = useSession();
  const navigate = useNavigate();
  const canPlace = useCan('order:place');
  const stepName = useStepName();
  const [mine, setMine] = useState(me.organisation.type === 'using_unit');
  const [params] = useSearchParams();
  // A count on the home page opens this list filtered to its state (`?status=`).
  const [status, setStatus] = useState<OrderStatus | undefined>(ORDER_STATUSES.find((s) => s === params.get('status')));
  const [type, setType] = useState<OrderType | undefined>(undefined);
  const orders = useOrders({ mine: mine || undefined, status, type });

  const columns: TableColumnsType<OrderSummary> = [
    {
      key: 'number',
      title: t('orders.number'),
      render: (_, o) => <Link to={`/orders/${o.id}`}>{o.number}</Link>,
    },
    { key: 'title', title: t('orders.title'), dataIndex: 'title' },
    { key: 'type', title: t('orders.type'), render: (_, o) => t(`orders.types.${o.type}`) },
    {
      key: 'status',
      title: t('orders.status'),
      render: (_, o) => <Tag color={STATUS_COLOURS[o.status]}>{t(`orders.statuses.${o.status}`)}</Tag>,
    },
    {
      key: 'step',
      title: t('orders.currentStep'),
      render: (_, o) =>
        o.currentStep ? (
          <Flex vertical gap={2}>
            <Flex gap={4} align="center">
              <Typography.Text>{stepName(o.currentStep.name)}</Typography.Text>
              <RoleTag role={o.currentStep.role} />
            </Flex>
            <StepDue step={o.currentStep} />
          </Flex>
        ) : (
          '—'
        ),
    },
    {
      key: 'placedBy',
      title: t('orders.placedBy'),
      render: (_, o) => o.placedByName ?? t(`orders.sources.${o.source}`),
    },
    {
      key: 'submittedAt',
      title: t('orders.submittedAt'),
      render: (_, o) => <DateTime value={o.submittedAt} format="YYYY-MM-DD HH:mm" />,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('orders.nav.orders')}
        description={t('orders.description')}
        extra={
          <Flex gap={8} wrap>
            <Button
              icon={<DownloadOutlined />}
              data-testid="orders-export"
              disabled={!orders.data?.items.length}
              onClick={() =>
                downloadCsv(
                  `${t('orders.nav.orders')}.csv`,
                  [
                    t('orders.number'),
                    t('orders.title'),
                    t('orders.type'),
                    t('orders.status'),
                    t('orders.currentStep'),
                    t('export.dueAt'),
                    t('export.placedBy'),
                    t('export.submittedAt'),
                  ],
                  (orders.data?.items ?? []).map((o) => [
                    o.number,
                    o.title,
                    t(`orders.types.${o.type}`),
                    t(`orders.statuses.${o.status}`),
                    o.currentStep ? stepName(o.currentStep.name) : '',
                    o.currentStep?.dueAt ? inBeijingTime(o.currentStep.dueAt).format('YYYY-MM-DD HH:mm') : '',
                    o.placedByName ?? '',
                    o.submittedAt ? inBeijingTime(o.submittedAt).format('YYYY-MM-DD HH:mm') : '',
                  ]),
                )
              }
            >
              {t('export.csv')}
            </Button>
            {canPlace && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/orders/new')}>
                {t('orders.nav.new')}
              </Button>
            )}
          </Flex>
        }
      />
      <Card>
        <Flex gap={12} align="center" style={{ marginBottom: 16 }} wrap>
          <Flex gap={4} align="center">
            <Switch checked={mine} onChange={setMine} size="small" />
            <Typography.Text>{t('orders.mine')}</Typography.Text>
          </Flex>
          <Select<OrderStatus>
            allowClear
            placeholder={t('orders.status')}
            style={{ width: 160 }}
            value={status}
            onChange={setStatus}
            options={ORDER_STATUSES.map((value) => ({ value, label: t(`orders.statuses.${value}`) }))}
          />
          <Select<OrderType>
            allowClear
            placeholder={t('orders.type')}
            style={{ width: 180 }}
            value={type}
            onChange={setType}
            options={ORDER_TYPES.map((value) => ({ value, label: t(`orders.types.${value}`) }))}
          />
        </Flex>
        {orders.isError ? (
          <ApiErrorAlert error={orders.error} onRetry={() => void orders.refetch()} />
        ) : (
          <Table<OrderSummary>
            rowKey="id"
            loading={orders.isPending}
            columns={cardColumns(columns)}
            dataSource={orders.data?.items ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('orders.empty') }}
          />
        )}
      </Card>
    </>
  );
}
