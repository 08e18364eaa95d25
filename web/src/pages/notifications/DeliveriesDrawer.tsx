import { RedoOutlined } from '@ant-design/icons';
import { App, Button, Descriptions, Drawer, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import {
  useDeliveries,
  useRedeliver,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookSubscription,
} from '../../api/hooks/notifications';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { useI18n } from '../../i18n';

const PAGE_SIZE = 20;
const STATUS_COLORS: Record<WebhookDelivery['status'], string> = {
  pending: 'blue',
  delivered: 'green',
  failed: 'red',
};
const OUTCOME_COLORS: Record<WebhookAttempt['outcome'], string> = {
  delivered: 'green',
  retry: 'orange',
  failed: 'red',
};

/** A subscription's delivery log: each delivery with its attempts (status code, duration, error), redeliver. */
export function DeliveriesDrawer({
  subscription,
  onClose,
}: {
  subscription: WebhookSubscription;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [page, setPage] = useState(1);
  const deliveries = useDeliveries(subscription.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const redeliver = useRedeliver();

  const attemptColumns: TableColumnsType<WebhookAttempt> = [
    { key: 'attempt', title: '#', dataIndex: 'attempt', width: 48 },
    {
      key: 'at',
      title: t('notifications.time'),
      dataIndex: 'attemptedAt',
      render: (v: string) => <DateTime value={v} />,
    },
    {
      key: 'outcome',
      title: t('notifications.webhooks.status'),
      render: (_, a) => <Tag color={OUTCOME_COLORS[a.outcome]}>{t(`notifications.webhooks.outcome.${a.outcome}`)}</Tag>,
    },
    { key: 'code', title: t('notifications.webhooks.statusCode'), render: (_, a) => a.statusCode ?? '—' },
    { key: 'duration', title: t('notifications.webhooks.duration'), dataIndex: 'durationMs' },
    {
      key: 'error',
      title: t('notifications.webhooks.lastError'),
      render: (_, a) => (a.error ? <Typography.Text type="danger">{a.error}</Typography.Text> : '—'),
    },
  ];

  const columns: TableColumnsType<WebhookDelivery> = [
    {
      key: 'createdAt',
      title: t('notifications.time'),
      dataIndex: 'createdAt',
      render: (v: string) => <DateTime value={v} format="YYYY-MM-DD HH:mm" />,
    },
    { key: 'kind', title: t('notifications.webhooks.kind'), dataIndex: 'kind' },
    {
      key: 'status',
      title: t('notifications.webhooks.status'),
      render: (_, d) => <Tag color={STATUS_COLORS[d.status]}>{t(`notifications.webhooks.status.${d.status}`)}</Tag>,
    },
    { key: 'attempts', title: t('notifications.webhooks.attempts'), dataIndex: 'attempts' },
    {
      key: 'next',
      title: t('notifications.webhooks.nextAttempt'),
      render: (_, d) => (d.status === 'pending' && d.nextAttemptAt ? <DateTime value={d.nextAttemptAt} /> : '—'),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, d) => (
        <Button
          size="small"
          icon={<RedoOutlined />}
          loading={redeliver.isPending && redeliver.variables === d.id}
          onClick={() =>
            redeliver.mutateAsync(d.id).then(
              () => void message.success(t('notifications.webhooks.redelivered')),
              () => undefined,
            )
          }
        >
          {t('notifications.webhooks.redeliver')}
        </Button>
      ),
    },
  ];

  return (
    <Drawer
      open
      width={960}
      title={`${t('notifications.webhooks.deliveries')} · ${subscription.name}`}
      onClose={onClose}
    >
      <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('notifications.webhooks.url')}>{subscription.url}</Descriptions.Item>
      </Descriptions>
      {redeliver.isError && (
        <div style={{ marginBottom: 16 }}>
          <ApiErrorAlert error={redeliver.error} />
        </div>
      )}
      {deliveries.isError ? (
        <ApiErrorAlert error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : (
        <Table<WebhookDelivery>
          rowKey="id"
          size="small"
          loading={deliveries.isPending}
          columns={columns}
          dataSource={deliveries.data?.items}
          locale={{ emptyText: t('notifications.webhooks.noDeliveries') }}
          expandable={{
            expandedRowRender: (d) => (
              <Table<WebhookAttempt>
                rowKey="attempt"
                size="small"
                columns={attemptColumns}
                dataSource={d.log}
                pagination={false}
              />
            ),
          }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: deliveries.data?.total ?? 0,
            hideOnSinglePage: true,
            showSizeChanger: false,
            onChange: setPage,
          }}
          scroll={{ x: 'max-content' }}
        />
      )}
    </Drawer>
  );
}
