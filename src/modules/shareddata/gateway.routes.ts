import { performance } from 'node:perf_hooks';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { admitCaller, authOf } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { answerMachineLimit, MACHINE_WINDOW_MS } from '../../platform/http/rate-limit.ts';
import type { Db } from '../../schema.ts';
import { issuerRolesFor, tokenAuthContext, tokenCheckOf } from '../identity/index.ts';
import { egressPolicyOf } from '../notifications/index.ts';
import { callTargetForToken } from './gateway.repository.ts';
import { callGateway, callWindow, GatewayRefusal } from './gateway.service.ts';

const SCOPE = 'shared-data:call';

export const gatewayRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (
  app,
  { db, clock, egressPolicies, config },
) => {
  // The route authenticates a bearer itself (`authenticatesBearer`): the token's check, the call's admission (scope,
  // issuer), the machine-call counter on PostgreSQL, the grant's lookup and its rate count are one statement
  // (`callTargetForToken`); then the same checks and answers as the request hooks gave (401, 403 audited, 429).
  // The machine counter is in the statement on both databases (the hooks kept it in memory on the embedded one): in
  // memory it could only be hit after the statement had already counted the call against the grant, and a call
  // refused by the machine limit must not count against the grant (nor be hit before the token is known good).
  const issuerRoles = issuerRolesFor(SCOPE);
  const machineMax = config.rateLimits.machinePerMinute;
  const egressPolicy = (database: Db, jurisdictionId: string, now: Date) =>
    egressPolicies.get(jurisdictionId, now, () => egressPolicyOf(database, jurisdictionId));
  app.get(
    '/shared-data/gateway/:resourceId',
    {
      config: { permission: SCOPE, authenticatesBearer: true },
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
      const now = clock.now();
      let looked: Parameters<typeof callGateway>[5];
      const header = request.headers.authorization;
      if (!request.auth && header?.startsWith('Bearer ')) {
        const started = performance.now();
        const check = tokenCheckOf(header.slice(7).trim());
        if (!check) throw new AppError('unauthenticated');
        const { window, today } = callWindow(now);
        const row = await callTargetForToken(
          db,
          check,
          { scope: SCOPE, issuerRoles },
          request.params.resourceId,
          window,
          today,
          { windowMs: MACHINE_WINDOW_MS, max: machineMax },
        );
        if (!row.token_id) throw new AppError('unauthenticated');
        const token = {
          id: row.token_id,
          name: row.token_name,
          scopes: row.token_scopes,
          last_used_at: row.token_last_used_at,
          organisation_id: row.token_organisation_id,
          organisation_type: row.token_organisation_type,
          jurisdiction_id: row.token_jurisdiction_id,
          issuer_roles: row.token_issuer_roles,
          organisation_tree: row.token_organisation_tree,
        };
        // the permission as every route checks it (403, audited); SQL admitted the call on the same rule
        await admitCaller(request, await tokenAuthContext(db, token, check.at), db);
        if (!row.admitted) throw new AppError('internal_error', 'the gateway statement did not admit an admitted call');
        answerMachineLimit(reply, machineMax, row.machine_count ?? 0, row.machine_ttl_ms ?? 0);
        looked = { target: row.resource_id ? (row as Required<typeof row>) : undefined, started };
      }
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
          now,
          { egressPolicy },
          looked,
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
