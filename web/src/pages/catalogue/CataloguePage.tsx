import {
  Alert,
  Card,
  DatePicker,
  Descriptions,
  Flex,
  Segmented,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { localiseServerText } from '../../api/errors';
import { useCatalogue } from '../../api/hooks/catalogue';
import type { CatalogueItem, CatalogueLayer } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';
import { trimDecimal } from './decimal';

const LAYERS: readonly CatalogueLayer[] = ['IaaS', 'PaaS', 'SaaS'];
const LAYER_COLORS: Record<CatalogueLayer, string> = { IaaS: 'blue', PaaS: 'purple', SaaS: 'cyan' };

/** The service catalogue in force (today, or on a chosen day): services by layer with their unit prices. */
export function CataloguePage() {
  const { t, language } = useI18n();
  const [at, setAt] = useState<string | undefined>(undefined);
  const [layer, setLayer] = useState<CatalogueLayer | 'all'>('all');
  const catalogue = useCatalogue(at);
  const en = language === 'en-US';

  const items = useMemo(
    () => (catalogue.data?.items ?? []).filter((item) => layer === 'all' || item.layer === layer),
    [catalogue.data, layer],
  );

  const columns: TableColumnsType<CatalogueItem> = [
    {
      key: 'layer',
      title: t('catalogue.layer'),
      dataIndex: 'layer',
      render: (value: CatalogueLayer) => <Tag color={LAYER_COLORS[value]}>{value}</Tag>,
    },
    { key: 'category', title: t('catalogue.category'), dataIndex: 'category' },
    {
      key: 'name',
      title: t('catalogue.name'),
      render: (_, item) => (
        <div>
          <Typography.Text strong>{en ? item.nameEn : item.name}</Typography.Text>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {en ? item.name : item.nameEn} · {item.code}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    {
      key: 'specification',
      title: t('catalogue.specification'),
      render: (_, item) =>
        item.specification.length === 0 ? (
          '—'
        ) : (
          <Flex wrap gap={4} style={{ maxWidth: 280 }}>
            {item.specification.map((spec) => (
              <Tag key={spec.key} title={spec.key} style={{ marginInlineEnd: 0 }}>
                {en ? spec.labelEn : spec.label}
                {spec.unit ? ` (${spec.unit})` : ''}
              </Tag>
            ))}
          </Flex>
        ),
    },
    {
      key: 'prices',
      title: t('catalogue.prices'),
      render: (_, item) =>
        item.prices.length === 0 ? (
          '—'
        ) : (
          <Flex vertical gap={2}>
            {item.prices.map((price) => (
              <span key={price.dimension} title={price.dimension} style={{ whiteSpace: 'nowrap' }}>
                <Typography.Text strong>{trimDecimal(price.unitPrice)}</Typography.Text> {price.unit}
              </span>
            ))}
          </Flex>
        ),
    },
  ];

  const data = catalogue.data;
  return (
    <>
      <PageHeader
        title={t('nav.catalogue')}
        description={t('catalogue.description')}
        extra={
          <DatePicker
            placeholder={t('catalogue.at')}
            aria-label={t('catalogue.at')}
            value={at ? dayjs(at) : null}
            onChange={(value) => setAt(value ? value.format('YYYY-MM-DD') : undefined)}
            style={{ width: 200 }}
          />
        }
      />
      {catalogue.isError ? (
        <ApiErrorAlert error={catalogue.error} onRetry={() => void catalogue.refetch()} />
      ) : !data ? (
        <PageLoading />
      ) : (
        <Flex vertical gap={16}>
          {data.version.note && (
            <Alert
              type="info"
              showIcon
              title={localiseServerText(data.version.note, language)}
              data-testid="catalogue-note"
            />
          )}
          <Card>
            <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t('catalogue.version')}>
                {t('catalogue.versionNo', { no: data.version.versionNo })}
              </Descriptions.Item>
              <Descriptions.Item label={t('catalogue.effectiveFrom')}>{data.version.effectiveFrom}</Descriptions.Item>
              <Descriptions.Item label={t('catalogue.at')}>{data.at}</Descriptions.Item>
            </Descriptions>
            <Segmented<CatalogueLayer | 'all'>
              style={{ marginBottom: 16 }}
              value={layer}
              onChange={setLayer}
              options={[
                { value: 'all', label: t('catalogue.allLayers') },
                ...LAYERS.map((value) => ({ value, label: value })),
              ]}
            />
            <Table<CatalogueItem>
              rowKey="code"
              size="middle"
              loading={catalogue.isFetching}
              columns={columns}
              dataSource={items}
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: t('catalogue.empty') }}
            />
          </Card>
        </Flex>
      )}
    </>
  );
}
