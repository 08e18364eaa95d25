import { Card, DatePicker, Descriptions, Flex, Form, InputNumber, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useAddWorkingDays } from '../../api/hooks/calendar';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';
import { formatShanghai, shanghaiIso } from './monthGrid';

/** From a moment (Beijing time) plus N working days: the due moment the server computes. */
export function DeadlineCalculator() {
  const { t } = useI18n();
  const [from, setFrom] = useState<Dayjs | null>(() => dayjs().second(0));
  const [days, setDays] = useState<number>(5);
  const fromIso = from ? shanghaiIso(from.format('YYYY-MM-DDTHH:mm:ss')) : undefined;
  const deadline = useAddWorkingDays(fromIso, days);

  return (
    <Card title={t('calendar.calculator')} data-testid="deadline-calculator">
      <Typography.Paragraph type="secondary">{t('calendar.calculatorHint')}</Typography.Paragraph>
      <Form layout="inline">
        <Form.Item label={t('calendar.from')}>
          <DatePicker
            showTime={{ format: 'HH:mm' }}
            format="YYYY-MM-DD HH:mm"
            value={from}
            onChange={setFrom}
            aria-label={t('calendar.from')}
          />
        </Form.Item>
        <Form.Item label={t('calendar.days')}>
          <InputNumber
            min={0}
            max={366}
            precision={0}
            value={days}
            onChange={(value) => setDays(value ?? 0)}
            aria-label={t('calendar.days')}
          />
        </Form.Item>
      </Form>
      <div style={{ marginTop: 16 }}>
        {deadline.isError ? (
          <ApiErrorAlert error={deadline.error} onRetry={() => void deadline.refetch()} />
        ) : (
          deadline.data && (
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('calendar.due')}>
                <Flex gap={8} align="center" wrap>
                  <Typography.Text strong data-testid="deadline-due">
                    {formatShanghai(deadline.data.due)}
                  </Typography.Text>
                  {deadline.data.provisional && (
                    <Tag color="orange">
                      {t('calendar.dueProvisional', { years: deadline.data.unconfirmedYears.join(', ') })}
                    </Tag>
                  )}
                </Flex>
              </Descriptions.Item>
            </Descriptions>
          )
        )}
      </div>
    </Card>
  );
}
