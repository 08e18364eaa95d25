import {
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Popconfirm,
  Table,
  type TableColumnsType,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useParams } from 'react-router';
import { ApiError, localiseServerText } from '../../api/errors';
import { useCatalogue } from '../../api/hooks/catalogue';
import { useOrderFacts } from '../../api/hooks/order-facts';
import { type Order, type OrderStep, useCancelOrder, useOrder } from '../../api/hooks/orders';
import { usePolicyPacks } from '../../api/hooks/policy';

type Decision = 'approve' | 'reject' | 'return' | 'done' | 'failed' | 'cancelled';

import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { RoleTag } from '../../components/RoleTag';
import { specInWords } from '../../components/specification';
import { type MessageKey, useI18n } from '../../i18n';
import { OrderCapacityAlert } from '../libvirt/OrderCapacityAlert';
import { dimensionLabel } from '../projects/labels';
import { ActButtons } from './ActButtons';
import { OrderFactsCard } from './OrderFactsCard';
import { STATUS_COLOURS } from './OrdersPage';
import { MetTag, StepDue, useStepName } from './StepDue';

const STEP_COLOURS: Record<OrderStep['status'], string> = {
  pending: 'default',
  open: 'processing',
  done: 'green',
  rejected: 'red',
  skipped: 'default',
};

/** One order: its lines, and its timeline — every step with who acted, when, the deadline and whether it was met. */
export function OrderDetailPage() {
  const { id } = useParams();
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const canAct = useCan('order:act');
  const canPlace = useCan('order:place');
  const stepName = useStepName();
  const order = useOrder(id);
  const facts = useOrderFacts(id);
  const packs = usePolicyPacks();
  const catalogue = useCatalogue(undefined);
  const cancel = useCancelOrder();
  const seesCapacity = useCan('inventory:reconcile');

  if (order.isPending) return <PageLoading />;
  if (order.isError) return <ApiErrorAlert error={order.error} onRetry={() => void order.refetch()} />;
  const o: Order = order.data;
  const closed = ['completed', 'rejected', 'cancelled'].includes(o.status);
  const current = o.currentStep;
  // people by their display names (the facts' directory), never by user name
  const personName = (userId: string) => facts.data?.people.find((p) => p.id === userId)?.name ?? null;

  const stepColumns: TableColumnsType<OrderStep> = [
    { key: 'seq', title: '#', dataIndex: 'seq', width: 48 },
    { key: 'name', title: t('orders.step'), render: (_, s) => stepName(s.name) },
    { key: 'role', title: t('orders.role'), render: (_, s) => <RoleTag role={s.role} /> },
    {
      key: 'status',
      title: t('orders.status'),
      render: (_, s) => <Tag color={STEP_COLOURS[s.status]}>{t(`orders.stepStatuses.${s.status}`)}</Tag>,
    },
    {
      key: 'opened',
      title: t('orders.openedAt'),
      render: (_, s) => <DateTime value={s.openedAt} format="YYYY-MM-DD HH:mm" />,
    },
    { key: 'due', title: t('orders.due'), render: (_, s) => (s.status === 'pending' ? '—' : <StepDue step={s} />) },
    {
      key: 'actedBy',
      title: t('orders.actedBy'),
      render: (_, s) => (s.actedBy ? personName(s.actedBy) : null) ?? s.actedByName ?? '—',
    },
    {
      key: 'actedAt',
      title: t('orders.actedAt'),
      render: (_, s) => <DateTime value={s.actedAt} format="YYYY-MM-DD HH:mm" />,
    },
    {
      key: 'decision',
      title: t('orders.decision'),
      render: (_, s) => (
        <>
          {s.decision ? t(`orders.decisions.${s.decision as Decision}`) : '—'}
          {s.comment && (
            <div>
              <Typography.Text type="secondary">{localiseServerText(s.comment, language)}</Typography.Text>
            </div>
          )}
        </>
      ),
    },
    { key: 'met', title: t('orders.metColumn'), render: (_, s) => <MetTag step={s} /> },
  ];

  // names, not codes: catalogue items, steps and event kinds in words
  const itemName = (code: string) => {
    const item = catalogue.data?.items.find((x) => x.code === code);
    return item ? (language === 'en-US' ? item.nameEn : item.name) : code;
  };
  const stepOf = (key: string | null) => {
    const step = key ? o.steps.find((x) => x.key === key) : undefined;
    return step ? (language === 'en-US' ? step.name.en : step.name.zh) : null;
  };
  const eventLabel = (kind: string) =>
    (t(`orderEvent.${kind}` as MessageKey) as string | undefined) ?? t('audit.otherAction');
  return (
    <>
      <PageHeader
        title={`${o.number} · ${o.title}`}
        extra={
          <Flex gap={8}>
            {canAct && current && me.roles.includes(current.role) && (
              <ActButtons orderId={o.id} stepKey={current.key} />
            )}
            {canPlace && !closed && o.organisationId === me.organisation.id && (
              <Popconfirm
                title={t('orders.cancelConfirm')}
                okText={t('common.confirm')}
                cancelText={t('common.cancel')}
                onConfirm={() =>
                  cancel.mutateAsync({ id: o.id }).then(
                    () => void message.success(t('orders.cancelled')),
                    (error: unknown) =>
                      void message.error(
                        error instanceof ApiError
                          ? localiseServerText(error.detail ?? error.title, language)
                          : String(error),
                      ),
                  )
                }
              >
                <Button danger>{t('orders.cancel')}</Button>
              </Popconfirm>
            )}
          </Flex>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 3 }} size="small">
          <Descriptions.Item label={t('orders.type')}>{t(`orders.types.${o.type}`)}</Descriptions.Item>
          <Descriptions.Item label={t('orders.status')}>
            <Tag color={STATUS_COLOURS[o.status]} data-testid="order-status">
              {t(`orders.statuses.${o.status}`)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('orders.placedBy')}>
            {(o.placedBy ? personName(o.placedBy) : null) ?? o.placedByName ?? t(`orders.sources.${o.source}`)}
          </Descriptions.Item>
          <Descriptions.Item label={t('orders.submittedAt')}>
            <DateTime value={o.submittedAt} />
          </Descriptions.Item>
          <Descriptions.Item label={t('orders.pack')}>
            {packs.data?.find((p) => p.id === o.packId)?.title ?? o.packId ?? '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('orders.term')}>
            {o.termMonths ? t('orders.months', { n: o.termMonths }) : '—'}
            {o.expiresOn ? ` → ${o.expiresOn}` : ''}
          </Descriptions.Item>
          {o.reason && <Descriptions.Item label={t('orders.reason')}>{o.reason}</Descriptions.Item>}
          {o.quotaOverrun && (
            <Descriptions.Item label={t('orders.quotaOverrun')}>
              <Tag color="orange">
                <CitedText text="SH 20" />
              </Tag>
            </Descriptions.Item>
          )}
        </Descriptions>
      </Card>
      {facts.data && <OrderFactsCard facts={facts.data} />}
      {!closed && <OrderCapacityAlert orderId={o.id} enabled={seesCapacity} />}
      <Card title={t('orders.timeline')} style={{ marginBottom: 16 }}>
        <Table<OrderStep>
          rowKey="seq"
          size="small"
          columns={stepColumns}
          dataSource={o.steps}
          pagination={false}
          data-testid="order-steps"
          rowClassName={(s) => (s.overdue ? 'row-overdue' : '')}
        />
      </Card>
      <Flex gap={16} wrap>
        <Card title={t('orders.lines')} style={{ flex: 2, minWidth: 400 }}>
          <Table
            rowKey="lineNo"
            size="small"
            pagination={false}
            dataSource={o.lines}
            columns={[
              { key: 'no', title: '#', dataIndex: 'lineNo', width: 48 },
              { key: 'item', title: t('orders.item'), render: (_, l) => itemName(l.itemCode) },
              {
                key: 'spec',
                title: t('orders.specification'),
                render: (_, l) => specInWords(l.specification, language),
              },
              { key: 'qty', title: t('orders.quantity'), dataIndex: 'quantity' },
              {
                key: 'dims',
                title: t('orders.dimensions'),
                render: (_, l) =>
                  Object.entries(l.dimensions)
                    .map(([k, v]) => `${dimensionLabel(k, language)} ${v}`)
                    .join('，'),
              },
            ]}
          />
        </Card>
        <Card title={t('orders.events')} style={{ flex: 1, minWidth: 300 }}>
          <Timeline
            items={o.events.map((e) => ({
              key: `${e.at}-${e.kind}`,
              content: (
                <>
                  <Typography.Text strong>{eventLabel(e.kind)}</Typography.Text>{' '}
                  <DateTime value={e.at} format="MM-DD HH:mm" />
                  <div>
                    <Typography.Text type="secondary">
                      {[
                        (e.actorId ? personName(e.actorId) : null) ?? e.actorName,
                        stepOf(e.stepKey),
                        e.comment ? localiseServerText(e.comment, language) : null,
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </Typography.Text>
                  </div>
                </>
              ),
            }))}
          />
        </Card>
      </Flex>
    </>
  );
}
