import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, DatePicker, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  type Trace,
  traceExportUrl,
  type Usage,
  useFieldMeanings,
  useTraces,
  useUsage,
} from '../../api/hooks/shared-data';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { meaningsOf } from './shared';

const VIEWS = ['consumer', 'provider', 'all'] as const;
type View = (typeof VIEWS)[number];

/**
 * Traceability of data use (NB 14): a unit's own calls, the calls on its data (who, when, how much), and for the
 * ops unit, the authority and auditors every call; refused calls are there too. Excel and CSV export with the
 * same filters (audited by the server).
 */
export function TracesPage() {
  const { t } = useI18n();
  const canApply = useCan('shared-data:apply');
  const canRegister = useCan('shared-data:register');
  const canRead = useCan('shared-data:read');
  const unitScoped = canApply || canRegister;
  const views: View[] = unitScoped ? ['consumer', 'provider'] : ['all'];
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab') as View | null;
  const view: View = requested && views.includes(requested) ? requested : (views[0] as View);
  const [refusedOnly, setRefusedOnly] = useState(false);
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const filter = {
    view,
    ...(refusedOnly ? { refusedOnly: true } : {}),
    ...(range?.[0] ? { from: range[0].format('YYYY-MM-DD') } : {}),
    ...(range?.[1] ? { to: range[1].format('YYYY-MM-DD') } : {}),
  };
  const list = useTraces({ ...filter, ...page });
  const usage = useUsage(filter, view !== 'consumer');
  const meanings = useFieldMeanings(
    canRead ? (list.data?.items ?? []).filter((x) => x.resourceName).map((x) => x.resourceId) : [],
  );
  return (
    <>
      <PageHeader title={t('sd.traces.title')} description={t('sd.traces.description')} />
      <Card>
        <Tabs
          activeKey={view}
          onChange={(key) => {
            setPage((p) => ({ ...p, offset: 0 }));
            setParams({ tab: key }, { replace: true });
          }}
          items={views.map((v) => ({ key: v, label: t(`sd.traces.${v}`) }))}
        />
        <Space wrap style={{ marginBottom: 16 }}>
          <DatePicker.RangePicker allowEmpty={[true, true]} value={range} onChange={(v) => setRange(v)} />
          <Checkbox checked={refusedOnly} onChange={(e) => setRefusedOnly(e.target.checked)}>
            {t('sd.traces.refusedOnly')}
          </Checkbox>
          <Button icon={<DownloadOutlined />} href={traceExportUrl({ ...filter, format: 'xlsx' })}>
            {t('sd.traces.exportXlsx')}
          </Button>
          <Button icon={<DownloadOutlined />} href={traceExportUrl({ ...filter, format: 'csv' })}>
            {t('sd.traces.exportCsv')}
          </Button>
        </Space>
        {view !== 'consumer' && (usage.data?.items.length ?? 0) > 0 ? (
          <>
            <Typography.Title level={5}>{t('sd.traces.usage')}</Typography.Title>
            <Table<Usage>
              rowKey={(u) => `${u.resourceId}-${u.consumerOrganisationId}`}
              size="small"
              pagination={false}
              style={{ marginBottom: 24 }}
              dataSource={usage.data?.items ?? []}
              columns={[
                {
                  key: 'r',
                  title: t('sd.apps.resource'),
                  render: (_, u) => u.resourceName ?? t('sd.traces.unknownResource'),
                },
                { key: 'c', title: t('sd.apps.consumer'), dataIndex: 'consumerName' },
                { key: 'n', title: t('sd.traces.calls'), dataIndex: 'calls', align: 'right' },
                { key: 's', title: t('sd.traces.succeeded'), dataIndex: 'succeeded', align: 'right' },
                { key: 'x', title: t('sd.traces.refused'), dataIndex: 'refused', align: 'right' },
                { key: 'rec', title: t('sd.traces.records'), dataIndex: 'records', align: 'right' },
                {
                  key: 'last',
                  title: t('sd.traces.lastCall'),
                  render: (_, u) => <DateTime value={u.lastCallAt} format="YYYY-MM-DD HH:mm" />,
                },
              ]}
            />
          </>
        ) : null}
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<Trace>
          rowKey="id"
          size="middle"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          columns={[
            { key: 'at', title: t('sd.traces.at'), render: (_, x) => <DateTime value={x.occurredAt} /> },
            { key: 'consumer', title: t('sd.apps.consumer'), dataIndex: 'consumerName' },
            {
              key: 'resource',
              title: t('sd.apps.resource'),
              render: (_, x) =>
                x.resourceName ?? <Typography.Text type="secondary">{t('sd.traces.unknownResource')}</Typography.Text>,
            },
            {
              key: 'fields',
              title: t('sd.apps.fields'),
              render: (_, x) => meaningsOf(x.fields, meanings.get(x.resourceId)),
            },
            { key: 'records', title: t('sd.traces.records'), dataIndex: 'recordCount', align: 'right' },
            {
              key: 'outcome',
              title: t('sd.traces.outcome'),
              render: (_, x) => (
                <Tag color={x.outcome === 'ok' ? 'success' : 'error'}>{t(`sd.outcome.${x.outcome}` as MessageKey)}</Tag>
              ),
            },
            { key: 'purpose', title: t('sd.apps.purpose'), render: (_, x) => x.purpose ?? '' },
            { key: 'caller', title: t('sd.traces.caller'), render: (_, x) => x.tokenName ?? '' },
          ]}
        />
      </Card>
    </>
  );
}
