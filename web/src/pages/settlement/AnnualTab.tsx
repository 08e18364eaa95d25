import { Card, DatePicker, Flex, Table, type TableColumnsType, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { type AnnualUnit, formatFen, useAnnual } from '../../api/hooks/settlement';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';
import { sumFen } from './shared';

const MONTHS = Array.from({ length: 12 }, (_, i) => i);

/**
 * The annual view for finance (next year's budget is planned from it): each unit's months, its year's total,
 * the parts billed to the city budget and to the unit itself, and how much of it is confirmed (核定).
 */
export function AnnualTab({ initialYear }: { initialYear: number }) {
  const { t } = useI18n();
  const [year, setYear] = useState(initialYear);
  const annual = useAnnual(year);
  const items = annual.data?.items ?? [];

  const columns: TableColumnsType<AnnualUnit> = [
    {
      key: 'unit',
      title: t('settlement.unit'),
      fixed: 'left',
      width: 170,
      render: (_, u) => (
        <Flex vertical>
          <span>{u.name}</span>
          {u.outsideCityBudget && (
            <span>
              <Tag color="purple">{t('settlement.billedToUnits')}</Tag>
            </span>
          )}
        </Flex>
      ),
    },
    ...MONTHS.map((i) => ({
      key: `m${i + 1}`,
      title: t('settlement.monthN', { n: i + 1 }),
      align: 'right' as const,
      // a month without a statement (or with nothing to pay) as a dash keeps twelve columns readable
      render: (_: unknown, u: AnnualUnit) => {
        const fen = u.monthsFen[i] ?? '0';
        return fen === '0' ? <Typography.Text type="secondary">—</Typography.Text> : formatFen(fen);
      },
    })),
    { key: 'total', title: t('settlement.yearTotal'), align: 'right', render: (_, u) => formatFen(u.totalFen) },
    {
      key: 'cityBudget',
      title: t('settlement.ofCityBudget'),
      align: 'right',
      render: (_, u) => formatFen(u.cityBudgetFen),
    },
    {
      key: 'billedToUnit',
      title: t('settlement.ofBilledToUnit'),
      align: 'right',
      render: (_, u) => formatFen(u.billedToUnitFen),
    },
    {
      key: 'confirmed',
      title: t('settlement.confirmedPart'),
      align: 'right',
      render: (_, u) => formatFen(u.confirmedFen),
    },
  ];

  return (
    <Card
      size="small"
      title={t('settlement.annualOf', { year })}
      extra={
        <DatePicker
          picker="year"
          allowClear={false}
          aria-label={t('settlement.year')}
          value={dayjs(`${year}-01-01`)}
          onChange={(d) => d && setYear(d.year())}
        />
      }
    >
      <Typography.Paragraph type="secondary">{t('settlement.annualHint')}</Typography.Paragraph>
      {annual.error ? (
        <ApiErrorAlert error={annual.error} onRetry={() => void annual.refetch()} />
      ) : (
        <Table
          rowKey="organisationId"
          size="small"
          loading={annual.isPending}
          columns={columns}
          dataSource={items}
          pagination={false}
          scroll={{ x: 'max-content' }}
          summary={() =>
            items.length > 1 ? (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>
                  <strong>{t('settlement.allUnits')}</strong>
                </Table.Summary.Cell>
                {MONTHS.map((i) => (
                  <Table.Summary.Cell key={i} index={i + 1} align="right">
                    {formatFen(sumFen(items.map((u) => u.monthsFen[i] ?? '0'))).replace(/^0\.00$/, '—')}
                  </Table.Summary.Cell>
                ))}
                {(['totalFen', 'cityBudgetFen', 'billedToUnitFen', 'confirmedFen'] as const).map((field, j) => (
                  <Table.Summary.Cell key={field} index={13 + j} align="right">
                    <strong>{formatFen(sumFen(items.map((u) => u[field])))}</strong>
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            ) : null
          }
        />
      )}
    </Card>
  );
}
