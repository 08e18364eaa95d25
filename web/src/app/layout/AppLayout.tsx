import { Flex, Grid, Layout, Typography, theme } from 'antd';
import { Suspense, useState } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { useMe } from '../../api/hooks/auth';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Logo } from '../../components/Logo';
import { PageLoading } from '../../components/PageLoading';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { detourPath, loginPath, RESTRICTION_PAGES } from '../redirects';
import { SessionProvider } from '../session';
import { Breadcrumbs } from './Breadcrumbs';
import { HeaderBar } from './HeaderBar';
import { RestrictedLayout } from './RestrictedLayout';
import { SideMenu } from './SideMenu';
import { useCrumbs } from './useCrumbs';

/**
 * Everything under `/` needs a session: without one the user goes to the login page (which brings them back),
 * and a restricted session (password to change, TOTP to set up) only reaches the page that lifts it.
 */
export function AppLayout() {
  const me = useMe();
  const location = useLocation();
  const crumbs = useCrumbs();
  useDocumentTitle(crumbs.at(-1)?.label);

  if (me.isPending) {
    return (
      <Flex justify="center" align="center" style={{ minHeight: '100vh' }}>
        <PageLoading />
      </Flex>
    );
  }
  if (me.isError) {
    return (
      <Flex justify="center" align="center" style={{ minHeight: '100vh', padding: 24 }}>
        <div style={{ width: '100%', maxWidth: 560 }}>
          <ApiErrorAlert error={me.error} onRetry={() => void me.refetch()} />
        </div>
      </Flex>
    );
  }
  if (!me.data) return <Navigate to={loginPath(location)} replace />;

  const restriction = me.data.restriction;
  if (restriction) {
    const target = RESTRICTION_PAGES[restriction];
    if (location.pathname !== target) return <Navigate to={detourPath(target, location)} replace />;
    return (
      <SessionProvider me={me.data}>
        <RestrictedLayout restriction={restriction} />
      </SessionProvider>
    );
  }
  return (
    <SessionProvider me={me.data}>
      <Frame />
    </SessionProvider>
  );
}

/** The application frame: side menu, header, breadcrumbs, and the current page. */
function Frame() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const [collapsed, setCollapsed] = useState(false);
  const crumbs = useCrumbs();
  // On a phone the menu folds away entirely (its trigger stays) and the page gets the whole width.
  const phone = !Grid.useBreakpoint().md;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        breakpoint="lg"
        width={216}
        collapsedWidth={phone ? 0 : 80}
        zeroWidthTriggerStyle={{ top: 8, zIndex: 10 }}
      >
        {/* named by what it shows (the mark's alternative text, name and subtitle): axe's label-content-name-mismatch */}
        <Link to="/" aria-label={collapsed ? t('app.fullName') : undefined}>
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
        <Layout.Content style={{ padding: phone ? 12 : 24, background: token.colorBgLayout }}>
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
