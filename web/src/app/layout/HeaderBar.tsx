import { ApiOutlined } from '@ant-design/icons';
import { Divider, Flex, Layout, Space, theme } from 'antd';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { useI18n } from '../../i18n';
import { NotificationBell } from '../../pages/notifications/NotificationBell';
import { Organisation } from './Organisation';
import { UserArea } from './UserArea';

export function HeaderBar() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  return (
    <Layout.Header
      style={{
        background: token.colorBgContainer,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        paddingInline: 24,
        height: 56,
        lineHeight: '56px',
      }}
    >
      <Flex justify="space-between" align="center" style={{ height: '100%' }}>
        <Organisation />
        <Space size={4} separator={<Divider orientation="vertical" />}>
          <a href="/api/docs" target="_blank" rel="noreferrer">
            <Space size={4}>
              <ApiOutlined />
              {t('header.apiDocs')}
            </Space>
          </a>
          <NotificationBell />
          <LanguageSwitch />
          <UserArea />
        </Space>
      </Flex>
    </Layout.Header>
  );
}
