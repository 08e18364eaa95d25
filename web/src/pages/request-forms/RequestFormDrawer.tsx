import { Descriptions, Drawer, Table, type TableColumnsType, Tag } from 'antd';
import { useRequestForm } from '../../api/hooks/request-forms';
import type { RequestFormRow } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';

/** One form with all its rows (one virtual machine each). */
export function RequestFormDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const form = useRequestForm(id);
  const data = form.data;
  const columns: TableColumnsType<RequestFormRow> = [
    { key: 'rowNo', title: t('requestForms.row.rowNo'), dataIndex: 'rowNo' },
    { key: 'networkZone', title: t('requestForms.row.networkZone'), dataIndex: 'networkZone' },
    { key: 'subsystem', title: t('requestForms.row.subsystem'), render: (_, row) => row.subsystem ?? '—' },
    { key: 'serverType', title: t('requestForms.row.serverType'), render: (_, row) => <Tag>{row.serverType}</Tag> },
    { key: 'bastionOwner', title: t('requestForms.row.bastionOwner'), dataIndex: 'bastionOwner' },
    { key: 'vcpu', title: t('requestForms.vcpu'), dataIndex: 'vcpu', align: 'right' },
    { key: 'memoryGb', title: t('requestForms.memoryGb'), dataIndex: 'memoryGb', align: 'right' },
    { key: 'systemDiskGb', title: t('requestForms.row.systemDiskGb'), dataIndex: 'systemDiskGb', align: 'right' },
    { key: 'dataDiskGb', title: t('requestForms.row.dataDiskGb'), dataIndex: 'dataDiskGb', align: 'right' },
    { key: 'os', title: t('requestForms.row.os'), dataIndex: 'os' },
    {
      key: 'clustered',
      title: t('requestForms.row.clustered'),
      render: (_, row) => (row.clustered ? (row.clusterGroup ?? t('policyPack.yes')) : t('policyPack.no')),
    },
    { key: 'notes', title: t('requestForms.row.notes'), render: (_, row) => row.notes ?? '—' },
  ];
  return (
    <Drawer open width={1000} title={data?.title ?? t('requestForms.detail')} onClose={onClose}>
      {form.isError ? (
        <ApiErrorAlert error={form.error} onRetry={() => void form.refetch()} />
      ) : !data ? (
        <PageLoading />
      ) : (
        <>
          <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
            <Descriptions.Item label={t('requestForms.systemName')}>{data.systemName}</Descriptions.Item>
            <Descriptions.Item label={t('requestForms.applicantContact')}>
              {data.applicantContact ?? '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('requestForms.vendorContact')}>{data.vendorContact ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('requestForms.sourceFilename')}>{data.sourceFilename ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('requestForms.createdAt')}>
              <DateTime value={data.createdAt} />
            </Descriptions.Item>
            <Descriptions.Item label={t('requestForms.totals')}>
              {t('requestForms.totalsValue', { ...data.totals })}
            </Descriptions.Item>
          </Descriptions>
          <Table<RequestFormRow>
            rowKey="rowNo"
            size="small"
            columns={columns}
            dataSource={data.rows}
            pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 'max-content' }}
          />
        </>
      )}
    </Drawer>
  );
}
