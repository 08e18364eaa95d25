import { KeyOutlined, PlusOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Button, Card, Modal, Popconfirm, Space, Switch, Table, type TableColumnsType, Tag } from 'antd';
import { useState } from 'react';
import {
  useRotateSecret,
  useUpdateSubscription,
  useWebhookSubscriptions,
  type WebhookSubscription,
} from '../../api/hooks/notifications';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { SecretOnce } from '../../components/SecretOnce';
import { useI18n } from '../../i18n';
import { DeliveriesDrawer } from './DeliveriesDrawer';
import { EgressPolicyCard } from './EgressPolicyCard';
import { SubscriptionModal } from './SubscriptionModal';

/** The jurisdiction's outgoing webhooks (system admin): subscriptions, delivery logs, the egress allow-list. */
export function WebhooksPage() {
  const { t } = useI18n();
  const subscriptions = useWebhookSubscriptions();
  const update = useUpdateSubscription();
  const rotate = useRotateSecret();
  const [creating, setCreating] = useState(false);
  const [viewing, setViewing] = useState<WebhookSubscription>();

  const columns: TableColumnsType<WebhookSubscription> = [
    { key: 'name', title: t('notifications.webhooks.name'), dataIndex: 'name' },
    { key: 'url', title: t('notifications.webhooks.url'), dataIndex: 'url' },
    {
      key: 'kinds',
      title: t('notifications.webhooks.kinds'),
      render: (_, row) => row.eventKinds.map((kind) => <Tag key={kind}>{kind}</Tag>),
    },
    {
      key: 'active',
      title: t('notifications.webhooks.active'),
      render: (_, row) => (
        <Switch
          size="small"
          checked={row.active}
          loading={update.isPending && update.variables?.id === row.id}
          onChange={(active) => update.mutate({ id: row.id, active })}
        />
      ),
    },
    {
      key: 'createdAt',
      title: t('notifications.webhooks.createdAt'),
      dataIndex: 'createdAt',
      render: (v: string) => <DateTime value={v} format="YYYY-MM-DD HH:mm" />,
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, row) => (
        <Space>
          <Button size="small" icon={<UnorderedListOutlined />} onClick={() => setViewing(row)}>
            {t('notifications.webhooks.deliveries')}
          </Button>
          <Popconfirm
            title={t('notifications.webhooks.rotateConfirm', { name: row.name })}
            okText={t('notifications.webhooks.rotate')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => rotate.mutateAsync(row.id).catch(() => undefined)}
          >
            <Button size="small" icon={<KeyOutlined />}>
              {t('notifications.webhooks.rotate')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('notifications.nav.webhooks')}
        description={t('notifications.webhooks.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('notifications.webhooks.create')}
          </Button>
        }
      />
      <Card>
        {(update.isError || rotate.isError) && (
          <div style={{ marginBottom: 16 }}>
            <ApiErrorAlert error={update.error ?? rotate.error} />
          </div>
        )}
        {subscriptions.isError ? (
          <ApiErrorAlert error={subscriptions.error} onRetry={() => void subscriptions.refetch()} />
        ) : (
          <Table<WebhookSubscription>
            rowKey="id"
            size="middle"
            loading={subscriptions.isPending}
            columns={columns}
            dataSource={subscriptions.data}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('notifications.webhooks.empty') }}
          />
        )}
      </Card>
      <EgressPolicyCard />
      {creating && <SubscriptionModal onClose={() => setCreating(false)} />}
      {viewing && <DeliveriesDrawer subscription={viewing} onClose={() => setViewing(undefined)} />}
      {rotate.data && (
        <Modal
          open
          title={t('notifications.webhooks.rotatedTitle', { name: rotate.data.subscription.name })}
          onCancel={() => rotate.reset()}
          footer={
            <Button type="primary" onClick={() => rotate.reset()}>
              {t('notifications.webhooks.done')}
            </Button>
          }
        >
          <SecretOnce
            label={t('notifications.webhooks.secret')}
            secret={rotate.data.secret}
            hint={t('notifications.webhooks.secretHint')}
            testId="webhook-secret"
          />
        </Modal>
      )}
    </>
  );
}
