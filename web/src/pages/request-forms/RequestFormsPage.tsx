import { DeleteOutlined, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Flex,
  Popconfirm,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { ApiError, localiseServerText } from '../../api/errors';
import {
  REQUEST_FORM_TEMPLATE_URL,
  requestFormExportUrl,
  useDeleteRequestForm,
  useImportRequestForm,
  useRequestForms,
} from '../../api/hooks/request-forms';
import type { FieldError, RequestFormSummary } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { RequestFormDrawer } from './RequestFormDrawer';

/** The unit's resource request forms (annex 3): import from Excel, read, export, delete. */
export function RequestFormsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const forms = useRequestForms();
  const importForm = useImportRequestForm();
  const remove = useDeleteRequestForm();
  const [open, setOpen] = useState<string | undefined>(undefined);

  const importError = importForm.error;
  const cellErrors: FieldError[] = importError instanceof ApiError ? importError.fields : [];

  const columns: TableColumnsType<RequestFormSummary> = [
    {
      key: 'title',
      title: t('requestForms.title'),
      render: (_, row) => <Typography.Link onClick={() => setOpen(row.id)}>{row.title}</Typography.Link>,
    },
    { key: 'systemName', title: t('requestForms.systemName'), dataIndex: 'systemName' },
    {
      key: 'sourceFilename',
      title: t('requestForms.sourceFilename'),
      render: (_, row) => row.sourceFilename ?? '—',
    },
    {
      key: 'status',
      title: t('requestForms.status'),
      render: (_, row) => <Tag>{t(`requestForms.status.${row.status}`)}</Tag>,
    },
    { key: 'machines', title: t('requestForms.machines'), align: 'right', render: (_, row) => row.totals.rows },
    { key: 'vcpu', title: t('requestForms.vcpu'), align: 'right', render: (_, row) => row.totals.vcpu },
    { key: 'memoryGb', title: t('requestForms.memoryGb'), align: 'right', render: (_, row) => row.totals.memoryGb },
    {
      key: 'diskGb',
      title: t('requestForms.diskGb'),
      align: 'right',
      render: (_, row) => row.totals.systemDiskGb + row.totals.dataDiskGb,
    },
    {
      key: 'createdAt',
      title: t('requestForms.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, row) => (
        <Flex gap={8}>
          <Button size="small" onClick={() => setOpen(row.id)}>
            {t('requestForms.detail')}
          </Button>
          <Button size="small" icon={<DownloadOutlined />} href={requestFormExportUrl(row.id)}>
            {t('requestForms.export')}
          </Button>
          <Popconfirm
            title={t('requestForms.deleteConfirm', { title: row.title })}
            okText={t('common.remove')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() =>
              remove.mutateAsync(row.id).then(
                () => void message.success(t('requestForms.deleted')),
                () => undefined,
              )
            }
          >
            <Button size="small" danger icon={<DeleteOutlined />}>
              {t('common.remove')}
            </Button>
          </Popconfirm>
        </Flex>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('nav.requestForms')}
        description={t('requestForms.description')}
        extra={
          <Flex gap={8}>
            <Button icon={<DownloadOutlined />} href={REQUEST_FORM_TEMPLATE_URL}>
              {t('requestForms.template')}
            </Button>
            <Upload
              accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              showUploadList={false}
              customRequest={({ file, onSuccess, onError }) => {
                importForm.mutateAsync(file as File).then(
                  (form) => {
                    onSuccess?.(form);
                    void message.success(t('requestForms.imported', { title: form.title }));
                  },
                  (error: unknown) => onError?.(error instanceof Error ? error : new Error(String(error))),
                );
              }}
            >
              <Button type="primary" icon={<UploadOutlined />} loading={importForm.isPending}>
                {t('requestForms.upload')}
              </Button>
            </Upload>
          </Flex>
        }
      />
      {importError && (
        <Card style={{ marginBottom: 16 }} data-testid="import-errors">
          {cellErrors.length > 0 ? (
            <>
              <Alert
                type="error"
                showIcon
                title={t('requestForms.importRefused')}
                description={
                  importError instanceof ApiError && importError.detail
                    ? localiseServerText(importError.detail, language)
                    : undefined
                }
                style={{ marginBottom: 16 }}
              />
              <Table<FieldError & { key: number }>
                rowKey="key"
                size="small"
                dataSource={cellErrors.map((error, key) => ({ ...error, key }))}
                pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
                columns={[
                  { key: 'field', title: t('requestForms.errorField'), dataIndex: 'field', width: 260 },
                  {
                    key: 'message',
                    title: t('requestForms.errorMessage'),
                    render: (_, error) => localiseServerText(error.message, language),
                  },
                ]}
              />
            </>
          ) : (
            <ApiErrorAlert error={importError} />
          )}
        </Card>
      )}
      <Card>
        {remove.isError && (
          <div style={{ marginBottom: 16 }}>
            <ApiErrorAlert error={remove.error} />
          </div>
        )}
        {forms.isError ? (
          <ApiErrorAlert error={forms.error} onRetry={() => void forms.refetch()} />
        ) : (
          <Table<RequestFormSummary>
            rowKey="id"
            size="middle"
            loading={forms.isPending}
            columns={columns}
            dataSource={forms.data?.items}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('requestForms.empty') }}
          />
        )}
      </Card>
      {open && <RequestFormDrawer id={open} onClose={() => setOpen(undefined)} />}
    </>
  );
}
