import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Radio, Select, Switch, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useResources } from '../../api/hooks/inventory';
import { type TicketInput, type TicketListItem, useOpenTicket, useTickets } from '../../api/hooks/operations';
import { useSystems } from '../../api/hooks/projects';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { showFieldErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { ResourcePicker } from './ResourcePicker';
import { ResolutionTag, ResponseTag, TicketStatusTag } from './shared';

const KINDS = ['fault', 'request', 'consultation'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

function NewTicketModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<TicketInput>();
  // a ticket against an information system alone is routed to the provider running it (issue 18)
  const systems = useSystems();
  // a system run by several providers: the unit chooses which one handles the ticket (the API refuses otherwise)
  const systemId = Form.useWatch('systemId', form);
  const resourceId = Form.useWatch('resourceId', form);
  const systemResources = useResources(
    { systemId: systemId ?? undefined, sort: 'name', order: 'asc' },
    { limit: 200, offset: 0 },
    { enabled: Boolean(systemId) && !resourceId },
  );
  const systemProviders = [
    ...new Map(
      (systemId && !resourceId ? (systemResources.data?.items ?? []) : [])
        .filter((r) => r.state !== 'reclaimed' && r.providerId)
        .map((r) => [r.providerId as string, r.providerName ?? ''] as const),
    ),
  ].map(([value, label]) => ({ value, label }));
  const create = useOpenTicket();
  const navigate = useNavigate();
  const submit = async () => {
    const values = await form.validateFields();
    // a provider chosen for a system, then a resource picked after all: the resource decides
    const body = systemProviders.length > 1 ? values : { ...values, providerId: undefined };
    try {
      const ticket = await create.mutateAsync(body);
      onClose();
      form.resetFields();
      navigate(`/operations/tickets/${ticket.id}`);
    } catch (error) {
      showFieldErrors(form, error, language);
    }
  };
  return (
    <Modal
      open={open}
      title={t('ops.tickets.new')}
      onCancel={onClose}
      onOk={submit}
      okText={t('ops.form.submit')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={{ kind: 'fault', priority: 'normal' }}>
        <Form.Item name="kind" label={t('ops.col.kind')} rules={[{ required: true }]}>
          <Radio.Group
            options={KINDS.map((k) => ({ value: k, label: t(`ops.kind.${k}` as MessageKey) }))}
            optionType="button"
          />
        </Form.Item>
        <Form.Item name="priority" label={t('ops.col.priority')} rules={[{ required: true }]}>
          <Radio.Group
            options={PRIORITIES.map((p) => ({ value: p, label: t(`ops.priority.${p}` as MessageKey) }))}
            optionType="button"
          />
        </Form.Item>
        <Form.Item
          name="resourceId"
          label={t('ops.form.resource')}
          dependencies={['systemId']}
          rules={[
            ({ getFieldValue }) => ({
              required: !getFieldValue('systemId'),
              message: t('ops.form.resourceOrSystem'),
            }),
          ]}
        >
          <ResourcePicker labelOf={(r) => `${r.name}${r.providerName ? `（${r.providerName}）` : ''}`} />
        </Form.Item>
        <Form.Item name="systemId" label={t('ops.form.system')}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            loading={systems.isLoading}
            options={(systems.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))}
          />
        </Form.Item>
        {systemProviders.length > 1 && (
          <Form.Item
            name="providerId"
            label={t('ops.form.systemProvider')}
            rules={[{ required: true, message: t('ops.form.systemProviderRequired') }]}
          >
            <Select options={systemProviders} />
          </Form.Item>
        )}
        <Form.Item name="subject" label={t('ops.col.subject')} rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('ops.form.description')} rules={[{ required: true, max: 5000 }]}>
          <Input.TextArea rows={4} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function TicketsPage() {
  const { t } = useI18n();
  const canOpen = useCan('ticket:open');
  const [page, setPage] = useState({ limit: 20, offset: 0 });
  const [creating, setCreating] = useState(false);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const tickets = useTickets(overdueOnly ? { ...page, overdue: true } : page);
  return (
    <>
      <PageHeader
        title={t('ops.tickets.title')}
        description={t('ops.tickets.description')}
        extra={
          canOpen && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
              {t('ops.tickets.new')}
            </Button>
          )
        }
      />
      <Typography.Paragraph>
        <Switch
          checked={overdueOnly}
          onChange={(v) => {
            setOverdueOnly(v);
            setPage({ ...page, offset: 0 });
          }}
          aria-label={t('ops.tickets.overdueOnly')}
        />{' '}
        {t('ops.tickets.overdueOnly')}
      </Typography.Paragraph>
      {tickets.error && <ApiErrorAlert error={tickets.error} onRetry={() => tickets.refetch()} />}
      <Table<TicketListItem>
        rowKey="id"
        loading={tickets.isLoading}
        dataSource={tickets.data?.items ?? []}
        pagination={{
          current: page.offset / page.limit + 1,
          pageSize: page.limit,
          total: tickets.data?.total ?? 0,
          onChange: (current, pageSize) => setPage({ limit: pageSize, offset: (current - 1) * pageSize }),
        }}
        columns={[
          { key: 'number', title: t('ops.col.number'), dataIndex: 'number' },
          {
            key: 'subject',
            title: t('ops.col.subject'),
            render: (_, r) => <Link to={`/operations/tickets/${r.id}`}>{r.subject}</Link>,
          },
          { key: 'unit', title: t('ops.col.unit'), render: (_, r) => r.unit.name },
          { key: 'provider', title: t('ops.col.provider'), render: (_, r) => r.provider.name },
          {
            key: 'priority',
            title: t('ops.col.priority'),
            render: (_, r) => t(`ops.priority.${r.priority}` as MessageKey),
          },
          { key: 'status', title: t('ops.col.status'), render: (_, r) => <TicketStatusTag status={r.status} /> },
          { key: 'due', title: t('ops.col.due'), render: (_, r) => <DateTime value={r.response.dueAt} /> },
          { key: 'response', title: t('ops.col.response'), render: (_, r) => <ResponseTag response={r.response} /> },
          {
            key: 'resolution',
            title: t('ops.col.resolution'),
            render: (_, r) => (
              <>
                <ResolutionTag target={r.resolutionTarget} />{' '}
                <DateTime value={r.resolutionTarget.dueAt} format="MM-DD HH:mm" />
              </>
            ),
          },
          { key: 'created', title: t('ops.col.created'), render: (_, r) => <DateTime value={r.createdAt} /> },
        ]}
      />
      {/* mounted only while open: it reads the unit's resources and systems, which a provider may not read */}
      {canOpen && creating && <NewTicketModal open onClose={() => setCreating(false)} />}
    </>
  );
}
