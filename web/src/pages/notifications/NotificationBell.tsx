import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Tooltip } from 'antd';
import { useNavigate } from 'react-router';
import { useUnreadCount } from '../../api/hooks/notifications';
import { useI18n } from '../../i18n';

/** The header's bell: the unread count (polled), a click opens the inbox. */
export function NotificationBell() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const unread = useUnreadCount();
  const count = unread.data ?? 0;
  return (
    <Tooltip title={count > 0 ? t('notifications.bellUnread', { count }) : t('notifications.bell')}>
      <Button
        type="text"
        aria-label={t('notifications.bell')}
        data-testid="notification-bell"
        onClick={() => navigate('/notifications')}
        icon={
          <Badge count={count} size="small" overflowCount={99}>
            <BellOutlined style={{ fontSize: 16 }} />
          </Badge>
        }
      />
    </Tooltip>
  );
}
