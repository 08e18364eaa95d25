import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as audit from './audit.service.ts';

const Filter = {
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  actor: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
  q: Type.Optional(Type.String({ maxLength: 100 })),
};

export const AuditEventSchema = Type.Object(
  {
    id: Type.String(),
    occurredAt: Type.String({ format: 'date-time' }),
    actorKind: Type.String(),
    actorId: Type.Union([Type.String(), Type.Null()]),
    actorName: Type.Union([Type.String(), Type.Null()], { description: 'the account name' }),
    actorDisplayName: Type.Union([Type.String(), Type.Null()], {
      description: 'what people call the actor: a user by display name',
    }),
    organisationId: Type.Union([Type.String(), Type.Null()]),
    organisationName: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union([Type.String(), Type.Null()]),
    sourceIp: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(),
    outcome: Type.String(),
    objectType: Type.String(),
    objectId: Type.Union([Type.String(), Type.Null()]),
    objectName: Type.Union([Type.String(), Type.Null()], {
      description: "the object's name (an order's number and title, a user's display name); null when it has none",
    }),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEvent', title: 'AuditEvent' },
);

export const auditRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db }) => {
  app.get(
    '/audit-events',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail of the caller’s jurisdictions, newest first: filter and search',
        querystring: Type.Object({
          ...Filter,
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('AuditEvent')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset, ...filter } = request.query;
      return audit.listAuditEvents(db, authOf(request), filter, { limit, offset });
    },
  );

  app.get(
    '/audit-events/export',
    {
      config: { permission: 'audit:export' },
      schema: {
        tags: ['audit'],
        summary: 'Export the filtered audit trail as Excel or CSV (the export itself is audited)',
        querystring: Type.Object({
          ...Filter,
          format: Type.Union([Type.Literal('xlsx'), Type.Literal('csv')], { default: 'xlsx' }),
        }),
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'text/csv'],
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const result = await audit.exportAuditEvents(db, authOf(request), filter, format);
      await db.transaction().execute((trx) =>
        writeAudit(trx, actorOf(request), {
          action: 'audit.exported',
          objectType: 'audit_event',
          detail: { format, filter, rows: result.rows, total: result.total },
        }),
      );
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
        .type(
          format === 'csv'
            ? 'text/csv; charset=utf-8'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        )
        .send(result.body);
    },
  );
};
