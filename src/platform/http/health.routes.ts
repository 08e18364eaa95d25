import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Database } from '../db/database.ts';
import { checkReadiness } from '../db/readiness.ts';
import { retryAfterSeconds, sendProblem } from './problem.ts';

/** Liveness and readiness probes for process supervisors and load balancers. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ database: Database<any> }> = async (app, { database }) => {
  app.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['platform'],
        summary: 'Liveness: the process is running',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['platform'],
        summary:
          'Readiness: the database answers and has room, every migration is applied, the role yunguan_app, its grants and the row-level security policies are in place',
        response: {
          200: Type.Object({
            status: Type.Literal('ready'),
            database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
            migrations: Type.Integer({ description: 'migrations applied' }),
          }),
          503: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const readiness = await checkReadiness(database);
      if (!readiness.ready) {
        reply.header('retry-after', String(retryAfterSeconds(readiness.code)));
        return sendProblem(request, reply, readiness.code, readiness.reason);
      }
      return { status: 'ready' as const, database: database.kind, migrations: readiness.migrations };
    },
  );
};
