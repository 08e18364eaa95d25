import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as svc from './grants.service.ts';
import { GRANT_STATUSES } from './shareddata.table.ts';

const TAG = ['shared-data'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Day = (description: string) => Type.String({ format: 'date', description });
const Reason = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], { default: null });

export const grantRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.post(
    '/shared-data/applications',
    {
      config: { permission: 'shared-data:apply' },
      schema: {
        tags: TAG,
        summary: 'Apply for a published data resource for a project of the caller’s unit',
        description:
          'Unconditional resources are granted on application (recorded and audited); conditional ones wait for the ' +
          'providing unit, then the ops unit. Not shared: 422 data_resource_not_shared.',
        body: Type.Object({
          resourceId: Type.String({ format: 'uuid' }),
          projectId: Type.String({ format: 'uuid', description: 'the unit’s project that needs the data' }),
          purpose: Type.String({ minLength: 1, maxLength: 1000, description: '用途' }),
          fields: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 200 }),
          validFrom: Day('first day of use'),
          validTo: Day('last day of use'),
        }),
        response: { 201: Type.Ref('DataGrant'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const grant = await withTenant(db, auth, (trx) =>
        svc.applyForResource(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(grant);
    },
  );

  app.get(
    '/shared-data/applications',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'Applications and grants: the unit’s own, those on its resources, or (ops) all and those to review',
        querystring: Type.Object({
          view: Type.Enum(['mine', 'provider', 'review', 'all'], { default: 'mine' }),
          status: Type.Optional(Type.Enum(GRANT_STATUSES)),
          resourceId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('DataGrant')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { view, limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) =>
        svc.listApplications(trx, auth, view, filter, { limit, offset }, clock.now()),
      );
    },
  );

  app.get(
    '/shared-data/applications/:id',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'One application or grant',
        params: IdParams,
        response: { 200: Type.Ref('DataGrant'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getGrant(trx, auth, request.params.id, clock.now()));
    },
  );

  app.post(
    '/shared-data/applications/:id/decision',
    {
      config: { permission: 'shared-data:authorise' },
      schema: {
        tags: TAG,
        summary:
          'The providing unit approves (some or all fields, a period inside the one asked for, a rate) or refuses',
        params: IdParams,
        body: Type.Object({
          decision: Type.Enum(['approve', 'refuse']),
          fields: Type.Optional(
            Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 200 }),
          ),
          validFrom: Type.Optional(Day('first day granted')),
          validTo: Type.Optional(Day('last day granted')),
          rateLimitPerMinute: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100_000 }), Type.Null()])),
          reason: Reason,
        }),
        response: { 200: Type.Ref('DataGrant'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.decideApplication(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/shared-data/applications/:id/review',
    {
      config: { permission: 'shared-data:review' },
      schema: {
        tags: TAG,
        summary: 'The ops unit reviews a conditional grant the provider approved: it comes into force, or is refused',
        params: IdParams,
        body: Type.Object({ decision: Type.Enum(['approve', 'refuse']), reason: Reason }),
        response: { 200: Type.Ref('DataGrant'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.reviewApplication(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/shared-data/applications/:id/withdraw',
    {
      config: { permission: 'shared-data:apply' },
      schema: {
        tags: TAG,
        summary: 'The applying unit withdraws a pending application',
        params: IdParams,
        response: { 200: Type.Ref('DataGrant'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.withdrawApplication(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/shared-data/applications/:id/revoke',
    {
      config: { permission: 'shared-data:revoke' },
      schema: {
        tags: TAG,
        summary: 'Revoke a grant in force (the providing unit or the ops unit); the next gateway call is refused',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }),
        response: { 200: Type.Ref('DataGrant'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.revokeGrant(trx, auth, actorOf(request), request.params.id, request.body.reason, clock.now()),
      );
    },
  );
};
