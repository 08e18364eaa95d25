import { Alert, Card, Empty, Space, Table, Tag, Typography } from 'antd';
import {
  type Evaluation,
  type FeeAdjustment,
  type ProjectAdvice,
  type UnitAdvice,
  useOutcomes,
} from '../../api/hooks/evaluation';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useCite } from '../../components/Citation';
import { useI18n } from '../../i18n';

// What a publication produced (issue 17): next year's allocation advice per unit and project (LZ 30(1), SH 34),
// which the economy & IT authority reads when it sets quotas, and the providers' fee adjustments (SH 34).

// plain tags: antd's success/error tag colours fail axe's colour contrast (issue 16); the words carry the meaning
const DIMENSION_ZH: Record<string, string> = {
  vcpu: 'vCPU（核）',
  memory_gb: '内存（GB）',
  storage_gb: '存储（GB）',
  bandwidth_mbps: '带宽（Mbps）',
};

function quotaText(q: Record<string, string> | null, none: string): string {
  if (!q || Object.keys(q).length === 0) return none;
  return Object.entries(q)
    .map(([d, v]) => `${DIMENSION_ZH[d] ?? d.replace(/^item:/, '服务目录项 ')} ${v}`)
    .join('；');
}

export function AdviceTab({ evaluation }: { evaluation: Evaluation }) {
  const { t } = useI18n();
  const cite = useCite();
  const outcomes = useOutcomes(evaluation.id, true);
  if (outcomes.error) return <ApiErrorAlert error={outcomes.error} />;
  const a = outcomes.data?.allocation;
  if (!outcomes.data) return null;
  if (!a) return <Empty description={t('ev.advice.none')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Alert
        type="info"
        showIcon
        message={t('ev.advice.rule', { raise: a.raiseFrom, cut: a.cutBelow })}
        description={a.article ? cite(a.article) : t('ev.cityChoice')}
      />
      {a.units.length === 0 ? <Empty description={t('ev.advice.noneVisible')} /> : null}
      {a.units.map((u: UnitAdvice) => (
        <Card
          key={u.organisationId}
          size="small"
          title={
            <Space>
              {u.name}
              <Tag>{t(`ev.advice.${u.action}`)}</Tag>
            </Space>
          }
          extra={t('ev.advice.total', { total: u.total })}
        >
          <Typography.Paragraph>{u.reason}</Typography.Paragraph>
          <Typography.Paragraph type="secondary">
            {u.evidence.map((x) => `${x.indicator}：${x.score ?? t('ev.notEntered')}（${x.value}）`).join('；')}
          </Typography.Paragraph>
          <Table<ProjectAdvice>
            size="small"
            rowKey="projectId"
            pagination={false}
            dataSource={u.projects}
            locale={{ emptyText: t('ev.advice.noProjects') }}
            columns={[
              { title: t('ev.advice.project'), render: (_, p) => `${p.name}（${p.approvalNo}）` },
              { title: t('ev.advice.quota'), render: (_, p) => quotaText(p.quota, '—') },
              {
                title: t('ev.advice.suggested'),
                render: (_, p) => quotaText(p.suggested, t(`ev.advice.${u.action}`)),
              },
            ]}
          />
        </Card>
      ))}
    </Space>
  );
}

export function FeeTab({ evaluation }: { evaluation: Evaluation }) {
  const { t } = useI18n();
  const cite = useCite();
  const outcomes = useOutcomes(evaluation.id, true);
  if (outcomes.error) return <ApiErrorAlert error={outcomes.error} />;
  if (!outcomes.data) return null;
  const fee = outcomes.data.providerFee;
  if (!fee) return <Empty description={t('ev.fee.none')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Alert
        type="info"
        showIcon
        message={fee.months.length ? t('ev.fee.months', { months: fee.months.join('、') }) : t('ev.fee.noMonths')}
        description={fee.article ? cite(fee.article) : t('ev.cityChoice')}
      />
      <Table<FeeAdjustment>
        size="small"
        rowKey="providerId"
        pagination={false}
        dataSource={fee.providers}
        columns={[
          { title: t('ev.name'), dataIndex: 'name' },
          { title: t('ev.total'), dataIndex: 'total' },
          { title: t('ev.band'), dataIndex: 'band' },
          {
            title: t('ev.fee.share'),
            render: (_, p) => `${(Number(p.adjustment) * 100).toFixed(2).replace(/\.?0+$/, '')}%`,
          },
          { title: t('ev.fee.billed'), render: (_, p) => `${p.billed} 元` },
          { title: t('ev.fee.adjustment'), render: (_, p) => <strong>{`${p.adjustmentYuan} 元`}</strong> },
        ]}
      />
    </Space>
  );
}
