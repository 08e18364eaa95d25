import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Space, Table, type TableColumnsType, Typography } from 'antd';
import { useState } from 'react';
import { auditExportUrl, useAuditEvents } from '../../api/hooks/audit';
import type { AuditEvent, AuditFilter, AuditOutcome } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { RoleTag } from '../../components/RoleTag';
import { type MessageKey, type Translate, useI18n } from '../../i18n';
import { cardColumns } from '../cardColumns';
import { AuditFilters } from './AuditFilters';
import { actionInWords, objectTypeLabel } from './actions';

const PAGE_SIZE = 20;
// text in status colours (theme tokens, AA contrast on any row background)
const OUTCOME_COLORS: Record<AuditOutcome, 'success' | 'warning' | 'danger'> = {
  success: 'success',
  failure: 'warning',
  denied: 'danger',
};
const isOutcome = (value: string): value is AuditOutcome => value in OUTCOME_COLORS;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who acted, as people call them: a user's display name, or what kind of actor it was. */
function actorInWords(row: AuditEvent, t: Translate): string {
  if (row.actorKind === 'user') return row.actorDisplayName ?? row.actorName ?? '—';
  const key = `audit.actorKind.${row.actorKind}` as const;
  const kind = (t(key as MessageKey) as string | undefined) ?? t('audit.actorKind.system');
  // a token's or service's own name, when it has one other than its account name ("system" is just 系统)
  const name = row.actorDisplayName && row.actorDisplayName !== row.actorName ? row.actorDisplayName : null;
  return name ? `${name}（${kind}）` : kind;
}

/** The object in words: its kind and, when it has one, its name (an id is not shown: it is in the export). */
function objectInWords(row: AuditEvent, t: Translate): string {
  const kind = objectTypeLabel(row.objectType, t);
  return row.objectName ? `${kind}「${row.objectName}」` : kind;
}

function columns(t: Translate): TableColumnsType<AuditEvent> {
  return [
    {
      key: 'occurredAt',
      title: t('audit.time'),
      dataIndex: 'occurredAt',
      width: 170,
      render: (value: string) => <DateTime value={value} />,
    },
    { key: 'actor', title: t('audit.actor'), width: 160, render: (_, row) => actorInWords(row, t) },
    {
      key: 'organisation',
      title: t('audit.organisation'),
      width: 180,
      ellipsis: true,
      render: (_, row) => row.organisationName ?? '—',
    },
    {
      key: 'action',
      title: t('audit.action'),
      width: 200,
      render: (_, row) => actionInWords(row.action, row.objectType, t),
    },
    {
      key: 'outcome',
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      width: 80,
      render: (outcome: string) =>
        isOutcome(outcome) ? (
          <Typography.Text type={OUTCOME_COLORS[outcome]} strong>
            {t(`audit.outcome.${outcome}`)}
          </Typography.Text>
        ) : (
          outcome
        ),
    },
    {
      key: 'object',
      title: t('audit.object'),
      ellipsis: true,
      render: (_, row) => objectInWords(row, t),
    },
    { key: 'sourceIp', title: t('audit.sourceIp'), width: 120, render: (_, row) => row.sourceIp ?? '—' },
  ];
}

/** A detail field's label: the console's name for it, else its words ("stepKey" -> "step key"). */
function fieldLabel(key: string, t: Translate): string {
  const known = t(`audit.field.${key}` as MessageKey) as string | undefined;
  if (known) return known;
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase();
}

/** A detail value as text: lists joined, nested fields as "name: value", ids left out. */
function valueInWords(value: unknown, t: Translate): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t('audit.field.yes') : t('audit.field.no');
  if (typeof value === 'string') return UUID.test(value) ? '' : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    return value
      .map((v) => valueInWords(v, t))
      .filter(Boolean)
      .join('、');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !isIdKey(k))
      .map(([k, v]) => `${fieldLabel(k, t)}：${valueInWords(v, t)}`)
      .join('；');
  }
  return String(value);
}

/** Fields that only hold ids (projectId, orderIds, actor_id): people do not read them; the export keeps them. */
const isIdKey = (key: string) => /(Id|Ids|_id|_ids)$/.test(key) || key === 'id';

/** The entry laid out as fields, in words. */
function EventDetail({ event }: { event: AuditEvent }) {
  const { t } = useI18n();
  const fields = Object.entries(event.detail)
    .filter(([key]) => !isIdKey(key))
    .map(([key, value]) => ({ key, label: fieldLabel(key, t), children: valueInWords(value, t) }))
    .filter((f) => f.children !== '');
  const roles = (event.role ?? '').split(',').filter(Boolean);
  return (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, md: 2 }}
      style={{ maxWidth: '100%' }}
      items={[
        {
          key: 'sentence',
          label: t('audit.action'),
          span: 'filled',
          children: `${actorInWords(event, t)} · ${actionInWords(event.action, event.objectType, t)} · ${objectInWords(event, t)}`,
        },
        {
          key: 'role',
          label: t('audit.role'),
          children: roles.length ? (
            <Space size={4} wrap>
              {roles.map((r) => (
                <RoleTag key={r} role={r} />
              ))}
            </Space>
          ) : (
            '—'
          ),
        },
        {
          key: 'requestId',
          label: t('error.requestId'),
          children: event.requestId ? (
            <Typography.Text copyable={{ text: event.requestId, tooltips: [t('audit.requestIdCopy'), '✓'] }} />
          ) : (
            '—'
          ),
        },
        ...(fields.length
          ? fields.map((f) => ({ ...f, children: <span style={{ wordBreak: 'break-word' }}>{f.children}</span> }))
          : [{ key: 'none', label: t('audit.detail'), children: t('audit.noDetail') }]),
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
            columns={cardColumns(columns(t))}
            dataSource={events.data?.items}
            expandable={{ expandedRowRender: (event) => <EventDetail event={event} /> }}
            // A fixed width, not max-content: an expanded entry wraps inside the table instead of widening it.
            tableLayout="fixed"
            scroll={{ x: 1040 }}
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
