import { CrownOutlined, EditOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, type DescriptionsProps, Flex, Space } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useUser } from '../../api/hooks/users';
import type { User } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';
import { AdminRoleModal } from './AdminRoleModal';
import { EditUserModal } from './EditUserModal';
import { RoleAssignments } from './RoleAssignments';
import { RolesModal } from './RolesModal';
import { SecurityActionsCard } from './SecurityActionsCard';
import { UserStatusTags } from './UserStatusTags';

type Dialog = 'edit' | 'roles' | 'admin-role' | null;

/** One account: details, roles, and — for the security admin — its security actions. */
export function UserDetailPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const user = useUser(id);
  const canManage = useCan('user:manage');
  const canGrantAdmin = useCan('admin-role:grant');
  const canSecure = useCan('account-security:manage');
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  if (user.isPending) return <PageLoading />;
  if (user.isError) return <ApiErrorAlert error={user.error} onRetry={() => void user.refetch()} />;
  const data = user.data;
  return (
    <>
      <PageHeader
        title={`${data.displayName}（${data.username}）`}
        description={<UserStatusTags user={data} />}
        extra={
          canManage && (
            <Button icon={<EditOutlined />} onClick={() => setDialog('edit')}>
              {t('users.edit')}
            </Button>
          )
        }
      />
      <Flex vertical gap={16}>
        <Card title={t('users.details')}>
          <Details user={data} />
        </Card>
        <Card
          title={t('users.roles')}
          extra={
            <Space>
              {canManage && (
                <Button icon={<TeamOutlined />} onClick={() => setDialog('roles')}>
                  {t('users.editRoles')}
                </Button>
              )}
              {canGrantAdmin && (
                <Button icon={<CrownOutlined />} onClick={() => setDialog('admin-role')}>
                  {t('users.adminRole')}
                </Button>
              )}
            </Space>
          }
        >
          <div data-testid="user-roles-detail">
            <RoleAssignments roles={data.roles} />
          </div>
        </Card>
        {canSecure && <SecurityActionsCard user={data} />}
      </Flex>
      {dialog === 'edit' && <EditUserModal user={data} onClose={close} />}
      {dialog === 'roles' && <RolesModal user={data} onClose={close} />}
      {dialog === 'admin-role' && <AdminRoleModal user={data} onClose={close} />}
    </>
  );
}

function Details({ user }: { user: User }) {
  const { t } = useI18n();
  const items: DescriptionsProps['items'] = [
    { key: 'username', label: t('users.username'), children: user.username },
    { key: 'displayName', label: t('users.displayName'), children: user.displayName },
    { key: 'email', label: t('users.email'), children: user.email ?? '—' },
    { key: 'mobile', label: t('users.mobile'), children: user.mobile ?? '—' },
    { key: 'status', label: t('users.status'), children: <UserStatusTags user={user} /> },
    { key: 'lastLoginAt', label: t('users.lastLoginAt'), children: <DateTime value={user.lastLoginAt} /> },
  ];
  return <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} />;
}
