import { useEffect } from 'react';
import { type MessageKey, useI18n } from '../i18n';

/** Keeps the browser tab title in step with the current page and language: "辖区 · 云管 · 政务云管理平台". */
export function useDocumentTitle(label: MessageKey | undefined): void {
  const { t } = useI18n();
  useEffect(() => {
    document.title = label ? `${t(label)} · ${t('app.fullName')}` : t('app.fullName');
  }, [label, t]);
}
