import { App, Button, Card, Descriptions, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import {
  type CityLink,
  catalogueVersionNo,
  policyVersionDay,
  useAcceptFromCity,
  useCityLink,
  useLinkCity,
  useRevokeCity,
  useRotateCityKey,
} from '../../api/hooks/federation';
import { usePolicyPacks } from '../../api/hooks/policy';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

interface EnrolValues {
  url: string;
  enrolmentCode: string;
  districtCode: string;
  networks?: string;
}

/** The district links itself to its city with the code the city issued. */
function EnrolForm() {
  const { t } = useI18n();
  const [form] = Form.useForm<EnrolValues>();
  const server = useServerErrors(form);
  const link = useLinkCity();
  const onFinish = (v: EnrolValues) => {
    server.clear();
    link.mutate(
      {
        url: v.url.trim(),
        enrolmentCode: v.enrolmentCode.trim(),
        districtCode: v.districtCode.trim(),
        allowedNetworks: (v.networks ?? '')
          .split(/[,，\s]+/)
          .map((s) => s.trim())
          .filter(Boolean),
      },
      { onError: server.onError },
    );
  };
  return (
    <Card title={t('fed.enrol.title')} size="small">
      <Typography.Paragraph type="secondary">{t('fed.enrol.explain')}</Typography.Paragraph>
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" onFinish={onFinish} style={{ maxWidth: 520 }}>
        <Form.Item name="url" label={t('fed.enrol.url')} rules={[{ required: true }]}>
          <Input placeholder="https://" />
        </Form.Item>
        <Form.Item name="enrolmentCode" label={t('fed.enrol.code')} rules={[{ required: true, min: 8 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="districtCode" label={t('fed.register.code')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="networks" label={t('fed.register.networks')} extra={t('fed.register.networksHint')}>
          <Input />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={link.isPending}>
          {t('fed.enrol.submit')}
        </Button>
      </Form>
    </Card>
  );
}

type Pushed = {
  kind: 'catalogue' | 'policy';
  version: string;
  receivedAt: string;
  acceptedAt: string | null;
  what: string;
};

function AcceptButton({ item }: { item: Pushed }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const accept = useAcceptFromCity();
  const [open, setOpen] = useState(false);
  const [day, setDay] = useState('');
  const done = () => {
    setOpen(false);
    message.success(t(item.kind === 'catalogue' ? 'fed.accept.catalogueDone' : 'fed.accept.policyDone'));
  };
  if (item.kind === 'policy') {
    return (
      <Popconfirm
        title={t('fed.accept.policyConfirm')}
        onConfirm={() =>
          accept
            .mutateAsync({ what: 'policy', version: item.version })
            .then(done)
            .catch(() => message.error(t('fed.accept.failed')))
        }
      >
        <Button size="small" type="primary">
          {t('fed.accept')}
        </Button>
      </Popconfirm>
    );
  }
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)}>
        {t('fed.accept')}
      </Button>
      {open && (
        <Modal
          open
          title={t('fed.accept.catalogueTitle')}
          okText={t('fed.accept')}
          confirmLoading={accept.isPending}
          onCancel={() => setOpen(false)}
          onOk={() =>
            accept
              .mutateAsync({ what: 'catalogue', version: item.version, ...(day ? { effectiveFrom: day } : {}) })
              .then(done)
              .catch(() => message.error(t('fed.accept.failed')))
          }
        >
          <Typography.Paragraph>{t('fed.accept.catalogueExplain')}</Typography.Paragraph>
          <label htmlFor="fed-accept-day">{t('fed.accept.effectiveFrom')}</label>
          <Input id="fed-accept-day" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </Modal>
      )}
    </>
  );
}

function RevokeCity({ link }: { link: CityLink }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const revoke = useRevokeCity();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  return (
    <>
      <Button danger onClick={() => setOpen(true)}>
        {t('fed.city.revoke')}
      </Button>
      {open && (
        <Modal
          open
          title={t('fed.city.revokeTitle', { name: link.name })}
          okText={t('fed.revoke')}
          okButtonProps={{ danger: true, disabled: reason.trim() === '' }}
          confirmLoading={revoke.isPending}
          onCancel={() => setOpen(false)}
          onOk={() =>
            revoke.mutate(reason.trim(), {
              onSuccess: () => setOpen(false),
              onError: () => message.error(t('fed.actionFailed')),
            })
          }
        >
          <label htmlFor="fed-city-revoke-reason">{t('fed.revoke.reason')}</label>
          <Input.TextArea
            id="fed-city-revoke-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
          />
        </Modal>
      )}
    </>
  );
}

/** The district's side: its link to the city, what the city pushed down, accepting it, rotating, revoking. */
export function CityLinkPanel() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const link = useCityLink();
  const packs = usePolicyPacks();
  const manage = useCan('federation:manage');
  const rotate = useRotateCityKey();
  if (link.error) return <ApiErrorAlert error={link.error} onRetry={() => link.refetch()} />;
  if (link.isLoading) return null;
  const l = link.data;
  if (!l || l.state === 'revoked') {
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        {l && (
          <Typography.Paragraph>
            {t('fed.city.revokedNote', { name: l.name, reason: l.revokeReason ?? '' })}
          </Typography.Paragraph>
        )}
        {manage ? <EnrolForm /> : <Typography.Text>{t('fed.city.none')}</Typography.Text>}
      </Space>
    );
  }
  const packName = (id: string, version: string) => {
    const p = packs.data?.find((x) => x.id === id);
    return p ? t('fed.pack', { city: p.city.zh, version }) : t('fed.packUnknown');
  };
  const catalogueLabel = (v: string | null) => {
    const n = catalogueVersionNo(v);
    return n === null ? '—' : t('fed.catalogueNo', { n });
  };
  const policyLabel = (v: string | null) => {
    const day = policyVersionDay(v);
    return day === null ? '—' : t('fed.policyOf', { day });
  };
  const pushed: Pushed[] = [
    ...l.catalogues.map((c) => ({
      kind: 'catalogue' as const,
      version: c.version,
      receivedAt: c.receivedAt,
      acceptedAt: c.acceptedAt,
      what: t('fed.pushed.catalogue', { label: catalogueLabel(c.version) }),
    })),
    ...l.policies.map((p) => ({
      kind: 'policy' as const,
      version: p.version,
      receivedAt: p.receivedAt,
      acceptedAt: p.acceptedAt,
      what: t('fed.pushed.policy', {
        label: policyLabel(p.version),
        pack: packName(p.packId, p.packVersion),
        n: p.adjustments,
      }),
    })),
  ].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Descriptions bordered size="small" column={2} title={t('fed.city.title', { name: l.name })}>
        <Descriptions.Item label={t('fed.col.state')}>
          <Tag color="green">{t('fed.state.active')}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('fed.city.batches')}>
          {t('fed.city.batchesValue', { acked: l.ackedSeq, sealed: l.sealedSeq })}
        </Descriptions.Item>
        <Descriptions.Item label={t('fed.city.pending')}>{l.pendingChanges.toLocaleString()}</Descriptions.Item>
        <Descriptions.Item label={t('fed.city.lastDelivered')}>
          {l.lastDeliveredAt ? <DateTime value={l.lastDeliveredAt} format="YYYY-MM-DD HH:mm:ss" /> : t('fed.never')}
        </Descriptions.Item>
        <Descriptions.Item label={t('fed.city.delivery')}>
          {l.lastError ? (
            <span>
              {t('fed.city.failing', { n: l.attempts })}{' '}
              {l.nextAttemptAt && <DateTime value={l.nextAttemptAt} format="HH:mm:ss" />}
            </span>
          ) : (
            t('fed.city.ok')
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('fed.retention.label')}>
          {t('fed.daysValue', { n: l.retentionDays })}
        </Descriptions.Item>
        <Descriptions.Item label={t('fed.col.catalogue')}>{catalogueLabel(l.catalogueVersion)}</Descriptions.Item>
        <Descriptions.Item label={t('fed.col.policy')}>{policyLabel(l.policyVersion)}</Descriptions.Item>
      </Descriptions>
      <Table<Pushed>
        rowKey={(p) => `${p.kind}-${p.version}`}
        dataSource={pushed}
        pagination={false}
        title={() => t('fed.pushed.title')}
        columns={[
          { key: 'what', title: t('fed.pushed.what'), dataIndex: 'what' },
          {
            key: 'received',
            title: t('fed.pushed.received'),
            render: (_, p) => <DateTime value={p.receivedAt} format="YYYY-MM-DD HH:mm" />,
          },
          {
            key: 'accepted',
            title: t('fed.pushed.accepted'),
            render: (_, p) =>
              p.acceptedAt ? (
                <DateTime value={p.acceptedAt} format="YYYY-MM-DD HH:mm" />
              ) : manage ? (
                <AcceptButton item={p} />
              ) : (
                t('fed.pushed.notYet')
              ),
          },
        ]}
      />
      {manage && (
        <Space>
          <Popconfirm
            title={t('fed.city.rotateConfirm')}
            onConfirm={() =>
              rotate.mutate(undefined, {
                onSuccess: () => message.success(t('fed.rotate.done')),
                onError: () => message.error(t('fed.actionFailed')),
              })
            }
          >
            <Button>{t('fed.city.rotate')}</Button>
          </Popconfirm>
          <RevokeCity link={l} />
        </Space>
      )}
    </Space>
  );
}
