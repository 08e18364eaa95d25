import { App, Button, Card, Descriptions, Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import {
  type MaintenanceDetail,
  type MaintenanceStep,
  useMaintenanceStep,
  useMaintenanceWindow,
} from '../../api/hooks/operations';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type MessageKey, useI18n } from '../../i18n';
import { MAINTENANCE_COLOURS } from './MaintenancePage';

type UnitRow = MaintenanceDetail['units'][number];

/**
 * One maintenance window and its workflow (JQ 13): the authority notifies the affected units, each confirms or
 * objects, the authority agrees the window or refuses it. Every party sees the buttons of its own step only.
 */
export function MaintenanceWindowPage() {
  const { id } = useParams();
  const { t } = useI18n();
  const { message } = App.useApp();
  const windowQuery = useMaintenanceWindow(id);
  const step = useMaintenanceStep();
  const canDecide = useCan('maintenance:decide');
  const canRespond = useCan('maintenance:respond');
  const [note, setNote] = useState('');
  if (windowQuery.isLoading) return <PageLoading />;
  if (windowQuery.error || !windowQuery.data)
    return <ApiErrorAlert error={windowQuery.error} onRetry={() => windowQuery.refetch()} />;
  const m = windowQuery.data;
  const done = (what: string) => () => {
    setNote('');
    message.success(t('ops.done', { what }));
  };
  const unanswered = m.units.some((u) => u.answer === null);
  const withNote = { id: m.id, note: note || null };
  // the buttons of the caller's own step: the authority notifies, then agrees or refuses; a unit confirms or objects
  const actions: { label: MessageKey; danger?: boolean; step: MaintenanceStep }[] = [
    ...(canDecide && m.status === 'applied'
      ? [{ label: 'ops.maintenance.notify' as const, step: { id: m.id, step: 'notify' as const } }]
      : []),
    ...(canRespond && m.status === 'consulting' && unanswered
      ? [
          {
            label: 'ops.maintenance.confirm' as const,
            step: { ...withNote, step: 'answer' as const, answer: 'confirmed' as const },
          },
          {
            label: 'ops.maintenance.object' as const,
            danger: true,
            step: { ...withNote, step: 'answer' as const, answer: 'objected' as const },
          },
        ]
      : []),
    ...(canDecide && m.status === 'consulting'
      ? [
          {
            label: 'ops.maintenance.agree' as const,
            step: { ...withNote, step: 'decide' as const, decision: 'agree' as const },
          },
          {
            label: 'ops.maintenance.refuse' as const,
            danger: true,
            step: { ...withNote, step: 'decide' as const, decision: 'refuse' as const },
          },
        ]
      : []),
  ];
  return (
    <>
      <PageHeader title={m.title} description={`${m.number} · ${m.provider.name}`} />
      {step.error ? <ApiErrorAlert error={step.error} compact /> : null}
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={2} size="small">
          <Descriptions.Item label={t('ops.col.status')}>
            <Tag color={MAINTENANCE_COLOURS[m.status]}>{t(`ops.maintenance.status.${m.status}` as MessageKey)}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.col.kind')}>
            {t(`ops.maintenance.kind.${m.kind}` as MessageKey)}
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.window')}>
            <DateTime value={m.startsAt} format="YYYY-MM-DD HH:mm" /> ~{' '}
            <DateTime value={m.endsAt} format="YYYY-MM-DD HH:mm" />
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.scope')}>{m.zone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.affected')}>{m.affectedResources}</Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.leadTime')}>
            {m.leadTime
              ? t('ops.maintenance.leadTimeText', {
                  days: m.leadTime.workingDays,
                  article: m.leadTime.article ?? '',
                })
              : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.impact')} span={2}>
            <span style={{ whiteSpace: 'pre-wrap' }}>{m.impact}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.applied')}>
            {m.appliedByName} · <DateTime value={m.appliedAt} />
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.maintenance.decided')}>
            {m.decidedBy ? (
              <>
                {m.decidedByName} · <DateTime value={m.decidedAt} />
                {m.decisionNote ? `：${m.decisionNote}` : ''}
              </>
            ) : (
              '—'
            )}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('ops.maintenance.units')} style={{ marginBottom: 16 }}>
        <Table<UnitRow>
          rowKey={(u) => u.unit.id}
          pagination={false}
          dataSource={m.units}
          columns={[
            {
              key: 'unit',
              title: t('ops.col.unit'),
              // a provider reads a unit's name once the authority has notified it (it sees no unit's organisation)
              render: (_, u) =>
                u.unit.name || <Typography.Text type="secondary">{t('ops.maintenance.unitHidden')}</Typography.Text>,
            },
            { key: 'resources', title: t('ops.maintenance.affected'), render: (_, u) => u.resourceIds.length },
            {
              key: 'notified',
              title: t('ops.maintenance.notifiedAt'),
              render: (_, u) => <DateTime value={u.notifiedAt} />,
            },
            {
              key: 'answer',
              title: t('ops.maintenance.answer'),
              render: (_, u) =>
                u.answer === null ? (
                  <Typography.Text type="secondary">{t('ops.maintenance.answer.none')}</Typography.Text>
                ) : (
                  <Tag color={u.answer === 'confirmed' ? 'green' : 'red'}>
                    {t(`ops.maintenance.answer.${u.answer}` as MessageKey)}
                  </Tag>
                ),
            },
            { key: 'note', title: t('ops.maintenance.answerNote'), render: (_, u) => u.answerNote ?? '—' },
          ]}
        />
      </Card>
      {actions.length > 0 ? (
        <Card title={t('ops.maintenance.act')}>
          <Space direction="vertical" style={{ width: '100%' }}>
            {m.status === 'consulting' ? (
              <Input.TextArea
                rows={2}
                maxLength={1000}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                placeholder={t('ops.maintenance.notePlaceholder')}
                aria-label={t('ops.maintenance.answerNote')}
              />
            ) : null}
            <Space>
              {actions.map((a) => (
                <Button
                  key={a.label}
                  type={a.danger ? 'default' : 'primary'}
                  danger={a.danger}
                  loading={step.isPending}
                  onClick={() => step.mutate(a.step, { onSuccess: done(t(a.label)) })}
                >
                  {t(a.label)}
                </Button>
              ))}
            </Space>
          </Space>
        </Card>
      ) : null}
    </>
  );
}
