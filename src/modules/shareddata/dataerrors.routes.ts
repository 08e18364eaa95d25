import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as svc from './dataerrors.service.ts';
import { ERROR_REPORT_STATUSES } from './shareddata.table.ts';

const TAG = ['shared-data'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Note = Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { default: null });

export const dataErrorRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.post(
    '/shared-data/error-reports',
    {
      config: { permission: 'shared-data:apply' },
      schema: {
        tags: TAG,
        summary: 'Report an error in a data resource the unit was granted (NB 14): record, field, what is wrong',
        description:
          'The providing unit corrects it within sharedData.errorCorrectionWorkingDays of its jurisdiction’s policy, ' +
          'counted on its calendar; null in the policy: no deadline.',
        body: Type.Object({
          resourceId: Type.String({ format: 'uuid' }),
          recordReference: Type.String({
            minLength: 1,
            maxLength: 200,
            description: 'which record (its key or number)',
          }),
          field: Type.String({ minLength: 1, maxLength: 64 }),
          description: Type.String({ minLength: 1, maxLength: 2000, description: 'what is wrong' }),
        }),
        response: { 201: Type.Ref('DataErrorReport'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const report = await withTenant(db, auth, (trx) =>
        svc.reportError(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(report);
    },
  );

  app.get(
    '/shared-data/error-reports',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'Error reports: the unit’s own, those on its resources, or (ops, auditors) all in the jurisdiction',
        querystring: Type.Object({
          view: Type.Enum(['mine', 'provider', 'all'], { default: 'mine' }),
          status: Type.Optional(Type.Enum(ERROR_REPORT_STATUSES)),
          open: Type.Optional(Type.Boolean()),
          overdue: Type.Optional(Type.Boolean()),
          resourceId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('DataErrorReport')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { view, limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) => svc.listReports(trx, auth, view, filter, { limit, offset }, clock.now()));
    },
  );

  app.get(
    '/shared-data/error-reports/:id',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'One error report',
        params: IdParams,
        response: { 200: Type.Ref('DataErrorReport'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getReport(trx, auth, request.params.id, clock.now()));
    },
  );

  const step = (
    path: string,
    name: 'acknowledge' | 'correct' | 'confirm' | 'reject',
    permission: 'shared-data:authorise' | 'shared-data:apply',
    summary: string,
    noteField: 'note' | 'correction' | 'reason',
  ) =>
    app.post(
      `/shared-data/error-reports/:id/${path}`,
      {
        config: { permission },
        schema: {
          tags: TAG,
          summary,
          params: IdParams,
          body: Type.Object({ [noteField]: Note }),
          response: { 200: Type.Ref('DataErrorReport'), ...problemResponses },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const note = (request.body as Record<string, string | null>)[noteField] ?? null;
        return withTenant(db, auth, (trx) =>
          svc.errorStep(trx, auth, actorOf(request), request.params.id, name, note, clock.now()),
        );
      },
    );
  step('acknowledge', 'acknowledge', 'shared-data:authorise', 'The providing unit acknowledges the report', 'note');
  step('correct', 'correct', 'shared-data:authorise', 'The providing unit says what it corrected', 'correction');
  step('confirm', 'confirm', 'shared-data:apply', 'The reporting unit confirms the correction', 'note');
  step('reject', 'reject', 'shared-data:apply', 'The reporting unit sends the correction back (not fixed)', 'reason');
};
