import { useSyncExternalStore } from 'react';
import { getLanguage, type Language, setLanguage, subscribeLanguage } from './language';
import { type Translate, translator } from './translate';

export { ANTD_LOCALES } from './antd';
export { getLanguage, LANGUAGE_NAMES, LANGUAGES, type Language, setLanguage, subscribeLanguage } from './language';
export type { MessageKey, MessageParams, Translate } from './translate';
export { translator } from './translate';

export interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
}

/** The current language and its translate function; re-renders the caller when the language changes. */
export function useI18n(): I18n {
  const language = useSyncExternalStore(subscribeLanguage, getLanguage);
  return { language, setLanguage, t: translator(language) };
}
