import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as svc from './certification.service.ts';
import { ATTACHMENT_PURPOSES, PLANS } from './datacentres.table.ts';
import * as migration from './migration.service.ts';

// The room's own evidence, the migration plan, each system's migration or shut-down, and closure (LZ 16).

const TAG = ['data-centres'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Day = (description?: string) => Type.String({ format: 'date', description });
const Upload = Type.Object({
  purpose: Type.Enum(ATTACHMENT_PURPOSES, { description: 'a room: closure or mlps_report' }),
  fileName: Type.String({ minLength: 1, maxLength: 200 }),
  mediaType: Type.String({ minLength: 3, maxLength: 100 }),
  contentBase64: Type.String({ minLength: 1, description: 'the file, base64; at most 5 MB decoded' }),
});
const UPLOAD_BODY_LIMIT = 7 * 1024 * 1024;

export const migrationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/data-centres/:id/attachments',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The room’s own evidence (closure record, MLPS test report)',
        params: IdParams,
        response: { 200: Type.Array(Type.Ref('DataCentreAttachment')), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.centreAttachments(trx, auth, request.params.id));
    },
  );

  app.post(
    '/data-centres/:id/attachments',
    {
      config: { permission: 'datacentre:register' },
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: {
        tags: TAG,
        summary: 'Upload the room’s evidence: closure (LZ 16(3)) or its MLPS test report',
        params: IdParams,
        body: Upload,
        response: { 201: Type.Ref('DataCentreAttachment'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const out = await withTenant(db, auth, (trx) =>
        svc.uploadCentreAttachment(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(out);
    },
  );

  app.put(
    '/data-centres/:id/plan',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'The migration plan (LZ 16(1)): each non-classified system, how, and by when inside the deadline',
        params: IdParams,
        body: Type.Object({
          items: Type.Array(
            Type.Object({
              systemId: Type.String({ format: 'uuid' }),
              plan: Type.Enum(PLANS, { description: 'migrate 迁移上云, shut_down 整合关停' }),
              targetDate: Day('planned completion day'),
            }),
            { minItems: 1, maxItems: 200 },
          ),
        }),
        response: { 200: Type.Ref('DataCentre'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        migration.setPlan(trx, auth, actorOf(request), request.params.id, request.body.items, clock.now()),
      );
    },
  );

  app.post(
    '/data-centres/:id/systems/:systemId/done',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'A system has left the room: migrated (with its project and orders) or shut down (LZ 16(2))',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), systemId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          doneOn: Day(),
          dataHandling: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], {
            default: null,
            description: 'shut-down systems: how their data was handled',
          }),
          projectId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { default: null }),
          orderNumbers: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, default: [] }),
        }),
        response: { 200: Type.Ref('DataCentre'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        migration.recordDone(
          trx,
          auth,
          actorOf(request),
          request.params.id,
          request.params.systemId,
          request.body,
          clock.now(),
        ),
      );
    },
  );

  app.post(
    '/data-centres/:id/closure',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'The room is revoked (LZ 16(3)): day, note, and its equipment listed for pooling (LZ 16(4))',
        params: IdParams,
        body: Type.Object({
          closedOn: Day(),
          note: Type.String({ minLength: 1, maxLength: 2000 }),
          equipment: Type.Array(Type.Ref('DataCentreEquipment'), { maxItems: 1000 }),
        }),
        response: { 200: Type.Ref('DataCentre'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        migration.closeCentre(
          trx,
          auth,
          actorOf(request),
          request.params.id,
          request.body as migration.ClosureInput,
          clock.now(),
        ),
      );
    },
  );
};
