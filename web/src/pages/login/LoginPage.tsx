import { Card, Flex, theme } from 'antd';
import { Navigate, useSearchParams } from 'react-router';
import { useMe } from '../../api/hooks/auth';
import { safeNext } from '../../app/redirects';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { PageLoading } from '../../components/PageLoading';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { LoginForm } from './LoginForm';
import { ProductHeading } from './ProductHeading';

/** Sign-in. Once there is a session (just now, or already), the user goes where they were heading. */
export function LoginPage() {
  const { token } = theme.useToken();
  const [params] = useSearchParams();
  const me = useMe();
  useDocumentTitle('login.documentTitle');
  if (me.data) return <Navigate to={safeNext(params.get('next'))} replace />;
  return (
    <Flex vertical style={{ minHeight: '100vh', background: token.colorBgLayout }}>
      <Flex justify="flex-end" style={{ padding: 16 }}>
        <LanguageSwitch />
      </Flex>
      <Flex flex={1} justify="center" align="center" style={{ padding: '0 16px 64px' }}>
        <Card style={{ width: '100%', maxWidth: 420 }}>
          <main>
            <ProductHeading />
            {me.isPending ? <PageLoading /> : <LoginForm />}
          </main>
        </Card>
      </Flex>
    </Flex>
  );
}
