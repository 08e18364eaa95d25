import { ArrowRightOutlined } from '@ant-design/icons';
import { Card, Divider, Flex, Space, theme } from 'antd';
import { Link } from 'react-router';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { useI18n } from '../../i18n';
import { LoginForm } from './LoginForm';
import { ProductHeading } from './ProductHeading';

export function LoginPage() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  useDocumentTitle('login.documentTitle');
  return (
    <Flex vertical style={{ minHeight: '100vh', background: token.colorBgLayout }}>
      <Flex justify="flex-end" style={{ padding: 16 }}>
        <LanguageSwitch />
      </Flex>
      <Flex flex={1} justify="center" align="center" style={{ padding: '0 16px 64px' }}>
        <Card style={{ width: '100%', maxWidth: 420 }}>
          <main>
            <ProductHeading />
            <LoginForm />
            <Divider />
            <Flex justify="center">
              <Link to="/">
                <Space size={4}>
                  {t('login.enterConsole')}
                  <ArrowRightOutlined />
                </Space>
              </Link>
            </Flex>
          </main>
        </Card>
      </Flex>
    </Flex>
  );
}
