import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as service from './calendar.service.ts';

// Calendars are public information: every route here is reachable without a session. Importing a year
// changes state and is not here; it needs an operator's permission.

const JurisdictionQuery = Type.Optional(
  Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$', description: 'jurisdiction code; default: the city cloud' }),
);
const MomentQuery = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    description: `${description}: ISO 8601 with an offset, e.g. 2026-09-30T10:00:00+08:00 (encode + as %2B)`,
  });
const DaysQuery = (description: string) =>
  Type.Integer({ minimum: 0, maximum: service.MAX_DAYS, description: `${description} (0 = the end of the same day)` });
const YearParams = Type.Object({ year: Type.Integer({ minimum: service.MIN_YEAR, maximum: service.MAX_YEAR }) });

const FIELDS: Record<string, string> = {
  from: 'query.from',
  to: 'query.to',
  days: 'query.days',
  jurisdiction: 'query.jurisdiction',
  year: 'path.year',
};

/** The service names its inputs (`from`); over HTTP they are named where they were sent (`query.from`). */
async function located<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError) || !error.fields) throw error;
    const fields = error.fields.map((f) => ({ ...f, field: FIELDS[f.field] ?? f.field }));
    const detail =
      error.code === 'validation_failed' ? fields.map((f) => `${f.field}: ${f.message}`).join('; ') : error.detail;
    throw new AppError(error.code, detail, fields);
  }
}

export const calendarRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db }) => {
  app.get(
    '/calendar/working-days/add',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['calendar'],
        summary: 'The deadline N working days after a moment: 23:59:59.999+08:00 of the N-th working day',
        description:
          'Counts working days after the calendar day (Asia/Shanghai) of `from`, skipping weekends and statutory ' +
          'holidays and counting make-up working days. `provisional` is true when a year counted over has no ' +
          'confirmed calendar: its statutory holidays count, its make-up working days are not known yet.',
        querystring: Type.Object({
          from: MomentQuery('the moment counted from'),
          days: DaysQuery('working days'),
          jurisdiction: JurisdictionQuery,
        }),
        response: { 200: Type.Ref('WorkingDaysDeadline'), ...problemResponses },
      },
    },
    async (request) => {
      const { from, days, jurisdiction } = request.query;
      return located(() => service.addWorkingDays(db, jurisdiction, service.parseMomentInput(from, 'from'), days));
    },
  );

  app.get(
    '/calendar/working-days/count',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['calendar'],
        summary: 'Working days from one moment to another',
        description:
          'Working days strictly after the calendar day of `from` up to and including the calendar day of `to`, ' +
          'so that counting up to a deadline of N working days gives N. Negative when `to` is the earlier day.',
        querystring: Type.Object({
          from: MomentQuery('start'),
          to: MomentQuery('end'),
          jurisdiction: JurisdictionQuery,
        }),
        response: { 200: Type.Ref('WorkingDaysCount'), ...problemResponses },
      },
    },
    async (request) => {
      const { from, to, jurisdiction } = request.query;
      return located(() =>
        service.countWorkingDays(
          db,
          jurisdiction,
          service.parseMomentInput(from, 'from'),
          service.parseMomentInput(to, 'to'),
        ),
      );
    },
  );

  app.get(
    '/calendar/calendar-days/add',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['calendar'],
        summary: 'The end of a term of N calendar days (e.g. a trial period): 23:59:59.999+08:00 of day + N',
        querystring: Type.Object({ from: MomentQuery('the moment counted from'), days: DaysQuery('calendar days') }),
        response: { 200: Type.Ref('CalendarDaysDeadline'), ...problemResponses },
      },
    },
    async (request) => {
      const { from, days } = request.query;
      return located(() => service.addCalendarDays(service.parseMomentInput(from, 'from'), days));
    },
  );

  app.get(
    '/calendar/years/:year',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['calendar'],
        summary: "A year's calendar: every day with its kind and holiday name, and whether the year is confirmed",
        params: YearParams,
        querystring: Type.Object({ jurisdiction: JurisdictionQuery }),
        response: { 200: Type.Ref('CalendarYear'), ...problemResponses },
      },
    },
    async (request) => located(() => service.listYear(db, request.query.jurisdiction, request.params.year)),
  );

  app.get(
    '/calendar/years/:year/ics',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['calendar'],
        summary: "A year's holidays and make-up working days as iCalendar (RFC 5545), one all-day event per day",
        params: YearParams,
        querystring: Type.Object({ jurisdiction: JurisdictionQuery }),
        response: {
          200: {
            description: 'text/calendar; X-YUNGUAN-STATUS says whether the year is confirmed',
            content: { 'text/calendar': { schema: Type.String() } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const j = await located(() => service.resolveJurisdiction(db, request.query.jurisdiction));
      const ics = await service.exportYearIcs(db, j, request.params.year);
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', `attachment; filename="${j.code}-${request.params.year}.ics"`)
        .send(ics);
    },
  );

  // Operators load or correct a year from the State Council's notice; the file is the request body.
  app.addContentTypeParser(
    ['text/csv', 'text/calendar'],
    { parseAs: 'string', bodyLimit: service.MAX_IMPORT_BYTES },
    (_req, body, done) => done(null, body),
  );
  app.put(
    '/calendar/years/:year',
    {
      config: { permission: 'calendar:manage' },
      bodyLimit: service.MAX_IMPORT_BYTES,
      schema: {
        tags: ['calendar'],
        summary:
          'Import or correct a year (CSV `date,kind,name` or iCalendar): the whole file or nothing; the year becomes confirmed',
        params: YearParams,
        querystring: Type.Object({ jurisdiction: JurisdictionQuery }),
        body: Type.String({ minLength: 1 }),
        response: {
          200: Type.Object({
            jurisdiction: Type.String(),
            year: Type.Integer(),
            status: Type.Literal('confirmed'),
            source: Type.String(),
            holidays: Type.Integer(),
            makeupWorkingDays: Type.Integer(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const j = await located(() => service.resolveJurisdiction(db, request.query.jurisdiction));
      if (auth.visibility.kind !== 'jurisdiction' || !auth.visibility.jurisdictions.includes(j.id)) {
        throw new AppError('not_found', `jurisdiction "${j.code}" / 辖区不存在`);
      }
      const contentType = String(request.headers['content-type'] ?? '');
      const format = contentType.startsWith('text/calendar') ? 'ics' : 'csv';
      return db
        .transaction()
        .execute((trx) => service.importYear(trx, actorOf(request), j.code, request.params.year, format, request.body));
    },
  );
};
