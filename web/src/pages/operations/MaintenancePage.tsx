import { Table, Tag } from 'antd';
import { type MaintenanceListItem, useMaintenance } from '../../api/hooks/operations';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';

const STATUS_COLOURS: Record<MaintenanceListItem['status'], string> = {
  applied: 'gold',
  consulting: 'blue',
  agreed: 'green',
  refused: 'red',
  withdrawn: 'default',
};

/** The maintenance calendar (JQ 13): a provider's windows, those affecting a unit, or the city's. */
export function MaintenancePage() {
  const { t } = useI18n();
  const windows = useMaintenance();
  return (
    <>
      <PageHeader title={t('ops.maintenance.title')} description={t('ops.maintenance.description')} />
      {windows.error && <ApiErrorAlert error={windows.error} onRetry={() => windows.refetch()} />}
      <Table<MaintenanceListItem>
        rowKey="id"
        loading={windows.isLoading}
        dataSource={windows.data?.items ?? []}
        columns={[
          {
            key: 'window',
            title: t('ops.maintenance.window'),
            render: (_, m) => (
              <>
                <DateTime value={m.startsAt} format="YYYY-MM-DD HH:mm" /> ~{' '}
                <DateTime value={m.endsAt} format="YYYY-MM-DD HH:mm" />
              </>
            ),
          },
          { key: 'title', title: t('ops.col.subject'), dataIndex: 'title' },
          { key: 'provider', title: t('ops.col.provider'), render: (_, m) => m.provider.name },
          {
            key: 'kind',
            title: t('ops.col.kind'),
            render: (_, m) => t(`ops.maintenance.kind.${m.kind}` as MessageKey),
          },
          { key: 'scope', title: t('ops.maintenance.scope'), render: (_, m) => m.zone ?? '—' },
          { key: 'affected', title: t('ops.maintenance.affected'), dataIndex: 'affectedResources' },
          {
            key: 'status',
            title: t('ops.col.status'),
            render: (_, m) => (
              <Tag color={STATUS_COLOURS[m.status]}>{t(`ops.maintenance.status.${m.status}` as MessageKey)}</Tag>
            ),
          },
        ]}
      />
    </>
  );
}
