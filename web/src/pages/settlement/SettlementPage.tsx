import { Button, DatePicker, Space, Spin, Tabs } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { MONTH_PATTERN, useTrends } from '../../api/hooks/settlement';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { AnnualTab } from './AnnualTab';
import { CoefficientsTab } from './CoefficientsTab';
import { MonthlyTab } from './MonthlyTab';
import { lastMonth, monthsBack } from './shared';
import { useCompute } from './useCompute';

const TABS = ['monthly', 'annual', 'coefficients'] as const;
type Tab = (typeof TABS)[number];

/**
 * Monthly settlement: runs and their flow (compute, review, confirm), trends and the month's statements; the
 * annual view per unit for finance; the coefficients and budget marks an authority sets. Tab and month are in
 * the address (`?tab=&month=`), so a link opens the right view.
 */
export function SettlementPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const canRun = useCan('settlement:run');
  const canSetCoefficient = useCan('coefficient:set');
  const canSetBudget = useCan('budget:set');
  const canCoefficients = canSetCoefficient || canSetBudget;
  const requested = params.get('month');
  const asked = requested && MONTH_PATTERN.test(requested) ? requested : null;
  // Without a month in the address, the page opens on the last month that has statements (issue 16): the
  // calendar's last month is often not settled yet, and an empty page says nothing.
  const latest = lastMonth();
  const settled = useTrends(monthsBack(latest, 23), latest, asked === null);
  const withStatements = settled.data?.items.map((i) => i.month).sort();
  const month = asked ?? withStatements?.at(-1) ?? latest;
  // the month is not known before the answer (an error falls back to the calendar's last month)
  const deciding = asked === null && settled.isPending;
  const requestedTab = params.get('tab') as Tab;
  const tab: Tab =
    TABS.includes(requestedTab) && (requestedTab !== 'coefficients' || canCoefficients) ? requestedTab : 'monthly';
  const { settle, compute } = useCompute();

  const go = (next: { tab?: Tab; month?: string }) =>
    setParams({ tab: next.tab ?? tab, month: next.month ?? month }, { replace: true });

  return (
    <>
      <PageHeader
        title={t('settlement.title')}
        description={t('settlement.description')}
        extra={
          tab !== 'annual' && (
            <Space>
              <DatePicker
                picker="month"
                format="YYYY-MM"
                allowClear={false}
                aria-label={t('settlement.month')}
                value={dayjs(`${month}-01`)}
                onChange={(d) => d && go({ month: d.format('YYYY-MM') })}
              />
              {canRun && tab === 'monthly' && (
                <Button type="primary" loading={settle.isPending} onClick={() => compute(month)}>
                  {t('settlement.compute')}
                </Button>
              )}
            </Space>
          )
        }
      />
      {settle.error && <ApiErrorAlert error={settle.error} compact />}
      {deciding ? (
        <Spin />
      ) : (
        <Tabs
          activeKey={tab}
          destroyOnHidden
          onChange={(key) => go({ tab: key as Tab })}
          items={[
            { key: 'monthly', label: t('settlement.tab.monthly'), children: <MonthlyTab month={month} /> },
            {
              key: 'annual',
              label: t('settlement.tab.annual'),
              children: <AnnualTab initialYear={Number(month.slice(0, 4))} />,
            },
            ...(canCoefficients
              ? [
                  {
                    key: 'coefficients',
                    label: t('settlement.tab.coefficients'),
                    children: <CoefficientsTab month={month} />,
                  },
                ]
              : []),
          ]}
        />
      )}
    </>
  );
}
