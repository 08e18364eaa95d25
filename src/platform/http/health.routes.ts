import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Database } from '../db/database.ts';
import { migrationStatus } from '../db/migrate.ts';
import { sendProblem } from './problem.ts';

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
        summary: 'Readiness: the database answers and every migration is applied',
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
      try {
        await database.ping();
      } catch (error) {
        return sendProblem(request, reply, 'not_ready', `database unreachable: ${(error as Error).message}`);
      }
      let status: Awaited<ReturnType<typeof migrationStatus>>;
      try {
        status = await migrationStatus(database.db);
      } catch (error) {
        return sendProblem(request, reply, 'not_ready', `migration status unknown: ${(error as Error).message}`);
      }
      if (status.pending.length > 0) {
        return sendProblem(request, reply, 'not_ready', `migrations pending: ${status.pending.join(', ')}`);
      }
      return { status: 'ready' as const, database: database.kind, migrations: status.applied.length };
    },
  );
};
