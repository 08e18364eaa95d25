import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Flex,
  Input,
  Popconfirm,
  Select,
  Table,
  type TableColumnsType,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { localiseServerText } from '../../api/errors';
import {
  type InformationSystem,
  SYSTEM_STATUSES,
  type SystemStatus,
  useDeleteSystem,
  useSystems,
} from '../../api/hooks/projects';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { SystemFormModal } from './SystemFormModal';

const STATUS_COLOURS: Record<SystemStatus, string> = {
  planned: 'default',
  on_cloud: 'green',
  legacy_data_centre: 'orange',
  retired: 'default',
};

/** The information systems of the unit (or, for jurisdiction roles, of every unit in scope). */
export function SystemsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = useCan('project:manage');
  const [status, setStatus] = useState<SystemStatus | undefined>(undefined);
  // the header's search opens this page with ?q= (issue 16)
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  const systems = useSystems({ status, q: q.trim() || undefined });
  const remove = useDeleteSystem();
  const [editing, setEditing] = useState<InformationSystem | 'new' | undefined>(undefined);

  const columns: TableColumnsType<InformationSystem> = [
    {
      key: 'name',
      title: t('projects.system.name'),
      render: (_, s) => (
        <>
          <Typography.Text strong>{s.name}</Typography.Text>
          {s.subsystems.length > 0 && (
            <div>
              {s.subsystems.map((x) => (
                <Tag key={x}>{x}</Tag>
              ))}
            </div>
          )}
        </>
      ),
    },
    { key: 'unit', title: t('projects.unit'), render: (_, s) => s.organisationName ?? '—' },
    { key: 'developer', title: t('projects.system.developer'), render: (_, s) => s.developer ?? '—' },
    { key: 'zone', title: t('projects.system.networkZone'), render: (_, s) => s.networkZone ?? '—' },
    {
      key: 'mlps',
      title: t('projects.system.mlpsLevel'),
      render: (_, s) => (
        <Flex gap={4} wrap>
          <Tag color={s.mlpsLevel > 3 ? 'red' : 'blue'}>{t('projects.system.level', { level: s.mlpsLevel })}</Tag>
          {s.classified && <Tag color="red">{t('projects.system.classified')}</Tag>}
        </Flex>
      ),
    },
    {
      key: 'status',
      title: t('projects.system.status'),
      render: (_, s) => <Tag color={STATUS_COLOURS[s.status]}>{t(`projects.systemStatus.${s.status}`)}</Tag>,
    },
    {
      key: 'cloud',
      title: t('projects.system.cloud'),
      render: (_, s) =>
        s.cloudEligible ? (
          <Flex gap={4} wrap>
            <Tag color="green">{t('projects.system.eligible')}</Tag>
            {s.goLiveMissing.map((m) => (
              <Tag key={m} color="gold">
                {t(`projects.system.missing.${m}`)}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Tooltip title={s.cloudRefusal ? localiseServerText(s.cloudRefusal, language) : undefined}>
            <Tag color="red" data-testid="cloud-refused">
              {t('projects.system.refused')}
            </Tag>
          </Tooltip>
        ),
    },
    ...(canManage
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_: unknown, s: InformationSystem) => (
              <Flex gap={8}>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(s)}>
                  {t('projects.edit')}
                </Button>
                <Popconfirm
                  title={t('projects.system.deleteConfirm', { name: s.name })}
                  okText={t('common.remove')}
                  cancelText={t('common.cancel')}
                  okButtonProps={{ danger: true }}
                  onConfirm={() =>
                    remove.mutateAsync(s.id).then(
                      () => void message.success(t('projects.deleted')),
                      (error: unknown) =>
                        void message.error(error instanceof Error ? localiseServerText(error.message, language) : ''),
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
        ]
      : []),
  ];

  return (
    <>
      <PageHeader
        title={t('projects.nav.systems')}
        description={t('projects.systems.description')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('projects.system.create')}
            </Button>
          )
        }
      />
      <Card>
        <Flex gap={8} style={{ marginBottom: 16 }}>
          <Select<SystemStatus>
            allowClear
            aria-label={t('projects.system.status')}
            placeholder={t('projects.system.status')}
            style={{ width: 200 }}
            value={status}
            onChange={setStatus}
            options={SYSTEM_STATUSES.map((value) => ({ value, label: t(`projects.systemStatus.${value}`) }))}
          />
          <Input.Search
            allowClear
            aria-label={t('projects.search')}
            defaultValue={q}
            placeholder={t('projects.search')}
            style={{ width: 260 }}
            onSearch={setQ}
          />
        </Flex>
        {systems.isError ? (
          <ApiErrorAlert error={systems.error} onRetry={() => void systems.refetch()} />
        ) : (
          <Table<InformationSystem>
            rowKey="id"
            loading={systems.isPending}
            columns={columns}
            dataSource={systems.data?.items ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('projects.systems.empty') }}
          />
        )}
      </Card>
      {editing && (
        <SystemFormModal system={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} />
      )}
    </>
  );
}
