import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { authOf } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import type { Db } from '../../schema.ts';
import { egressPolicyOf } from '../notifications/index.ts';
import { callGateway, GatewayRefusal } from './gateway.service.ts';

export const gatewayRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, egressPolicies }) => {
  const egressPolicy = (database: Db, jurisdictionId: string, now: Date) =>
    egressPolicies.get(jurisdictionId, now, () => egressPolicyOf(database, jurisdictionId));
  app.get(
    '/shared-data/gateway/:resourceId',
    {
      config: { permission: 'shared-data:call' },
      schema: {
        tags: ['shared-data'],
        summary: 'The data gateway: the consuming unit’s API token fetches granted data from the providing system',
        description:
          'Authenticated by an API token of the consuming unit with scope shared-data:call. The grant is checked (resource, ' +
          'fields, period, rate); the provider’s published endpoint is called with its sealed credential through the egress ' +
          'guard; fields outside the grant are removed; every call is traced, refused ones too. `fields` (comma-separated) ' +
          'narrows the fields; other query parameters are passed on in the endpoint’s query string. A unit without a grant ' +
          'on a conditional or not-shared resource gets the answer of a resource that does not exist (404). Revoked: 403 ' +
          'grant_revoked; expired: 403 grant_expired; over the rate: 429 rate_limited with Retry-After. JSON resources answer ' +
          '{ resource, fields, recordCount, records }, CSV resources the filtered CSV. Header x-yunguan-trace-id names the trace.',
        params: Type.Object({ resourceId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object(
          {
            fields: Type.Optional(
              Type.String({
                maxLength: 4000,
                description: 'comma-separated field names (default: every granted field)',
              }),
            ),
          },
          { additionalProperties: true },
        ),
        response: {
          200: {
            description: 'the granted data',
            content: {
              'application/json': {
                schema: Type.Object({
                  resource: Type.Object({ id: Type.String(), name: Type.String() }),
                  fields: Type.Array(Type.String()),
                  recordCount: Type.Integer(),
                  records: Type.Array(Type.Record(Type.String(), Type.Unknown())),
                }),
              },
              'text/csv': { schema: Type.String() },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      if (auth.kind !== 'token') throw new AppError('forbidden', 'the gateway takes API tokens only');
      const { fields, ...parameters } = request.query as Record<string, unknown>;
      const asked =
        typeof fields === 'string'
          ? fields
              .split(',')
              .map((f) => f.trim())
              .filter(Boolean)
          : null;
      try {
        const answer = await callGateway(
          db,
          auth,
          { resourceId: request.params.resourceId, fields: asked, parameters, requestId: String(request.id) },
          clock.now(),
          { egressPolicy },
        );
        return reply.header('x-yunguan-trace-id', answer.traceId).type(answer.contentType).send(answer.body);
      } catch (error) {
        if (error instanceof GatewayRefusal) {
          reply.header('x-yunguan-trace-id', error.traceId);
          if (error.retryAfterSeconds) reply.header('retry-after', String(error.retryAfterSeconds));
        }
        throw error;
      }
    },
  );
};
