import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import localizedFormat from 'dayjs/plugin/localizedFormat';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(localizedFormat);
dayjs.extend(utc);
dayjs.extend(timezone);

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Chinese unless the user chose otherwise: the console never guesses from the browser. */
export const DEFAULT_LANGUAGE: Language = 'zh-CN';

export const LANGUAGE_STORAGE_KEY = 'yunguan.language';

const DAYJS_LOCALES: Record<Language, string> = { 'zh-CN': 'zh-cn', 'en-US': 'en' };

/** What the API is told, so problem titles and field messages come back in the same language. */
export const ACCEPT_LANGUAGE: Record<Language, string> = {
  'zh-CN': 'zh-CN,zh;q=0.9',
  'en-US': 'en-US,en;q=0.9',
};

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function readStoredLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(stored) ? stored : DEFAULT_LANGUAGE;
  } catch {
    // Storage can be unavailable (privacy mode, sandboxed frames): fall back to the default.
    return DEFAULT_LANGUAGE;
  }
}

function apply(language: Language): void {
  document.documentElement.lang = language;
  dayjs.locale(DAYJS_LOCALES[language]);
}

/*
 * The chosen language is a tiny external store rather than React state, so code outside React (the API
 * client's Accept-Language header) reads the same value the UI renders with.
 */
let current: Language = readStoredLanguage();
apply(current);
const listeners = new Set<() => void>();

export function getLanguage(): Language {
  return current;
}

export function setLanguage(language: Language): void {
  if (language === current) return;
  current = language;
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Not persisted, but still switched for this page.
  }
  apply(language);
  for (const listener of listeners) listener();
}

export function subscribeLanguage(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Each language is offered under its own name, the same whatever the current language is. */
export const LANGUAGE_NAMES: Record<Language, string> = { 'zh-CN': '中文', 'en-US': 'English' };
