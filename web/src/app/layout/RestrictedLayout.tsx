import { LogoutOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Space, Typography, theme } from 'antd';
import { Suspense } from 'react';
import { Outlet } from 'react-router';
import type { SessionRestriction } from '../../api/types';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { Logo } from '../../components/Logo';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';
import { useSession } from '../session';
import { useSignOut } from '../useSignOut';

/**
 * A session that must first change its password or set up TOTP: no menu, no other page, only the one step,
 * who is signed in, and a way out.
 */
export function RestrictedLayout({ restriction }: { restriction: SessionRestriction }) {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const me = useSession();
  const { signOut, pending } = useSignOut();
  return (
    <Flex vertical style={{ minHeight: '100vh', background: token.colorBgLayout }}>
      <Flex
        justify="space-between"
        align="center"
        style={{
          height: 56,
          paddingInline: 24,
          background: token.colorBgContainer,
          borderBottom: `1px solid ${token.colorBorderSecondary}`,
        }}
      >
        <Space size={10}>
          <Logo />
          <Typography.Text strong>{t('app.fullName')}</Typography.Text>
        </Space>
        <Space size={16}>
          <LanguageSwitch />
          <Typography.Text data-testid="user-area">{me.user.displayName}</Typography.Text>
          <Button icon={<LogoutOutlined />} onClick={signOut} loading={pending}>
            {t('user.signOut')}
          </Button>
        </Space>
      </Flex>
      <main style={{ width: '100%', maxWidth: 760, margin: '0 auto', padding: 24 }}>
        <Alert
          type="warning"
          showIcon
          title={t(restriction === 'totp_enrolment' ? 'restricted.totpTitle' : 'restricted.passwordTitle')}
          description={t(restriction === 'totp_enrolment' ? 'restricted.totpBody' : 'restricted.passwordBody')}
          style={{ marginBottom: 16 }}
        />
        <Suspense fallback={<PageLoading />}>
          <Outlet />
        </Suspense>
      </main>
    </Flex>
  );
}
