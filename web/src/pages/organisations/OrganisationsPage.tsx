import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Table, type TableColumnsType, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useOrganisations } from '../../api/hooks/organisations';
import { ORGANISATION_TYPES } from '../../api/identity';
import type { Organisation, OrganisationType } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { OrganisationTypeTag } from '../../components/OrganisationTypeTag';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { organisationName } from './names';
import { OrganisationFormModal } from './OrganisationFormModal';

const isOrganisationType = (value: string | null): value is OrganisationType =>
  value !== null && (ORGANISATION_TYPES as readonly string[]).includes(value);

/** The organisations the user may see: their own unit and sub-units (or their jurisdictions), and the directory. */
export function OrganisationsPage() {
  const { t, language } = useI18n();
  const canManage = useCan('organisation:manage');
  const [params, setParams] = useSearchParams();
  const typeParam = params.get('type');
  const type = isOrganisationType(typeParam) ? typeParam : undefined;
  const search = params.get('search') ?? '';
  const organisations = useOrganisations({ type, search });
  const [creating, setCreating] = useState(false);

  const setFilter = (name: 'type' | 'search', value: string | undefined) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const names = useMemo(
    () => new Map((organisations.data ?? []).map((o) => [o.id, organisationName(o, language)])),
    [organisations.data, language],
  );

  const columns: TableColumnsType<Organisation> = [
    {
      key: 'name',
      title: t('organisations.name'),
      render: (_, row) => <Link to={`/organisations/${row.id}`}>{organisationName(row, language)}</Link>,
    },
    {
      key: 'code',
      title: t('organisations.code'),
      dataIndex: 'code',
      render: (code: string) => <Typography.Text code>{code}</Typography.Text>,
    },
    {
      key: 'type',
      title: t('organisations.type'),
      dataIndex: 'type',
      render: (value: OrganisationType) => <OrganisationTypeTag type={value} />,
    },
    {
      key: 'parent',
      title: t('organisations.parent'),
      render: (_, row) => (row.parentId ? (names.get(row.parentId) ?? '—') : '—'),
    },
    {
      key: 'updatedAt',
      title: t('organisations.updatedAt'),
      dataIndex: 'updatedAt',
      render: (value: string) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.organisations')}
        description={t('organisations.description')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('organisations.create')}
            </Button>
          )
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Select<OrganisationType>
            allowClear
            aria-label={t('organisations.filterType')}
            placeholder={t('organisations.filterType')}
            style={{ width: 220 }}
            value={type}
            onChange={(value) => setFilter('type', value)}
            options={ORGANISATION_TYPES.map((value) => ({ value, label: t(`orgType.${value}`) }))}
          />
          <Input.Search
            allowClear
            aria-label={t('organisations.search')}
            placeholder={t('organisations.search')}
            style={{ width: 280 }}
            defaultValue={search}
            onSearch={(value) => setFilter('search', value.trim() || undefined)}
          />
        </Flex>
        {organisations.isError ? (
          <ApiErrorAlert error={organisations.error} onRetry={() => void organisations.refetch()} />
        ) : (
          <Table<Organisation>
            rowKey="id"
            size="middle"
            loading={organisations.isPending}
            columns={columns}
            dataSource={organisations.data}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            locale={{ emptyText: t('organisations.empty') }}
          />
        )}
      </Card>
      {creating && <OrganisationFormModal onClose={() => setCreating(false)} />}
    </>
  );
}
