import { Segmented } from 'antd';
import { LANGUAGE_NAMES, LANGUAGES, type Language, useI18n } from '../i18n';

const OPTIONS = LANGUAGES.map((language) => ({ value: language, label: LANGUAGE_NAMES[language] }));

/** 中文 / English; the choice is remembered in this browser. */
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <Segmented<Language>
      size="small"
      aria-label={t('language.label')}
      options={OPTIONS}
      value={language}
      onChange={setLanguage}
    />
  );
}
