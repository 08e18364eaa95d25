import { Table, type TableColumnsType } from 'antd';
import type { PolicyQuota } from '../../api/types';
import { type Translate, useI18n } from '../../i18n';
import { Cited } from './Cited';
import { ratioAsPercent } from './values';

type QuotaKey = keyof PolicyQuota;
type Value = string | number | boolean | null;

function valueText(t: Translate, key: QuotaKey, value: Value | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? t('policyPack.yes') : t('policyPack.no');
  if (typeof value === 'string') return ratioAsPercent(value);
  if (key.endsWith('MonthsMax')) return t('policyPack.months', { value });
  if (key.endsWith('WorkingDays')) return t('policyPack.workingDays', { value });
  return String(value);
}

interface Row {
  key: QuotaKey;
  rule: PolicyQuota[QuotaKey];
}

/** The pack's quota and period rules, each with its article. */
export function QuotaRules({ quota }: { quota: PolicyQuota }) {
  const { t } = useI18n();
  const rows: Row[] = (Object.keys(quota) as QuotaKey[]).map((key) => ({ key, rule: quota[key] }));
  const columns: TableColumnsType<Row> = [
    { key: 'rule', title: t('policyPack.rule'), width: 280, render: (_, row) => t(`policyPack.quota.${row.key}`) },
    {
      key: 'value',
      title: t('policyPack.value'),
      render: (_, { key, rule }) => (
        <Cited
          text={valueText(t, key, rule.value)}
          article={rule.article}
          note={rule.note}
          overridden={rule.overridden}
          overrideReason={rule.overrideReason}
          packText={rule.overridden ? valueText(t, key, rule.packValue) : undefined}
        />
      ),
    },
  ];
  return <Table<Row> rowKey="key" size="small" columns={columns} dataSource={rows} pagination={false} />;
}
