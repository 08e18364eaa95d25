import { Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../i18n';

export interface DateTimeProps {
  value: string | null | undefined;
  /** dayjs format; default: date and time to the second */
  format?: string;
}

/**
 * An instant in Beijing time (Asia/Shanghai), whatever the browser's zone: deadlines are set in working days of
 * that calendar and end at 23:59:59 there, and officials quote them so.
 */
export function inBeijingTime(value: string | Date): Dayjs {
  return dayjs(value).tz('Asia/Shanghai');
}

/** An instant in Beijing time; the exact ISO value is in the tooltip. Empty: a dash. */
export function DateTime({ value, format = 'YYYY-MM-DD HH:mm:ss' }: DateTimeProps) {
  const { language } = useI18n();
  if (!value) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <time dateTime={value} title={value} lang={language} style={{ whiteSpace: 'nowrap' }}>
      {inBeijingTime(value).format(format)}
    </time>
  );
}
