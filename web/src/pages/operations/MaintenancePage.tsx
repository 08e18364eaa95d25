import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Modal, Radio, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type MaintenanceListItem, useApplyMaintenance, useMaintenance } from '../../api/hooks/operations';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { showFieldErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { wallClockIso } from './moments';
import { ScopeFields } from './shared';

export const MAINTENANCE_COLOURS: Record<MaintenanceListItem['status'], string> = {
  applied: 'gold',
  consulting: 'blue',
  agreed: 'green',
  refused: 'red',
  withdrawn: 'default',
};

interface ApplyValues {
  kind: 'planned' | 'sudden';
  title: string;
  impact: string;
  zone?: string;
  resourceIds?: string[];
  startsAt: string;
  endsAt: string;
}

/** The provider's application (JQ 13): a window, a zone and/or resources, the impact; a late planned one is refused. */
function ApplyModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<ApplyValues>();
  const apply = useApplyMaintenance();
  const navigate = useNavigate();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      const m = await apply.mutateAsync({
        kind: v.kind,
        title: v.title,
        impact: v.impact,
        zone: v.zone ?? null,
        resourceIds: v.resourceIds ?? [],
        startsAt: wallClockIso(v.startsAt),
        endsAt: wallClockIso(v.endsAt),
      });
      onClose();
      form.resetFields();
      navigate(`/operations/maintenance/${m.id}`);
    } catch (error) {
      showFieldErrors(form, error, language);
    }
  };
  return (
    <Modal
      open={open}
      title={t('ops.maintenance.apply')}
      onCancel={onClose}
      onOk={submit}
      okText={t('ops.form.submit')}
      confirmLoading={apply.isPending}
      destroyOnHidden
    >
      {apply.error ? <ApiErrorAlert error={apply.error} compact /> : null}
      <Form form={form} layout="vertical" initialValues={{ kind: 'planned' }}>
        <Form.Item name="kind" label={t('ops.col.kind')} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={(['planned', 'sudden'] as const).map((k) => ({
              value: k,
              label: t(`ops.maintenance.kind.${k}` as MessageKey),
            }))}
          />
        </Form.Item>
        <Form.Item name="title" label={t('ops.col.subject')} rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="impact" label={t('ops.maintenance.impact')} rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <ScopeFields />
        <Form.Item name="startsAt" label={t('ops.maintenance.startsAt')} rules={[{ required: true }]}>
          <Input type="datetime-local" />
        </Form.Item>
        <Form.Item name="endsAt" label={t('ops.maintenance.endsAt')} rules={[{ required: true }]}>
          <Input type="datetime-local" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The maintenance calendar (JQ 13): a provider's windows, those affecting a unit, or the city's. */
export function MaintenancePage() {
  const { t } = useI18n();
  const windows = useMaintenance();
  const canApply = useCan('maintenance:apply');
  const [applying, setApplying] = useState(false);
  return (
    <>
      <PageHeader
        title={t('ops.maintenance.title')}
        description={t('ops.maintenance.description')}
        extra={
          canApply && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setApplying(true)}>
              {t('ops.maintenance.apply')}
            </Button>
          )
        }
      />
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
          {
            key: 'title',
            title: t('ops.col.subject'),
            render: (_, m) => <Link to={`/operations/maintenance/${m.id}`}>{m.title}</Link>,
          },
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
              <Tag color={MAINTENANCE_COLOURS[m.status]}>{t(`ops.maintenance.status.${m.status}` as MessageKey)}</Tag>
            ),
          },
        ]}
      />
      <ApplyModal open={applying} onClose={() => setApplying(false)} />
    </>
  );
}
