import Type from 'typebox';

const Provisional = Type.Boolean({
  description:
    'true when a day counted over lies in a year whose calendar is not confirmed: computed from the statutory ' +
    'holidays and weekends, without the make-up working days only the State Council notice decides',
});
const UnconfirmedYears = Type.Array(Type.Integer(), { description: 'the unconfirmed years behind `provisional`' });
const Day = (description: string) => Type.String({ format: 'date', description });
const Moment = (description: string) => Type.String({ format: 'date-time', description });

export const WorkingDaysDeadlineSchema = Type.Object(
  {
    from: Moment('the moment counted from, in +08:00'),
    workingDays: Type.Integer(),
    due: Moment('23:59:59.999+08:00 of the N-th working day after the calendar day of `from`'),
    dueDay: Day('the due day (Asia/Shanghai)'),
    provisional: Provisional,
    unconfirmedYears: UnconfirmedYears,
    jurisdiction: Type.String({ description: 'the jurisdiction whose calendar was used' }),
  },
  { $id: 'WorkingDaysDeadline', title: 'WorkingDaysDeadline' },
);

export const WorkingDaysCountSchema = Type.Object(
  {
    from: Moment('in +08:00'),
    to: Moment('in +08:00'),
    fromDay: Day('the calendar day of `from` (Asia/Shanghai)'),
    toDay: Day('the calendar day of `to` (Asia/Shanghai)'),
    workingDays: Type.Integer({
      description: 'working days after `fromDay` up to and including `toDay`; negative when `toDay` is earlier',
    }),
    provisional: Provisional,
    unconfirmedYears: UnconfirmedYears,
    jurisdiction: Type.String(),
  },
  { $id: 'WorkingDaysCount', title: 'WorkingDaysCount' },
);

export const CalendarDaysDeadlineSchema = Type.Object(
  {
    from: Moment('in +08:00'),
    calendarDays: Type.Integer(),
    due: Moment('23:59:59.999+08:00 of the calendar day of `from` plus N days'),
    dueDay: Day('the due day (Asia/Shanghai)'),
    provisional: Type.Boolean({ description: 'always false: calendar days do not depend on holidays' }),
  },
  { $id: 'CalendarDaysDeadline', title: 'CalendarDaysDeadline' },
);

export const DayKindSchema = Type.Union(
  [Type.Literal('working'), Type.Literal('holiday'), Type.Literal('makeup_working'), Type.Literal('weekend')],
  { description: 'makeup_working: a Saturday or Sunday worked in exchange for a holiday (调休上班)' },
);

export const CalendarYearSchema = Type.Object(
  {
    jurisdiction: Type.String(),
    year: Type.Integer(),
    status: Type.Union([Type.Literal('confirmed'), Type.Literal('provisional')], {
      description:
        'provisional: no notice loaded for the year; its statutory holidays (元旦, 春节, 清明节, 劳动节, 端午节, ' +
        '中秋节, 国庆节) are computed from the national rules, make-up working days and days in lieu are not known',
    }),
    source: Type.Union([Type.String(), Type.Null()], {
      description:
        'where the days came from, e.g. "chinese-days 1.5.7", "import:csv"; for a provisional year the edition of ' +
        'the statutory rules, "statutory-rules 2025 (tyme4ts 1.5.2)"; null when no rule applies (before 2008)',
    }),
    confirmedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    calendarOf: Type.Union([Type.String(), Type.Null()], {
      description: 'the jurisdiction whose calendar this is: itself, or the parent a district falls back on',
    }),
    workingDayCount: Type.Integer(),
    days: Type.Array(
      Type.Object({
        date: Type.String({ format: 'date' }),
        weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday ... 7 = Sunday' }),
        kind: DayKindSchema,
        holidayName: Type.Union([Type.String(), Type.Null()], { description: 'e.g. 国庆节' }),
      }),
    ),
  },
  { $id: 'CalendarYear', title: 'CalendarYear' },
);

export const CALENDAR_SCHEMAS = [
  WorkingDaysDeadlineSchema,
  WorkingDaysCountSchema,
  CalendarDaysDeadlineSchema,
  CalendarYearSchema,
];
