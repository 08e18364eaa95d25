import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Space, Table, type TableColumnsType, Tag } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import {
  inventoryExportUrl,
  RESOURCE_STATES,
  type Resource,
  type ResourceFilter,
  type ResourceState,
  useResources,
} from '../../api/hooks/inventory';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';

export const STATE_COLOURS: Record<ResourceState, string> = {
  provisioning: 'blue',
  active: 'green',
  suspended: 'orange',
  reclaiming: 'volcano',
  reclaimed: 'default',
};

const PURPOSES = ['formal', 'test', 'trial', 'development', 'emergency', 'temporary'] as const;
type SortKey = NonNullable<ResourceFilter['sort']>;

/** The live inventory in the caller's scope: paged, filtered and sorted by the server; exportable. */
export function InventoryPage() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<ResourceFilter>({ sort: 'createdAt', order: 'desc' });
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const [text, setText] = useState('');
  const resources = useResources(filter, page);
  const change = (patch: Partial<ResourceFilter>) => {
    setFilter((f) => ({ ...f, ...patch }));
    setPage((p) => ({ ...p, offset: 0 }));
  };

  const columns: TableColumnsType<Resource> = [
    {
      key: 'name',
      title: t('inventory.name'),
      sorter: true,
      render: (_, r) => <Link to={`/inventory/${r.id}`}>{r.name}</Link>,
    },
    { key: 'externalId', title: t('inventory.externalId'), dataIndex: 'externalId' },
    { key: 'unit', title: t('inventory.unit'), render: (_, r) => r.unitName ?? '—' },
    { key: 'provider', title: t('inventory.provider'), render: (_, r) => r.providerName ?? '—' },
    { key: 'item', title: t('inventory.item'), dataIndex: 'catalogueItemCode' },
    { key: 'addresses', title: t('inventory.addresses'), render: (_, r) => r.addresses.join(', ') },
    {
      key: 'state',
      title: t('inventory.state'),
      sorter: true,
      render: (_, r) => <Tag color={STATE_COLOURS[r.state]}>{t(`inventory.states.${r.state}` as MessageKey)}</Tag>,
    },
    {
      key: 'purpose',
      title: t('inventory.purpose'),
      render: (_, r) => t(`inventory.purposes.${r.purpose}` as MessageKey),
    },
    { key: 'expiresOn', title: t('inventory.expiresOn'), sorter: true, render: (_, r) => r.expiresOn ?? '—' },
    {
      key: 'deliveredAt',
      title: t('inventory.deliveredAt'),
      sorter: true,
      render: (_, r) => <DateTime value={r.deliveredAt} format="YYYY-MM-DD HH:mm" />,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('inventory.title')}
        description={t('inventory.description')}
        extra={
          <Space>
            <Button icon={<DownloadOutlined />} href={inventoryExportUrl(filter, 'xlsx')}>
              {t('inventory.exportXlsx')}
            </Button>
            <Button icon={<DownloadOutlined />} href={inventoryExportUrl(filter, 'csv')}>
              {t('inventory.exportCsv')}
            </Button>
          </Space>
        }
      />
      <Card>
        <Flex gap={8} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            style={{ width: 260 }}
            placeholder={t('inventory.search')}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => change({ q: v.trim() || undefined })}
          />
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t('inventory.state')}
            value={filter.state}
            onChange={(v?: ResourceState) => change({ state: v })}
            options={RESOURCE_STATES.map((s) => ({ value: s, label: t(`inventory.states.${s}` as MessageKey) }))}
          />
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t('inventory.purpose')}
            value={filter.purpose}
            onChange={(v?: ResourceFilter['purpose']) => change({ purpose: v })}
            options={PURPOSES.map((s) => ({ value: s, label: t(`inventory.purposes.${s}` as MessageKey) }))}
          />
          <Input
            allowClear
            style={{ width: 180 }}
            placeholder={t('inventory.item')}
            onPressEnter={(e) => change({ item: (e.target as HTMLInputElement).value.trim() || undefined })}
            onChange={(e) => {
              if (e.target.value === '') change({ item: undefined });
            }}
          />
        </Flex>
        {resources.error ? <ApiErrorAlert error={resources.error} onRetry={() => resources.refetch()} /> : null}
        <Table<Resource>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={resources.data?.items ?? []}
          loading={resources.isFetching}
          scroll={{ x: 'max-content' }}
          onChange={(pagination, _filters, sorter, { action }) => {
            const size = pagination.pageSize ?? 50;
            if (action !== 'sort') {
              setPage({ limit: size, offset: ((pagination.current ?? 1) - 1) * size });
              return;
            }
            // A new order starts again at the first page.
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            const key = (s?.order ? s.columnKey : undefined) as SortKey | undefined;
            setFilter((f) => ({ ...f, sort: key ?? 'createdAt', order: s?.order === 'ascend' ? 'asc' : 'desc' }));
            setPage({ limit: size, offset: 0 });
          }}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: resources.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100, 200],
            showTotal: (total) => t('inventory.total', { total }),
          }}
        />
      </Card>
    </>
  );
}
