import Type, { type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

export const NotificationSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.String({ description: 'what happened, e.g. order.step.overdue' }),
    title: Bilingual,
    body: Nullable(Bilingual),
    link: Nullable(Type.String({ description: 'console path to follow' })),
    entity: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
    createdAt: Type.String({ format: 'date-time' }),
    readAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'Notification', title: 'Notification', description: 'One message in the caller’s in-app inbox' },
);

export const WebhookSubscriptionSchema = Type.Object(
  {
    id: Type.String(),
    jurisdictionId: Type.String(),
    name: Type.String(),
    url: Type.String(),
    eventKinds: Type.Array(Type.String(), { description: 'notification kinds delivered; "*" is every kind' }),
    active: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'WebhookSubscription',
    title: 'WebhookSubscription',
    description: 'An outgoing webhook of the jurisdiction (the secret is shown only when created or rotated)',
  },
);

export const WebhookAttemptSchema = Type.Object({
  attempt: Type.Integer(),
  attemptedAt: Type.String({ format: 'date-time' }),
  target: Nullable(Type.String()),
  statusCode: Nullable(Type.Integer()),
  durationMs: Type.Integer(),
  outcome: Type.Union([Type.Literal('delivered'), Type.Literal('retry'), Type.Literal('failed')]),
  error: Nullable(Type.String()),
});

export const WebhookDeliverySchema = Type.Object(
  {
    id: Type.String({ description: 'sent as X-Yunguan-Delivery' }),
    subscriptionId: Type.String(),
    eventId: Type.String({ description: 'the body’s id: the same for every delivery of one event' }),
    kind: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Type.String({ format: 'date-time' })),
    lastError: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    deliveredAt: Nullable(Type.String({ format: 'date-time' })),
    payload: Type.Unknown({ description: 'the JSON body sent' }),
    log: Type.Array(WebhookAttemptSchema, { description: 'every attempt, oldest first' }),
  },
  {
    $id: 'WebhookDelivery',
    title: 'WebhookDelivery',
    description: 'One event sent (or to be sent) to one subscription',
  },
);

export const EgressPolicySchema = Type.Object(
  {
    allowedHosts: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      maxItems: 200,
      description: 'host names, or domains written .example.gov.cn / *.example.gov.cn (the domain and sub-domains)',
    }),
    allowedNetworks: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 50,
      description:
        'CIDR networks allowed although loopback, private, link-local, CGNAT... (an explicit exception, audited)',
    }),
  },
  {
    $id: 'WebhookEgressPolicy',
    title: 'WebhookEgressPolicy',
    description: 'Where this jurisdiction’s webhooks may go',
  },
);

export const NOTIFICATION_SCHEMAS = [
  NotificationSchema,
  WebhookSubscriptionSchema,
  WebhookDeliverySchema,
  EgressPolicySchema,
];
