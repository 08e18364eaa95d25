import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Space, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import { auditExportUrl, useAuditEvents } from '../../api/hooks/audit';
import type { AuditEvent, AuditFilter, AuditOutcome } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type Translate, useI18n } from '../../i18n';
import { AuditFilters } from './AuditFilters';
import { actionLabel } from './actions';

const PAGE_SIZE = 20;
const OUTCOME_COLORS: Record<AuditOutcome, string> = { success: 'green', failure: 'orange', denied: 'red' };
const isOutcome = (value: string): value is AuditOutcome => value in OUTCOME_COLORS;

function columns(t: Translate): TableColumnsType<AuditEvent> {
  return [
    {
      key: 'occurredAt',
      title: t('audit.time'),
      dataIndex: 'occurredAt',
      render: (value: string) => <DateTime value={value} />,
    },
    {
      key: 'actor',
      title: t('audit.actor'),
      render: (_, row) => (
        <Space size={4}>
          {row.actorName ?? '—'}
          {row.actorKind !== 'user' && <Tag>{row.actorKind}</Tag>}
        </Space>
      ),
    },
    { key: 'organisation', title: t('audit.organisation'), render: (_, row) => row.organisationName ?? '—' },
    {
      key: 'action',
      title: t('audit.action'),
      render: (_, row) => {
        const label = actionLabel(row.action, t);
        if (!label) return <Typography.Text code>{row.action}</Typography.Text>;
        return (
          <span title={row.action}>
            {label}{' '}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {row.action}
            </Typography.Text>
          </span>
        );
      },
    },
    {
      key: 'outcome',
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      render: (outcome: string) =>
        isOutcome(outcome) ? <Tag color={OUTCOME_COLORS[outcome]}>{t(`audit.outcome.${outcome}`)}</Tag> : outcome,
    },
    {
      key: 'object',
      title: t('audit.object'),
      render: (_, row) => (
        <Typography.Text type="secondary" ellipsis style={{ maxWidth: 220 }} title={row.objectId ?? undefined}>
          {row.objectType}
          {row.objectId ? `: ${row.objectId}` : ''}
        </Typography.Text>
      ),
    },
    { key: 'sourceIp', title: t('audit.sourceIp'), render: (_, row) => row.sourceIp ?? '—' },
  ];
}

function EventDetail({ event }: { event: AuditEvent }) {
  const { t } = useI18n();
  return (
    <Descriptions
      size="small"
      column={1}
      items={[
        { key: 'role', label: t('audit.role'), children: event.role ?? '—' },
        { key: 'object', label: t('audit.object'), children: `${event.objectType} ${event.objectId ?? ''}` },
        {
          key: 'requestId',
          label: t('error.requestId'),
          children: event.requestId ? <Typography.Text copyable>{event.requestId}</Typography.Text> : '—',
        },
        {
          key: 'detail',
          label: t('audit.detail'),
          children: (
            <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {JSON.stringify(event.detail, null, 2)}
            </pre>
          ),
        },
      ]}
    />
  );
}

/** The audit trail of the user's jurisdictions, newest first, paged by the server; exportable as Excel or CSV. */
export function AuditPage() {
  const { t } = useI18n();
  const canExport = useCan('audit:export');
  const [filter, setFilter] = useState<AuditFilter>({});
  const [page, setPage] = useState({ current: 1, pageSize: PAGE_SIZE });
  const events = useAuditEvents(filter, { limit: page.pageSize, offset: (page.current - 1) * page.pageSize });

  return (
    <>
      <PageHeader
        title={t('nav.audit')}
        description={t('audit.description')}
        extra={
          canExport && (
            <Space>
              <Button icon={<DownloadOutlined />} href={auditExportUrl(filter, 'xlsx')} data-testid="export-xlsx">
                {t('audit.exportXlsx')}
              </Button>
              <Button icon={<DownloadOutlined />} href={auditExportUrl(filter, 'csv')} data-testid="export-csv">
                {t('audit.exportCsv')}
              </Button>
            </Space>
          )
        }
      />
      <Card>
        <AuditFilters
          onApply={(next) => {
            setFilter(next);
            setPage((previous) => ({ ...previous, current: 1 }));
          }}
        />
        {events.isError ? (
          <ApiErrorAlert error={events.error} onRetry={() => void events.refetch()} />
        ) : (
          <Table<AuditEvent>
            rowKey="id"
            size="small"
            loading={events.isFetching}
            columns={columns(t)}
            dataSource={events.data?.items}
            expandable={{ expandedRowRender: (event) => <EventDetail event={event} /> }}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: t('audit.empty') }}
            pagination={{
              current: page.current,
              pageSize: page.pageSize,
              total: events.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [20, 50, 100],
              showTotal: (total) => t('audit.total', { total }),
              onChange: (current, pageSize) =>
                setPage((previous) => ({ current: pageSize === previous.pageSize ? current : 1, pageSize })),
            }}
            data-testid="audit-table"
          />
        )}
      </Card>
    </>
  );
}
