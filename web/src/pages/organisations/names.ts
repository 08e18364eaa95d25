import type { Language } from '../../i18n';

/** An organisation's name in the console's language; organisations without an English name keep the Chinese one. */
export function organisationName(organisation: { name: string; nameEn: string | null }, language: Language): string {
  return language === 'zh-CN' ? organisation.name : (organisation.nameEn ?? organisation.name);
}
