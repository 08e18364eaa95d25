import { CheckOutlined, ExportOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, List, Segmented, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { type Notification, useInbox, useMarkAllRead, useMarkRead } from '../../api/hooks/notifications';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';

const PAGE_SIZE = 20;

/** The signed-in user's in-app inbox: newest first, unread filter, mark read, follow the link. */
export function InboxPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [page, setPage] = useState(1);
  const inbox = useInbox({ unread: unreadOnly, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const text = (value: { zh: string; en: string }) => (language === 'en-US' ? value.en : value.zh);

  const follow = (item: Notification) => {
    if (!item.readAt) markRead.mutate(item.id);
    if (item.link) navigate(item.link);
  };

  return (
    <>
      <PageHeader
        title={t('notifications.nav')}
        description={t('notifications.description')}
        extra={
          <Button
            icon={<CheckOutlined />}
            disabled={(inbox.data?.unread ?? 0) === 0}
            loading={markAll.isPending}
            onClick={() =>
              markAll.mutateAsync().then(
                (answer) => void message.success(t('notifications.markedAll', { count: answer.marked })),
                () => undefined,
              )
            }
          >
            {t('notifications.markAllRead')}
          </Button>
        }
      />
      <Card>
        <Flex justify="space-between" style={{ marginBottom: 16 }}>
          <Segmented
            value={unreadOnly ? 'unread' : 'all'}
            onChange={(value) => {
              setUnreadOnly(value === 'unread');
              setPage(1);
            }}
            options={[
              { value: 'all', label: t('notifications.filter.all') },
              {
                value: 'unread',
                label: `${t('notifications.filter.unread')} (${inbox.data?.unread ?? 0})`,
              },
            ]}
          />
        </Flex>
        {(markRead.isError || markAll.isError) && (
          <div style={{ marginBottom: 16 }}>
            <ApiErrorAlert error={markRead.error ?? markAll.error} />
          </div>
        )}
        {inbox.isError ? (
          <ApiErrorAlert error={inbox.error} onRetry={() => void inbox.refetch()} />
        ) : (
          <List<Notification>
            loading={inbox.isPending}
            dataSource={inbox.data?.items}
            locale={{ emptyText: t('notifications.empty') }}
            pagination={{
              current: page,
              pageSize: PAGE_SIZE,
              total: inbox.data?.total ?? 0,
              hideOnSinglePage: true,
              showSizeChanger: false,
              onChange: setPage,
            }}
            renderItem={(item) => (
              <List.Item
                data-testid="notification-item"
                actions={[
                  item.link && (
                    <Button key="open" size="small" icon={<ExportOutlined />} onClick={() => follow(item)}>
                      {t('notifications.open')}
                    </Button>
                  ),
                  !item.readAt && (
                    <Button
                      key="read"
                      size="small"
                      type="link"
                      onClick={() => markRead.mutate(item.id)}
                      loading={markRead.isPending && markRead.variables === item.id}
                    >
                      {t('notifications.markRead')}
                    </Button>
                  ),
                ].filter(Boolean)}
              >
                <List.Item.Meta
                  title={
                    <Space>
                      {!item.readAt && <Tag color="blue">{t('notifications.unread')}</Tag>}
                      <Typography.Text strong={!item.readAt}>{text(item.title)}</Typography.Text>
                    </Space>
                  }
                  description={
                    <Space direction="vertical" size={2}>
                      {item.body && <Typography.Text>{text(item.body)}</Typography.Text>}
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        <DateTime value={item.createdAt} format="YYYY-MM-DD HH:mm" />
                      </Typography.Text>
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
        )}
      </Card>
    </>
  );
}
