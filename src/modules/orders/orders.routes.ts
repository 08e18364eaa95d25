import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { canonicalJson } from '../../platform/audit/audit.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import type { Trx } from '../../schema.ts';
import { ORDER_TYPES } from '../policy/index.ts';
import * as queries from './orders.queries.ts';
import * as repo from './orders.repository.ts';
import { ActBody, PlaceOrderBody } from './orders.schemas.ts';
import * as orders from './orders.service.ts';
import { ORDER_STATUSES } from './orders.table.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'a retry with the same key and body replays the first answer; the same key with another body is refused (422)',
    }),
  ),
});
const tags = ['orders'];

/** The hash an idempotency key is bound to: the route, its parameters and its body. */
function requestHash(request: FastifyRequest, params: unknown, body: unknown): string {
  return createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url} ${canonicalJson({ params, body: body ?? null })}`)
    .digest('hex');
}

/**
 * Claims `key` for the caller inside the transaction `trx` and runs `fn`, storing its answer with the key;
 * a key already claimed for the same request replays the stored answer (a concurrent retry waits on the
 * key's row until the first commits), for another request it is refused. A refused write rolls back its
 * key with everything else, so a retry runs it again.
 */
async function underKey<T>(
  trx: Trx,
  principal: string,
  key: string,
  hash: string,
  status: number,
  fn: () => Promise<T>,
): Promise<{ status: number; body: unknown; replayed: boolean }> {
  if (!(await repo.claimIdempotencyKey(trx, principal, key, hash))) {
    const seen = await repo.findIdempotencyKey(trx, principal, key);
    if (!seen || seen.request_hash !== hash) {
      throw new AppError(
        'idempotency_key_reused',
        `Idempotency-Key "${key}" was used for a different request / 该幂等键已用于其他请求`,
        [{ field: 'headers.idempotency-key', message: 'used for a different request' }],
      );
    }
    return { status: seen.status_code ?? status, body: seen.response as unknown, replayed: true };
  }
  const body = (await fn()) as unknown;
  await repo.storeIdempotentResponse(trx, principal, key, status, body);
  return { status, body, replayed: false };
}

const principalOf = (request: FastifyRequest) => {
  const auth = authOf(request);
  return `${auth.kind}:${auth.id}`;
};

/**
 * Runs a write in one tenant transaction with its idempotency key (header `Idempotency-Key`, per caller):
 * the key is claimed in the same transaction, so a concurrent retry waits for the first and then replays
 * its answer; a refused write rolls back its key with everything else.
 */
async function idempotentWrite<T>(
  db: RouteDeps['db'],
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  fn: (trx: Trx) => Promise<T>,
) {
  const auth = authOf(request);
  const key = (request.headers['idempotency-key'] as string | undefined) ?? undefined;
  const result = await withTenant(db, auth, async (trx) => {
    if (!key) return { status, body: (await fn(trx)) as unknown, replayed: false };
    const hash = requestHash(request, request.params, request.body);
    return underKey(trx, principalOf(request), key, hash, status, () => fn(trx));
  });
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(result.status).send(result.body);
}

export const orderRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.post(
    '/orders',
    {
      config: { permission: 'order:place' },
      schema: {
        tags,
        summary: 'Place an order of the caller’s unit (submitted at once unless submit=false)',
        description:
          'The pack of the unit’s jurisdiction decides whether the type is provided and its steps. On submission the ' +
          'rules are checked (project quota, SH 20 overrun band, development share and term, emergency and temporary ' +
          'terms, extension lead time, allocation stops), the quota reserved under a row lock on the project, and ' +
          'the first step opened with its due time from the calendar. Refusals cite the article in `detail`.',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 201: Type.Ref('Order'), ...problemResponses },
      },
    },
    async (request, reply) =>
      idempotentWrite(db, request, reply, 201, (trx) =>
        orders.placeOrder(trx, authOf(request), actorOf(request), request.body, clock.now()),
      ),
  );

  app.get(
    '/orders',
    {
      config: { permission: 'order:read' },
      schema: {
        tags,
        summary: 'Orders in the caller’s scope (the unit’s own; the jurisdiction’s for its roles), newest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(ORDER_STATUSES)),
          type: Type.Optional(Type.Enum(ORDER_TYPES)),
          mine: Type.Optional(Type.Boolean({ description: 'only orders the caller placed' })),
          projectId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('OrderSummary')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => queries.listOrders(trx, auth, request.query, clock.now()));
    },
  );

  app.get(
    '/orders/inbox',
    {
      config: { permission: 'order:act' },
      schema: {
        tags,
        summary: 'My work: open steps whose role I hold, by due time (no deadline last), overdue flagged',
        response: { 200: Type.Ref('OrderInbox'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => queries.inbox(trx, auth, clock.now()));
    },
  );

  app.get(
    '/orders/overdue',
    {
      config: { permission: 'order:oversee' },
      schema: {
        tags,
        summary: 'Overdue steps in the caller’s jurisdictions, with counts per step and per unit',
        response: { 200: Type.Ref('OverdueDashboard'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => queries.overdueDashboard(trx, auth, clock.now()));
    },
  );

  app.get(
    '/orders/quota-usage/:projectId',
    {
      config: { permission: 'order:read' },
      schema: {
        tags,
        summary: 'A project’s quota against what orders reserve and hold, per dimension (decimal strings)',
        params: Type.Object({ projectId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Ref('QuotaUsage'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => queries.quotaUsage(trx, request.params.projectId, clock.now()));
    },
  );

  app.get(
    '/orders/:id',
    {
      config: { permission: 'order:read' },
      schema: {
        tags,
        summary: 'One order with its lines, steps (deadlines, who acted, whether met) and timeline',
        params: IdParams,
        response: { 200: Type.Ref('Order'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => queries.getOrder(trx, request.params.id, clock.now()));
    },
  );

  app.post(
    '/orders/:id/submit',
    {
      config: { permission: 'order:place' },
      schema: {
        tags,
        summary: 'Submit a draft order',
        params: IdParams,
        headers: IdempotencyHeaders,
        response: { 200: Type.Ref('Order'), ...problemResponses },
      },
    },
    async (request, reply) =>
      idempotentWrite(db, request, reply, 200, (trx) =>
        orders.submitDraft(trx, authOf(request), actorOf(request), request.params.id, clock.now()),
      ),
  );

  app.post(
    '/orders/:id/act',
    {
      config: { permission: 'order:act' },
      schema: {
        tags,
        summary: 'Act on the order’s current step: approve, reject, or return for more information',
        description:
          'The caller must hold the step’s role (of the ordering unit for unit steps, in the order’s jurisdiction ' +
          'otherwise) and may not approve their own request. A refused transition changes nothing.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: ActBody,
        response: { 200: Type.Ref('Order'), ...problemResponses },
      },
    },
    async (request, reply) =>
      idempotentWrite(db, request, reply, 200, (trx) =>
        orders.actOnOrder(trx, authOf(request), actorOf(request), request.params.id, request.body, clock.now()),
      ),
  );

  app.post(
    '/orders/batch-act',
    {
      config: { permission: 'order:act' },
      schema: {
        tags,
        summary: 'Act on several orders’ current steps; each in its own transaction, each answered',
        description:
          'With an Idempotency-Key, each item is claimed under the key and its order in the item’s own ' +
          'transaction: a retried batch replays the answers of the items that went through and runs again ' +
          'those that were refused (their claim rolled back with them); the Idempotent-Replayed header counts the ' +
          'replayed items.',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                { orderId: Type.String({ format: 'uuid' }), ...ActBody.properties },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 200 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            results: Type.Array(
              Type.Object({
                orderId: Type.String(),
                ok: Type.Boolean(),
                status: Type.Optional(Type.String()),
                code: Type.Optional(Type.String()),
                detail: Type.Optional(Type.String()),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const actor = actorOf(request);
      const key = (request.headers['idempotency-key'] as string | undefined) ?? undefined;
      type Result = { orderId: string; ok: boolean; status?: string; code?: string; detail?: string };
      const results: Result[] = [];
      let replayed = 0;
      for (const { orderId, ...act } of request.body.items) {
        try {
          const result = await withTenant(db, auth, async (trx) => {
            const run = async (): Promise<Result> => {
              const o = await orders.actOnOrder(trx, auth, actor, orderId, act, clock.now());
              return { orderId, ok: true, status: o.status };
            };
            if (!key) return { body: await run(), replayed: false };
            const hash = requestHash(request, { orderId }, act);
            return underKey(trx, principalOf(request), `${key}#${orderId}`, hash, 200, run);
          });
          if (result.replayed) replayed++;
          results.push(result.body as Result);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          results.push({ orderId, ok: false, code: error.code, detail: error.detail ?? error.message });
        }
      }
      if (replayed) reply.header('idempotent-replayed', String(replayed));
      return { results };
    },
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { permission: 'order:place' },
      schema: {
        tags,
        summary: 'Cancel the unit’s order before delivery; its quota reservation is released',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
        response: { 200: Type.Ref('Order'), ...problemResponses },
      },
    },
    async (request, reply) =>
      idempotentWrite(db, request, reply, 200, (trx) =>
        orders.cancelOrder(trx, authOf(request), actorOf(request), request.params.id, request.body.reason, clock.now()),
      ),
  );
};
