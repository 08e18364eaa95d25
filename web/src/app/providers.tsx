import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntdApp, ConfigProvider } from 'antd';
import type { ReactNode } from 'react';
import { ANTD_LOCALES, useI18n } from '../i18n';
import { GlobalErrorNotifier } from './GlobalErrorNotifier';
import { queryClient } from './queryClient';
import { THEME } from './theme';

/** Everything a page may rely on: server state, antd in the chosen language, and error notices. */
export function Providers({ children }: { children: ReactNode }) {
  const { language } = useI18n();
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider locale={ANTD_LOCALES[language]} theme={THEME}>
        <AntdApp>
          <GlobalErrorNotifier />
          {children}
        </AntdApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
