import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import {
  ProjectCreateBody,
  ProjectDecisionBody,
  ProjectPatchBody,
  projectStatus,
  QuotaBody,
  SystemCreateBody,
  SystemPatchBody,
  systemStatus,
} from './projects.schemas.ts';
import * as svc from './projects.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const paging = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
const TAG = ['projects'];

export const projectRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  // ---- information systems ----
  app.get(
    '/systems',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'Information systems in the caller’s scope (a unit: its own; jurisdiction roles: all in scope)',
        querystring: Type.Object({
          status: Type.Optional(systemStatus),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
          mlpsLevel: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the name' })),
          ...paging,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('InformationSystem')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) => svc.listSystems(trx, auth, filter, { limit, offset }));
    },
  );

  app.post(
    '/systems',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Register an information system of the caller’s unit',
        description:
          'status on_cloud is refused for a classified system or one above MLPS level 3 (409 cloud_not_permitted, SH 2, 7) ' +
          'and without MLPS filing and a security commitment letter (409 go_live_not_permitted, SH 30, TZ 11).',
        body: SystemCreateBody,
        response: { 201: Type.Ref('InformationSystem'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const created = await withTenant(db, auth, (trx) => svc.createSystem(trx, auth, actorOf(request), request.body));
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/systems/:id',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'One information system',
        params: IdParams,
        response: { 200: Type.Ref('InformationSystem'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.readSystem(trx, auth, request.params.id));
    },
  );

  app.patch(
    '/systems/:id',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Change an information system (the cloud rules as on create; audited with before/after)',
        params: IdParams,
        body: SystemPatchBody,
        response: { 200: Type.Ref('InformationSystem'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.updateSystem(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.delete(
    '/systems/:id',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Delete a system no project builds and that is not on the cloud (otherwise retire it)',
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await withTenant(db, auth, (trx) => svc.deleteSystem(trx, auth, actorOf(request), request.params.id));
      return reply.code(204).send(null);
    },
  );

  // ---- projects ----
  app.get(
    '/projects',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'Projects in the caller’s scope with their systems and quota, newest year first',
        querystring: Type.Object({
          status: Type.Optional(projectStatus),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
          q: Type.Optional(
            Type.String({ minLength: 1, maxLength: 100, description: 'part of the name or approval number' }),
          ),
          ...paging,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('Project')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) => svc.listProjects(trx, auth, filter, { limit, offset }, clock.now()));
    },
  );

  app.post(
    '/projects',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary:
          'Declare a project of the caller’s unit (申报; status declared): the authority approves it (立项), the economy & IT authority sets its quota',
        body: ProjectCreateBody,
        response: { 201: Type.Ref('Project'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const created = await withTenant(db, auth, (trx) =>
        svc.createProject(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/projects/:id',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'One project with its systems and quota',
        params: IdParams,
        response: { 200: Type.Ref('Project'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.readProject(trx, auth, request.params.id, clock.now()));
    },
  );

  app.patch(
    '/projects/:id',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Change a declared project (name, number, year, systems); audited with before/after',
        params: IdParams,
        body: ProjectPatchBody,
        response: { 200: Type.Ref('Project'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.updateProject(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/projects/:id/submit',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Submit a declared project for the authority’s review (declared -> under_review; audited)',
        params: IdParams,
        response: { 200: Type.Ref('Project'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.submitProject(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/projects/:id/decision',
    {
      config: { permission: 'project:approve' },
      schema: {
        tags: TAG,
        summary: 'The authority decides a project under review: approve (立项), reject, or return (SH 18, JQ-proj 9)',
        description:
          'under_review -> approved / rejected, or back to declared (the unit may edit it again). Audited. The quota ' +
          'is then set by the economy & IT authority (PUT /projects/:id/quota).',
        params: IdParams,
        body: ProjectDecisionBody,
        response: { 200: Type.Ref('Project'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.decideProject(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.put(
    '/projects/:id/quota',
    {
      config: { permission: 'quota:set' },
      schema: {
        tags: TAG,
        summary: 'Set (replace) a project’s quota and periodic windows: economy & IT authority only (SH 18)',
        description:
          'base: quantity per dimension; windows: periodic (dynamic) quota, inclusive Asia/Shanghai dates, whose ' +
          'quantities replace the base inside their dates. Windows of one dimension may not overlap. Audited with ' +
          'the quota before and after.',
        params: IdParams,
        body: QuotaBody,
        response: { 200: Type.Ref('Project'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.setQuota(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.get(
    '/projects/:id/quota',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'The quota in force on a day (default today): the base, replaced by a window covering the day',
        params: IdParams,
        querystring: Type.Object({ day: Type.Optional(Type.String({ format: 'date' })) }),
        response: {
          200: Type.Object({
            projectId: Type.String(),
            day: Type.String({ format: 'date' }),
            quota: Type.Record(Type.String(), Type.String()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const day = request.query.day ?? shanghaiDay(clock.now());
      return withTenant(db, auth, (trx) => svc.quotaAt(trx, auth, request.params.id, day));
    },
  );
};
