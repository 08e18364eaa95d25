import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Input, Select, Space, Table, Tabs, Typography, Upload } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/errors';
import {
  CATALOGUE_TEMPLATE_URL,
  catalogueExportUrl,
  type ResourceSummary,
  useCatalogue,
  useImportCatalogue,
} from '../../api/hooks/shared-data';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { failureText, SharingTag, StatusTag } from './shared';

const VIEWS = ['catalogue', 'mine', 'review'] as const;
type View = (typeof VIEWS)[number];
const SHARING = ['unconditional', 'conditional', 'not_shared'] as const;
const SCHEDULES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;

/**
 * The shared-data catalogue (NB 15): every signed-in unit searches the published entries; a providing unit also
 * sees its own entries in every state (register, import, export); the ops unit its review queue. The tab and
 * the search are in the address.
 */
export function CataloguePage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const canRegister = useCan('shared-data:register');
  const canReview = useCan('shared-data:review');
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab') as View | null;
  const view: View = requested && VIEWS.includes(requested) ? requested : 'catalogue';
  const q = params.get('q') ?? '';
  const [sharingType, setSharingType] = useState<(typeof SHARING)[number] | undefined>();
  const [updateSchedule, setUpdateSchedule] = useState<(typeof SCHEDULES)[number] | undefined>();
  const [page, setPage] = useState({ limit: 20, offset: 0 });
  const list = useCatalogue({
    view,
    ...page,
    ...(q ? { q } : {}),
    ...(sharingType ? { sharingType } : {}),
    ...(updateSchedule ? { updateSchedule } : {}),
  });
  const importer = useImportCatalogue();
  const [importErrors, setImportErrors] = useState<{ field: string; message: string }[] | null>(null);
  const tabs = [
    { key: 'catalogue', label: t('sd.tab.catalogue') },
    ...(canRegister ? [{ key: 'mine', label: t('sd.tab.mine') }] : []),
    ...(canReview ? [{ key: 'review', label: t('sd.tab.review') }] : []),
  ];
  const set = (next: Record<string, string>) => {
    setPage((p) => ({ ...p, offset: 0 }));
    setParams({ ...Object.fromEntries(params), ...next }, { replace: true });
  };
  return (
    <>
      <PageHeader
        title={t('sd.catalogue.title')}
        description={t('sd.catalogue.description')}
        extra={
          <Space wrap>
            <Link to="/shared-data/guide">{t('sd.nav.guide')}</Link>
            {canRegister ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/shared-data/resources/new')}>
                {t('sd.register')}
              </Button>
            ) : null}
          </Space>
        }
      />
      <Card>
        <Tabs activeKey={view} items={tabs} onChange={(key) => set({ tab: key })} />
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            defaultValue={q}
            style={{ width: 360 }}
            placeholder={t('sd.search')}
            aria-label={t('sd.search')}
            onSearch={(value) => set({ q: value })}
          />
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('sd.allTypes')}
            aria-label={t('sd.col.sharingType')}
            value={sharingType}
            onChange={(v) => {
              setSharingType(v);
              setPage((p) => ({ ...p, offset: 0 }));
            }}
            options={SHARING.map((s) => ({ value: s, label: t(`sd.sharing.${s}`) }))}
          />
          <Select
            allowClear
            style={{ width: 160 }}
            placeholder={t('sd.allSchedules')}
            aria-label={t('sd.col.schedule')}
            value={updateSchedule}
            onChange={(v) => {
              setUpdateSchedule(v);
              setPage((p) => ({ ...p, offset: 0 }));
            }}
            options={SCHEDULES.map((s) => ({ value: s, label: t(`sd.schedule.${s}`) }))}
          />
          {view !== 'review' ? (
            <Button
              icon={<DownloadOutlined />}
              href={catalogueExportUrl({ view, q: q || undefined, sharingType, updateSchedule })}
            >
              {t('sd.export')}
            </Button>
          ) : null}
          {view === 'mine' ? (
            <>
              <Button href={CATALOGUE_TEMPLATE_URL}>{t('sd.template')}</Button>
              <Upload
                accept=".xlsx"
                showUploadList={false}
                beforeUpload={(file) => {
                  setImportErrors(null);
                  importer.mutate(file, {
                    onSuccess: (r) => message.success(t('sd.imported', { created: r.created, updated: r.updated })),
                    onError: (err) => {
                      if (err instanceof ApiError && err.fields.length > 0) setImportErrors(err.fields);
                      else message.error(failureText(err, language));
                    },
                  });
                  return false;
                }}
              >
                <Button icon={<UploadOutlined />} loading={importer.isPending}>
                  {t('sd.import')}
                </Button>
              </Upload>
            </>
          ) : null}
        </Space>
        {importErrors ? (
          <Alert
            type="error"
            showIcon
            closable
            onClose={() => setImportErrors(null)}
            style={{ marginBottom: 16 }}
            message={t('sd.importRefused')}
            description={
              <ul style={{ margin: 0, paddingLeft: 20 }}>
                {importErrors.map((e) => (
                  <li key={`${e.field}-${e.message}`}>
                    {e.field}：{e.message.split(' / ')[language === 'en-US' ? 1 : 0] ?? e.message}
                  </li>
                ))}
              </ul>
            }
          />
        ) : null}
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<ResourceSummary>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          columns={[
            {
              key: 'name',
              title: t('sd.col.name'),
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/shared-data/resources/${r.id}`}>{r.name}</Link>
                  <Typography.Text type="secondary" ellipsis style={{ maxWidth: 360 }}>
                    {r.description}
                  </Typography.Text>
                </Space>
              ),
            },
            { key: 'provider', title: t('sd.col.provider'), dataIndex: 'providerName' },
            { key: 'sharing', title: t('sd.col.sharingType'), render: (_, r) => <SharingTag type={r.sharingType} /> },
            {
              key: 'schedule',
              title: t('sd.col.schedule'),
              render: (_, r) => t(`sd.schedule.${r.updateSchedule}` as MessageKey),
            },
            {
              key: 'format',
              title: t('sd.col.delivery'),
              render: (_, r) =>
                `${t(`sd.delivery.${r.delivery}` as MessageKey)} · ${t(`sd.format.${r.format}` as MessageKey)}`,
            },
            { key: 'fields', title: t('sd.col.fields'), render: (_, r) => t('sd.fieldCount', { n: r.fieldCount }) },
            ...(view === 'catalogue'
              ? [
                  {
                    key: 'published',
                    title: t('sd.col.published'),
                    render: (_: unknown, r: ResourceSummary) => <DateTime value={r.publishedAt} format="YYYY-MM-DD" />,
                  },
                ]
              : [
                  {
                    key: 'status',
                    title: t('sd.col.status'),
                    render: (_: unknown, r: ResourceSummary) => (
                      <Space size={4}>
                        <StatusTag status={r.status} />
                        {r.openVersion && r.status !== r.openVersion.status ? (
                          <StatusTag status={r.openVersion.status} />
                        ) : null}
                      </Space>
                    ),
                  },
                ]),
          ]}
        />
      </Card>
    </>
  );
}
