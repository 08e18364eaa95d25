import {
  App,
  Button,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import {
  type LibvirtConnection,
  type LibvirtConnectionInput,
  useLibvirtCapacity,
  useLibvirtConnections,
  usePutLibvirtConnection,
} from '../../api/hooks/libvirt';
import { useOrganisations } from '../../api/hooks/organisations';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

// The ops unit binds providers' network zones to their KVM hosts (issue 23): the libvirt driver then carries
// out those zones' work orders, reconciles their inventory and reads their utilisation.

type Values = Omit<LibvirtConnectionInput, 'username' | 'password'> & { username?: string; password?: string };

function ConnectionModal({ initial, onClose }: { initial: LibvirtConnection | null; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const save = usePutLibvirtConnection();
  const providers = useOrganisations({ type: 'cloud_service_provider' });
  const required = [{ required: true, message: t('libvirt.form.required') }];

  const onFinish = (v: Values) => {
    server.clear();
    const body: LibvirtConnectionInput = {
      ...v,
      zone: v.zone.trim(),
      username: v.username?.trim() || undefined,
      password: v.password || undefined,
      bootKernel: v.bootKernel?.trim() || null,
      bootInitrd: v.bootInitrd?.trim() || null,
      bootCmdline: v.bootCmdline?.trim() || null,
    };
    save.mutate(body, {
      onError: server.onError,
      onSuccess: () => {
        message.success(t('libvirt.saved'));
        onClose();
      },
    });
  };

  return (
    <Modal
      open
      title={t('libvirt.form.title')}
      okText={t('libvirt.form.save')}
      cancelText={t('libvirt.form.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
      width={640}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="libvirt-connection"
        initialValues={
          initial
            ? {
                providerId: initial.providerId,
                zone: initial.zone,
                name: initial.name,
                uri: initial.uri,
                pool: initial.pool,
                baseVolume: initial.baseVolume,
                network: initial.network,
                domainType: initial.domainType,
                maxVcpu: initial.maxVcpu,
                maxMemoryGb: initial.maxMemoryGb,
                vcpuOvercommit: initial.vcpuOvercommit,
                bootKernel: initial.bootKernel ?? undefined,
                bootInitrd: initial.bootInitrd ?? undefined,
                bootCmdline: initial.bootCmdline ?? undefined,
                enabled: initial.enabled,
              }
            : { domainType: 'kvm', maxVcpu: 0, maxMemoryGb: 0, vcpuOvercommit: 1, enabled: true }
        }
        onFinish={onFinish}
      >
        <Form.Item label={t('libvirt.form.provider')} name="providerId" rules={required}>
          <Select
            loading={providers.isLoading}
            options={(providers.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
          />
        </Form.Item>
        <Form.Item label={t('libvirt.form.zone')} name="zone" extra={t('libvirt.form.zone.help')} rules={required}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('libvirt.form.name')} name="name" rules={required}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('libvirt.form.uri')} name="uri" extra={t('libvirt.form.uri.help')} rules={required}>
          <Input autoComplete="off" />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item label={t('libvirt.form.username')} name="username">
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('libvirt.form.password')} name="password" extra={t('libvirt.form.password.help')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
        </Space>
        <Space size="large" wrap>
          <Form.Item label={t('libvirt.form.pool')} name="pool" rules={required}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('libvirt.form.baseVolume')} name="baseVolume" rules={required}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('libvirt.form.network')} name="network" rules={required}>
            <Input autoComplete="off" />
          </Form.Item>
        </Space>
        <Form.Item label={t('libvirt.form.type')} name="domainType" rules={required}>
          <Select
            options={[
              { value: 'kvm', label: t('libvirt.type.kvm') },
              { value: 'qemu', label: t('libvirt.type.qemu') },
            ]}
          />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item label={t('libvirt.form.maxVcpu')} name="maxVcpu">
            <InputNumber<number> precision={0} min={0} max={1024} />
          </Form.Item>
          <Form.Item label={t('libvirt.form.maxMemory')} name="maxMemoryGb">
            <InputNumber<number> precision={0} min={0} max={65536} />
          </Form.Item>
          <Form.Item
            label={t('libvirt.form.overcommit')}
            name="vcpuOvercommit"
            extra={t('libvirt.form.overcommit.help')}
          >
            <InputNumber<number> precision={0} min={1} max={64} />
          </Form.Item>
          <Form.Item label={t('libvirt.form.enabled')} name="enabled" valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Form.Item label={t('libvirt.form.bootKernel')} name="bootKernel" extra={t('libvirt.form.boot.help')}>
          <Input autoComplete="off" />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item label={t('libvirt.form.bootInitrd')} name="bootInitrd">
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('libvirt.form.bootCmdline')} name="bootCmdline">
            <Input autoComplete="off" />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

function CapacityModal({ connection, onClose }: { connection: LibvirtConnection; onClose: () => void }) {
  const { t } = useI18n();
  const capacity = useLibvirtCapacity(connection.id);
  const c = capacity.data;
  const gb = (n: number) => t('libvirt.unit.gb', { n });
  return (
    <Modal
      open
      title={`${t('libvirt.capacity.title')}：${connection.name}`}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('libvirt.form.cancel')}</Button>}
    >
      {capacity.error ? <ApiErrorAlert error={capacity.error} onRetry={() => capacity.refetch()} /> : null}
      {c ? (
        <Descriptions column={1} bordered size="small">
          <Descriptions.Item label={t('libvirt.capacity.cpus')}>
            {t('libvirt.capacity.vcpus', {
              cpus: c.cpus,
              capacity: c.vcpuCapacity,
              used: c.usedVcpus,
              free: c.freeVcpus,
            })}
          </Descriptions.Item>
          <Descriptions.Item label={t('libvirt.capacity.memory')}>
            {t('libvirt.capacity.used', { used: gb(c.usedMemoryGb), free: gb(c.freeMemoryGb), total: gb(c.memoryGb) })}
          </Descriptions.Item>
          <Descriptions.Item label={t('libvirt.capacity.pool')}>{gb(c.poolFreeGb)}</Descriptions.Item>
          <Descriptions.Item label={t('libvirt.capacity.domains')}>
            {t('libvirt.unit.count', { n: c.domains })}
          </Descriptions.Item>
        </Descriptions>
      ) : capacity.isLoading ? (
        <Typography.Text>…</Typography.Text>
      ) : null}
    </Modal>
  );
}

export function LibvirtZonesPage() {
  const { t } = useI18n();
  const connections = useLibvirtConnections();
  const [editing, setEditing] = useState<LibvirtConnection | null | 'new'>(null);
  const [capacityOf, setCapacityOf] = useState<LibvirtConnection | null>(null);
  return (
    <>
      <PageHeader
        title={t('libvirt.title')}
        description={t('libvirt.description')}
        extra={
          <Button type="primary" onClick={() => setEditing('new')}>
            {t('libvirt.add')}
          </Button>
        }
      />
      {connections.error ? <ApiErrorAlert error={connections.error} onRetry={() => connections.refetch()} /> : null}
      <Table<LibvirtConnection>
        rowKey="id"
        loading={connections.isLoading}
        dataSource={connections.data ?? []}
        pagination={false}
        locale={{ emptyText: <Typography.Text>{t('libvirt.empty')}</Typography.Text> }}
        scroll={{ x: true }}
        columns={[
          { title: t('libvirt.col.provider'), dataIndex: 'providerName' },
          { title: t('libvirt.col.zone'), dataIndex: 'zone' },
          { title: t('libvirt.col.name'), dataIndex: 'name' },
          {
            title: t('libvirt.col.uri'),
            dataIndex: 'uri',
            render: (v: string) => (
              <span data-verbatim>
                <Typography.Text code>{v}</Typography.Text>
              </span>
            ),
          },
          {
            title: t('libvirt.col.type'),
            dataIndex: 'domainType',
            render: (v: 'kvm' | 'qemu') => t(v === 'kvm' ? 'libvirt.type.kvm' : 'libvirt.type.qemu'),
          },
          {
            title: t('libvirt.col.credentials'),
            dataIndex: 'hasCredentials',
            render: (v: boolean) => t(v ? 'libvirt.credentials.set' : 'libvirt.credentials.none'),
          },
          {
            title: t('libvirt.col.state'),
            key: 'state',
            render: (_, c) => (
              <Space direction="vertical" size={2}>
                <Tag color={c.enabled ? 'green' : 'default'}>
                  {t(c.enabled ? 'libvirt.state.enabled' : 'libvirt.state.disabled')}
                </Tag>
                {c.lastError ? (
                  <Typography.Text type="danger">
                    {t('libvirt.lastError')}：{c.lastError}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            title: t('libvirt.col.reconciled'),
            dataIndex: 'reconciledAt',
            render: (v: string | null) => (v ? <DateTime value={v} format="YYYY-MM-DD HH:mm" /> : t('libvirt.never')),
          },
          {
            title: t('libvirt.col.actions'),
            key: 'actions',
            render: (_, c) => (
              <Space>
                <Button size="small" onClick={() => setCapacityOf(c)}>
                  {t('libvirt.capacity')}
                </Button>
                <Button size="small" onClick={() => setEditing(c)}>
                  {t('libvirt.edit')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {editing ? (
        <ConnectionModal initial={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
      {capacityOf ? <CapacityModal connection={capacityOf} onClose={() => setCapacityOf(null)} /> : null}
    </>
  );
}
