import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { VERSION } from '../../version.ts';
import { defaultJurisdiction } from '../tenancy/index.ts';

export const SystemInfoSchema = Type.Object(
  {
    name: Type.String(),
    nameEn: Type.String(),
    version: Type.String(),
    environment: Type.Union([Type.Literal('development'), Type.Literal('production')]),
    database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
    defaultJurisdiction: Type.Union([Type.Ref('Jurisdiction'), Type.Null()]),
    sso: Type.Boolean({ description: 'single sign-on with the unified identity platform is configured' }),
  },
  { $id: 'SystemInfo', title: 'SystemInfo' },
);

const ClientError = Type.Object({
  message: Type.String({ minLength: 1, maxLength: 2_000 }),
  stack: Type.Optional(Type.String({ maxLength: 10_000 })),
  url: Type.String({ minLength: 1, maxLength: 2_000 }),
  userAgent: Type.Optional(Type.String({ maxLength: 500 })),
});

export const systemRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, databaseKind }) => {
  app.get(
    '/system/info',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['system'],
        summary: 'What this installation is: name, version, environment and default jurisdiction',
        response: { 200: Type.Ref('SystemInfo'), ...problemResponses },
      },
    },
    async () => ({
      name: '云管 政务云管理平台',
      nameEn: 'Yunguan Government Cloud Management Platform',
      version: VERSION,
      environment: config.env,
      database: databaseKind,
      defaultJurisdiction: await defaultJurisdiction(db),
      sso: config.oidc !== undefined,
    }),
  );

  app.post(
    '/telemetry/client-errors',
    {
      config: { permission: 'public' },
      bodyLimit: 16_384,
      schema: {
        tags: ['system'],
        summary: 'The console reports an error a user met in the browser, so operators see it in the server log',
        body: ClientError,
        response: { 202: Type.Object({ accepted: Type.Literal(true) }), ...problemResponses },
      },
    },
    async (request, reply) => {
      request.log.warn({ clientError: request.body }, 'console error reported');
      return reply.code(202).send({ accepted: true as const });
    },
  );
};
