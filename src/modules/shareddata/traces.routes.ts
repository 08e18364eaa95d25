import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { CALL_OUTCOMES } from './shareddata.table.ts';
import * as svc from './traces.service.ts';

const TAG = ['shared-data'];
const filters = {
  view: Type.Enum(['consumer', 'provider', 'all'], {
    default: 'consumer',
    description:
      'consumer: the unit’s own calls; provider: calls on its resources; all: the jurisdiction’s (ops, auditors)',
  }),
  resourceId: Type.Optional(Type.String({ format: 'uuid' })),
  consumerOrganisationId: Type.Optional(Type.String({ format: 'uuid' })),
  outcome: Type.Optional(Type.Enum(CALL_OUTCOMES)),
  refusedOnly: Type.Optional(Type.Boolean()),
  from: Type.Optional(Type.String({ format: 'date', description: 'first day (Asia/Shanghai)' })),
  to: Type.Optional(Type.String({ format: 'date', description: 'last day (Asia/Shanghai), inclusive' })),
};

export const traceRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db }) => {
  app.get(
    '/shared-data/traces',
    {
      config: { permission: 'shared-data:trace' },
      schema: {
        tags: TAG,
        summary:
          'Traces of gateway calls: who, when, which resource and fields, how many records, the outcome, the purpose',
        querystring: Type.Object({
          ...filters,
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('DataCallTrace')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, ...q } = request.query;
      return withTenant(db, auth, (trx) => svc.listTraces(trx, auth, q, { limit, offset }));
    },
  );

  app.get(
    '/shared-data/traces/usage',
    {
      config: { permission: 'shared-data:trace' },
      schema: {
        tags: TAG,
        summary: 'Use per resource and consuming unit: calls, refusals, records, first and last call',
        querystring: Type.Object(filters),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('DataUsage')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.usage(trx, auth, request.query));
    },
  );

  app.get(
    '/shared-data/traces/export',
    {
      config: { permission: 'shared-data:trace' },
      schema: {
        tags: TAG,
        summary: 'The traces as .xlsx or .csv (formula-safe, at most 100,000 rows), audited',
        querystring: Type.Object({ ...filters, format: Type.Enum(['xlsx', 'csv'], { default: 'xlsx' }) }),
        produces: [XLSX_MEDIA_TYPE, 'text/csv'],
        response: {
          200: {
            description: 'the traces',
            content: {
              [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) },
              'text/csv': { schema: Type.String() },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { format, ...q } = request.query;
      const { body } = await withTenant(db, auth, (trx) => svc.exportTraces(trx, auth, actorOf(request), q, format));
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment(`shared-data-traces.${format}`, `数据调用记录.${format}`))
        .send(body);
    },
  );
};
