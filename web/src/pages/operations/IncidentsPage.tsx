import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Radio, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import {
  type Availability,
  type Incident,
  type IncidentUpdate,
  useAvailability,
  useDeclareIncident,
  useIncident,
  useIncidentStep,
  useIncidents,
  usePostIncidentUpdate,
} from '../../api/hooks/operations';
import { useOrganisations } from '../../api/hooks/organisations';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import { showFieldErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { formatShanghai } from '../calendar/monthGrid';
import { MeasuredAvailabilityCard } from './MeasuredAvailability';
import { wallClockIso } from './moments';
import { ScopeFields } from './shared';

const SEVERITY_COLOURS: Record<Incident['severity'], string> = { major: 'red', significant: 'orange', minor: 'blue' };

interface DeclareValues {
  severity: Incident['severity'];
  title: string;
  description: string;
  zone?: string;
  resourceIds?: string[];
  startedAt: string;
  providerId?: string;
}

function DeclareModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<DeclareValues>();
  const declare = useDeclareIncident();
  // the ops unit declares for a provider it names; a provider for itself
  const forProvider = useSession().organisation.type === 'cloud_operations_unit';
  const providers = useOrganisations({ type: 'cloud_service_provider' }, { enabled: forProvider && open });
  const providerId = Form.useWatch('providerId', form);
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await declare.mutateAsync({
        ...(forProvider ? { providerId: v.providerId ?? null } : {}),
        severity: v.severity,
        title: v.title,
        description: v.description,
        zone: v.zone ?? null,
        resourceIds: v.resourceIds ?? [],
        startedAt: wallClockIso(v.startedAt),
      });
      onClose();
      form.resetFields();
    } catch (error) {
      showFieldErrors(form, error, language);
    }
  };
  return (
    <Modal
      open={open}
      title={t('ops.incidents.declare')}
      onCancel={onClose}
      onOk={submit}
      okText={t('ops.form.submit')}
      confirmLoading={declare.isPending}
      destroyOnHidden
    >
      {declare.error ? <ApiErrorAlert error={declare.error} compact /> : null}
      <Form form={form} layout="vertical" initialValues={{ severity: 'minor' }}>
        <Form.Item name="severity" label={t('ops.incidents.severity')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={(['major', 'significant', 'minor'] as const).map((s) => ({
              value: s,
              label: t(`ops.incidents.severity.${s}` as MessageKey),
            }))}
          />
        </Form.Item>
        <Form.Item name="title" label={t('ops.col.subject')} rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('ops.form.description')} rules={[{ required: true, max: 5000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
        {forProvider ? (
          <Form.Item name="providerId" label={t('ops.incidents.provider')} rules={[{ required: true }]}>
            <Select
              loading={providers.isLoading}
              options={(providers.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
              onChange={() => form.setFieldsValue({ zone: undefined, resourceIds: [] })}
            />
          </Form.Item>
        ) : null}
        {forProvider ? <ScopeFields providerId={providerId ?? null} /> : <ScopeFields />}
        <Form.Item name="startedAt" label={t('ops.incidents.startedAt')} rules={[{ required: true }]}>
          <Input type="datetime-local" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The end or the report of an incident, entered by its provider. */
function StepModal({
  incident,
  onClose,
}: {
  incident: { i: Incident; step: 'end' | 'report' } | null;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const step = useIncidentStep();
  const [value, setValue] = useState('');
  if (!incident) return null;
  const { i, step: which } = incident;
  const submit = () =>
    step.mutate(
      which === 'end'
        ? { id: i.id, step: 'end', endedAt: wallClockIso(value) }
        : { id: i.id, step: 'report', report: value },
      {
        onSuccess: () => {
          message.success(t('ops.done', { what: t(`ops.incidents.${which}` as MessageKey) }));
          setValue('');
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      title={`${t(`ops.incidents.${which}` as MessageKey)}：${i.title}`}
      onCancel={onClose}
      onOk={submit}
      okText={t('ops.form.submit')}
      okButtonProps={{ disabled: !value.trim() }}
      confirmLoading={step.isPending}
      destroyOnHidden
    >
      {step.error ? <ApiErrorAlert error={step.error} compact /> : null}
      {which === 'end' ? (
        <Input
          type="datetime-local"
          aria-label={t('ops.incidents.endedAt')}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      ) : (
        <Input.TextArea
          rows={5}
          aria-label={t('ops.incidents.reportText')}
          placeholder={t('ops.incidents.reportPlaceholder')}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      )}
    </Modal>
  );
}

const STATUSES = ['investigating', 'identified', 'recovering', 'monitoring'] as const;
const STATUS_COLOURS: Record<Incident['status'], string> = {
  investigating: 'red',
  identified: 'orange',
  recovering: 'gold',
  monitoring: 'blue',
  ended: 'green',
};
const KIND_COLOURS: Record<IncidentUpdate['kind'], string> = {
  declared: 'red',
  update: 'blue',
  ended: 'green',
  reported: 'gray',
};

function StatusTag({ status }: { status: Incident['status'] }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOURS[status]}>{t(`ops.incidents.status.${status}` as MessageKey)}</Tag>;
}

/** The incident's timeline: when, who (name and organisation), what, and the status change. */
function IncidentTimeline({ incident }: { incident: Incident }) {
  const { t } = useI18n();
  const detail = useIncident(incident.id);
  if (detail.error) return <ApiErrorAlert error={detail.error} compact />;
  const updates = detail.data?.updates ?? [];
  return (
    <Card
      size="small"
      title={t('ops.incidents.timeline')}
      loading={detail.isLoading}
      extra={
        <Typography.Text type="secondary">
          {t('ops.incidents.declaredBy')}：{incident.declaredBy.name}
        </Typography.Text>
      }
    >
      {updates.length === 0 ? (
        <Typography.Text type="secondary">{t('ops.incidents.noUpdates')}</Typography.Text>
      ) : (
        <Timeline
          items={updates.map((u, n) => ({
            key: n,
            color: KIND_COLOURS[u.kind],
            children: (
              <Space direction="vertical" size={0}>
                <Space wrap>
                  <DateTime value={u.at} format="YYYY-MM-DD HH:mm" />
                  <Tag>{t(`ops.incidents.kind.${u.kind}` as MessageKey)}</Tag>
                  <Typography.Text>
                    {u.authorName}
                    {u.organisationName ? `（${u.organisationName}）` : ''}
                  </Typography.Text>
                  {u.statusTo && u.kind !== 'declared' ? (
                    <Typography.Text type="secondary">
                      {t('ops.incidents.statusChange', {
                        from: u.statusFrom ? t(`ops.incidents.status.${u.statusFrom}` as MessageKey) : '—',
                        to: t(`ops.incidents.status.${u.statusTo}` as MessageKey),
                      })}
                    </Typography.Text>
                  ) : null}
                </Space>
                <Typography.Paragraph style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}>
                  {u.body}
                </Typography.Paragraph>
              </Space>
            ),
          }))}
        />
      )}
    </Card>
  );
}

/** An update during the incident, by its provider or the ops unit, optionally changing its status. */
function UpdateModal({ incident, onClose }: { incident: Incident | null; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const post = usePostIncidentUpdate();
  const [body, setBody] = useState('');
  const [status, setStatus] = useState<(typeof STATUSES)[number] | 'keep'>('keep');
  if (!incident) return null;
  const submit = () =>
    post.mutate(
      { id: incident.id, body, status: status === 'keep' ? null : status },
      {
        onSuccess: () => {
          message.success(t('ops.done', { what: t('ops.incidents.postUpdate') }));
          setBody('');
          setStatus('keep');
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      title={`${t('ops.incidents.postUpdate')}：${incident.title}`}
      onCancel={onClose}
      onOk={submit}
      okText={t('ops.form.submit')}
      okButtonProps={{ disabled: !body.trim() }}
      confirmLoading={post.isPending}
      destroyOnHidden
    >
      {post.error ? <ApiErrorAlert error={post.error} compact /> : null}
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text>{t('ops.incidents.newStatus')}</Typography.Text>
        <Radio.Group
          optionType="button"
          value={status}
          onChange={(e) => setStatus(e.target.value)}
          options={[
            { value: 'keep', label: t('ops.incidents.keepStatus') },
            ...STATUSES.map((v) => ({ value: v, label: t(`ops.incidents.status.${v}` as MessageKey) })),
          ]}
        />
        <Input.TextArea
          rows={4}
          aria-label={t('ops.incidents.updateText')}
          placeholder={t('ops.incidents.updatePlaceholder')}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
      </Space>
    </Modal>
  );
}

type AvailabilityRow = Availability['providers'][number];

function monthRange(): { from: string; to: string; last: string } {
  const today = formatShanghai(new Date().toISOString()).slice(0, 10);
  const [y, m] = today.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${today.slice(0, 7)}-01`, to: next, last: `${today.slice(0, 7)}-${lastDay}` };
}

function AvailabilityCard() {
  const { t } = useI18n();
  const { from, to, last } = monthRange();
  const a = useAvailability(from, to);
  const columns = (label: string) => [
    { key: 'name', title: label, render: (_: unknown, r: AvailabilityRow) => r.name ?? r.key },
    {
      key: 'down',
      title: t('ops.incidents.downtime'),
      render: (_: unknown, r: AvailabilityRow) =>
        t('ops.incidents.minutes', { minutes: Math.round(r.downtimeSeconds / 60) }),
    },
    {
      key: 'availability',
      title: t('ops.incidents.availability'),
      render: (_: unknown, r: AvailabilityRow) => `${r.availabilityPercent.toFixed(4)}%`,
    },
  ];
  return (
    <Card title={t('ops.incidents.availabilityTitle', { from, to: last })} style={{ marginTop: 16 }}>
      {a.error ? <ApiErrorAlert error={a.error} compact /> : null}
      <Space direction="vertical" style={{ width: '100%' }}>
        <Table<AvailabilityRow>
          size="small"
          rowKey="key"
          loading={a.isLoading}
          pagination={false}
          dataSource={a.data?.providers ?? []}
          columns={columns(t('ops.col.provider'))}
          locale={{ emptyText: <Typography.Text type="secondary">{t('ops.incidents.noDowntime')}</Typography.Text> }}
        />
        {(a.data?.zones.length ?? 0) > 0 ? (
          <Table<AvailabilityRow>
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={a.data?.zones ?? []}
            columns={columns(t('ops.maintenance.zone'))}
          />
        ) : null}
      </Space>
    </Card>
  );
}

/** Incidents (TZ 12(5)): declared by providers; a major one's report is due the same day; availability by month. */
export function IncidentsPage() {
  const { t } = useI18n();
  const incidents = useIncidents();
  const canDeclare = useCan('incident:declare');
  const [declaring, setDeclaring] = useState(false);
  const [stepping, setStepping] = useState<{ i: Incident; step: 'end' | 'report' } | null>(null);
  const [updating, setUpdating] = useState<Incident | null>(null);
  return (
    <>
      <PageHeader
        title={t('ops.incidents.title')}
        description={<CitedText text={t('ops.incidents.description')} />}
        extra={
          canDeclare && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDeclaring(true)}>
              {t('ops.incidents.declare')}
            </Button>
          )
        }
      />
      {incidents.error && <ApiErrorAlert error={incidents.error} onRetry={() => incidents.refetch()} />}
      <Table<Incident>
        rowKey="id"
        loading={incidents.isLoading}
        dataSource={incidents.data?.items ?? []}
        expandable={{ expandedRowRender: (i) => <IncidentTimeline incident={i} /> }}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'number', title: t('ops.incidents.number'), dataIndex: 'number' },
          { key: 'title', title: t('ops.col.subject'), dataIndex: 'title' },
          { key: 'provider', title: t('ops.col.provider'), render: (_, i) => i.provider.name },
          {
            key: 'severity',
            title: t('ops.incidents.severity'),
            render: (_, i) => (
              <Tag color={SEVERITY_COLOURS[i.severity]}>{t(`ops.incidents.severity.${i.severity}` as MessageKey)}</Tag>
            ),
          },
          { key: 'status', title: t('ops.incidents.status'), render: (_, i) => <StatusTag status={i.status} /> },
          { key: 'zone', title: t('ops.maintenance.zone'), render: (_, i) => i.zone ?? '—' },
          {
            key: 'affected',
            title: t('ops.incidents.affected'),
            render: (_, i) =>
              t('ops.incidents.affectedText', { resources: i.resourceIds.length, systems: i.systemIds.length }),
          },
          {
            key: 'window',
            title: t('ops.incidents.window'),
            render: (_, i) => (
              <>
                <DateTime value={i.startedAt} format="YYYY-MM-DD HH:mm" /> ~{' '}
                {i.endedAt ? (
                  <DateTime value={i.endedAt} format="YYYY-MM-DD HH:mm" />
                ) : (
                  <Typography.Text type="danger">{t('ops.incidents.ongoing')}</Typography.Text>
                )}
              </>
            ),
          },
          {
            key: 'report',
            title: t('ops.incidents.report'),
            render: (_, i) =>
              i.reportedAt ? (
                <Typography.Text title={i.report ?? ''}>
                  {t('ops.incidents.reported')} <DateTime value={i.reportedAt} format="MM-DD HH:mm" />
                </Typography.Text>
              ) : i.overdueSince ? (
                <Tag color="red">{t('ops.incidents.reportOverdue')}</Tag>
              ) : i.reportDueAt ? (
                <Typography.Text>
                  {t('ops.incidents.reportDue')} <DateTime value={i.reportDueAt} format="MM-DD HH:mm" />
                </Typography.Text>
              ) : (
                '—'
              ),
          },
          ...(canDeclare
            ? [
                {
                  key: 'actions',
                  title: t('ops.incidents.actions'),
                  render: (_: unknown, i: Incident) => (
                    <Space>
                      {i.endedAt ? null : (
                        <Button size="small" onClick={() => setUpdating(i)}>
                          {t('ops.incidents.postUpdate')}
                        </Button>
                      )}
                      {i.endedAt ? null : (
                        <Button size="small" onClick={() => setStepping({ i, step: 'end' })}>
                          {t('ops.incidents.end')}
                        </Button>
                      )}
                      {i.reportedAt ? null : (
                        <Button size="small" onClick={() => setStepping({ i, step: 'report' })}>
                          {t('ops.incidents.report')}
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <AvailabilityCard />
      <MeasuredAvailabilityCard {...monthRange()} />
      <DeclareModal open={declaring} onClose={() => setDeclaring(false)} />
      <StepModal incident={stepping} onClose={() => setStepping(null)} />
      <UpdateModal incident={updating} onClose={() => setUpdating(null)} />
    </>
  );
}
