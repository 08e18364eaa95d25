import { Alert, Card, DatePicker, Flex, Statistic, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useCalendarYear } from '../../api/hooks/calendar';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';
import { DeadlineCalculator } from './DeadlineCalculator';
import { YearCalendar } from './YearCalendar';

/** The working calendar of the city cloud, a year at a time, and a deadline calculator on it. */
export function CalendarPage() {
  const { t, language } = useI18n();
  const [year, setYear] = useState(() => dayjs().year());
  const calendar = useCalendarYear(year);
  const data = calendar.data;
  // a year without a notice: its statutory holidays come from the national rules of this edition
  const statutoryEdition =
    data?.status === 'provisional' ? /^statutory-rules (\d{4})/.exec(data.source ?? '')?.[1] : undefined;

  return (
    <>
      <PageHeader
        title={t('nav.calendar')}
        description={t('calendar.description')}
        extra={
          <DatePicker
            picker="year"
            allowClear={false}
            aria-label={t('calendar.year')}
            value={dayjs(`${year}-01-01`)}
            onChange={(value) => value && setYear(value.year())}
          />
        }
      />
      {calendar.isError ? (
        <ApiErrorAlert error={calendar.error} onRetry={() => void calendar.refetch()} />
      ) : !data ? (
        <PageLoading />
      ) : (
        <Flex vertical gap={16}>
          {data.status !== 'confirmed' && (
            <Alert
              type="warning"
              showIcon
              title={t(statutoryEdition ? 'calendar.provisionalStatutoryWarning' : 'calendar.provisionalWarning')}
              data-testid="calendar-provisional"
            />
          )}
          <Card>
            <Flex gap={32} wrap align="center">
              <Statistic title={t('calendar.year')} value={data.year} groupSeparator="" />
              <Statistic title={t('calendar.workingDayCount')} value={data.workingDayCount} />
              <div>
                <Typography.Text type="secondary">{t('calendar.source')}</Typography.Text>
                <div>
                  <Tag color={data.status === 'confirmed' ? 'green' : 'orange'}>
                    {data.status === 'confirmed' ? t('calendar.confirmed') : t('calendar.provisional')}
                  </Tag>
                  {statutoryEdition
                    ? t('calendar.sourceStatutory', { edition: statutoryEdition })
                    : (data.source ?? '—')}
                  {data.calendarOf && data.calendarOf !== data.jurisdiction && (
                    <Typography.Text type="secondary">
                      {' '}
                      · {t('calendar.calendarOf')} {data.calendarOf}
                    </Typography.Text>
                  )}
                </div>
              </div>
              <Flex gap={12} wrap className="yg-calendar-legend">
                <span className="yg-calendar-day yg-calendar-holiday">{t('calendar.legend.holiday')}</span>
                <span className="yg-calendar-day yg-calendar-makeup_working">{t('calendar.legend.makeup')}</span>
                <span className="yg-calendar-day yg-calendar-weekend">{t('calendar.legend.weekend')}</span>
                <span className="yg-calendar-day yg-calendar-working">{t('calendar.legend.working')}</span>
              </Flex>
            </Flex>
          </Card>
          <YearCalendar days={data.days} language={language} />
          <DeadlineCalculator />
        </Flex>
      )}
    </>
  );
}
