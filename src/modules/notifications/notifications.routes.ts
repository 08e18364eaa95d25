import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as service from './notifications.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
const SecretOnce = Type.Object({
  subscription: Type.Ref('WebhookSubscription'),
  secret: Type.String({ description: 'the signing secret: shown this once, stored sealed' }),
});
const SubscriptionFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  url: Type.String({
    minLength: 8,
    maxLength: 2000,
    description: 'http(s) URL on the jurisdiction’s allow-list; private, loopback and link-local addresses are refused',
  }),
  eventKinds: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    minItems: 1,
    maxItems: 100,
    description: 'notification kinds to deliver, e.g. order.step.overdue; "*" for every kind',
  }),
  active: Type.Boolean(),
};

export const notificationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock, egressPolicies }) => {
  // ---- the caller's own inbox

  app.get(
    '/notifications',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['notifications'],
        summary: 'The caller’s in-app inbox, newest first',
        querystring: Type.Object({
          unread: Type.Optional(Type.Boolean({ description: 'only unread ones' })),
          ...Paging,
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('Notification')),
            total: Type.Integer({ description: 'matching the filter' }),
            unread: Type.Integer(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => service.listInbox(trx, auth, request.query));
    },
  );

  app.get(
    '/notifications/unread-count',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['notifications'],
        summary: 'How many of the caller’s notifications are unread (the bell)',
        response: { 200: Type.Object({ unread: Type.Integer() }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => service.unreadCount(trx, auth));
    },
  );

  app.post(
    '/notifications/:id/read',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of the caller’s notifications read',
        params: IdParams,
        response: { 200: Type.Ref('Notification'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        service.markRead(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/notifications/read-all',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['notifications'],
        summary: 'Mark all of the caller’s notifications read',
        response: { 200: Type.Object({ marked: Type.Integer() }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => service.markAllRead(trx, auth, actorOf(request), clock.now()));
    },
  );

  // ---- outgoing webhooks of the caller's jurisdiction (system admin)

  app.get(
    '/webhooks/subscriptions',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'The jurisdiction’s webhook subscriptions',
        response: { 200: Type.Array(Type.Ref('WebhookSubscription')), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => service.listSubscriptions(trx, auth));
    },
  );

  app.post(
    '/webhooks/subscriptions',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'Subscribe a URL to notification kinds; answers the signing secret once',
        description:
          'Deliveries are POSTed as JSON `{ id, kind, occurredAt, jurisdiction, entity, title, link }` with headers ' +
          '`X-Yunguan-Delivery`, `X-Yunguan-Timestamp`, `X-Yunguan-Signature-SHA256` = hex(HMAC-SHA256(secret, ' +
          'timestamp + "." + body)) and `X-Yunguan-Signature-SM3` (the same with HMAC-SM3). Failed deliveries are ' +
          'retried after 1 min, 5 min, 30 min, 2 h and 12 h. The URL is checked against the egress policy ' +
          '(422 webhook_target_refused naming body.url).',
        body: Type.Object({
          name: SubscriptionFields.name,
          url: SubscriptionFields.url,
          eventKinds: SubscriptionFields.eventKinds,
          active: Type.Optional(SubscriptionFields.active),
        }),
        response: { 201: SecretOnce, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const created = await withTenant(db, auth, (trx) =>
        service.createSubscription(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/webhooks/subscriptions/:id',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'Change a subscription: name, URL (checked again), kinds, active flag',
        params: IdParams,
        body: Type.Partial(Type.Object(SubscriptionFields), { minProperties: 1 }),
        response: { 200: Type.Ref('WebhookSubscription'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        service.updateSubscription(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/webhooks/subscriptions/:id/rotate-secret',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'Replace a subscription’s signing secret; answers the new one once',
        params: IdParams,
        response: { 200: SecretOnce, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        service.rotateSecret(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.get(
    '/webhooks/subscriptions/:id/deliveries',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'A subscription’s delivery log, newest first, each with its attempts',
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
          ),
          ...Paging,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('WebhookDelivery')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => service.listDeliveries(trx, auth, request.params.id, request.query));
    },
  );

  app.post(
    '/webhooks/deliveries/:id/redeliver',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'Send a delivery’s event again (a new delivery, due at once)',
        params: IdParams,
        response: { 201: Type.Ref('WebhookDelivery'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const delivery = await withTenant(db, auth, (trx) =>
        service.redeliver(trx, auth, actorOf(request), request.params.id),
      );
      return reply.code(201).send(delivery);
    },
  );

  app.get(
    '/webhooks/egress-policy',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'Where the jurisdiction’s webhooks may go: allowed hosts and explicitly allowed networks',
        response: { 200: Type.Ref('WebhookEgressPolicy'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => service.getEgressPolicy(trx, auth));
    },
  );

  app.put(
    '/webhooks/egress-policy',
    {
      config: { permission: 'webhook:manage' },
      schema: {
        tags: ['notifications'],
        summary: 'Set the allow-list of target hosts and the networks allowed despite being non-public (audited)',
        body: Type.Ref('WebhookEgressPolicy'),
        response: { 200: Type.Ref('WebhookEgressPolicy'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const policy = await withTenant(db, auth, (trx) =>
        service.setEgressPolicy(
          trx,
          auth,
          actorOf(request),
          request.body as { allowedHosts: string[]; allowedNetworks: string[] },
          clock.now(),
        ),
      );
      egressPolicies.forget(auth.jurisdictionId);
      return policy;
    },
  );
};
