import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { FindingsTab } from './FindingsTab';
import { RectificationsTab } from './RectificationsTab';
import { ReportsTab } from './ReportsTab';

const TABS = ['findings', 'rectifications', 'reports'] as const;
type Tab = (typeof TABS)[number];

/**
 * Usage monitoring (SH 25, TZ 12): findings with their evidence, the warning -> rectification flow, utilisation
 * reports and the heat map of units. The tab is in the address (`?tab=`), so a link opens the right one.
 */
export function MonitoringPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const tab: Tab = TABS.includes(requested as Tab) ? (requested as Tab) : 'findings';
  return (
    <>
      <PageHeader title={t('monitoring.title')} description={t('monitoring.description')} />
      <Tabs
        activeKey={tab}
        destroyOnHidden
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        items={[
          { key: 'findings', label: t('monitoring.tab.findings'), children: <FindingsTab /> },
          { key: 'rectifications', label: t('monitoring.tab.rectifications'), children: <RectificationsTab /> },
          { key: 'reports', label: t('monitoring.tab.reports'), children: <ReportsTab /> },
        ]}
      />
    </>
  );
}
