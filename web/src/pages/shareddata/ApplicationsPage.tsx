import {
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Input,
  InputNumber,
  Modal,
  Space,
  Table,
  Tabs,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import {
  type Grant,
  type GrantAction,
  useApplications,
  useFieldMeanings,
  useGrantAction,
} from '../../api/hooks/shared-data';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { failureText, GrantTag, meaningsOf } from './shared';

const VIEWS = ['mine', 'provider', 'review', 'all'] as const;
type View = (typeof VIEWS)[number];

interface Decision {
  grant: Grant;
  fields: string[];
  period: [Dayjs, Dayjs];
  rate: number | null;
  reason: string;
}

interface Reasoned {
  grant: Grant;
  title: string;
  action: (reason: string) => GrantAction;
}

/**
 * Applications and grants, per role: the applying unit's own (withdraw), those for the unit's data (approve
 * some fields, a period and a rate, or refuse; revoke), the ops unit's review of conditional grants (and
 * revocation), and everything in the jurisdiction. The server checks every step again.
 */
export function ApplicationsPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canApply = useCan('shared-data:apply');
  const canAuthorise = useCan('shared-data:authorise');
  const canReview = useCan('shared-data:review');
  const canRevoke = useCan('shared-data:revoke');
  const canTrace = useCan('shared-data:trace');
  const [params, setParams] = useSearchParams();
  const views: View[] = [
    ...(canApply ? (['mine'] as const) : []),
    ...(canAuthorise ? (['provider'] as const) : []),
    ...(canReview ? (['review'] as const) : []),
    ...(canReview || (!canApply && canTrace) ? (['all'] as const) : []),
  ];
  const requested = params.get('tab') as View | null;
  const view: View = requested && views.includes(requested) ? requested : (views[0] ?? 'mine');
  const [page, setPage] = useState({ limit: 20, offset: 0 });
  const list = useApplications({ view, ...page });
  const meanings = useFieldMeanings((list.data?.items ?? []).map((g) => g.resourceId));
  const act = useGrantAction();
  const [decision, setDecision] = useState<Decision | null>(null);
  const [reasoned, setReasoned] = useState<Reasoned | null>(null);
  const [reason, setReason] = useState('');
  const run = (id: string, a: GrantAction, after: () => void) =>
    act.mutate(
      { id, ...a },
      {
        onSuccess: () => {
          message.success(t('sd.apps.done'));
          after();
        },
        onError: (err) => message.error(failureText(err, language)),
      },
    );
  const askReason = (grant: Grant, title: string, action: (reason: string) => GrantAction) => {
    setReason('');
    setReasoned({ grant, title, action });
  };
  const buttons = (g: Grant) => (
    <Space wrap size={4}>
      {view === 'provider' && g.status === 'pending_provider' ? (
        <>
          <Button
            size="small"
            type="primary"
            onClick={() =>
              setDecision({
                grant: g,
                fields: g.requestedFields,
                period: [dayjs(g.requestedFrom), dayjs(g.requestedTo)],
                rate: null,
                reason: '',
              })
            }
          >
            {t('sd.apps.approve')}
          </Button>
          <Button
            size="small"
            danger
            onClick={() =>
              askReason(g, t('sd.apps.refuse'), (r) => ({ action: 'decision', decision: 'refuse', reason: r }))
            }
          >
            {t('sd.apps.refuse')}
          </Button>
        </>
      ) : null}
      {(view === 'review' || view === 'all') && canReview && g.status === 'pending_ops' ? (
        <>
          <Button
            size="small"
            type="primary"
            loading={act.isPending}
            onClick={() => run(g.id, { action: 'review', decision: 'approve', reason: null }, () => {})}
          >
            {t('sd.apps.reviewApprove')}
          </Button>
          <Button
            size="small"
            danger
            onClick={() =>
              askReason(g, t('sd.apps.reviewRefuse'), (r) => ({ action: 'review', decision: 'refuse', reason: r }))
            }
          >
            {t('sd.apps.reviewRefuse')}
          </Button>
        </>
      ) : null}
      {view === 'mine' && (g.status === 'pending_provider' || g.status === 'pending_ops') ? (
        <Button size="small" onClick={() => run(g.id, { action: 'withdraw' }, () => {})}>
          {t('sd.apps.withdraw')}
        </Button>
      ) : null}
      {view !== 'mine' && canRevoke && g.status === 'active' && !g.expired ? (
        <Button
          size="small"
          danger
          onClick={() => askReason(g, t('sd.apps.revoke'), (r) => ({ action: 'revoke', reason: r }))}
        >
          {t('sd.apps.revoke')}
        </Button>
      ) : null}
    </Space>
  );
  const decisionMeanings = decision ? meanings.get(decision.grant.resourceId) : undefined;
  return (
    <>
      <PageHeader title={t('sd.apps.title')} description={t('sd.apps.description')} />
      <Card>
        <Tabs
          activeKey={view}
          onChange={(key) => {
            setPage((p) => ({ ...p, offset: 0 }));
            setParams({ tab: key }, { replace: true });
          }}
          items={views.map((v) => ({ key: v, label: t(`sd.apps.${v}`) }))}
        />
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<Grant>
          rowKey="id"
          scroll={{ x: 1400 }}
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          expandable={{
            expandedRowRender: (g) => (
              <Space direction="vertical" size={4}>
                <span>
                  {t('sd.apps.fields')}：{meaningsOf(g.grantedFields ?? g.requestedFields, meanings.get(g.resourceId))}
                  {g.grantedFields ? `（${t('sd.apps.asked', { n: g.requestedFields.length })}）` : ''}
                </span>
                {g.providerComment ? <span>{g.providerComment}</span> : null}
                {g.refusalReason ? (
                  <Typography.Text type="danger">
                    {t(`sd.apps.refusalBy.${g.refusedBy ?? 'provider'}`)}：{g.refusalReason}
                  </Typography.Text>
                ) : null}
                {g.endReason ? <Typography.Text type="secondary">{g.endReason}</Typography.Text> : null}
              </Space>
            ),
          }}
          columns={[
            {
              key: 'resource',
              title: t('sd.apps.resource'),
              width: 200,
              render: (_, g) => <Link to={`/shared-data/resources/${g.resourceId}`}>{g.resourceName}</Link>,
            },
            {
              key: 'party',
              title: view === 'mine' ? t('sd.col.provider') : t('sd.apps.consumer'),
              width: 170,
              render: (_, g) => (view === 'mine' ? g.providerName : g.consumerName),
            },
            { key: 'project', title: t('sd.apps.project'), dataIndex: 'projectName', width: 170 },
            {
              key: 'purpose',
              title: t('sd.apps.purpose'),
              render: (_, g) => (
                <Typography.Text ellipsis style={{ maxWidth: 220 }}>
                  {g.purpose}
                </Typography.Text>
              ),
            },
            {
              key: 'fields',
              title: t('sd.apps.fields'),
              render: (_, g) =>
                g.grantedFields
                  ? t('sd.apps.granted', { n: g.grantedFields.length })
                  : t('sd.apps.asked', { n: g.requestedFields.length }),
            },
            {
              key: 'period',
              title: t('sd.apps.period'),
              render: (_, g) => (
                <span style={{ whiteSpace: 'nowrap' }}>
                  {g.validFrom ?? g.requestedFrom} – {g.validTo ?? g.requestedTo}
                </span>
              ),
            },
            {
              key: 'rate',
              title: t('sd.apps.rate'),
              render: (_, g) =>
                g.rateLimitPerMinute ? t('sd.perMinute', { n: g.rateLimitPerMinute }) : t('sd.noLimit'),
            },
            { key: 'status', title: t('sd.apps.status'), render: (_, g) => <GrantTag grant={g} /> },
            {
              key: 'applied',
              title: t('sd.apps.appliedAt'),
              render: (_, g) => <DateTime value={g.appliedAt} format="YYYY-MM-DD HH:mm" />,
            },
            { key: 'actions', title: '', fixed: 'right', width: 180, render: (_, g) => buttons(g) },
          ]}
        />
      </Card>
      <Modal
        open={decision !== null}
        title={`${t('sd.apps.approve')}：${decision?.grant.resourceName ?? ''}`}
        okButtonProps={{ disabled: (decision?.fields.length ?? 0) === 0, loading: act.isPending }}
        onCancel={() => setDecision(null)}
        onOk={() =>
          decision &&
          run(
            decision.grant.id,
            {
              action: 'decision',
              decision: 'approve',
              fields: decision.fields,
              validFrom: decision.period[0].format('YYYY-MM-DD'),
              validTo: decision.period[1].format('YYYY-MM-DD'),
              rateLimitPerMinute: decision.rate,
              reason: decision.reason || null,
            },
            () => setDecision(null),
          )
        }
      >
        {decision ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text>{t('sd.apps.grantFields')}</Typography.Text>
            {/* each change from the state it follows, not from this render's: quick clicks must not undo one another */}
            <Checkbox.Group
              value={decision.fields}
              onChange={(v) => setDecision((d) => d && { ...d, fields: v as string[] })}
              options={decision.grant.requestedFields.map((f) => ({ value: f, label: decisionMeanings?.get(f) ?? f }))}
            />
            <Typography.Text>{t('sd.apps.period')}</Typography.Text>
            <DatePicker.RangePicker
              value={decision.period}
              minDate={dayjs(decision.grant.requestedFrom)}
              maxDate={dayjs(decision.grant.requestedTo)}
              onChange={(v) => {
                const [from, to] = v ?? [];
                if (from && to) setDecision((d) => d && { ...d, period: [from, to] });
              }}
            />
            <Typography.Text>{t('sd.apps.rate')}</Typography.Text>
            <InputNumber
              min={1}
              max={100000}
              value={decision.rate}
              aria-label={t('sd.apps.rate')}
              onChange={(v) => setDecision((d) => d && { ...d, rate: v ?? null })}
            />
            <Typography.Text>{t('sd.entry.comment')}</Typography.Text>
            <Input.TextArea
              rows={2}
              value={decision.reason}
              aria-label={t('sd.entry.comment')}
              onChange={(e) => {
                const reason = e.target.value;
                setDecision((d) => d && { ...d, reason });
              }}
            />
          </Space>
        ) : null}
      </Modal>
      <Modal
        open={reasoned !== null}
        title={reasoned ? `${reasoned.title}：${reasoned.grant.resourceName}` : ''}
        okButtonProps={{ disabled: !reason.trim(), loading: act.isPending }}
        onCancel={() => setReasoned(null)}
        onOk={() => reasoned && run(reasoned.grant.id, reasoned.action(reason.trim()), () => setReasoned(null))}
      >
        <Typography.Paragraph>{t('sd.apps.reason')}</Typography.Paragraph>
        <Input.TextArea
          rows={3}
          value={reason}
          aria-label={t('sd.apps.reason')}
          onChange={(e) => setReason(e.target.value)}
        />
      </Modal>
    </>
  );
}
