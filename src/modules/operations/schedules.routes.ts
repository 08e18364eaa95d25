import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as schedules from './schedules.service.ts';

const TAGS = ['operations'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Period = Type.Union([Type.Literal('week'), Type.Literal('month')]);
const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const Roles = Type.Array(Type.String({ maxLength: 50 }), {
  minItems: 1,
  maxItems: 20,
  description: 'roles whose holders receive the report: only roles that may read it',
});
const Schedule = Type.Object({
  id: Type.String({ format: 'uuid' }),
  scope: Type.Union([Type.Literal('city'), Type.Literal('provider')]),
  provider: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  period: Period,
  recipientRoles: Type.Array(Type.String()),
  active: Type.Boolean(),
  nextRunAt: Type.String({ format: 'date-time', description: '08:00 Beijing time after the period ends' }),
  nextPeriodStart: Type.String({ format: 'date', description: 'the first day of the period the next run reports' }),
  lastRunAt: Nullable(Type.String({ format: 'date-time' })),
  lastReportId: Nullable(Type.String({ format: 'uuid' })),
  lastError: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const scheduleRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/operations/report-schedules',
    {
      config: { permission: 'ops-report:read' },
      schema: {
        tags: TAGS,
        summary: 'Report schedules the caller may see, and the roles each scope’s report may be sent to',
        response: {
          200: Type.Object({
            items: Type.Array(Schedule),
            recipientRoleOptions: Type.Object({ city: Type.Array(Type.String()), provider: Type.Array(Type.String()) }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const list = await withTenant(db, auth, (trx) => schedules.listSchedules(trx, auth));
      return {
        ...list,
        recipientRoleOptions: {
          city: schedules.recipientRolesFor('city'),
          provider: schedules.recipientRolesFor('provider'),
        },
      };
    },
  );

  app.post(
    '/operations/report-schedules',
    {
      config: { permission: 'ops-report:generate' },
      schema: {
        tags: TAGS,
        summary: 'Schedule a weekly or monthly report (TZ 12), generated after each period and e-mailed with its PDF',
        description:
          'A week’s report is made on Monday, a month’s on the 1st, at 08:00 Beijing time, archived like one made ' +
          'by hand and sent to every holder of the chosen roles (in the inbox, and by e-mail with the PDF attached). ' +
          'A provider schedules its own; the ops unit the city-wide one or any provider’s.',
        body: Type.Object({
          period: Period,
          providerId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
          recipientRoles: Roles,
        }),
        response: { 201: Schedule, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const s = await withTenant(db, auth, (trx) =>
        schedules.createSchedule(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(s);
    },
  );

  app.patch(
    '/operations/report-schedules/:id',
    {
      config: { permission: 'ops-report:generate' },
      schema: {
        tags: TAGS,
        summary: 'Pause or resume a schedule, or change its recipients (resumed: from the next period that ends)',
        params: IdParams,
        body: Type.Object({ active: Type.Optional(Type.Boolean()), recipientRoles: Type.Optional(Roles) }),
        response: { 200: Schedule, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        schedules.updateSchedule(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );
};
