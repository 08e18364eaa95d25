import { AuditOutlined, EditOutlined, PlusOutlined, SendOutlined, SettingOutlined } from '@ant-design/icons';
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
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useCatalogue } from '../../api/hooks/catalogue';
import {
  PROJECT_STATUSES,
  type Project,
  type ProjectDecision,
  type ProjectStatus,
  useDecideProject,
  useProjects,
  useSubmitProject,
} from '../../api/hooks/projects';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { dimensionLabel } from './labels';
import { ProjectFormModal } from './ProjectFormModal';
import { QuotaGauges } from './QuotaGauges';
import { QuotaModal } from './QuotaModal';

/** Projects (立项) with their systems and quota gauges; the economy & IT authority sets quotas here. */
export function ProjectsPage() {
  const { t, language } = useI18n();
  const canManage = useCan('project:manage');
  const canSetQuota = useCan('quota:set');
  const canDecide = useCan('project:approve');
  const { message } = App.useApp();
  const submit = useSubmitProject();
  const decide = useDecideProject();
  const onDone = (text: string) => () => void message.success(text);
  const decideButton = (p: Project, decision: ProjectDecision, primary = false) => (
    <Popconfirm
      key={decision}
      title={t(`projects.decision.${decision}.confirm`, { name: p.name })}
      onConfirm={() => decide.mutateAsync({ id: p.id, decision }).then(onDone(t(`projects.decision.${decision}.done`)))}
    >
      <Button size="small" type={primary ? 'primary' : 'default'} icon={primary ? <AuditOutlined /> : undefined}>
        {t(`projects.decision.${decision}`)}
      </Button>
    </Popconfirm>
  );
  const [status, setStatus] = useState<ProjectStatus | undefined>(undefined);
  // the header's search opens this page with ?q= (issue 16)
  const [params] = useSearchParams();
  const [q, setQ] = useState(params.get('q') ?? '');
  const projects = useProjects({ status, q: q.trim() || undefined });
  const catalogue = useCatalogue(undefined);
  const itemNames = useMemo(
    () => new Map((catalogue.data?.items ?? []).map((i) => [i.code, { name: i.name, nameEn: i.nameEn }])),
    [catalogue.data],
  );
  const [editing, setEditing] = useState<Project | 'new' | undefined>(undefined);
  const [quotaOf, setQuotaOf] = useState<Project | undefined>(undefined);

  const columns: TableColumnsType<Project> = [
    {
      key: 'name',
      title: t('projects.project.name'),
      render: (_, p) => (
        <>
          <Typography.Text strong>{p.name}</Typography.Text>
          <div>
            <Typography.Text type="secondary">{p.approvalNo}</Typography.Text>
          </div>
        </>
      ),
    },
    { key: 'unit', title: t('projects.unit'), render: (_, p) => p.organisationName ?? '—' },
    { key: 'year', title: t('projects.project.year'), dataIndex: 'year' },
    {
      key: 'status',
      title: t('projects.project.status'),
      render: (_, p) => (
        <Tag color={p.status === 'approved' ? 'green' : undefined}>{t(`projects.projectStatus.${p.status}`)}</Tag>
      ),
    },
    {
      key: 'systems',
      title: t('projects.project.systems'),
      render: (_, p) => (
        <Flex gap={4} wrap>
          {p.systems.map((s) => (
            <Tag key={s.id}>{s.name}</Tag>
          ))}
        </Flex>
      ),
    },
    {
      key: 'quota',
      title: t('projects.quota.gauges'),
      render: (_, p) => (
        <>
          <QuotaGauges project={p} itemNames={itemNames} />
          {p.quota.windows.map((w) => (
            <Tag key={w.validFrom} color="purple" style={{ marginTop: 4 }}>
              {w.validFrom} ~ {w.validTo}:{' '}
              {Object.entries(w.quantities)
                .map(([d, v]) => `${dimensionLabel(d, language, itemNames)} ${v}`)
                .join(', ')}
            </Tag>
          ))}
        </>
      ),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, p) => (
        <Flex gap={8} vertical>
          {canManage && p.status === 'declared' && (
            <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(p)}>
              {t('projects.edit')}
            </Button>
          )}
          {canManage && p.status === 'declared' && (
            <Popconfirm
              title={t('projects.submit.confirm', { name: p.name })}
              onConfirm={() => submit.mutateAsync(p.id).then(onDone(t('projects.submit.done')))}
            >
              <Button size="small" icon={<SendOutlined />}>
                {t('projects.submit')}
              </Button>
            </Popconfirm>
          )}
          {canDecide &&
            p.status === 'under_review' && [
              decideButton(p, 'approve', true),
              decideButton(p, 'return'),
              decideButton(p, 'reject'),
            ]}
          {canSetQuota && (
            <Button size="small" type="primary" icon={<SettingOutlined />} onClick={() => setQuotaOf(p)}>
              {t('projects.quota.set')}
            </Button>
          )}
        </Flex>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('projects.nav.projects')}
        description={t('projects.projects.description')}
        extra={
          canManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('projects.project.create')}
            </Button>
          )
        }
      />
      <Card>
        {(submit.isError || decide.isError) && <ApiErrorAlert error={submit.error ?? decide.error} compact />}
        <Flex gap={8} style={{ marginBottom: 16 }}>
          <Select<ProjectStatus>
            allowClear
            aria-label={t('projects.project.status')}
            placeholder={t('projects.project.status')}
            style={{ width: 160 }}
            value={status}
            onChange={setStatus}
            options={PROJECT_STATUSES.map((value) => ({ value, label: t(`projects.projectStatus.${value}`) }))}
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
        {projects.isError ? (
          <ApiErrorAlert error={projects.error} onRetry={() => void projects.refetch()} />
        ) : (
          <Table<Project>
            rowKey="id"
            loading={projects.isPending}
            columns={columns}
            dataSource={projects.data?.items ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{ emptyText: t('projects.projects.empty') }}
          />
        )}
      </Card>
      {editing && (
        <ProjectFormModal project={editing === 'new' ? undefined : editing} onClose={() => setEditing(undefined)} />
      )}
      {quotaOf && <QuotaModal project={quotaOf} onClose={() => setQuotaOf(undefined)} />}
    </>
  );
}
