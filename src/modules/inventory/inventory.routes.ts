import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { inventoryCsv, inventoryXlsx } from './inventory.export.ts';
import * as inventory from './inventory.service.ts';
import { RESOURCE_PURPOSES, RESOURCE_STATES } from './inventory.table.ts';

/** The most rows one export carries (the whole demo-scale inventory). */
const EXPORT_LIMIT = 100_000;

const Filters = {
  state: Type.Optional(Type.Union(RESOURCE_STATES.map((s) => Type.Literal(s)))),
  organisationId: Type.Optional(Type.String({ format: 'uuid', description: 'the using unit' })),
  providerId: Type.Optional(Type.String({ format: 'uuid' })),
  item: Type.Optional(Type.String({ maxLength: 100, description: 'catalogue item code' })),
  systemId: Type.Optional(Type.String({ format: 'uuid' })),
  projectId: Type.Optional(Type.String({ format: 'uuid' })),
  purpose: Type.Optional(Type.Union(RESOURCE_PURPOSES.map((s) => Type.Literal(s)))),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'text in name, identifier or address' })),
  sort: Type.Union(
    ['createdAt', 'name', 'expiresOn', 'state', 'deliveredAt'].map((s) => Type.Literal(s as 'createdAt')),
    { default: 'createdAt' },
  ),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
};

export const inventoryRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db }) => {
  app.get(
    '/inventory/resources',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['inventory'],
        summary: 'The live inventory in the caller’s scope: paged, filtered and sorted on the server',
        description:
          'A unit sees its own resources, a provider those it runs, jurisdiction-wide roles their jurisdiction.',
        querystring: Type.Object({
          ...Filters,
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
          after: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 1000,
              description: 'a nextCursor: the page after it (keyset, for pages deep in the list; offset 0)',
            }),
          ),
          before: Type.Optional(
            Type.String({ minLength: 1, maxLength: 1000, description: 'a previousCursor: the page before it' }),
          ),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('Resource')),
            total: Type.Integer({ description: 'counted up to 10,000; above, the planner’s estimate' }),
            totalIsEstimate: Type.Boolean({ description: 'total is an estimate (约), not a count' }),
            nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
            previousCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the first page' }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => inventory.listResources(trx, auth, request.query));
    },
  );

  app.get(
    '/inventory/resources/export',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['inventory'],
        summary: 'The filtered inventory as .xlsx or CSV (formula-safe); audited',
        querystring: Type.Object({
          ...Filters,
          format: Type.Union([Type.Literal('xlsx'), Type.Literal('csv')], { default: 'xlsx' }),
        }),
        produces: [XLSX_MEDIA_TYPE, 'text/csv'],
        response: { 200: Type.String({ format: 'binary' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { format, ...query } = request.query;
      const { items, total, totalIsEstimate } = await withTenant(db, auth, (trx) =>
        inventory.listResources(trx, auth, { ...query, limit: EXPORT_LIMIT, offset: 0 }),
      );
      const body = format === 'csv' ? inventoryCsv(items) : await inventoryXlsx(items);
      await withTenant(db, auth, (trx) =>
        writeAudit(trx, actorOf(request), {
          action: 'inventory.exported',
          objectType: 'resource',
          detail: { format, rows: items.length, total, totalIsEstimate, filters: query, bytes: body.length },
        }),
      );
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment(`inventory.${format}`, `资源清单.${format}`))
        .send(body);
    },
  );

  app.get(
    '/inventory/resources/:id',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['inventory'],
        summary: 'One resource with its specification history and lifecycle events',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Ref('ResourceDetail'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => inventory.getResource(trx, auth, request.params.id));
    },
  );
};
