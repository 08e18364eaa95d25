import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Space, Table, type TableColumnsType, Tag } from 'antd';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  inventoryExportUrl,
  type Resource,
  type ResourceFilter,
  type ResourceState,
  useResources,
} from '../../api/hooks/inventory';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { InventoryFilters } from './InventoryFilters';
import { type InventoryView, PAGE_SIZES, paramsOf, type SortKey, viewOf } from './inventoryView';

export const STATE_COLOURS: Record<ResourceState, string> = {
  provisioning: 'blue',
  active: 'green',
  suspended: 'orange',
  reclaiming: 'volcano',
  reclaimed: 'default',
};

/**
 * The live inventory in the caller's scope: paged, filtered and sorted by the server; exportable. What it
 * shows is in the URL (inventoryView.ts): a link or a refresh keeps it, and the export exports it.
 */
export function InventoryPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const { filter, page } = useMemo(() => viewOf(params), [params]);
  const resources = useResources(filter, page);
  const show = (next: (view: InventoryView) => InventoryView) =>
    setParams((previous) => paramsOf(next(viewOf(previous))), { replace: true });
  // A new filter starts again at the first page.
  const change = (patch: Partial<ResourceFilter>) =>
    show((v) => ({ filter: { ...v.filter, ...patch }, page: { limit: v.page.limit, offset: 0 } }));
  const sortOrder = (key: SortKey) =>
    filter.sort === key ? (filter.order === 'asc' ? ('ascend' as const) : ('descend' as const)) : null;

  const columns: TableColumnsType<Resource> = [
    {
      key: 'name',
      title: t('inventory.name'),
      sorter: true,
      sortOrder: sortOrder('name'),
      render: (_, r) => <Link to={`/inventory/${r.id}`}>{r.name}</Link>,
    },
    {
      key: 'externalId',
      title: t('inventory.externalId'),
      // the provider's own identifier (a libvirt domain's UUID): a code people copy into the provider's tools
      render: (_, r) => (r.externalId ? <span data-verbatim>{r.externalId}</span> : null),
    },
    { key: 'unit', title: t('inventory.unit'), render: (_, r) => r.unitName ?? '—' },
    { key: 'provider', title: t('inventory.provider'), render: (_, r) => r.providerName ?? '—' },
    { key: 'item', title: t('inventory.item'), dataIndex: 'catalogueItemCode' },
    { key: 'addresses', title: t('inventory.addresses'), render: (_, r) => r.addresses.join(', ') },
    {
      key: 'state',
      title: t('inventory.state'),
      sorter: true,
      sortOrder: sortOrder('state'),
      render: (_, r) => <Tag color={STATE_COLOURS[r.state]}>{t(`inventory.states.${r.state}` as MessageKey)}</Tag>,
    },
    {
      key: 'purpose',
      title: t('inventory.purpose'),
      render: (_, r) => t(`inventory.purposes.${r.purpose}` as MessageKey),
    },
    {
      key: 'expiresOn',
      title: t('inventory.expiresOn'),
      sorter: true,
      sortOrder: sortOrder('expiresOn'),
      render: (_, r) => r.expiresOn ?? '—',
    },
    {
      key: 'deliveredAt',
      title: t('inventory.deliveredAt'),
      sorter: true,
      sortOrder: sortOrder('deliveredAt'),
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
        <InventoryFilters
          filter={filter}
          onChange={change}
          onClear={() =>
            show((v) => ({
              filter: { sort: v.filter.sort, order: v.filter.order },
              page: { limit: v.page.limit, offset: 0 },
            }))
          }
        />
        {resources.error ? <ApiErrorAlert error={resources.error} onRetry={() => resources.refetch()} /> : null}
        <Table<Resource>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={resources.data?.items ?? []}
          loading={resources.isFetching}
          scroll={{ x: 'max-content' }}
          onChange={(pagination, _filters, sorter, { action }) => {
            const size = pagination.pageSize ?? page.limit;
            if (action !== 'sort') {
              const to = pagination.current ?? 1;
              const current = page.offset / page.limit + 1;
              const next: InventoryView['page'] = { limit: size, offset: (to - 1) * size };
              // One page on or back in the same size goes by the cursor (fast however deep); to the first page,
              // or a page number picked, by offset.
              if (size === page.limit && to === current + 1 && resources.data?.nextCursor) {
                next.after = resources.data.nextCursor;
              } else if (size === page.limit && to === current - 1 && to > 1 && resources.data?.previousCursor) {
                next.before = resources.data.previousCursor;
              }
              show((v) => ({ ...v, page: next }));
              return;
            }
            // A new order starts again at the first page.
            const s = Array.isArray(sorter) ? sorter[0] : sorter;
            const key = (s?.order ? s.columnKey : undefined) as SortKey | undefined;
            show((v) => ({
              filter: { ...v.filter, sort: key ?? 'createdAt', order: s?.order === 'ascend' ? 'asc' : 'desc' },
              page: { limit: size, offset: 0 },
            }));
          }}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: resources.data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [...PAGE_SIZES],
            // Above 10,000 the API estimates the total (the planner's statistics) rather than counting it.
            showTotal: (total) =>
              resources.data?.totalIsEstimate
                ? t('inventory.totalEstimate', { total })
                : t('inventory.total', { total }),
          }}
        />
      </Card>
    </>
  );
}
