import { Typography } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';

export interface DateTimeProps {
  value: string | null | undefined;
  /** dayjs format; default: date and time to the second */
  format?: string;
}

/** An instant in the browser's time zone; the exact ISO value is in the tooltip. Empty: a dash. */
export function DateTime({ value, format = 'YYYY-MM-DD HH:mm:ss' }: DateTimeProps) {
  const { language } = useI18n();
  if (!value) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <time dateTime={value} title={value} lang={language} style={{ whiteSpace: 'nowrap' }}>
      {dayjs(value).format(format)}
    </time>
  );
}
