import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, Flex, List, Popover, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useInbox, useUnreadCount } from '../../api/hooks/notifications';
import { DateTime } from '../../components/DateTime';
import { useI18n } from '../../i18n';

/** How many of the latest notifications the bell's preview shows. */
const PREVIEW = 5;

function Preview({ onOpen }: { onOpen: (link: string) => void }) {
  const { t, language } = useI18n();
  const latest = useInbox({ unread: false, limit: PREVIEW, offset: 0 });
  const items = latest.data?.items ?? [];
  return (
    <Flex vertical style={{ width: 'min(360px, 86vw)' }} data-testid="notification-preview">
      {items.length === 0 && !latest.isPending ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notifications.empty')} />
      ) : (
        <List
          size="small"
          loading={latest.isPending}
          dataSource={items}
          renderItem={(n) => (
            <List.Item key={n.id} style={{ paddingInline: 0 }}>
              <Flex vertical gap={2} style={{ minWidth: 0 }}>
                <Typography.Link
                  strong={!n.readAt}
                  onClick={() => onOpen(n.link ?? '/notifications')}
                  ellipsis
                  style={{ maxWidth: 340 }}
                >
                  {language === 'en-US' ? n.title.en : n.title.zh}
                </Typography.Link>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  <DateTime value={n.createdAt} format="YYYY-MM-DD HH:mm" />
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      )}
      <Link to="/notifications" onClick={() => onOpen('/notifications')} style={{ textAlign: 'center', padding: 4 }}>
        {t('home.todo.all')}
      </Link>
    </Flex>
  );
}

/** The header's bell: the unread count (polled); a click previews the latest notifications. */
export function NotificationBell() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const unread = useUnreadCount();
  const [open, setOpen] = useState(false);
  const count = unread.data ?? 0;
  const label = count > 0 ? t('notifications.bellUnread', { count }) : t('notifications.bell');
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      open={open}
      onOpenChange={setOpen}
      title={t('notifications.bell')}
      content={
        open ? (
          <Preview
            onOpen={(link) => {
              setOpen(false);
              void navigate(link);
            }}
          />
        ) : null
      }
    >
      <Button
        type="text"
        aria-label={label}
        title={label}
        data-testid="notification-bell"
        icon={
          <Badge count={count} size="small" overflowCount={99}>
            <BellOutlined style={{ fontSize: 16 }} />
          </Badge>
        }
      />
    </Popover>
  );
}
