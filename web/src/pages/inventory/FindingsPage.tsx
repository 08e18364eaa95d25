import { App, Button, Card, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { type Finding, useFindings, useResolveFinding } from '../../api/hooks/inventory';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { specLabel } from '../../components/specification';
import { type MessageKey, useI18n } from '../../i18n';

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** What the finding is about, readable: the resource, what differs (receipt → reported) or what was reported. */
function FindingDetail({ f }: { f: Finding }) {
  const { t, language } = useI18n();
  const d = f.detail as {
    name?: string | null;
    differences?: Record<string, { expected: unknown; reported: unknown }>;
    catalogueItemCode?: string | null;
    specification?: Record<string, unknown>;
  };
  const name = d.name ?? '—';
  return (
    <Space size={4} wrap>
      {f.resourceId ? <Link to={`/inventory/${f.resourceId}`}>{name}</Link> : <Typography.Text>{name}</Typography.Text>}
      {d.catalogueItemCode ? <Tag>{d.catalogueItemCode}</Tag> : null}
      {f.kind === 'size_mismatch'
        ? Object.entries(d.differences ?? {}).map(([k, v]) => (
            <Tag key={k} color="orange">
              {specLabel(k, language)} {text(v.expected)} → {text(v.reported)}
            </Tag>
          ))
        : null}
      {f.kind === 'unknown_resource'
        ? Object.entries(d.specification ?? {}).map(([k, v]) => (
            <Tag key={k}>
              {specLabel(k, language)} {text(v)}
            </Tag>
          ))
        : null}
      {f.kind === 'missing_resource' ? (
        <Typography.Text type="secondary">{t('inventory.findings.notReported')}</Typography.Text>
      ) : null}
    </Space>
  );
}

/** The finding's deadline: red with a tag while open past it; "resolved late" once resolved after it. */
function FindingDue({ f }: { f: Finding }) {
  const { t } = useI18n();
  return (
    <span style={{ color: f.overdue ? '#cf1322' : undefined }} data-overdue={f.overdue || undefined}>
      <DateTime value={f.dueAt} format="YYYY-MM-DD HH:mm" />
      {f.overdue ? (
        <Tag color="red" style={{ marginInlineStart: 8 }}>
          {t('inventory.findings.overdue')}
        </Tag>
      ) : null}
      {f.resolvedAt && new Date(f.resolvedAt) > new Date(f.dueAt) ? (
        <Tag color="orange" style={{ marginInlineStart: 8 }}>
          {t('inventory.findings.resolvedLate')}
        </Tag>
      ) : null}
    </span>
  );
}

/** Reconciliation findings for the ops unit: what providers report against what orders created. */
export function FindingsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const findings = useFindings({ status }, page);
  const resolve = useResolveFinding();
  const [resolving, setResolving] = useState<Finding | null>(null);
  const [resolution, setResolution] = useState('');

  return (
    <>
      <PageHeader title={t('inventory.findings.title')} description={t('inventory.findings.description')} />
      <Card>
        <Segmented
          style={{ marginBottom: 16 }}
          value={status}
          onChange={(v) => {
            setStatus(v as 'open' | 'resolved');
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          options={[
            { value: 'open', label: t('inventory.findings.open') },
            { value: 'resolved', label: t('inventory.findings.resolved') },
          ]}
        />
        {findings.error ? <ApiErrorAlert error={findings.error} onRetry={() => findings.refetch()} /> : null}
        <Table<Finding>
          rowKey="id"
          size="middle"
          loading={findings.isFetching}
          dataSource={findings.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: findings.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          columns={[
            {
              key: 'kind',
              title: t('inventory.findings.kind'),
              render: (_, f) => <Tag color="orange">{t(`inventory.findings.kinds.${f.kind}` as MessageKey)}</Tag>,
            },
            { key: 'externalId', title: t('inventory.externalId'), dataIndex: 'externalId' },
            {
              key: 'detail',
              title: t('inventory.findings.detail'),
              render: (_, f) => <FindingDetail f={f} />,
            },
            {
              key: 'raised',
              title: t('inventory.findings.raisedAt'),
              render: (_, f) => <DateTime value={f.raisedAt} format="YYYY-MM-DD HH:mm" />,
            },
            {
              key: 'due',
              title: t('inventory.findings.dueAt'),
              render: (_, f) => <FindingDue f={f} />,
            },
            {
              key: 'action',
              title: '',
              render: (_, f) =>
                f.status === 'open' ? (
                  <Button size="small" onClick={() => setResolving(f)}>
                    {t('inventory.findings.resolve')}
                  </Button>
                ) : (
                  <Typography.Text type="secondary">{f.resolution}</Typography.Text>
                ),
            },
          ]}
        />
      </Card>
      <Modal
        open={resolving !== null}
        title={t('inventory.findings.resolve')}
        okButtonProps={{ disabled: resolution.trim() === '', loading: resolve.isPending }}
        onCancel={() => setResolving(null)}
        onOk={async () => {
          if (!resolving) return;
          await resolve.mutateAsync({ id: resolving.id, resolution: resolution.trim() });
          message.success(t('inventory.findings.resolvedToast'));
          setResolving(null);
          setResolution('');
        }}
      >
        <Input.TextArea
          rows={3}
          value={resolution}
          onChange={(e) => setResolution(e.target.value)}
          placeholder={t('inventory.findings.resolution')}
        />
      </Modal>
    </>
  );
}
