import { Card, Tooltip } from 'antd';
import type { CalendarDay } from '../../api/types';
import { useI18n } from '../../i18n';
import { monthGrids } from './monthGrid';

function DayCell({ day }: { day: CalendarDay }) {
  const { t } = useI18n();
  const dayOfMonth = Number(day.date.slice(8, 10));
  const className = `yg-calendar-day yg-calendar-${day.kind}`;
  if (day.kind === 'holiday') {
    return (
      <Tooltip title={day.holidayName ?? t('calendar.legend.holiday')}>
        <div className={className} data-date={day.date} data-holiday={day.holidayName ?? ''}>
          {dayOfMonth}
        </div>
      </Tooltip>
    );
  }
  if (day.kind === 'makeup_working') {
    return (
      <Tooltip title={t('calendar.makeupTitle')}>
        <div className={className} data-date={day.date}>
          {dayOfMonth}
          <span className="yg-calendar-badge">{t('calendar.makeup')}</span>
        </div>
      </Tooltip>
    );
  }
  return (
    <div className={className} data-date={day.date}>
      {dayOfMonth}
    </div>
  );
}

/** Twelve month grids, Monday first: holidays red (name in the tooltip), make-up working days 班, weekends grey. */
export function YearCalendar({ days, language }: { days: readonly CalendarDay[]; language: string }) {
  const { t } = useI18n();
  const weekdays = t('calendar.weekdays').split(',');
  const monthName = (month: number) =>
    language === 'en-US'
      ? new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, month - 1, 1))
      : t('calendar.month', { month });
  return (
    <div className="yg-calendar-year">
      {monthGrids(days).map((grid) => (
        <Card key={grid.month} size="small" title={monthName(grid.month)} data-testid={`month-${grid.month}`}>
          <div className="yg-calendar-grid">
            {weekdays.map((name) => (
              <div key={name} className="yg-calendar-weekday">
                {name}
              </div>
            ))}
            {Array.from({ length: grid.leading }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed blank cells
              <div key={`blank-${i}`} />
            ))}
            {grid.days.map((day) => (
              <DayCell key={day.date} day={day} />
            ))}
          </div>
        </Card>
      ))}
    </div>
  );
}
