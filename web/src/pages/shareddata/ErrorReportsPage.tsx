import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  type ErrorReport,
  type ErrorStep,
  useApplications,
  useErrorReports,
  useErrorStep,
  useFieldMeanings,
  useReportError,
  useResource,
} from '../../api/hooks/shared-data';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { failureText } from './shared';

const VIEWS = ['mine', 'provider', 'all'] as const;
type View = (typeof VIEWS)[number];
const STATUS_COLOR = {
  reported: 'processing',
  acknowledged: 'warning',
  corrected: 'blue',
  confirmed: 'success',
} as const;

interface NewReport {
  resourceId: string;
  recordReference: string;
  field: string;
  description: string;
}

function NewReportModal({ onClose }: { onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<NewReport>();
  const grants = (useApplications({ view: 'mine', status: 'active', limit: 500, offset: 0 }).data?.items ?? []).filter(
    (g, i, all) => all.findIndex((x) => x.resourceId === g.resourceId) === i,
  );
  const resourceId = Form.useWatch('resourceId', form);
  const resource = useResource(resourceId);
  const report = useReportError();
  return (
    <Modal
      open
      title={t('sd.errors.new')}
      okButtonProps={{ loading: report.isPending }}
      onCancel={onClose}
      onOk={() => form.submit()}
    >
      <Form<NewReport>
        name="errorReport"
        form={form}
        layout="vertical"
        onFinish={(v) =>
          report.mutate(v, {
            onSuccess: (r) => {
              message.success(
                t('sd.errors.reported', { due: r.dueAt ? r.dueAt.slice(0, 10) : t('sd.errors.noDeadline') }),
              );
              onClose();
            },
            onError: (err) => message.error(failureText(err, language)),
          })
        }
      >
        <Form.Item name="resourceId" label={t('sd.apps.resource')} rules={[{ required: true }]}>
          <Select options={grants.map((g) => ({ value: g.resourceId, label: g.resourceName }))} />
        </Form.Item>
        <Form.Item name="recordReference" label={t('sd.errors.record')} rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="field" label={t('sd.errors.field')} rules={[{ required: true }]}>
          <Select
            options={(resource.data?.published?.fields ?? []).map((f) => ({ value: f.name, label: f.meaning }))}
          />
        </Form.Item>
        <Form.Item name="description" label={t('sd.errors.problem')} rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * Data error feedback (NB 14): the reporting unit's reports and those on the unit's data, each step for the party
 * it belongs to (acknowledge and correct: the providing unit; confirm or send back: the reporting unit); the ops
 * unit sees all, overdue first.
 */
export function ErrorReportsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canApply = useCan('shared-data:apply');
  const canAuthorise = useCan('shared-data:authorise');
  const views: View[] = [
    ...(canApply ? (['mine'] as const) : []),
    ...(canAuthorise ? (['provider'] as const) : []),
    ...(!canApply ? (['all'] as const) : []),
  ];
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab') as View | null;
  const view: View = requested && views.includes(requested) ? requested : (views[0] ?? 'mine');
  const [page, setPage] = useState({ limit: 20, offset: 0 });
  const list = useErrorReports({ view, ...page });
  const meanings = useFieldMeanings((list.data?.items ?? []).map((r) => r.resourceId));
  const step = useErrorStep();
  const [creating, setCreating] = useState(false);
  const [pending, setPending] = useState<{
    report: ErrorReport;
    step: ErrorStep;
    label: string;
    required: boolean;
  } | null>(null);
  const [note, setNote] = useState('');
  const ask = (report: ErrorReport, s: ErrorStep, label: string, required: boolean) => {
    setNote('');
    setPending({ report, step: s, label, required });
  };
  const buttons = (r: ErrorReport) => (
    <Space size={4} wrap>
      {view === 'provider' && r.status === 'reported' ? (
        <Button size="small" onClick={() => ask(r, 'acknowledge', t('sd.errors.note'), false)}>
          {t('sd.errors.acknowledge')}
        </Button>
      ) : null}
      {view === 'provider' && (r.status === 'reported' || r.status === 'acknowledged') ? (
        <Button size="small" type="primary" onClick={() => ask(r, 'correct', t('sd.errors.correction'), true)}>
          {t('sd.errors.correct')}
        </Button>
      ) : null}
      {view === 'mine' && r.status === 'corrected' ? (
        <>
          <Button size="small" type="primary" onClick={() => ask(r, 'confirm', t('sd.errors.note'), false)}>
            {t('sd.errors.confirm')}
          </Button>
          <Button size="small" danger onClick={() => ask(r, 'reject', t('sd.apps.reason'), true)}>
            {t('sd.errors.reject')}
          </Button>
        </>
      ) : null}
    </Space>
  );
  return (
    <>
      <PageHeader
        title={t('sd.errors.title')}
        description={t('sd.errors.description')}
        extra={
          canApply ? (
            <Button type="primary" onClick={() => setCreating(true)}>
              {t('sd.errors.new')}
            </Button>
          ) : null
        }
      />
      <Card>
        <Tabs
          activeKey={view}
          onChange={(key) => {
            setPage((p) => ({ ...p, offset: 0 }));
            setParams({ tab: key }, { replace: true });
          }}
          items={views.map((v) => ({ key: v, label: t(`sd.errors.${v}`) }))}
        />
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<ErrorReport>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          expandable={{
            expandedRowRender: (r) => (
              <Space direction="vertical" size={4}>
                <Typography.Text strong>{t('sd.errors.history')}</Typography.Text>
                <span>
                  <DateTime value={r.reportedAt} format="YYYY-MM-DD HH:mm" /> {r.consumerName}：{r.description}
                </span>
                {r.acknowledgedAt ? (
                  <span>
                    <DateTime value={r.acknowledgedAt} format="YYYY-MM-DD HH:mm" /> {t('sd.errors.acknowledge')}
                    {r.acknowledgement ? `：${r.acknowledgement}` : ''}
                  </span>
                ) : null}
                {r.lastRejection ? (
                  <Typography.Text type="danger">
                    {t('sd.errors.reject')}：{r.lastRejection}
                  </Typography.Text>
                ) : null}
                {r.correctedAt ? (
                  <span>
                    <DateTime value={r.correctedAt} format="YYYY-MM-DD HH:mm" /> {t('sd.errors.correct')}：
                    {r.correction}
                  </span>
                ) : null}
                {r.confirmedAt ? (
                  <span>
                    <DateTime value={r.confirmedAt} format="YYYY-MM-DD HH:mm" /> {t('sd.errors.confirm')}
                  </span>
                ) : null}
              </Space>
            ),
          }}
          columns={[
            {
              key: 'resource',
              title: t('sd.apps.resource'),
              render: (_, r) => <Link to={`/shared-data/resources/${r.resourceId}`}>{r.resourceName}</Link>,
            },
            {
              key: 'party',
              title: view === 'mine' ? t('sd.col.provider') : t('sd.apps.consumer'),
              render: (_, r) => (view === 'mine' ? r.providerName : r.consumerName),
            },
            { key: 'record', title: t('sd.errors.record'), dataIndex: 'recordReference' },
            {
              key: 'field',
              title: t('sd.errors.field'),
              render: (_, r) => r.fieldMeaning ?? meanings.get(r.resourceId)?.get(r.field) ?? r.field,
            },
            {
              key: 'problem',
              title: t('sd.errors.problem'),
              render: (_, r) => (
                <Typography.Text ellipsis style={{ maxWidth: 260 }}>
                  {r.description}
                </Typography.Text>
              ),
            },
            {
              key: 'status',
              title: t('sd.col.status'),
              render: (_, r) => (
                <Tag color={STATUS_COLOR[r.status]}>{t(`sd.errorStatus.${r.status}` as MessageKey)}</Tag>
              ),
            },
            {
              key: 'due',
              title: t('sd.errors.due'),
              render: (_, r) =>
                r.dueAt ? (
                  <Space size={4}>
                    <DateTime value={r.dueAt} format="YYYY-MM-DD" />
                    {r.overdue ? <Tag color="red">{t('sd.errors.overdue')}</Tag> : null}
                  </Space>
                ) : (
                  <Typography.Text type="secondary">{t('sd.errors.noDeadline')}</Typography.Text>
                ),
            },
            { key: 'actions', title: '', render: (_, r) => buttons(r) },
          ]}
        />
      </Card>
      {creating ? <NewReportModal onClose={() => setCreating(false)} /> : null}
      <Modal
        open={pending !== null}
        title={pending ? t(`sd.errors.${pending.step}` as MessageKey) : ''}
        okButtonProps={{ disabled: !!pending?.required && !note.trim(), loading: step.isPending }}
        onCancel={() => setPending(null)}
        onOk={() =>
          pending &&
          step.mutate(
            { id: pending.report.id, step: pending.step, note: note.trim() || null },
            {
              onSuccess: () => {
                message.success(t('sd.apps.done'));
                setPending(null);
              },
              onError: (err) => message.error(failureText(err, language)),
            },
          )
        }
      >
        <Typography.Paragraph>{pending?.label}</Typography.Paragraph>
        <Input.TextArea rows={3} value={note} aria-label={pending?.label} onChange={(e) => setNote(e.target.value)} />
      </Modal>
    </>
  );
}
