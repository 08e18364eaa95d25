export type { ImportFormat } from './calendar.formats.ts';
export { calendarRoutes } from './calendar.routes.ts';
export { CALENDAR_SCHEMAS } from './calendar.schemas.ts';
export { seedDemoCalendar } from './calendar.seed.ts';
// issue 18: resolution targets counted in working time
export {
  addCalendarDays,
  addWorkingDays,
  addWorkingTime,
  type CalendarDaysDeadline,
  type CalendarYear,
  countWorkingDays,
  exportYearIcs,
  type ImportResult,
  importYear,
  installPackagedCalendar,
  type JurisdictionRef,
  listYear,
  parseMomentInput,
  resolveJurisdiction,
  type WorkingDaysCount,
  type WorkingDaysDeadline,
  type WorkingHours,
  type WorkingTimeDeadline,
} from './calendar.service.ts';
