import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Table, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useUsers } from '../../api/hooks/users';
import type { User } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { CreateUserModal } from './CreateUserModal';
import { RoleAssignments } from './RoleAssignments';
import { UserStatusTags } from './UserStatusTags';

/** Accounts holding roles in the administrator's jurisdictions. */
export function UsersPage() {
  const { t } = useI18n();
  const canManage = useCan('user:manage');
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const users = useUsers(search);
  const [creating, setCreating] = useState(false);

  const columns: TableColumnsType<User> = [
    {
      key: 'username',
      title: t('users.username'),
      render: (_, row) => <Link to={`/users/${row.id}`}>{row.username}</Link>,
    },
    { key: 'displayName', title: t('users.displayName'), dataIndex: 'displayName' },
    { key: 'roles', title: t('users.roles'), render: (_, row) => <RoleAssignments roles={row.roles} /> },
    { key: 'status', title: t('users.status'), render: (_, row) => <UserStatusTags user={row} /> },
    {
      key: 'lastLoginAt',
      title: t('users.lastLoginAt'),
      dataIndex: 'lastLoginAt',
      render: (value: string | null) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.users')}
        description={t('users.description')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('users.create')}
            </Button>
          )
        }
      />
      <Card>
        <Flex gap={12} style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            aria-label={t('users.search')}
            placeholder={t('users.search')}
            style={{ width: 300 }}
            defaultValue={search}
            onSearch={(value) => setParams(value.trim() ? { search: value.trim() } : {}, { replace: true })}
          />
        </Flex>
        {users.isError ? (
          <ApiErrorAlert error={users.error} onRetry={() => void users.refetch()} />
        ) : (
          <Table<User>
            rowKey="id"
            size="middle"
            loading={users.isPending}
            columns={columns}
            dataSource={users.data}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('users.empty') }}
          />
        )}
      </Card>
      {creating && <CreateUserModal onClose={() => setCreating(false)} />}
    </>
  );
}
