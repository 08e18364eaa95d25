import { Breadcrumb } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../../i18n';
import type { Crumb } from './useCrumbs';

export function Breadcrumbs({ crumbs }: { crumbs: Crumb[] }) {
  const { t } = useI18n();
  return (
    <nav aria-label={t('nav.breadcrumb')}>
      <Breadcrumb
        style={{ marginBottom: 16 }}
        items={crumbs.map((crumb) => ({
          key: crumb.key,
          title: crumb.to ? <Link to={crumb.to}>{t(crumb.label)}</Link> : t(crumb.label),
        }))}
      />
    </nav>
  );
}
