import { App } from 'antd';
import { useEffect } from 'react';
import { useI18n } from '../i18n';
import { subscribeReportedErrors } from './errorReporting';

/** Tells the user, once and briefly, when an error nobody handled was reported. */
export function GlobalErrorNotifier() {
  const { message } = App.useApp();
  const { t } = useI18n();
  useEffect(
    () =>
      subscribeReportedErrors(({ source }) => {
        // Render crashes already replace the page with an explanation; only background errors need a toast.
        if (source === 'render' || source === 'route') return;
        void message.error({ key: 'client-error', content: t('error.toast'), duration: 6 });
      }),
    [message, t],
  );
  return null;
}
