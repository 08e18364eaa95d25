import { ApiOutlined, LogoutOutlined } from '@ant-design/icons';
import { Button, Divider, Flex, Grid, Layout, Space, theme } from 'antd';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { useI18n } from '../../i18n';
import { NotificationBell } from '../../pages/notifications/NotificationBell';
import { useSignOut } from '../useSignOut';
import { GlobalSearch } from './GlobalSearch';
import { Organisation } from './Organisation';
import { UserArea } from './UserArea';

/**
 * The header. On a phone (narrower than 768 px) it keeps what an approver needs: the unit, the bell, the user
 * menu and a sign-out button; the API documentation and the language switch stay on larger screens.
 */
export function HeaderBar() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const phone = !Grid.useBreakpoint().md;
  const { signOut } = useSignOut();
  return (
    <Layout.Header
      style={{
        background: token.colorBgContainer,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        paddingInline: phone ? 8 : 24,
        paddingInlineStart: phone ? 48 : 24,
        height: 56,
        lineHeight: '56px',
      }}
    >
      <Flex justify="space-between" align="center" gap={8} style={{ height: '100%' }}>
        <div style={{ minWidth: 0, overflow: 'hidden' }}>
          <Organisation />
        </div>
        <Space size={4} separator={phone ? undefined : <Divider orientation="vertical" />}>
          {!phone && (
            <a href="/api/docs" target="_blank" rel="noreferrer">
              <Space size={4}>
                <ApiOutlined />
                {t('header.apiDocs')}
              </Space>
            </a>
          )}
          {!phone && <GlobalSearch />}
          <NotificationBell />
          {!phone && <LanguageSwitch />}
          <UserArea compact={phone} />
          {phone && (
            <Button
              type="text"
              icon={<LogoutOutlined />}
              aria-label={t('user.signOut')}
              title={t('user.signOut')}
              onClick={signOut}
              data-testid="header-sign-out"
            />
          )}
        </Space>
      </Flex>
    </Layout.Header>
  );
}
