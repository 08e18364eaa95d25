import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

export interface ErrorFallbackProps {
  /** Where "back" leads; omitted when the router itself may be broken. */
  homeLink?: ReactNode;
}

/** What the user sees instead of a page that crashed: no stack, just what happened and what to do. */
export function ErrorFallback({ homeLink }: ErrorFallbackProps) {
  const { t } = useI18n();
  return (
    <Result
      status="500"
      title={t('error.unexpectedTitle')}
      subTitle={t('error.unexpectedBody')}
      extra={[
        <Button key="reload" type="primary" onClick={() => window.location.reload()}>
          {t('error.reload')}
        </Button>,
        homeLink,
      ]}
    />
  );
}
