import { Button, Card, Descriptions, Form, Input, Rate, Space, Timeline, Typography } from 'antd';
import { useParams } from 'react-router';
import { useConfirmTicket, useResolveTicket, useRespondTicket, useTicket } from '../../api/hooks/operations';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type MessageKey, useI18n } from '../../i18n';
import { ResolutionTag, ResponseTag, TicketStatusTag } from './shared';

export function TicketPage() {
  const { id } = useParams();
  const { t } = useI18n();
  const ticket = useTicket(id);
  const canWork = useCan('ticket:work');
  const canOpen = useCan('ticket:open');
  const respond = useRespondTicket();
  const resolve = useResolveTicket();
  const confirm = useConfirmTicket();
  const [answerForm] = Form.useForm<{ body: string }>();
  const [confirmForm] = Form.useForm<{ satisfaction: number; comment?: string }>();
  if (ticket.isLoading) return <PageLoading />;
  if (ticket.error || !ticket.data) return <ApiErrorAlert error={ticket.error} onRetry={() => ticket.refetch()} />;
  const tk = ticket.data;
  const r = tk.response;
  const open = tk.status === 'open' || tk.status === 'responded';
  const mutationError = respond.error ?? resolve.error ?? confirm.error;
  return (
    <>
      <PageHeader title={tk.subject} description={`${tk.number} · ${tk.unit.name} → ${tk.provider.name}`} />
      {mutationError && <ApiErrorAlert error={mutationError} compact />}
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={2} size="small">
          <Descriptions.Item label={t('ops.col.status')}>
            <TicketStatusTag status={tk.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.col.response')}>
            <Space>
              <ResponseTag response={r} />
              {r.respondedInSeconds !== null && t('ops.ticket.respondedIn', { seconds: r.respondedInSeconds })}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.col.kind')}>{t(`ops.kind.${tk.kind}` as MessageKey)}</Descriptions.Item>
          <Descriptions.Item label={t('ops.col.priority')}>
            {t(`ops.priority.${tk.priority}` as MessageKey)}
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.form.resource')}>{tk.resource?.name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('ops.col.system')}>{tk.system?.name ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('ops.col.due')}>
            <Space>
              <DateTime value={r.dueAt} />
              {r.targetMinutes !== null && (
                <CitedText text={t('ops.ticket.target', { minutes: r.targetMinutes, article: r.article ?? '' })} />
              )}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('ops.col.resolution')}>
            <Space wrap>
              <ResolutionTag target={tk.resolutionTarget} />
              <DateTime value={tk.resolutionTarget.dueAt} />
              {tk.resolutionTarget.targetHours !== null &&
                (tk.resolutionTarget.workingTime === null
                  ? t('ops.ticket.resolutionTarget', { hours: tk.resolutionTarget.targetHours })
                  : t('ops.ticket.resolutionWorkingTarget', {
                      hours: tk.resolutionTarget.targetHours,
                      from: tk.resolutionTarget.workingTime.startHour,
                      to: tk.resolutionTarget.workingTime.startHour + tk.resolutionTarget.workingTime.hoursPerDay,
                    }))}
              {tk.resolutionTarget.resolvedInSeconds !== null &&
                t('ops.ticket.resolvedIn', {
                  hours: Math.floor(tk.resolutionTarget.resolvedInSeconds / 3600),
                  minutes: Math.floor((tk.resolutionTarget.resolvedInSeconds % 3600) / 60),
                })}
            </Space>
          </Descriptions.Item>
          {tk.resolutionTarget.targetHours !== null && (
            <Descriptions.Item label={t('ops.ticket.resolutionBasis')}>
              {t('ops.ticket.resolutionDefault')}
              {tk.resolutionTarget.article ? <CitedText text={`（${tk.resolutionTarget.article}）`} /> : ''}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('ops.col.created')}>
            <DateTime value={tk.createdAt} />
          </Descriptions.Item>
          {tk.satisfaction !== null && (
            <Descriptions.Item label={t('ops.ticket.satisfaction')}>
              <Rate disabled value={tk.satisfaction} /> {tk.satisfactionComment}
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      <Card title={t('ops.ticket.history')} style={{ marginBottom: 16 }}>
        <Timeline
          items={tk.entries.map((e) => ({
            color: e.kind === 'escalation' ? 'red' : e.kind === 'opened' ? 'gray' : 'blue',
            children: (
              <>
                <Typography.Text strong>{t(`ops.entry.${e.kind}` as MessageKey)}</Typography.Text>{' '}
                <Typography.Text type="secondary">
                  {e.authorName} · <DateTime value={e.at} />
                </Typography.Text>
                <div style={{ whiteSpace: 'pre-wrap' }}>{e.body}</div>
              </>
            ),
          }))}
        />
      </Card>
      {canWork && open && (
        <Card title={t('ops.ticket.answer')}>
          <Form
            form={answerForm}
            layout="vertical"
            onFinish={async ({ body }) => {
              await respond.mutateAsync({ id: tk.id, body });
              answerForm.resetFields();
            }}
          >
            <Form.Item name="body" label={t('ops.ticket.answerLabel')} rules={[{ required: true, max: 5000 }]}>
              <Input.TextArea rows={3} />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" loading={respond.isPending}>
                {t('ops.ticket.send')}
              </Button>
              <Button
                loading={resolve.isPending}
                onClick={async () => {
                  const body = answerForm.getFieldValue('body') as string | undefined;
                  if (!body?.trim()) return answerForm.validateFields();
                  await resolve.mutateAsync({ id: tk.id, resolution: body });
                  answerForm.resetFields();
                }}
              >
                {t('ops.ticket.resolve')}
              </Button>
            </Space>
          </Form>
        </Card>
      )}
      {canOpen && tk.status === 'resolved' && (
        <Card title={t('ops.ticket.confirm')}>
          <Form
            form={confirmForm}
            layout="vertical"
            onFinish={(v) => confirm.mutate({ id: tk.id, satisfaction: v.satisfaction, comment: v.comment ?? null })}
          >
            <Form.Item name="satisfaction" label={t('ops.ticket.satisfaction')} rules={[{ required: true }]}>
              <Rate />
            </Form.Item>
            <Form.Item name="comment" label={t('ops.ticket.comment')}>
              <Input.TextArea rows={2} maxLength={1000} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={confirm.isPending}>
              {t('ops.ticket.confirm')}
            </Button>
          </Form>
        </Card>
      )}
    </>
  );
}
