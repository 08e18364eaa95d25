import { Menu } from 'antd';
import { Link, useLocation } from 'react-router';
import { useI18n } from '../../i18n';
import { activeNavPath, NAV_ITEMS } from '../navigation';

export function SideMenu() {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const active = activeNavPath(pathname);
  return (
    <Menu
      theme="dark"
      mode="inline"
      aria-label={t('nav.menu')}
      selectedKeys={active ? [active] : []}
      items={NAV_ITEMS.map((item) => ({
        key: item.path,
        icon: item.icon,
        label: <Link to={item.path}>{t(item.label)}</Link>,
      }))}
    />
  );
}
