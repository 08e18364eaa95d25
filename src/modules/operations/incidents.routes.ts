import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { heartbeatAvailabilityOfDays } from './availability.service.ts';
import * as incidents from './incidents.service.ts';
import { HeartbeatAvailabilitySchema } from './operations.schemas.ts';
import { INCIDENT_STATUSES, INCIDENT_UPDATE_KINDS, SEVERITIES } from './operations.table.ts';

const TAGS = ['operations'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const Moment = () => Type.String({ format: 'date-time' });
const incidentFields = {
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  provider: Type.Object({ id: Type.String(), name: Type.String() }),
  severity: Type.Enum(SEVERITIES, { description: 'major 重大, significant 较大, minor 一般' }),
  status: Type.Enum(INCIDENT_STATUSES, {
    description: 'investigating 排查中, identified 已定位原因, recovering 恢复中, monitoring 观察中, ended 已恢复',
  }),
  declaredBy: Type.Object(
    { id: Type.String(), name: Type.String() },
    { description: 'the provider itself, or the ops unit that declared it for the provider' },
  ),
  title: Type.String(),
  description: Type.String(),
  zone: Nullable(Type.String()),
  resourceIds: Type.Array(Type.String()),
  systemIds: Type.Array(Type.String()),
  startedAt: Moment(),
  endedAt: Nullable(Moment()),
  reportDueAt: Nullable(Moment()),
  report: Nullable(Type.String()),
  reportedAt: Nullable(Moment()),
  overdueSince: Nullable(Moment()),
};
const Incident = Type.Object(incidentFields);
const StatusOrNull = () => Type.Union([Type.Enum(INCIDENT_STATUSES), Type.Null()]);
const IncidentDetail = Type.Object({
  ...incidentFields,
  updates: Type.Array(
    Type.Object({
      kind: Type.Enum(INCIDENT_UPDATE_KINDS),
      body: Type.String(),
      statusFrom: StatusOrNull(),
      statusTo: StatusOrNull(),
      author: Type.String(),
      authorName: Type.String(),
      organisationName: Type.String(),
      at: Moment(),
    }),
    { description: 'the timeline, oldest first: the declaration, updates, the end, the report' },
  ),
});
const One = { 200: IncidentDetail, ...problemResponses };
const Availability = Type.Object({
  key: Type.String(),
  name: Nullable(Type.String()),
  downtimeSeconds: Type.Number(),
  availabilityPercent: Type.Number(),
});

export const incidentRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.post(
    '/operations/incidents',
    {
      config: { permission: 'incident:declare' },
      schema: {
        tags: TAGS,
        summary:
          'A provider, or the ops unit for a provider, declares an incident; systems and units touched come from ' +
          'the inventory (TZ 12(5))',
        body: Type.Object({
          severity: Type.Enum(SEVERITIES),
          title: Type.String({ minLength: 1, maxLength: 200 }),
          description: Type.String({ minLength: 1, maxLength: 5000 }),
          zone: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
          resourceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000 })),
          startedAt: Moment(),
          providerId: Type.Optional(
            Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
              description: 'the provider concerned: required when the ops unit declares; a provider declares its own',
            }),
          ),
        }),
        response: { 201: IncidentDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const i = await withTenant(db, auth, (trx) =>
        incidents.declare(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(i);
    },
  );

  app.get(
    '/operations/incidents',
    {
      config: { permission: 'incident:read' },
      schema: {
        tags: TAGS,
        summary: 'Incidents the caller may see: a unit those touching its systems, a provider its own',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(Incident), total: Type.Integer() }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => incidents.listIncidents(trx, auth, request.query));
    },
  );

  app.get(
    '/operations/incidents/availability',
    {
      config: { permission: 'incident:read' },
      schema: {
        tags: TAGS,
        summary: 'Availability per provider, zone and system from unplanned incident windows in [from, to)',
        querystring: Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            periodSeconds: Type.Number(),
            providers: Type.Array(Availability),
            zones: Type.Array(Availability),
            systems: Type.Array(Availability),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        incidents.availability(trx, auth, request.query.from, request.query.to, clock.now()),
      );
    },
  );

  app.get(
    '/operations/availability',
    {
      config: { permission: 'incident:read' },
      schema: {
        tags: TAGS,
        summary: 'Availability measured by the monitoring heartbeat in [from, to), agreed maintenance taken out',
        description:
          'Per resource, information system, using unit and provider: 1 - down / measured seconds, where measured ' +
          'time is each complete hour since the agent’s first heartbeat minus the resource’s agreed maintenance ' +
          'windows (JQ 13), and an hour is down by the share of heartbeat samples that were 0 (all of it without any). ' +
          'A provider sees its own resources, a unit its own.',
        querystring: Type.Object({
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date' }),
          providerId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 200: HeartbeatAvailabilitySchema, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => heartbeatAvailabilityOfDays(trx, auth, request.query, clock.now()));
    },
  );

  app.get(
    '/operations/incidents/:id',
    {
      config: { permission: 'incident:read' },
      schema: { tags: TAGS, summary: 'An incident', params: IdParams, response: One },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => incidents.getIncident(trx, auth, request.params.id));
    },
  );

  app.post(
    '/operations/incidents/:id/end',
    {
      config: { permission: 'incident:declare' },
      schema: {
        tags: TAGS,
        summary: 'The provider (or the ops unit) records the incident’s end',
        params: IdParams,
        body: Type.Object({ endedAt: Moment() }),
        response: One,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        incidents.end(trx, auth, actorOf(request), request.params.id, request.body.endedAt, clock.now()),
      );
    },
  );

  app.post(
    '/operations/incidents/:id/updates',
    {
      config: { permission: 'incident:declare' },
      schema: {
        tags: TAGS,
        summary: 'The provider or the ops unit posts an update during the incident, optionally changing its status',
        params: IdParams,
        body: Type.Object({
          body: Type.String({ minLength: 1, maxLength: 5000 }),
          status: Type.Optional(
            Type.Union([Type.Enum(INCIDENT_STATUSES.filter((s) => s !== 'ended')), Type.Null()], {
              description: 'the new status; its end is recorded by /end',
            }),
          ),
        }),
        response: { 201: IncidentDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const i = await withTenant(db, auth, (trx) =>
        incidents.postUpdate(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(i);
    },
  );

  app.post(
    '/operations/incidents/:id/report',
    {
      config: { permission: 'incident:declare' },
      schema: {
        tags: TAGS,
        summary:
          'The provider (or the ops unit) submits the incident report with its root cause (major: the same day, TZ 12(5))',
        params: IdParams,
        body: Type.Object({ report: Type.String({ minLength: 1, maxLength: 20000 }) }),
        response: One,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        incidents.report(trx, auth, actorOf(request), request.params.id, request.body.report, clock.now()),
      );
    },
  );
};
