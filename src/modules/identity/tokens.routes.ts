import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { TOKEN_SCOPES } from './roles.ts';
import * as tokens from './tokens.service.ts';

export const ApiTokenSchema = Type.Object(
  {
    id: Type.String(),
    organisationId: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    expiresAt: Type.String({ format: 'date-time' }),
    revoked: Type.Boolean(),
    createdBy: Type.Union([Type.String(), Type.Null()], { description: 'the creating account' }),
    createdByName: Type.Union([Type.String(), Type.Null()], { description: 'that person’s display name' }),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ApiToken', title: 'ApiToken' },
);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const tokenRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/api-tokens',
    {
      config: { permission: 'token:manage' },
      schema: {
        tags: ['identity'],
        summary: 'API tokens of the caller’s organisation (jurisdiction-wide for the system admin)',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('ApiToken')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return { items: await withTenant(db, auth, (trx) => tokens.listTokens(trx, auth)) };
    },
  );

  app.post(
    '/api-tokens',
    {
      config: { permission: 'token:manage' },
      schema: {
        tags: ['identity'],
        summary: 'Issue an API token for a machine client; the token is shown once',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          scopes: Type.Array(Type.Union(TOKEN_SCOPES.map((s) => Type.Literal(s))), { minItems: 1 }),
          expiresInDays: Type.Integer({ minimum: 1, maximum: 365 }),
        }),
        response: { 201: Type.Object({ token: Type.String(), apiToken: Type.Ref('ApiToken') }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const created = await withTenant(db, auth, (trx) =>
        tokens.createToken(trx, auth, actorOf(request), request.body),
      );
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api-tokens/:id',
    {
      config: { permission: 'token:manage' },
      schema: {
        tags: ['identity'],
        summary: 'One API token (never its secret)',
        params: IdParams,
        response: { 200: Type.Ref('ApiToken'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => tokens.getToken(trx, auth, request.params.id));
    },
  );

  app.delete(
    '/api-tokens/:id',
    {
      config: { permission: 'token:manage' },
      schema: {
        tags: ['identity'],
        summary: 'Revoke an API token',
        params: IdParams,
        response: { 200: Type.Ref('ApiToken'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        tokens.revokeToken(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );
};
