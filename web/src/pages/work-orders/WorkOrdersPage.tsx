import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useWorkOrders, WORK_ORDER_STATUSES, type WorkOrder, type WorkOrderStatus } from '../../api/hooks/inventory';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { downloadCsv } from '../../components/csvExport';
import { DateTime, inBeijingTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { cardColumns } from '../cardColumns';

export const WORK_ORDER_COLOURS: Record<WorkOrderStatus, string> = {
  open: 'blue',
  submitted: 'processing',
  disputed: 'red',
  completed: 'green',
  failed: 'default',
};

/**
 * The deadline that applies now (while disputed: the provider's answer to the dispute), red with a tag when
 * the work order waits on its provider past it.
 */
export function WorkOrderDue({
  w,
  format = 'YYYY-MM-DD HH:mm',
  kind = true,
}: {
  w: Pick<WorkOrder, 'status' | 'dueAt' | 'disputeDueAt' | 'overdue'>;
  format?: string;
  /** say which deadline it is (the dispute answer's) */
  kind?: boolean;
}) {
  const { t } = useI18n();
  const disputed = w.status === 'disputed';
  return (
    <span style={{ color: w.overdue ? '#cf1322' : undefined }} data-overdue={w.overdue || undefined}>
      <DateTime value={disputed ? w.disputeDueAt : w.dueAt} format={format} />
      {kind && disputed && w.disputeDueAt ? (
        <Tag style={{ marginInlineStart: 8 }}>{t('workOrders.disputeDueTag')}</Tag>
      ) : null}
      {w.overdue ? (
        <Tag color="red" style={{ marginInlineStart: 8 }}>
          {t('workOrders.overdue')}
        </Tag>
      ) : null}
    </span>
  );
}

/** A provider's queue (earliest due first); a unit's and the jurisdiction's work orders. */
export function WorkOrdersPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  // A count on the home page opens this list filtered to its state (`?status=`).
  const [status, setStatus] = useState<WorkOrderStatus | undefined>(
    WORK_ORDER_STATUSES.find((s) => s === params.get('status')),
  );
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const list = useWorkOrders({ status }, page);
  return (
    <>
      <PageHeader
        title={t('workOrders.title')}
        description={t('workOrders.description')}
        extra={
          <Button
            icon={<DownloadOutlined />}
            data-testid="work-orders-export"
            disabled={!list.data?.items.length}
            onClick={() =>
              downloadCsv(
                `${t('workOrders.title')}.csv`,
                [
                  t('export.orderNo'),
                  t('export.unit'),
                  t('export.system'),
                  t('export.provider'),
                  t('workOrders.status'),
                  t('export.dueAt'),
                  t('export.overdue'),
                ],
                (list.data?.items ?? []).map((w) => [
                  w.details.orderNo ?? '',
                  w.details.unitName ?? '',
                  w.details.systemName ?? '',
                  w.providerName ?? '',
                  t(`workOrders.statuses.${w.status}` as MessageKey),
                  w.dueAt ? inBeijingTime(w.dueAt).format('YYYY-MM-DD HH:mm') : '',
                  w.overdue ? t('audit.field.yes') : t('audit.field.no'),
                ]),
              )
            }
          >
            {t('export.csv')}
          </Button>
        }
      />
      <Card>
        <Select
          allowClear
          aria-label={t('workOrders.status')}
          style={{ width: 160, marginBottom: 16 }}
          placeholder={t('workOrders.status')}
          value={status}
          onChange={(v?: WorkOrderStatus) => {
            setStatus(v);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          options={WORK_ORDER_STATUSES.map((s) => ({ value: s, label: t(`workOrders.statuses.${s}` as MessageKey) }))}
        />
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<WorkOrder>
          rowKey="id"
          size="middle"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          columns={cardColumns([
            {
              key: 'order',
              title: t('workOrders.orderNo'),
              render: (_, w) => <Link to={`/work-orders/${w.id}`}>{w.details.orderNo ?? w.id.slice(0, 8)}</Link>,
            },
            { key: 'unit', title: t('inventory.unit'), render: (_, w) => w.details.unitName ?? '—' },
            { key: 'system', title: t('workOrders.system'), render: (_, w) => w.details.systemName ?? '—' },
            {
              key: 'action',
              title: t('workOrders.action'),
              render: (_, w) => t(`workOrders.actions.${w.action}` as MessageKey),
            },
            { key: 'provider', title: t('inventory.provider'), render: (_, w) => w.providerName ?? '—' },
            {
              key: 'status',
              title: t('workOrders.status'),
              render: (_, w) => (
                <Tag color={WORK_ORDER_COLOURS[w.status]}>{t(`workOrders.statuses.${w.status}` as MessageKey)}</Tag>
              ),
            },
            {
              key: 'due',
              title: t('workOrders.dueAt'),
              render: (_, w) => <WorkOrderDue w={w} />,
            },
          ])}
        />
      </Card>
    </>
  );
}
