import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Popconfirm, Table, type TableColumnsType, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useApiTokens, useRevokeApiToken } from '../../api/hooks/api-tokens';
import { useOrganisations } from '../../api/hooks/organisations';
import { TOKEN_SCOPES } from '../../api/identity';
import type { ApiToken } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { organisationName } from '../organisations/names';
import { CreateTokenModal } from './CreateTokenModal';
import { type TokenStatus, tokenStatus } from './tokenStatus';

const STATUS_COLORS: Record<TokenStatus, string | undefined> = {
  active: 'green',
  revoked: undefined,
  expired: 'orange',
};

/** API tokens for machine clients (providers' systems, district platforms): issue, see, revoke. */
export function ApiTokensPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const tokens = useApiTokens();
  const revoke = useRevokeApiToken();
  const canReadOrganisations = useCan('organisation:read');
  const organisations = useOrganisations({}, { enabled: canReadOrganisations });
  const [creating, setCreating] = useState(false);

  const names = useMemo(
    () => new Map((organisations.data ?? []).map((o) => [o.id, organisationName(o, language)])),
    [organisations.data, language],
  );

  const columns: TableColumnsType<ApiToken> = [
    { key: 'name', title: t('tokens.name'), dataIndex: 'name' },
    {
      key: 'organisation',
      title: t('tokens.organisation'),
      render: (_, row) => names.get(row.organisationId) ?? row.organisationId,
    },
    {
      key: 'scopes',
      title: t('tokens.scopes'),
      render: (_, row) =>
        row.scopes.map((scope) => (
          <Tag key={scope} title={scope}>
            {(TOKEN_SCOPES as readonly string[]).includes(scope)
              ? t(`scope.${scope as (typeof TOKEN_SCOPES)[number]}`)
              : scope}
          </Tag>
        )),
    },
    {
      key: 'status',
      title: t('tokens.status'),
      render: (_, row) => {
        const status = tokenStatus(row);
        return <Tag color={STATUS_COLORS[status]}>{t(`tokens.status.${status}`)}</Tag>;
      },
    },
    {
      key: 'expiresAt',
      title: t('tokens.expiresAt'),
      dataIndex: 'expiresAt',
      render: (value: string) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
    { key: 'createdBy', title: t('tokens.createdBy'), render: (_, row) => row.createdByName ?? row.createdBy ?? '—' },
    {
      key: 'createdAt',
      title: t('tokens.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
    {
      key: 'lastUsedAt',
      title: t('tokens.lastUsedAt'),
      dataIndex: 'lastUsedAt',
      render: (value: string | null) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 88,
      render: (_, row) =>
        tokenStatus(row) === 'active' && (
          <Popconfirm
            title={t('tokens.revokeConfirm', { name: row.name })}
            description={t('tokens.revokeHint')}
            okText={t('tokens.revoke')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() =>
              revoke.mutateAsync(row.id).then(
                () => void message.success(t('tokens.revoked', { name: row.name })),
                () => undefined,
              )
            }
          >
            <Button size="small" danger icon={<StopOutlined />}>
              {t('tokens.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.apiTokens')}
        description={t('tokens.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('tokens.create')}
          </Button>
        }
      />
      <Card>
        {revoke.isError && (
          <div style={{ marginBottom: 16 }}>
            <ApiErrorAlert error={revoke.error} />
          </div>
        )}
        <Alert type="info" showIcon title={t('tokens.usage')} style={{ marginBottom: 16 }} />
        {tokens.isError ? (
          <ApiErrorAlert error={tokens.error} onRetry={() => void tokens.refetch()} />
        ) : (
          <Table<ApiToken>
            rowKey="id"
            size="middle"
            loading={tokens.isPending}
            columns={columns}
            dataSource={tokens.data}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            locale={{ emptyText: t('tokens.empty') }}
          />
        )}
      </Card>
      {creating && <CreateTokenModal onClose={() => setCreating(false)} />}
    </>
  );
}
