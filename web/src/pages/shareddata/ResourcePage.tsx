import { Alert, App, Button, Card, Descriptions, Input, Modal, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import {
  type DataField,
  type ResourceAction,
  type ResourceVersion,
  useResource,
  useResourceAction,
} from '../../api/hooks/shared-data';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type MessageKey, useI18n } from '../../i18n';
import { ApplyModal } from './ApplyModal';
import { failureText, GrantTag, meaningsOf, SharingTag, StatusTag } from './shared';

const SENSITIVITY_COLOR = { public: 'green', internal: 'blue', sensitive: 'red' } as const;

function VersionView({ v }: { v: ResourceVersion }) {
  const { t } = useI18n();
  return (
    <>
      <Descriptions column={2} size="small" bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('sd.col.description')} span={2}>
          {v.description}
        </Descriptions.Item>
        <Descriptions.Item label={t('sd.col.provider')}>{v.providerName}</Descriptions.Item>
        <Descriptions.Item label={t('sd.col.system')}>{v.systemName}</Descriptions.Item>
        <Descriptions.Item label={t('sd.col.sharingType')}>
          <SharingTag type={v.sharingType} />
        </Descriptions.Item>
        <Descriptions.Item label={t('sd.col.scope')}>{v.scope}</Descriptions.Item>
        {v.sharingCondition ? (
          <Descriptions.Item label={t('sd.col.condition')} span={2}>
            {v.sharingCondition}
          </Descriptions.Item>
        ) : null}
        {v.notSharedReason ? (
          <Descriptions.Item label={t('sd.col.notSharedReason')} span={2}>
            {v.notSharedReason}
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('sd.col.schedule')}>
          {t(`sd.schedule.${v.updateSchedule}` as MessageKey)}
        </Descriptions.Item>
        <Descriptions.Item label={t('sd.col.delivery')}>
          {t(`sd.delivery.${v.delivery}` as MessageKey)} · {t(`sd.format.${v.format}` as MessageKey)}
        </Descriptions.Item>
        {v.endpointUrl ? (
          <Descriptions.Item label={t('sd.col.endpoint')} span={2}>
            <Typography.Text copyable>{v.endpointUrl}</Typography.Text>
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('sd.col.rate')}>
          {v.defaultRateLimitPerMinute ? t('sd.perMinute', { n: v.defaultRateLimitPerMinute }) : t('sd.noLimit')}
        </Descriptions.Item>
        <Descriptions.Item label={t('sd.col.published')}>
          <DateTime value={v.publishedAt} format="YYYY-MM-DD HH:mm" />
        </Descriptions.Item>
        {v.reviewComment ? (
          <Descriptions.Item label={t('sd.entry.reviewComment')} span={2}>
            {v.reviewComment}
          </Descriptions.Item>
        ) : null}
      </Descriptions>
      <Typography.Title level={5}>{t('sd.entry.fields')}</Typography.Title>
      <Table<DataField>
        rowKey="name"
        size="small"
        pagination={false}
        dataSource={v.fields}
        columns={[
          { key: 'meaning', title: t('sd.entry.field.meaning'), dataIndex: 'meaning' },
          {
            key: 'name',
            title: t('sd.entry.field.name'),
            render: (_, f) => <Typography.Text code>{f.name}</Typography.Text>,
          },
          { key: 'type', title: t('sd.entry.field.type'), render: (_, f) => t(`sd.fieldType.${f.type}` as MessageKey) },
          {
            key: 'sensitivity',
            title: t('sd.entry.field.sensitivity'),
            render: (_, f) => (
              <Tag color={SENSITIVITY_COLOR[f.sensitivity]}>{t(`sd.sensitivity.${f.sensitivity}` as MessageKey)}</Tag>
            ),
          },
        ]}
      />
    </>
  );
}

interface Ask {
  title: string;
  action: (text: string) => ResourceAction;
  label: string;
  required: boolean;
}

/** One catalogue entry: its published version and the one being prepared, with each role's actions. */
export function ResourcePage() {
  const { id } = useParams();
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const resource = useResource(id);
  const act = useResourceAction();
  const canApply = useCan('shared-data:apply');
  const canRegister = useCan('shared-data:register');
  const canAuthorise = useCan('shared-data:authorise');
  const canReview = useCan('shared-data:review');
  const [ask, setAsk] = useState<Ask | null>(null);
  const [text, setText] = useState('');
  const [applying, setApplying] = useState(false);
  const [credential, setCredential] = useState<{ headerName: string; value: string } | null>(null);
  if (resource.isLoading) return <PageLoading />;
  if (resource.error || !resource.data)
    return <ApiErrorAlert error={resource.error} onRetry={() => resource.refetch()} />;
  const r = resource.data;
  const shown = r.published ?? r.open;
  const run = (a: ResourceAction, after?: () => void) =>
    act.mutate(
      { id: r.id, ...a },
      {
        onSuccess: () => {
          message.success(t('sd.apps.done'));
          after?.();
        },
        onError: (err) => message.error(failureText(err, language)),
      },
    );
  const openStatus = r.open?.status;
  const actions = (
    <Space wrap>
      {r.canManage && canRegister && r.status !== 'withdrawn' && openStatus !== 'submitted' ? (
        <Button onClick={() => navigate(`/shared-data/resources/${r.id}/edit`)}>
          {r.open ? t('sd.entry.edit') : t('sd.entry.newVersion')}
        </Button>
      ) : null}
      {r.canManage && canRegister && (openStatus === 'draft' || openStatus === 'returned') ? (
        <Button type="primary" loading={act.isPending} onClick={() => run({ action: 'submit' })}>
          {t('sd.entry.submit')}
        </Button>
      ) : null}
      {r.canManage && canAuthorise && r.status !== 'withdrawn' ? (
        <Button onClick={() => setCredential({ headerName: 'Authorization', value: '' })}>
          {t('sd.entry.setCredential')}
        </Button>
      ) : null}
      {canReview && openStatus === 'submitted' ? (
        <>
          <Button
            type="primary"
            onClick={() => {
              setText('');
              setAsk({
                title: t('sd.entry.publish'),
                label: t('sd.entry.comment'),
                required: false,
                action: (c) => ({ action: 'review', decision: 'publish', comment: c || null }),
              });
            }}
          >
            {t('sd.entry.publish')}
          </Button>
          <Button
            danger
            onClick={() => {
              setText('');
              setAsk({
                title: t('sd.entry.return'),
                label: t('sd.entry.comment'),
                required: true,
                action: (c) => ({ action: 'review', decision: 'return', comment: c }),
              });
            }}
          >
            {t('sd.entry.return')}
          </Button>
        </>
      ) : null}
      {r.canManage && canRegister && r.status === 'published' ? (
        <Button
          danger
          onClick={() => {
            setText('');
            setAsk({
              title: t('sd.entry.withdraw'),
              label: t('sd.entry.withdrawReason'),
              required: true,
              action: (reason) => ({ action: 'withdraw', reason }),
            });
          }}
        >
          {t('sd.entry.withdraw')}
        </Button>
      ) : null}
      {canApply &&
      !r.canManage &&
      r.published &&
      r.published.sharingType !== 'not_shared' &&
      r.status === 'published' ? (
        <Button type="primary" onClick={() => setApplying(true)}>
          {t('sd.entry.apply')}
        </Button>
      ) : null}
    </Space>
  );
  const meanings = new Map((shown?.fields ?? []).map((f) => [f.name, f.meaning]));
  return (
    <>
      <PageHeader
        title={
          <Space>
            {shown?.name}
            <StatusTag status={r.status} />
          </Space>
        }
        description={r.providerName}
        extra={actions}
      />
      {r.withdrawnAt ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('sd.entry.withdrawn', { at: r.withdrawnAt.slice(0, 10), reason: r.withdrawReason ?? '' })}
        />
      ) : null}
      {r.published?.sharingType === 'not_shared' && !r.canManage ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t('sd.entry.notSharedNote')} />
      ) : null}
      {r.myGrant ? (
        <Card size="small" title={t('sd.entry.myGrant')} style={{ marginBottom: 16 }}>
          <Space wrap>
            <GrantTag grant={r.myGrant} />
            <span>{meaningsOf(r.myGrant.grantedFields ?? r.myGrant.requestedFields, meanings)}</span>
            <span>
              {r.myGrant.validFrom ?? r.myGrant.requestedFrom} – {r.myGrant.validTo ?? r.myGrant.requestedTo}
            </span>
            {r.myGrant.refusalReason ? (
              <Typography.Text type="danger">{r.myGrant.refusalReason}</Typography.Text>
            ) : null}
            {r.myGrant.endReason ? <Typography.Text type="secondary">{r.myGrant.endReason}</Typography.Text> : null}
          </Space>
        </Card>
      ) : null}
      {r.canManage ? (
        <Card size="small" title={t('sd.entry.credential')} style={{ marginBottom: 16 }}>
          {r.credential
            ? t('sd.entry.credentialSet', {
                header: r.credential.headerName,
                by: r.credential.updatedBy ?? '',
                at: r.credential.updatedAt.slice(0, 10),
              })
            : t('sd.entry.credentialMissing')}
        </Card>
      ) : null}
      <Card>
        <Tabs
          items={[
            ...(r.published
              ? [
                  {
                    key: 'published',
                    label: t('sd.entry.publishedVersion', { version: r.published.version }),
                    children: <VersionView v={r.published} />,
                  },
                ]
              : []),
            ...(r.open
              ? [
                  {
                    key: 'open',
                    label: t('sd.entry.openVersion', {
                      version: r.open.version,
                      status: t(`sd.status.${r.open.status}` as MessageKey),
                    }),
                    children: <VersionView v={r.open} />,
                  },
                ]
              : []),
            {
              key: 'versions',
              label: t('sd.entry.versions'),
              children: (
                <Table
                  rowKey="version"
                  size="small"
                  pagination={false}
                  dataSource={r.versions}
                  columns={[
                    { key: 'v', title: t('sd.col.version'), render: (_, v) => `${v.version}` },
                    { key: 's', title: t('sd.col.status'), render: (_, v) => <StatusTag status={v.status} /> },
                    {
                      key: 'p',
                      title: t('sd.col.published'),
                      render: (_, v) => <DateTime value={v.publishedAt} format="YYYY-MM-DD HH:mm" />,
                    },
                    { key: 'c', title: t('sd.entry.reviewComment'), render: (_, v) => v.reviewComment ?? '' },
                  ]}
                />
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={ask !== null}
        title={ask?.title}
        okButtonProps={{ disabled: !!ask?.required && !text.trim(), loading: act.isPending }}
        onCancel={() => setAsk(null)}
        onOk={() => ask && run(ask.action(text.trim()), () => setAsk(null))}
      >
        <Typography.Paragraph>{ask?.label}</Typography.Paragraph>
        <Input.TextArea rows={3} value={text} aria-label={ask?.label} onChange={(e) => setText(e.target.value)} />
      </Modal>
      <Modal
        open={credential !== null}
        title={t('sd.entry.setCredential')}
        okButtonProps={{ disabled: !credential?.value || !credential.headerName, loading: act.isPending }}
        onCancel={() => setCredential(null)}
        onOk={() => credential && run({ action: 'credential', ...credential }, () => setCredential(null))}
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <span>{t('sd.entry.credentialHeader')}</span>
          <Input
            aria-label={t('sd.entry.credentialHeader')}
            value={credential?.headerName}
            onChange={(e) => setCredential((c) => (c ? { ...c, headerName: e.target.value } : c))}
          />
          <span>{t('sd.entry.credentialValue')}</span>
          <Input.Password
            aria-label={t('sd.entry.credentialValue')}
            value={credential?.value}
            onChange={(e) => setCredential((c) => (c ? { ...c, value: e.target.value } : c))}
          />
        </Space>
      </Modal>
      {applying && r.published ? <ApplyModal resource={r.published} onClose={() => setApplying(false)} /> : null}
    </>
  );
}
