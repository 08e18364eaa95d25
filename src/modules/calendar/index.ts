export type { ImportFormat } from './calendar.formats.ts';
export { calendarRoutes } from './calendar.routes.ts';
export { CALENDAR_SCHEMAS } from './calendar.schemas.ts';
export { seedDemoCalendar } from './calendar.seed.ts';
export {
  addCalendarDays,
  addWorkingDays,
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
} from './calendar.service.ts';
