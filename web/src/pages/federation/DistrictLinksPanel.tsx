import {
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import {
  type DistrictLink,
  useDistrictLinks,
  usePushToDistrict,
  useRegisterDistrict,
  useRetention,
  useRevokeDistrict,
  useRotateDistrictKey,
  useSetRetention,
} from '../../api/hooks/federation';
import { useJurisdictions } from '../../api/hooks/jurisdictions';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { useServerErrors } from '../../components/formErrors';
import { SecretOnce } from '../../components/SecretOnce';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { type MessageKey, useI18n } from '../../i18n';

const STATE_COLOURS: Record<string, string> = { pending: 'gold', active: 'green', revoked: 'default' };

interface RegisterValues {
  name: string;
  districtCode: string;
  url?: string;
  networks?: string;
  silenceMinutes?: number;
}

const networksOf = (text?: string) =>
  (text ?? '')
    .split(/[,，\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The city registers a district (or a dedicated domain): a pending link and its one-time code, shown once. */
function RegisterDistrict() {
  const { t } = useI18n();
  const [form] = Form.useForm<RegisterValues>();
  const server = useServerErrors(form);
  const register = useRegisterDistrict();
  const [shown, setShown] = useState<{ name: string; code: string } | null>(null);
  const onFinish = (v: RegisterValues) => {
    server.clear();
    register.mutate(
      {
        name: v.name.trim(),
        districtCode: v.districtCode.trim(),
        ...(v.url ? { url: v.url.trim() } : {}),
        allowedNetworks: networksOf(v.networks),
        ...(v.silenceMinutes ? { silenceMinutes: v.silenceMinutes } : {}),
      },
      {
        onError: server.onError,
        onSuccess: (made) => {
          setShown({ name: made.district.name, code: made.enrolmentCode });
          form.resetFields();
        },
      },
    );
  };
  return (
    <Card title={t('fed.register.title')} size="small">
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" onFinish={onFinish} initialValues={{ silenceMinutes: 15 }}>
        <Space wrap align="start">
          <Form.Item name="name" label={t('fed.register.name')} rules={[{ required: true }]}>
            <Input style={{ width: 220 }} placeholder={t('fed.register.namePlaceholder')} />
          </Form.Item>
          <Form.Item
            name="districtCode"
            label={t('fed.register.code')}
            rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]+$/, message: t('fed.register.codeRule') }]}
          >
            <Input style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="url" label={t('fed.register.url')}>
            <Input style={{ width: 260 }} placeholder="https://" />
          </Form.Item>
          <Form.Item name="networks" label={t('fed.register.networks')} extra={t('fed.register.networksHint')}>
            <Input style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="silenceMinutes" label={t('fed.register.silence')}>
            <InputNumber min={1} max={10080} addonAfter={t('fed.minutes')} style={{ width: 150 }} />
          </Form.Item>
        </Space>
        <Button type="primary" htmlType="submit" loading={register.isPending}>
          {t('fed.register.submit')}
        </Button>
      </Form>
      {shown && (
        <Modal
          open
          title={t('fed.register.codeTitle', { name: shown.name })}
          onCancel={() => setShown(null)}
          footer={
            <Button type="primary" onClick={() => setShown(null)}>
              {t('common.done')}
            </Button>
          }
        >
          <SecretOnce
            label={t('fed.register.codeLabel')}
            secret={shown.code}
            hint={t('fed.register.codeHint')}
            testId="enrolment-code"
          />
        </Modal>
      )}
    </Card>
  );
}

/** How long acknowledged batches and received-batch records are kept; set here and at every district. */
function RetentionSetting() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const retention = useRetention();
  const set = useSetRetention();
  const manage = useCan('federation:manage');
  const [days, setDays] = useState<number | null>(null);
  const value = days ?? retention.data?.retentionDays ?? null;
  return (
    <Card title={t('fed.retention.title')} size="small">
      <Space wrap>
        <label htmlFor="fed-retention">{t('fed.retention.label')}</label>
        <InputNumber
          id="fed-retention"
          min={1}
          max={3650}
          value={value}
          disabled={!manage}
          onChange={(v) => setDays(v)}
          addonAfter={t('fed.days')}
        />
        {manage && (
          <Button
            loading={set.isPending}
            disabled={value === null}
            onClick={() =>
              value !== null &&
              set.mutate(value, {
                onSuccess: (r) => {
                  const missed = r.districts.filter((d) => !d.accepted).map((d) => d.name);
                  if (missed.length > 0) message.warning(t('fed.retention.missed', { names: missed.join('、') }));
                  else message.success(t('fed.retention.saved', { n: r.retentionDays }));
                },
                onError: () => message.error(t('fed.actionFailed')),
              })
            }
          >
            {t('common.save')}
          </Button>
        )}
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        {t('fed.retention.hint')}
      </Typography.Paragraph>
    </Card>
  );
}

function RevokeButton({ link }: { link: DistrictLink }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const revoke = useRevokeDistrict();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  return (
    <>
      <Button size="small" danger onClick={() => setOpen(true)}>
        {t('fed.revoke')}
      </Button>
      {open && (
        <Modal
          open
          title={t('fed.revoke.title', { name: link.name })}
          okText={t('fed.revoke')}
          okButtonProps={{ danger: true, disabled: reason.trim() === '' }}
          confirmLoading={revoke.isPending}
          onCancel={() => setOpen(false)}
          onOk={() =>
            // mutateAsync: the row's buttons (this one included) are gone once the list shows the link revoked
            revoke
              .mutateAsync({ id: link.id, reason: reason.trim() })
              .then((r) => {
                setOpen(false);
                if (r.peerNotified) message.success(t('fed.revoke.done', { name: link.name }));
                else message.warning(t('fed.revoke.notNotified', { name: link.name }));
              })
              .catch(() => message.error(t('fed.actionFailed')))
          }
        >
          <Typography.Paragraph>{t('fed.revoke.explain')}</Typography.Paragraph>
          <label htmlFor="fed-revoke-reason">{t('fed.revoke.reason')}</label>
          <Input.TextArea id="fed-revoke-reason" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
        </Modal>
      )}
    </>
  );
}

function PushButton({ link, what }: { link: DistrictLink; what: 'catalogue' | 'policy' }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const push = usePushToDistrict();
  const jurisdictions = useJurisdictions();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState<string | undefined>();
  const options = (jurisdictions.data ?? []).map((j) => ({ value: j.code, label: j.name }));
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        {t(`fed.push.${what}` as MessageKey)}
      </Button>
      {open && (
        <Modal
          open
          title={t(`fed.push.${what}.title` as MessageKey, { name: link.name })}
          okText={t('fed.push.send')}
          okButtonProps={{ disabled: !code }}
          confirmLoading={push.isPending}
          onCancel={() => setOpen(false)}
          onOk={() =>
            code &&
            push.mutate(
              { id: link.id, what, jurisdictionCode: code },
              {
                onSuccess: () => {
                  setOpen(false);
                  message.success(t('fed.push.done', { name: link.name }));
                },
                onError: () => message.error(t('fed.actionFailed')),
              },
            )
          }
        >
          <label htmlFor={`fed-push-${what}`}>{t('fed.push.from')}</label>
          <Select
            id={`fed-push-${what}`}
            style={{ width: '100%' }}
            options={options}
            value={code}
            onChange={setCode}
            aria-label={t('fed.push.from')}
          />
        </Modal>
      )}
    </>
  );
}

/** The city's links to its districts: register, the code once, freshness, lag, silence, revoke, rotate. */
export function DistrictLinksPanel() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const links = useDistrictLinks();
  const manage = useCan('federation:manage');
  const rotate = useRotateDistrictKey();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      {manage && <RegisterDistrict />}
      <RetentionSetting />
      {links.error && <ApiErrorAlert error={links.error} onRetry={() => links.refetch()} />}
      <Table<DistrictLink>
        rowKey="id"
        loading={links.isLoading}
        dataSource={links.data ?? []}
        pagination={false}
        columns={[
          { key: 'name', title: t('fed.col.district'), dataIndex: 'name' },
          {
            key: 'state',
            title: t('fed.col.state'),
            render: (_, d) => (
              <Space size={4} wrap>
                <Tag color={STATE_COLOURS[d.state]}>{t(`fed.state.${d.state}` as MessageKey)}</Tag>
                {d.silentSince && <Tag color="red">{t('fed.silent')}</Tag>}
              </Space>
            ),
          },
          {
            key: 'freshness',
            title: t('fed.col.freshness'),
            render: (_, d) =>
              d.lastAppliedAt ? <DateTime value={d.lastAppliedAt} format="YYYY-MM-DD HH:mm:ss" /> : t('fed.never'),
          },
          {
            key: 'lag',
            title: t('fed.col.lag'),
            align: 'right',
            render: (_, d) => (d.lagMs === null ? '—' : t('fed.seconds', { n: (d.lagMs / 1000).toFixed(1) })),
          },
          {
            key: 'silence',
            title: t('fed.col.silence'),
            render: (_, d) =>
              d.silentSince ? (
                <span>
                  {t('fed.silentSince')} <DateTime value={d.silentSince} format="MM-DD HH:mm" />
                </span>
              ) : (
                t('fed.silenceLimit', { n: d.silenceMinutes })
              ),
          },
          {
            key: 'actions',
            title: t('fed.col.actions'),
            render: (_, d) =>
              d.state === 'revoked' ? (
                <Typography.Text type="secondary">
                  {d.revokedAt && <DateTime value={d.revokedAt} format="YYYY-MM-DD HH:mm" />}{' '}
                  {t('fed.revokedBecause', { reason: d.revokeReason ?? '' })}
                </Typography.Text>
              ) : manage ? (
                <Space size={4} wrap>
                  {d.state === 'active' && <PushButton link={d} what="catalogue" />}
                  {d.state === 'active' && <PushButton link={d} what="policy" />}
                  {d.state === 'active' && (
                    <Popconfirm
                      title={t('fed.rotate.confirm', { name: d.name })}
                      onConfirm={() =>
                        rotate.mutate(d.id, {
                          onSuccess: () => message.success(t('fed.rotate.done')),
                          onError: () => message.error(t('fed.actionFailed')),
                        })
                      }
                    >
                      <Button size="small">{t('fed.rotate')}</Button>
                    </Popconfirm>
                  )}
                  <RevokeButton link={d} />
                </Space>
              ) : null,
          },
        ]}
      />
    </Space>
  );
}
