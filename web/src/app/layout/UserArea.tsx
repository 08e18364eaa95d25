import {
  DownOutlined,
  KeyOutlined,
  LockOutlined,
  LogoutOutlined,
  SafetyOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Avatar, Dropdown, type MenuProps, Space, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { RoleTag } from '../../components/RoleTag';
import { useI18n } from '../../i18n';
import { useSession } from '../session';
import { useSignOut } from '../useSignOut';

/**
 * Who is signed in, with their roles, and what they can do about their own account. Compact (a phone): the
 * avatar alone opens the same menu.
 */
export function UserArea({ compact = false }: { compact?: boolean }) {
  const { t } = useI18n();
  const me = useSession();
  const navigate = useNavigate();
  const { signOut } = useSignOut();

  const items: MenuProps['items'] = [
    {
      key: 'who',
      type: 'group',
      label: (
        <Space orientation="vertical" size={4} style={{ paddingBlock: 4 }}>
          <Typography.Text type="secondary">{t('user.signedInAs', { username: me.user.username })}</Typography.Text>
          <Space size={[4, 4]} wrap data-testid="user-roles">
            {me.roles.map((role) => (
              <RoleTag key={role} role={role} />
            ))}
          </Space>
        </Space>
      ),
    },
    { type: 'divider' },
    {
      key: 'password',
      icon: <LockOutlined />,
      label: t('user.changePassword'),
      onClick: () => void navigate('/account/password'),
    },
    ...(me.user.totpEnabled
      ? [{ key: 'totp', icon: <SafetyOutlined />, label: t('user.totpEnabled'), disabled: true }]
      : [
          {
            key: 'totp',
            icon: <KeyOutlined />,
            label: t('user.setUpTotp'),
            onClick: () => void navigate('/account/totp'),
          },
        ]),
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('user.signOut'), danger: true, onClick: signOut },
  ];

  return (
    <Dropdown menu={{ items }} trigger={['click']} placement="bottomRight">
      <button
        type="button"
        className="user-area"
        data-testid="user-area"
        aria-label={`${me.user.displayName} ${t('user.menu')}`}
      >
        <Space size={8}>
          <Avatar size="small" icon={<UserOutlined />} />
          {!compact && <Typography.Text>{me.user.displayName}</Typography.Text>}
          {!compact && <DownOutlined style={{ fontSize: 10 }} />}
        </Space>
      </button>
    </Dropdown>
  );
}
