import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { writeProgress, writeRegister } from './datacentres.excel.ts';
import { CentreFacts, StageSchema } from './datacentres.schemas.ts';
import { CONSTRUCTIONS } from './datacentres.table.ts';
import * as migration from './migration.service.ts';
import * as svc from './register.service.ts';

const TAG = ['data-centres'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const XlsxFile = {
  description: 'an Excel workbook (.xlsx)',
  content: { [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
};
const SystemIds = Type.Array(Type.String({ format: 'uuid' }), {
  maxItems: 200,
  description: 'the information systems it hosts, from the systems register',
});

export const registerRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.post(
    '/data-centres',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'Register one of the unit’s data centres (LZ 12, the self-check of LZ 14(1))',
        description:
          'A rented room needs its lease end: the lease end registered is its migration deadline (LZ 19) and a later ' +
          'change of the lease end does not move it.',
        body: Type.Object({
          organisationId: Type.Optional(
            Type.String({ format: 'uuid', description: 'a sub-unit; the caller’s by default' }),
          ),
          construction: Type.Enum(CONSTRUCTIONS, { description: 'self_built 自建, rented 租用第三方' }),
          ...CentreFacts,
          systemIds: SystemIds,
        }),
        response: { 201: Type.Ref('DataCentre'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const centre = await withTenant(db, auth, (trx) =>
        svc.createCentre(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(centre);
    },
  );

  app.get(
    '/data-centres',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The register: the unit’s own rooms, or (the ops unit, the authority) the whole jurisdiction’s',
        querystring: Type.Object({
          stage: Type.Optional(StageSchema),
          construction: Type.Optional(Type.Enum(CONSTRUCTIONS)),
          q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of a name or address' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('DataCentre')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) => svc.listCentres(trx, auth, filter, { limit, offset }, clock.now()));
    },
  );

  app.get(
    '/data-centres/overview',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The city’s picture (LZ 14(1)): rooms, racks and systems still off the cloud, by stage and unit',
        response: { 200: Type.Ref('DataCentreOverview'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => migration.overview(trx, auth, clock.now()));
    },
  );

  app.get(
    '/data-centres/export',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The register as an Excel workbook (the rooms the caller may see)',
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const body = await withTenant(db, auth, async (trx) => {
        const centres = await svc.allVisible(trx, auth, clock.now());
        const file = await writeRegister(centres);
        await writeAudit(trx, actorOf(request), {
          action: 'data_centre.register_exported',
          objectType: 'data_centre',
          objectId: null,
          detail: { rooms: centres.length, bytes: file.length },
        });
        return file;
      });
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('data-centres.xlsx', '存量数据中心登记表.xlsx'))
        .send(body);
    },
  );

  app.get(
    '/data-centres/migration',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'Migration progress per room and in total (LZ 16); rooms whose plan will miss the deadline flagged',
        response: { 200: Type.Ref('DataCentreMigrationProgress'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => migration.migrationProgress(trx, auth, clock.now()));
    },
  );

  app.get(
    '/data-centres/migration/export',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The migration progress as an Excel workbook (rooms, then each system)',
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const body = await withTenant(db, auth, async (trx) => {
        const now = clock.now();
        const centres = await svc.allVisible(trx, auth, now);
        const { rooms } = await migration.migrationProgress(trx, auth, now);
        const file = await writeProgress(rooms, centres);
        await writeAudit(trx, actorOf(request), {
          action: 'data_centre.progress_exported',
          objectType: 'data_centre',
          objectId: null,
          detail: { rooms: rooms.length, bytes: file.length },
        });
        return file;
      });
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('data-centre-migration.xlsx', '迁移上云进度.xlsx'))
        .send(body);
    },
  );

  app.get(
    '/data-centres/:id',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'One room with its systems, deadlines and progress',
        params: IdParams,
        response: { 200: Type.Ref('DataCentre'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getCentre(trx, auth, request.params.id, clock.now()));
    },
  );

  app.patch(
    '/data-centres/:id',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'Correct the register (the unit that runs the room); a new lease end does not move the deadline',
        params: IdParams,
        body: Type.Partial(Type.Object({ ...CentreFacts, systemIds: SystemIds }), { minProperties: 1 }),
        response: { 200: Type.Ref('DataCentre'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.updateCentre(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.get(
    '/data-centres/:id/notices',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The notices sent before the room’s retention ends (at the policy’s leads)',
        params: IdParams,
        response: {
          200: Type.Array(
            Type.Object({
              kind: Type.String(),
              endsOn: Type.String({ format: 'date' }),
              leadDays: Type.Integer(),
              noticeDay: Type.String({ format: 'date' }),
              sentAt: Type.String({ format: 'date-time' }),
            }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => migration.noticesSent(trx, auth, request.params.id));
    },
  );
};
