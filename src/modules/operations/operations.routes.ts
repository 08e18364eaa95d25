import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as maintenance from './maintenance.service.ts';
import { MaintenanceStatusSchema, PrioritySchema, TicketKindSchema, TicketStatusSchema } from './operations.schemas.ts';
import { ANSWERS, MAINTENANCE_KINDS } from './operations.table.ts';
import * as tickets from './tickets.service.ts';

const TICKETS = ['operations'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Page = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
const Text = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, description });
const Ticket = { 200: Type.Ref('ServiceTicketDetail'), ...problemResponses };
const Maintenance = { 200: Type.Ref('MaintenanceWindowDetail'), ...problemResponses };

export const operationsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  // ------------------------------------------------------------------------------------------ service desk
  app.post(
    '/operations/tickets',
    {
      config: { permission: 'ticket:open' },
      schema: {
        tags: TICKETS,
        summary: 'A using unit opens a ticket, routed to the provider of the resource concerned (TZ 12)',
        description:
          'The response target is the pack’s `provider.responseMinutesMax`, counted in wall-clock time (7x24) from now.',
        body: Type.Object({
          kind: TicketKindSchema,
          priority: PrioritySchema,
          subject: Text(200),
          description: Text(5000),
          resourceId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
          systemId: Type.Optional(
            Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
              description:
                'an information system of the unit, without a resource: routed to the provider running its ' +
                'resources (several: name one with providerId)',
            }),
          ),
          providerId: Type.Optional(
            Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
              description: 'the provider, for a ticket about the platform rather than one resource',
            }),
          ),
        }),
        response: { 201: Type.Ref('ServiceTicketDetail'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const t = await withTenant(db, auth, (trx) =>
        tickets.openTicket(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(t);
    },
  );

  app.get(
    '/operations/tickets',
    {
      config: { permission: 'ticket:read' },
      schema: {
        tags: TICKETS,
        summary: 'Tickets the caller may see: a unit its own, a provider those routed to it, the city all',
        querystring: Type.Object({
          status: Type.Optional(TicketStatusSchema),
          breached: Type.Optional(Type.Boolean({ description: 'response target missed' })),
          overdue: Type.Optional(
            Type.Boolean({ description: 'resolution target missed: unresolved past it, or resolved after it' }),
          ),
          ...Page,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('ServiceTicket')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, ...f } = request.query;
      return withTenant(db, auth, (trx) => tickets.listTickets(trx, auth, f, { limit, offset }, clock.now()));
    },
  );

  app.get(
    '/operations/tickets/:id',
    {
      config: { permission: 'ticket:read' },
      schema: { tags: TICKETS, summary: 'A ticket with its clock and history', params: IdParams, response: Ticket },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => tickets.getTicket(trx, auth, request.params.id, clock.now()));
    },
  );

  app.post(
    '/operations/tickets/:id/responses',
    {
      config: { permission: 'ticket:work' },
      schema: {
        tags: TICKETS,
        summary: 'The provider answers: the first answer stops the response clock; later ones are updates',
        params: IdParams,
        body: Type.Object({ body: Text(5000) }),
        response: Ticket,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        tickets.respond(trx, auth, actorOf(request), request.params.id, request.body.body, clock.now()),
      );
    },
  );

  app.post(
    '/operations/tickets/:id/resolution',
    {
      config: { permission: 'ticket:work' },
      schema: {
        tags: TICKETS,
        summary: 'The provider resolves the ticket',
        params: IdParams,
        body: Type.Object({ resolution: Text(5000) }),
        response: Ticket,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        tickets.resolve(trx, auth, actorOf(request), request.params.id, request.body.resolution, clock.now()),
      );
    },
  );

  app.post(
    '/operations/tickets/:id/confirmation',
    {
      config: { permission: 'ticket:open' },
      schema: {
        tags: TICKETS,
        summary: 'The unit confirms a resolved ticket and rates its satisfaction (1-5), counted for evaluation',
        params: IdParams,
        body: Type.Object({
          satisfaction: Type.Integer({ minimum: 1, maximum: 5 }),
          comment: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
        }),
        response: Ticket,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        tickets.confirm(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  // ------------------------------------------------------------------------------------------- maintenance
  app.post(
    '/operations/maintenance',
    {
      config: { permission: 'maintenance:apply' },
      schema: {
        tags: TICKETS,
        summary: 'A provider applies for a planned maintenance window or a sudden interruption (JQ 13)',
        description:
          'A planned window must start after the pack’s `provider.plannedInterruptionLeadWorkingDays` working days ' +
          '(422 lead_time_too_short naming the article otherwise). The affected units are derived from the inventory.',
        body: Type.Object({
          kind: Type.Enum(MAINTENANCE_KINDS),
          title: Text(200),
          impact: Text(2000, 'what stops or degrades, for how long'),
          zone: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
          resourceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000 })),
          startsAt: Type.String({ format: 'date-time' }),
          endsAt: Type.String({ format: 'date-time' }),
        }),
        response: { 201: Type.Ref('MaintenanceWindowDetail'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const m = await withTenant(db, auth, (trx) =>
        maintenance.apply(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(m);
    },
  );

  app.get(
    '/operations/maintenance',
    {
      config: { permission: 'maintenance:read' },
      schema: {
        tags: TICKETS,
        summary: 'The maintenance calendar: windows the caller may see (a unit those affecting it), by time',
        querystring: Type.Object({
          status: Type.Optional(MaintenanceStatusSchema),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          ...Page,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('MaintenanceWindow')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, status, from, to } = request.query;
      const f = { status, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
      return withTenant(db, auth, (trx) => maintenance.listMaintenance(trx, auth, f, { limit, offset }));
    },
  );

  app.get(
    '/operations/maintenance/:id',
    {
      config: { permission: 'maintenance:read' },
      schema: {
        tags: TICKETS,
        summary: 'A maintenance window with its affected units',
        params: IdParams,
        response: Maintenance,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => maintenance.getMaintenance(trx, auth, request.params.id));
    },
  );

  app.post(
    '/operations/maintenance/:id/notification',
    {
      config: { permission: 'maintenance:decide' },
      schema: {
        tags: TICKETS,
        summary: 'The authority notifies every affected unit, once, and asks it to confirm or object (JQ 13)',
        params: IdParams,
        response: Maintenance,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        maintenance.notifyUnits(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/operations/maintenance/:id/answer',
    {
      config: { permission: 'maintenance:respond' },
      schema: {
        tags: TICKETS,
        summary: 'An affected unit confirms the window or objects to it',
        params: IdParams,
        body: Type.Object({
          answer: Type.Enum(ANSWERS),
          note: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
        }),
        response: Maintenance,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        maintenance.answer(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/operations/maintenance/:id/decision',
    {
      config: { permission: 'maintenance:decide' },
      schema: {
        tags: TICKETS,
        summary: 'The authority agrees the final window with the units, or refuses (JQ 13)',
        params: IdParams,
        body: Type.Object({
          decision: Type.Enum(['agree', 'refuse']),
          startsAt: Type.Optional(Type.String({ format: 'date-time' })),
          endsAt: Type.Optional(Type.String({ format: 'date-time' })),
          note: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
        }),
        response: Maintenance,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        maintenance.decide(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );
};
