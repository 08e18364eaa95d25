import { Alert, Card, Flex, theme } from 'antd';
import { useEffect, useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { useMe } from '../../api/hooks/auth';
import { clearSessionEnded, hasSessionEnded, markSigningOut, safeNext } from '../../app/redirects';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { PageLoading } from '../../components/PageLoading';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { type Translate, useI18n } from '../../i18n';
import { LoginForm } from './LoginForm';
import { ProductHeading } from './ProductHeading';
import { SingleSignOn } from './SingleSignOn';

/** Why single sign-on sent the browser back here (`/login?sso_error=<code>`); the details are in the audit trail. */
function singleSignOnError(code: string, t: Translate): string {
  if (code === 'sso_refused') return t('login.ssoRefused');
  if (code === 'bad_gateway') return t('login.ssoUnreachable');
  return t('login.ssoFailed', { code });
}

/** Sign-in. Once there is a session (just now, or already), the user goes where they were heading. */
export function LoginPage() {
  const { t } = useI18n();
  const { token } = theme.useToken();
  const [params] = useSearchParams();
  const me = useMe();
  useDocumentTitle('login.documentTitle');
  // Read once when the page opens; the marks are then cleared, so a later visit starts afresh.
  const [sessionEnded] = useState(hasSessionEnded);
  useEffect(() => {
    markSigningOut(false);
    clearSessionEnded();
  }, []);
  const next = safeNext(params.get('next'));
  const ssoError = params.get('sso_error');
  if (me.data) return <Navigate to={next} replace />;
  return (
    <Flex vertical style={{ minHeight: '100vh', background: token.colorBgLayout }}>
      <Flex justify="flex-end" style={{ padding: 16 }}>
        <LanguageSwitch />
      </Flex>
      <Flex flex={1} justify="center" align="center" style={{ padding: '0 16px 64px' }}>
        <Card style={{ width: '100%', maxWidth: 420 }}>
          <main>
            <ProductHeading />
            {sessionEnded && !ssoError && (
              <Alert
                type="warning"
                showIcon
                title={t('login.sessionEnded')}
                style={{ marginBottom: 16 }}
                data-testid="session-ended"
              />
            )}
            {ssoError && (
              <Alert
                type="error"
                showIcon
                title={singleSignOnError(ssoError, t)}
                style={{ marginBottom: 16 }}
                data-testid="sso-error"
              />
            )}
            {me.isPending ? (
              <PageLoading />
            ) : (
              <>
                <LoginForm />
                <SingleSignOn next={next} />
              </>
            )}
          </main>
        </Card>
      </Flex>
    </Flex>
  );
}
