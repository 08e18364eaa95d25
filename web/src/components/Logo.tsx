import { useI18n } from '../i18n';

export interface LogoProps {
  size?: number;
}

/** The product mark, the same cloud as the favicon. */
export function Logo({ size = 28 }: LogoProps) {
  const { t } = useI18n();
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" role="img" aria-label={t('app.logoAlt')}>
      <rect width="64" height="64" rx="14" fill="#1677ff" />
      <path d="M20 44h25a10 10 0 0 0 1.6-19.9A14 14 0 0 0 19.5 27 8.5 8.5 0 0 0 20 44z" fill="#fff" />
    </svg>
  );
}
