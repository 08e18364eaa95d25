import { App, Button, Card, Drawer, Input, Modal, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import {
  type Rectification,
  type RectificationStep,
  useMonitoringFinding,
  useRectificationStep,
  useRectifications,
} from '../../api/hooks/monitoring';
import { useOrganisations } from '../../api/hooks/organisations';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { type MessageKey, useI18n } from '../../i18n';
import { Evidence } from './Evidence';
import { EVIDENCE_DRAWER_STYLES, failureText, RECT_COLOR, RULE_COLOR } from './shared';

const FILTERS = ['all', 'proposed', 'warned', 'responded', 'accepted', 'consent_requested', 'escalated'] as const;
type Filter = (typeof FILTERS)[number];

interface Pending {
  id: string;
  step: Exclude<RectificationStep, 'decision'>;
  body: Record<string, string>;
  /** the button that opened the dialog, as its title */
  title: string;
  commentRequired: boolean;
}

/**
 * The warning -> rectification flow (SH 25), with each role's buttons: the ops reviewer (monitoring:manage)
 * accepts or rejects an answer, the authority (rectification:approve) approves or refuses a proposed warning
 * and consents to (or declines) the stop and reclaim at a missed deadline (SH 25) and reverses an escalation, the unit (rectification:respond) answers a warning. The server checks again.
 * One request per page: the list's rows carry unit, resource, rule and the overdue flag; state and unit
 * filters and paging are the server's.
 */
export function RectificationsTab() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canApprove = useCan('rectification:approve');
  const canRespond = useCan('rectification:respond');
  const canManage = useCan('monitoring:manage');
  const canReadOrganisations = useCan('organisation:read');
  const [filter, setFilter] = useState<Filter>('all');
  const [unit, setUnit] = useState<string | undefined>(undefined);
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const list = useRectifications({
    ...page,
    ...(filter === 'all' ? {} : { status: filter }),
    ...(unit ? { organisationId: unit } : {}),
  });
  // the units in the caller's scope (a unit sees itself and its sub-units): a filter only when there is a choice
  const units = useOrganisations({ type: 'using_unit' }, { enabled: canReadOrganisations }).data ?? [];
  const step = useRectificationStep();
  const [pending, setPending] = useState<Pending | null>(null);
  const [comment, setComment] = useState('');
  const [evidenceOf, setEvidenceOf] = useState<string | null>(null);
  const act = (id: string, s: RectificationStep, body: Record<string, string>, after?: () => void) =>
    step.mutate(
      { id, step: s, body },
      {
        onSuccess: () => {
          message.success(t('monitoring.saved'));
          after?.();
        },
        onError: (err) => message.error(failureText(err, language)),
      },
    );
  const ask = (p: Omit<Pending, 'commentRequired'> & { commentRequired?: boolean }) => {
    setComment('');
    setPending({ commentRequired: false, ...p });
  };
  return (
    <Card>
      <Space style={{ marginBottom: 16 }} wrap>
        <Segmented
          value={filter}
          onChange={(v) => {
            setFilter(v as Filter);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          options={FILTERS.map((f) => ({
            value: f,
            label: f === 'all' ? t('monitoring.all') : t(`monitoring.rect.${f}` as MessageKey),
          }))}
        />
        {units.length > 1 ? (
          <Select
            allowClear
            style={{ width: 260 }}
            aria-label={t('monitoring.unit')}
            placeholder={t('monitoring.allUnits')}
            showSearch={{ optionFilterProp: 'label' }}
            value={unit}
            onChange={(v?: string) => {
              setUnit(v);
              setPage((p) => ({ ...p, offset: 0 }));
            }}
            options={units.map((u) => ({ value: u.id, label: language === 'en-US' ? (u.nameEn ?? u.name) : u.name }))}
          />
        ) : null}
      </Space>
      {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
      <Table<Rectification>
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
          {
            key: 'status',
            title: t('monitoring.rectStatus'),
            render: (_, r) => <Tag color={RECT_COLOR[r.status]}>{t(`monitoring.rect.${r.status}` as MessageKey)}</Tag>,
          },
          {
            key: 'resource',
            title: t('monitoring.resource'),
            render: (_, r) => (
              <>
                {r.resourceName ?? r.resourceId}
                <br />
                <Typography.Text type="secondary">{r.organisationName ?? r.organisationId}</Typography.Text>
              </>
            ),
          },
          {
            key: 'rule',
            title: t('monitoring.rule'),
            render: (_, r) => <Tag color={RULE_COLOR[r.rule]}>{t(`monitoring.rules.${r.rule}` as MessageKey)}</Tag>,
          },
          { key: 'reason', title: t('monitoring.reason'), dataIndex: 'reason' },
          {
            key: 'proposed',
            title: t('monitoring.proposedAt'),
            render: (_, r) => (
              <>
                <DateTime value={r.proposedAt} />
                <br />
                <Typography.Text type="secondary">{r.proposedByName ?? t('monitoring.rect.system')}</Typography.Text>
              </>
            ),
          },
          {
            key: 'due',
            title: t('monitoring.dueDay'),
            render: (_, r) =>
              r.dueDay ? (
                <Space size={4} wrap>
                  <Typography.Text type={r.overdue ? 'danger' : undefined} style={{ whiteSpace: 'nowrap' }}>
                    {r.dueDay}
                  </Typography.Text>
                  {r.overdue ? <Tag color="red">{t('monitoring.overdue')}</Tag> : null}
                </Space>
              ) : (
                t('monitoring.workingDaysAfterApproval', { n: r.workingDays })
              ),
          },
          {
            key: 'response',
            title: t('monitoring.response'),
            render: (_, r) =>
              r.response ? (
                <>
                  <Tag>{t(`monitoring.action.${r.response.action}` as MessageKey)}</Tag>
                  {r.response.comment ?? ''}
                </>
              ) : (
                '—'
              ),
          },
          {
            key: 'review',
            title: t('monitoring.reviewComment'),
            render: (_, r) => r.review?.comment ?? r.reversal?.comment ?? '—',
          },
          {
            key: 'actions',
            title: t('monitoring.actions'),
            render: (_, r) => (
              <Space wrap>
                <Button size="small" onClick={() => setEvidenceOf(r.findingId)}>
                  {t('monitoring.evidence')}
                </Button>
                {canApprove && r.status === 'proposed' ? (
                  <>
                    <Button size="small" type="primary" onClick={() => act(r.id, 'decision', { decision: 'approve' })}>
                      {t('monitoring.approve')}
                    </Button>
                    <Button size="small" onClick={() => act(r.id, 'decision', { decision: 'refuse' })}>
                      {t('monitoring.refuse')}
                    </Button>
                  </>
                ) : null}
                {canRespond && r.status === 'warned'
                  ? (['justify', 'downsize', 'release'] as const).map((a) => (
                      <Button
                        key={a}
                        size="small"
                        onClick={() =>
                          ask({ id: r.id, step: 'response', body: { action: a }, title: t('monitoring.step.response') })
                        }
                      >
                        {t(`monitoring.action.${a}` as MessageKey)}
                      </Button>
                    ))
                  : null}
                {canManage && r.status === 'responded' ? (
                  <>
                    <Button
                      size="small"
                      type="primary"
                      onClick={() =>
                        ask({
                          id: r.id,
                          step: 'review',
                          body: { decision: 'accept' },
                          title: t('monitoring.step.review'),
                        })
                      }
                    >
                      {t('monitoring.accept')}
                    </Button>
                    <Button
                      size="small"
                      danger
                      onClick={() =>
                        ask({
                          id: r.id,
                          step: 'review',
                          body: { decision: 'reject' },
                          title: t('monitoring.step.review'),
                        })
                      }
                    >
                      {t('monitoring.reject')}
                    </Button>
                  </>
                ) : null}
                {canApprove && r.status === 'consent_requested' ? (
                  <>
                    <Button
                      size="small"
                      type="primary"
                      danger
                      onClick={() =>
                        ask({
                          id: r.id,
                          step: 'consent',
                          body: { decision: 'consent' },
                          title: t('monitoring.step.consent'),
                        })
                      }
                    >
                      {t('monitoring.consent')}
                    </Button>
                    <Button
                      size="small"
                      onClick={() =>
                        ask({
                          id: r.id,
                          step: 'consent',
                          body: { decision: 'decline' },
                          title: t('monitoring.step.consent'),
                        })
                      }
                    >
                      {t('monitoring.decline')}
                    </Button>
                  </>
                ) : null}
                {canApprove && r.status === 'escalated' ? (
                  <Button
                    size="small"
                    onClick={() =>
                      ask({
                        id: r.id,
                        step: 'reversal',
                        body: {},
                        title: t('monitoring.step.reversal'),
                        commentRequired: true,
                      })
                    }
                  >
                    {t('monitoring.reverse')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <Drawer
        open={evidenceOf !== null}
        size={760}
        title={t('monitoring.evidence')}
        onClose={() => setEvidenceOf(null)}
        styles={EVIDENCE_DRAWER_STYLES}
      >
        {evidenceOf ? <FindingEvidence findingId={evidenceOf} /> : null}
      </Drawer>
      <Modal
        open={pending !== null}
        title={pending?.title}
        okButtonProps={{ loading: step.isPending, disabled: pending?.commentRequired && comment.trim() === '' }}
        onCancel={() => setPending(null)}
        onOk={() =>
          pending &&
          act(pending.id, pending.step, { ...pending.body, ...(comment.trim() ? { comment } : {}) }, () =>
            setPending(null),
          )
        }
      >
        <Input.TextArea
          rows={3}
          aria-label={t('monitoring.comment')}
          placeholder={t('monitoring.comment')}
          value={comment}
          maxLength={2000}
          onChange={(e) => setComment(e.target.value)}
        />
      </Modal>
    </Card>
  );
}

function FindingEvidence({ findingId }: { findingId: string }) {
  const finding = useMonitoringFinding(findingId);
  if (finding.error) return <ApiErrorAlert error={finding.error} onRetry={() => finding.refetch()} />;
  return finding.data ? <Evidence finding={finding.data} /> : <Typography.Text type="secondary">…</Typography.Text>;
}
