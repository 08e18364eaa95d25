import {
  Alert,
  App,
  Badge,
  Button,
  Card,
  Flex,
  Input,
  Modal,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, localiseServerText } from '../../api/errors';
import { type Decision, type InboxItem, useBatchAct, useInbox } from '../../api/hooks/orders';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { RoleTag } from '../../components/RoleTag';
import { useI18n } from '../../i18n';
import { cardColumns } from '../cardColumns';
import { StepDue, useStepName } from './StepDue';

/** The steps waiting for me, by due time (overdue first, in red), with batch approve / reject. */
export function InboxPage() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const stepName = useStepName();
  const inbox = useInbox();
  const batch = useBatchAct();
  const [selected, setSelected] = useState<string[]>([]);
  const [decision, setDecision] = useState<Extract<Decision, 'approve' | 'reject'> | undefined>(undefined);
  const [comment, setComment] = useState('');
  const [failures, setFailures] = useState<{ orderId: string; detail?: string }[]>([]);
  const items = inbox.data?.items ?? [];

  const submit = () => {
    if (!decision) return;
    const chosen = items.filter((i) => selected.includes(i.orderId));
    batch.mutate(
      chosen.map((i) => ({ orderId: i.orderId, decision, stepKey: i.step.key, comment: comment.trim() || undefined })),
      {
        onSuccess: ({ results }) => {
          const ok = results.filter((r) => r.ok).length;
          const failed = results.filter((r) => !r.ok);
          setFailures(failed.map((r) => ({ orderId: r.orderId, detail: r.detail })));
          void (failed.length ? message.warning : message.success)(
            t('orders.inbox.batchDone', { ok, failed: failed.length }),
          );
          setSelected([]);
          setDecision(undefined);
          setComment('');
        },
        onError: (error) =>
          void message.error(
            error instanceof ApiError ? localiseServerText(error.detail ?? error.title, language) : String(error),
          ),
      },
    );
  };

  const numberOf = (orderId: string) => items.find((i) => i.orderId === orderId)?.orderNumber ?? orderId;
  const columns: TableColumnsType<InboxItem> = [
    {
      key: 'number',
      title: t('orders.number'),
      render: (_, i) => <Link to={`/orders/${i.orderId}`}>{i.orderNumber}</Link>,
    },
    { key: 'title', title: t('orders.title'), dataIndex: 'orderTitle' },
    { key: 'type', title: t('orders.type'), render: (_, i) => t(`orders.types.${i.orderType as 'new_resources'}`) },
    {
      key: 'step',
      title: t('orders.step'),
      render: (_, i) => (
        <Flex gap={4} align="center">
          {stepName(i.step.name)} <RoleTag role={i.step.role} />
          {i.ownRequest && <Tag>{t('orders.inbox.own')}</Tag>}
        </Flex>
      ),
    },
    { key: 'due', title: t('orders.due'), render: (_, i) => <StepDue step={i.step} /> },
  ];

  return (
    <>
      <PageHeader
        title={
          <Flex gap={8} align="center">
            {t('orders.nav.inbox')}
            {(inbox.data?.overdue ?? 0) > 0 && (
              <Badge count={inbox.data?.overdue} title={t('orders.overdue')} data-testid="inbox-overdue" />
            )}
          </Flex>
        }
        description={t('orders.inbox.description')}
        extra={
          <Flex gap={8}>
            <Button type="primary" disabled={selected.length === 0} onClick={() => setDecision('approve')}>
              {t('orders.inbox.approveSelected', { n: selected.length })}
            </Button>
            <Button danger disabled={selected.length === 0} onClick={() => setDecision('reject')}>
              {t('orders.inbox.rejectSelected', { n: selected.length })}
            </Button>
          </Flex>
        }
      />
      {failures.length > 0 && (
        <Alert
          type="warning"
          showIcon
          closable
          onClose={() => setFailures([])}
          style={{ marginBottom: 16 }}
          title={t('orders.inbox.someFailed')}
          description={
            <ul style={{ margin: 0 }}>
              {failures.map((f) => (
                <li key={f.orderId}>
                  {numberOf(f.orderId)}: {f.detail ? localiseServerText(f.detail, language) : ''}
                </li>
              ))}
            </ul>
          }
        />
      )}
      <Card>
        {inbox.isError ? (
          <ApiErrorAlert error={inbox.error} onRetry={() => void inbox.refetch()} />
        ) : (
          <Table<InboxItem>
            rowKey="orderId"
            loading={inbox.isPending}
            columns={cardColumns(columns)}
            dataSource={items}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: t('orders.inbox.empty') }}
            rowSelection={{
              selectedRowKeys: selected,
              onChange: (keys) => setSelected(keys as string[]),
              getCheckboxProps: (i) => ({ disabled: i.ownRequest, name: i.orderNumber }),
            }}
            onRow={(i) => ({ style: i.step.overdue ? { background: '#fff1f0' } : undefined })}
          />
        )}
      </Card>
      {decision && (
        <Modal
          open
          title={t(`orders.confirm.${decision}`)}
          okText={t('common.confirm')}
          cancelText={t('common.cancel')}
          okButtonProps={{ danger: decision === 'reject' }}
          confirmLoading={batch.isPending}
          onOk={submit}
          onCancel={() => setDecision(undefined)}
        >
          <Typography.Paragraph>{t('orders.inbox.selected', { n: selected.length })}</Typography.Paragraph>
          <Input.TextArea
            rows={3}
            placeholder={t('orders.comment')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={2000}
          />
        </Modal>
      )}
    </>
  );
}
