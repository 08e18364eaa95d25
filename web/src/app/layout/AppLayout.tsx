import { Flex, Layout, Typography, theme } from 'antd';
import { Suspense, useState } from 'react';
import { Link, Outlet } from 'react-router';
import { Logo } from '../../components/Logo';
import { PageLoading } from '../../components/PageLoading';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { Breadcrumbs } from './Breadcrumbs';
import { HeaderBar } from './HeaderBar';
import { SideMenu } from './SideMenu';
import { useCrumbs } from './useCrumbs';

/** The application frame: side menu, header, breadcrumbs, and the current page. */
export function AppLayout() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const [collapsed, setCollapsed] = useState(false);
  const crumbs = useCrumbs();
  useDocumentTitle(crumbs.at(-1)?.label);

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider collapsible collapsed={collapsed} onCollapse={setCollapsed} breakpoint="lg" width={216}>
        <Link to="/" aria-label={t('app.fullName')}>
          <Flex align="center" gap={10} style={{ height: 56, paddingInline: collapsed ? 18 : 20, overflow: 'hidden' }}>
            <span style={{ flexShrink: 0, display: 'inline-flex' }}>
              <Logo />
            </span>
            {!collapsed && (
              <Flex vertical style={{ lineHeight: 1.3, minWidth: 0 }}>
                <Typography.Text strong ellipsis style={{ color: '#fff', fontSize: 16 }}>
                  {t('app.name')}
                </Typography.Text>
                <Typography.Text ellipsis style={{ color: 'rgba(255,255,255,0.65)', fontSize: 12 }}>
                  {t('app.subtitle')}
                </Typography.Text>
              </Flex>
            )}
          </Flex>
        </Link>
        <SideMenu />
      </Layout.Sider>
      <Layout>
        <HeaderBar />
        <Layout.Content style={{ padding: 24, background: token.colorBgLayout }}>
          <Breadcrumbs crumbs={crumbs} />
          <main>
            <Suspense fallback={<PageLoading />}>
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
