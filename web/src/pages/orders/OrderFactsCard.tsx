import { Alert, Card, Descriptions, Flex, Table, Tag, Typography } from 'antd';
import type { OrderFacts } from '../../api/hooks/order-facts';
import { CitedText } from '../../components/Citation';
import { useI18n } from '../../i18n';
import { dimensionLabel } from '../projects/labels';

const isZero = (text: string) => /^-?0(\.0+)?$/.test(text);
const percentOf = (ratio: string) => {
  // "0.2" -> "20" exactly, by moving the decimal point two places
  const [whole = '0', frac = ''] = ratio.split('.');
  const digits = `${whole}${frac.padEnd(2, '0')}`;
  const shifted = `${digits.slice(0, whole.length + 2)}.${digits.slice(whole.length + 2)}`.replace(/^0+(?=\d)/, '');
  return shifted.replace(/\.?0*$/, '') || '0';
};

/**
 * What a reviewer decides from (issue 16): the requesting unit, project and information system by name, the
 * project's quota before and after this order per dimension, the unit against the SH 20 approval line, the
 * monthly cost from the catalogue in force, and who holds the open step now.
 */
export function OrderFactsCard({ facts }: { facts: OrderFacts }) {
  const { t, language } = useI18n();
  const dim = (d: string) => dimensionLabel(d, language);
  const itemName = (l: { itemName: string; itemNameEn: string }) => (language === 'en-US' ? l.itemNameEn : l.itemName);
  const s = facts.system;

  return (
    <Card title={t('facts.title')} style={{ marginBottom: 16 }} data-testid="order-facts">
      <Descriptions column={{ xs: 1, md: 2 }} size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('facts.unit')}>{facts.unit?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('facts.project')}>
          {facts.project ? (
            <>
              {facts.project.name}{' '}
              <Typography.Text type="secondary">
                {t('facts.projectNo', { no: facts.project.approvalNo })}
              </Typography.Text>
            </>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('facts.system')}>
          {s ? (
            <>
              {t('facts.systemLine', {
                name: s.name,
                level: s.mlpsLevel,
                filing: t(`projects.filing.${s.filingStatus as 'filed' | 'not_filed'}`),
                letter: s.commitmentLetterOnFile ? t('facts.letterOnFile') : t('facts.letterMissing'),
              })}
              {s.classified && (
                <Tag color="red" style={{ marginInlineStart: 8 }}>
                  {t('facts.classified')}
                </Tag>
              )}
            </>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('facts.holders')}>
          <span data-testid="step-holders">
            {facts.currentStep
              ? facts.currentStep.holders.length
                ? facts.currentStep.holders.map((h) => `${h.name}（${h.organisation}）`).join('、')
                : t('facts.holdersNone')
              : t('facts.noStep')}
          </span>
        </Descriptions.Item>
      </Descriptions>

      <Flex gap={16} wrap>
        <div style={{ flex: 3, minWidth: 320 }}>
          <Typography.Title level={5}>{t('facts.quota')}</Typography.Title>
          {facts.quota.length === 0 ? (
            <Typography.Text type="secondary">{t('facts.quotaNone')}</Typography.Text>
          ) : (
            <Table
              rowKey="dimension"
              size="small"
              pagination={false}
              data-testid="order-quota"
              dataSource={facts.quota}
              scroll={{ x: 'max-content' }}
              columns={[
                { key: 'dimension', title: t('facts.dimension'), render: (_, q) => dim(q.dimension) },
                { key: 'quota', title: t('facts.quotaTotal'), dataIndex: 'quota', align: 'right' },
                { key: 'before', title: t('facts.usedBefore'), dataIndex: 'usedBefore', align: 'right' },
                { key: 'mine', title: t('facts.thisOrder'), dataIndex: 'thisOrder', align: 'right' },
                { key: 'after', title: t('facts.usedAfter'), dataIndex: 'usedAfter', align: 'right' },
                {
                  key: 'left',
                  title: t('facts.leftAfter'),
                  align: 'right',
                  render: (_, q) =>
                    isZero(q.overQuota) ? (
                      q.leftAfter
                    ) : (
                      <Typography.Text type="danger">{t('facts.overQuota', { amount: q.overQuota })}</Typography.Text>
                    ),
                },
              ]}
            />
          )}
          {facts.band && (
            <Alert
              style={{ marginTop: 12 }}
              type={facts.band.dimensions.some((d) => !isZero(d.overBand)) ? 'warning' : 'info'}
              showIcon
              message={<CitedText text={t('facts.bandTitle', { article: facts.band.article ?? '' })} />}
              description={facts.band.dimensions.map((d) => (
                <div key={d.dimension}>
                  {t('facts.bandLine', {
                    dimension: dim(d.dimension),
                    quota: d.unitQuota,
                    limit: d.bandLimit,
                    percent: percentOf(facts.band?.ratio ?? '0'),
                    after: d.unitUsedAfter,
                  })}
                  {'，'}
                  {isZero(d.overBand) ? (
                    t('facts.withinBand')
                  ) : (
                    <Typography.Text type="danger" strong>
                      {t('facts.overBand', { amount: d.overBand })}
                    </Typography.Text>
                  )}
                </div>
              ))}
            />
          )}
        </div>
        <div style={{ flex: 2, minWidth: 280 }} data-testid="order-cost">
          <Typography.Title level={5}>{t('facts.cost')}</Typography.Title>
          {facts.cost ? (
            <>
              <Typography.Text strong style={{ fontSize: 18 }}>
                {t('facts.costTotal', { amount: facts.cost.total })}
              </Typography.Text>
              <ul style={{ paddingInlineStart: 20, margin: '8px 0' }}>
                {facts.cost.lines.map((l) => (
                  <li key={l.lineNo}>
                    {l.monthly === null
                      ? `${itemName(l)}：${t('facts.notInCatalogue')}`
                      : t('facts.costLine', { item: itemName(l), quantity: l.quantity, amount: l.monthly })}
                    {l.prices.length > 0 && (
                      <div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {l.prices
                            .map((p) =>
                              t('facts.costPrice', { quantity: p.quantity, price: p.unitPrice, unit: p.unit }),
                            )
                            .join('；')}
                        </Typography.Text>
                      </div>
                    )}
                  </li>
                ))}
              </ul>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('facts.costBasis', {
                  version: facts.cost.catalogueVersionNo,
                  from: facts.cost.catalogueEffectiveFrom,
                })}
              </Typography.Text>
            </>
          ) : (
            <Typography.Text type="secondary">{t('facts.costNone')}</Typography.Text>
          )}
        </div>
      </Flex>
    </Card>
  );
}
