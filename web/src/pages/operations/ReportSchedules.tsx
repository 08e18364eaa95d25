import { App, Button, Card, Checkbox, Form, Radio, Select, Table, Tag, Typography } from 'antd';
import {
  type ReportSchedule,
  useCreateReportSchedule,
  useReportSchedules,
  useUpdateReportSchedule,
} from '../../api/hooks/operations';
import { useOrganisations } from '../../api/hooks/organisations';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { type MessageKey, useI18n } from '../../i18n';

interface Values {
  period: 'week' | 'month';
  providerId?: string;
  recipientRoles: string[];
}

/** Reports on schedule (TZ 12): made after each week or month, archived, mailed with the PDF to the chosen roles. */
export function ReportSchedulesCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const schedules = useReportSchedules();
  const create = useCreateReportSchedule();
  const update = useUpdateReportSchedule();
  const canManage = useCan('ops-report:generate');
  const me = useSession();
  const isProvider = me.organisation.type === 'cloud_service_provider';
  const providers = useOrganisations({ type: 'cloud_service_provider' }, { enabled: canManage && !isProvider });
  const [form] = Form.useForm<Values>();
  const providerId = Form.useWatch('providerId', form);
  const scope = isProvider || providerId ? 'provider' : 'city';
  const options = schedules.data?.recipientRoleOptions[scope] ?? [];
  const role = (r: string) => t(`role.${r}` as MessageKey);
  return (
    <Card title={t('ops.schedules.title')} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary">{t('ops.schedules.description')}</Typography.Paragraph>
      {canManage ? (
        <>
          {create.error ? <ApiErrorAlert error={create.error} compact /> : null}
          <Form
            form={form}
            layout="inline"
            initialValues={{ period: 'month', recipientRoles: [] }}
            style={{ marginBottom: 16, rowGap: 8 }}
            onFinish={(v) =>
              create.mutate(
                { period: v.period, providerId: v.providerId ?? null, recipientRoles: v.recipientRoles },
                {
                  onSuccess: () => {
                    message.success(t('ops.done', { what: t('ops.schedules.create') }));
                    form.setFieldValue('recipientRoles', []);
                  },
                },
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
            {/* no client-side rule: antd would set aria-required on the group's div (axe); the API names the field */}
            <Form.Item name="recipientRoles" label={t('ops.schedules.recipients')}>
              <Checkbox.Group options={options.map((r) => ({ value: r, label: role(r) }))} />
            </Form.Item>
            <Form.Item>
              <Button type="primary" htmlType="submit" loading={create.isPending}>
                {t('ops.schedules.create')}
              </Button>
            </Form.Item>
          </Form>
        </>
      ) : null}
      {schedules.error ? <ApiErrorAlert error={schedules.error} onRetry={() => schedules.refetch()} /> : null}
      {update.error ? <ApiErrorAlert error={update.error} compact /> : null}
      <Table<ReportSchedule>
        rowKey="id"
        size="small"
        loading={schedules.isLoading}
        pagination={false}
        dataSource={schedules.data?.items ?? []}
        locale={{ emptyText: <Typography.Text type="secondary">{t('ops.schedules.empty')}</Typography.Text> }}
        columns={[
          {
            key: 'period',
            title: t('ops.reports.period'),
            render: (_, s) => t(`ops.reports.period.${s.period}` as MessageKey),
          },
          {
            key: 'scope',
            title: t('ops.reports.scope'),
            render: (_, s) => (s.provider ? s.provider.name : t('ops.reports.cityWide')),
          },
          {
            key: 'recipients',
            title: t('ops.schedules.recipients'),
            render: (_, s) => s.recipientRoles.map(role).join('、'),
          },
          {
            key: 'next',
            title: t('ops.schedules.next'),
            render: (_, s) =>
              s.active ? (
                <>
                  <DateTime value={s.nextRunAt} />
                  <br />
                  <Typography.Text type="secondary">
                    {t('ops.schedules.nextPeriod')} {s.nextPeriodStart}
                  </Typography.Text>
                </>
              ) : (
                '—'
              ),
          },
          {
            key: 'last',
            title: t('ops.schedules.last'),
            render: (_, s) => (
              <>
                {s.lastRunAt ? <DateTime value={s.lastRunAt} /> : t('ops.schedules.never')}
                {s.lastError ? (
                  <Typography.Paragraph type="danger" style={{ margin: 0 }}>
                    {t('ops.schedules.failed', { error: s.lastError })}
                  </Typography.Paragraph>
                ) : null}
              </>
            ),
          },
          {
            key: 'state',
            title: t('ops.schedules.state'),
            render: (_, s) =>
              s.active ? <Tag color="green">{t('ops.schedules.active')}</Tag> : <Tag>{t('ops.schedules.paused')}</Tag>,
          },
          ...(canManage
            ? [
                {
                  key: 'action',
                  title: t('ops.schedules.action'),
                  render: (_: unknown, s: ReportSchedule) => (
                    <Button
                      size="small"
                      loading={update.isPending && update.variables?.id === s.id}
                      onClick={() => update.mutate({ id: s.id, active: !s.active })}
                    >
                      {s.active ? t('ops.schedules.pause') : t('ops.schedules.resume')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
