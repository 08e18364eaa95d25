import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Radio, Select, Space, Table, Typography } from 'antd';
import {
  type ReportMeta,
  reportPdfUrl,
  reportWorkbookUrl,
  useGenerateReport,
  useReports,
} from '../../api/hooks/operations';
import { useOrganisations } from '../../api/hooks/organisations';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { formatShanghai } from '../calendar/monthGrid';
import { ReportSchedulesCard } from './ReportSchedules';

interface GenerateValues {
  period: 'week' | 'month';
  start: string;
  providerId?: string;
}

/** Weekly and monthly operations reports (TZ 12): generated, archived with their SM3, downloaded as Excel. */
export function ReportsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const reports = useReports();
  const generate = useGenerateReport();
  const canGenerate = useCan('ops-report:generate');
  const me = useSession();
  const isProvider = me.organisation.type === 'cloud_service_provider';
  const providers = useOrganisations({ type: 'cloud_service_provider' }, { enabled: canGenerate && !isProvider });
  const [form] = Form.useForm<GenerateValues>();
  const today = formatShanghai(new Date().toISOString()).slice(0, 10);
  return (
    <>
      <PageHeader title={t('ops.reports.title')} description={<CitedText text={t('ops.reports.description')} />} />
      {canGenerate ? (
        <Card title={t('ops.reports.generate')} style={{ marginBottom: 16 }}>
          {generate.error ? <ApiErrorAlert error={generate.error} compact /> : null}
          <Form
            form={form}
            layout="inline"
            initialValues={{ period: 'month', start: today }}
            onFinish={(v) =>
              generate.mutate(
                { period: v.period, start: v.start, providerId: v.providerId ?? null },
                { onSuccess: () => message.success(t('ops.done', { what: t('ops.reports.generate') })) },
              )
            }
          >
            <Form.Item name="period" label={t('ops.reports.period')}>
              <Radio.Group
                optionType="button"
                options={(['week', 'month'] as const).map((p) => ({
                  value: p,
                  label: t(`ops.reports.period.${p}` as MessageKey),
                }))}
              />
            </Form.Item>
            <Form.Item name="start" label={t('ops.reports.start')} rules={[{ required: true }]}>
              <Input type="date" />
            </Form.Item>
            {isProvider ? null : (
              <Form.Item name="providerId" label={t('ops.col.provider')}>
                <Select
                  allowClear
                  style={{ minWidth: 200 }}
                  placeholder={t('ops.reports.cityWide')}
                  options={(providers.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
                />
              </Form.Item>
            )}
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={generate.isPending}>
                {t('ops.reports.generate')}
              </Button>
            </Form.Item>
          </Form>
        </Card>
      ) : null}
      <ReportSchedulesCard />
      {reports.error && <ApiErrorAlert error={reports.error} onRetry={() => reports.refetch()} />}
      <Table<ReportMeta>
        rowKey="id"
        loading={reports.isLoading}
        dataSource={reports.data?.items ?? []}
        columns={[
          {
            key: 'period',
            title: t('ops.reports.period'),
            render: (_, r) => `${t(`ops.reports.period.${r.period}` as MessageKey)} ${r.from} ~ ${r.to}`,
          },
          {
            key: 'scope',
            title: t('ops.reports.scope'),
            render: (_, r) => (r.provider ? r.provider.name : t('ops.reports.cityWide')),
          },
          {
            key: 'by',
            title: t('ops.reports.generatedBy'),
            render: (_, r) => (r.generatedBy === 'system' ? t('ops.reports.bySchedule') : r.generatedBy),
          },
          { key: 'at', title: t('ops.reports.generatedAt'), render: (_, r) => <DateTime value={r.generatedAt} /> },
          {
            key: 'hash',
            title: t('ops.reports.hash'),
            render: (_, r) => <Typography.Text code>{r.contentHash.slice(0, 12)}</Typography.Text>,
          },
          {
            key: 'download',
            title: t('ops.reports.download'),
            render: (_, r) => (
              <Space>
                <Button size="small" icon={<DownloadOutlined />} href={reportWorkbookUrl(r.id)}>
                  {t('ops.reports.excel')}
                </Button>
                <Button size="small" icon={<DownloadOutlined />} href={reportPdfUrl(r.id)}>
                  PDF
                </Button>
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}
