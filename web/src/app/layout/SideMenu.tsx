import { Menu } from 'antd';
import { Link, useLocation } from 'react-router';
import { useI18n } from '../../i18n';
import { activeNavPath, visibleNavItems } from '../navigation';
import { useSession } from '../session';

/** The pages this user may use in the acting organisation; nothing they would be refused. */
export function SideMenu() {
  const { t } = useI18n();
  const { permissions } = useSession();
  const { pathname } = useLocation();
  const active = activeNavPath(pathname);
  return (
    <Menu
      theme="dark"
      mode="inline"
      aria-label={t('nav.menu')}
      selectedKeys={active ? [active] : []}
      items={visibleNavItems(permissions).map((item) => ({
        key: item.path,
        icon: item.icon,
        label: <Link to={item.path}>{t(item.label)}</Link>,
      }))}
    />
  );
}
