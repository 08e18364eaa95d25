import { Button, Card, Descriptions, Flex, Table, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { useCatalogue } from '../../api/hooks/catalogue';
import { type ResourceDetail, useResource } from '../../api/hooks/inventory';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { specInWords } from '../../components/specification';
import { type MessageKey, useI18n } from '../../i18n';
import { dimensionLabel } from '../projects/labels';
import { STATE_COLOURS } from './InventoryPage';
import { ResourceUsage } from './ResourceUsage';

/** Where a lifecycle event came from, in words (the code stays in the API). */
const SOURCES: Record<string, [string, string]> = {
  receipt: ['交付回执', 'Delivery receipt'],
  expiry: ['到期回收', 'Expiry'],
  seed: ['初始数据', 'Initial data'],
};

/** The order form about one resource: the type, the order that delivered it, the resource itself. */
function actionUrl(type: 'scale_up' | 'extension' | 'reclaim', r: ResourceDetail): string {
  const q = new URLSearchParams({ type, parent: r.orderId ?? '', resource: r.id });
  return `/orders/new?${q.toString()}`;
}

/** One resource: where it belongs, its specification history and its lifecycle events. */
export function ResourcePage() {
  const { t, language } = useI18n();
  const spec = (v: Record<string, unknown>) => specInWords(v, language) || '—';
  const json = (v: Record<string, unknown>) =>
    Object.entries(v)
      .map(([k, x]) => `${dimensionLabel(k, language)} ${String(x)}`)
      .join(' · ') || '—';
  const sourceOf = (source: string) => {
    const known = SOURCES[source];
    return known ? known[language === 'en-US' ? 1 : 0] : t('auditObject.other');
  };
  const { id } = useParams();
  const resource = useResource(id);
  const canReadOrders = useCan('order:read');
  const canPlace = useCan('order:place');
  const canMonitor = useCan('monitoring:read');
  const me = useSession();
  const navigate = useNavigate();
  const catalogue = useCatalogue(undefined);
  if (resource.error) return <ApiErrorAlert error={resource.error} onRetry={() => resource.refetch()} />;
  if (!resource.data) return <PageLoading />;
  const r = resource.data;
  return (
    <>
      <PageHeader
        title={
          <Flex gap={8} align="center">
            {r.name}
            <Tag color={STATE_COLOURS[r.state]}>{t(`inventory.states.${r.state}` as MessageKey)}</Tag>
          </Flex>
        }
        description={r.externalId ? <span data-verbatim>{r.externalId}</span> : undefined}
        extra={
          // What the unit does with its resource (issue 16): each opens the order form about this resource.
          canPlace && r.orderId && r.state === 'active' && r.organisationId === me.organisation.id ? (
            <Flex gap={8} wrap data-testid="resource-actions">
              <Button type="primary" onClick={() => void navigate(actionUrl('scale_up', r))}>
                {t('resource.actions.scaleUp')}
              </Button>
              {r.expiresOn && (
                <Button onClick={() => void navigate(actionUrl('extension', r))}>{t('resource.actions.extend')}</Button>
              )}
              <Button danger onClick={() => void navigate(actionUrl('reclaim', r))}>
                {t('resource.actions.reclaim')}
              </Button>
            </Flex>
          ) : undefined
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('inventory.unit')}>{r.unitName ?? r.organisationId}</Descriptions.Item>
          <Descriptions.Item label={t('inventory.provider')}>{r.providerName ?? r.providerId}</Descriptions.Item>
          <Descriptions.Item label={t('inventory.item')}>
            {(() => {
              const item = catalogue.data?.items.find((i) => i.code === r.catalogueItemCode);
              return item ? (language === 'en-US' ? item.nameEn : item.name) : r.catalogueItemCode;
            })()}
          </Descriptions.Item>
          <Descriptions.Item label={t('inventory.zone')}>{r.zone ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('inventory.addresses')}>{r.addresses.join(', ') || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('inventory.purpose')}>
            {t(`inventory.purposes.${r.purpose}` as MessageKey)}
          </Descriptions.Item>
          <Descriptions.Item label={t('inventory.specification')}>{spec(r.specification)}</Descriptions.Item>
          <Descriptions.Item label={t('inventory.quantities')}>{json(r.quantities)}</Descriptions.Item>
          <Descriptions.Item label={t('inventory.deliveredAt')}>
            <DateTime value={r.deliveredAt} />
          </Descriptions.Item>
          <Descriptions.Item label={t('inventory.expiresOn')}>{r.expiresOn ?? '—'}</Descriptions.Item>
          {r.orderId && canReadOrders ? (
            <Descriptions.Item label={t('inventory.order')}>
              <Link to={`/orders/${r.orderId}`}>{t('inventory.viewOrder')}</Link>
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      </Card>
      {canMonitor && <ResourceUsage resourceId={r.id} />}
      <Card title={t('inventory.intervals')} style={{ marginBottom: 16 }}>
        <Table<ResourceDetail['intervals'][number]>
          rowKey="validFrom"
          size="small"
          pagination={false}
          dataSource={r.intervals}
          columns={[
            { key: 'from', title: t('inventory.validFrom'), render: (_, i) => <DateTime value={i.validFrom} /> },
            {
              key: 'to',
              title: t('inventory.validTo'),
              render: (_, i) =>
                i.validTo ? <DateTime value={i.validTo} /> : <Tag color="green">{t('inventory.current')}</Tag>,
            },
            { key: 'spec', title: t('inventory.specification'), render: (_, i) => spec(i.specification) },
            { key: 'q', title: t('inventory.quantities'), render: (_, i) => json(i.quantities) },
          ]}
        />
      </Card>
      <Card title={t('inventory.events')}>
        <Table<ResourceDetail['events'][number]>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={r.events}
          columns={[
            { key: 'at', title: t('inventory.occurredAt'), render: (_, e) => <DateTime value={e.occurredAt} /> },
            {
              key: 'kind',
              title: t('inventory.eventKind'),
              render: (_, e) => t(`inventory.eventKinds.${e.kind}` as MessageKey),
            },
            { key: 'q', title: t('inventory.quantities'), render: (_, e) => json(e.quantities) },
            {
              key: 'source',
              title: t('inventory.source'),
              render: (_, e) => (
                <Typography.Text type="secondary">
                  {sourceOf(e.source)}
                  {e.reference ? ` · ${e.reference}` : ''} · {e.actorName ?? t('inventory.actor.system')}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
