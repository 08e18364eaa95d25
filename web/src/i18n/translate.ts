import type { Language } from './language';
import { enUS } from './messages/en-US';
import { type MessageKey, type Messages, zhCN } from './messages/zh-CN';

export type { MessageKey } from './messages/zh-CN';

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

const DICTIONARIES: Record<Language, Messages> = { 'zh-CN': zhCN, 'en-US': enUS };

function format(template: string, params: MessageParams | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

const translators = Object.fromEntries(
  Object.entries(DICTIONARIES).map(([language, messages]) => [
    language,
    ((key, params) => format(messages[key], params)) satisfies Translate,
  ]),
) as Record<Language, Translate>;

/** The translate function for one language; stable per language, so it is safe in dependency arrays. */
export function translator(language: Language): Translate {
  return translators[language];
}
