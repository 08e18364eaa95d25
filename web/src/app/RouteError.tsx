import { Button } from 'antd';
import { useEffect } from 'react';
import { useNavigate, useRouteError } from 'react-router';
import { ErrorFallback } from '../components/ErrorFallback';
import { useI18n } from '../i18n';
import { reportError } from './errorReporting';

/** A page crashed while rendering: report it and show a friendly message in its place (the frame stays). */
export function RouteError() {
  const error = useRouteError();
  const navigate = useNavigate();
  const { t } = useI18n();
  useEffect(() => {
    reportError(error, 'route');
  }, [error]);
  return (
    <ErrorFallback
      homeLink={
        <Button key="home" onClick={() => void navigate('/')}>
          {t('error.backHome')}
        </Button>
      }
    />
  );
}
