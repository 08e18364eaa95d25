import Type from 'typebox';
import { ORDER_TYPES } from '../policy/index.ts';
import { FULFILMENT_ACTIONS, ORDER_STATUSES, STEP_STATUSES } from './orders.table.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Moment = Type.String({ format: 'date-time' });
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const Decimal = Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'exact decimal string' });

export const OrderStepSchema = Type.Object(
  {
    seq: Type.Integer(),
    key: Type.String({ description: "the pack's step id" }),
    name: Bilingual,
    role: Type.String({
      description: 'the role that acts (of the ordering unit for unit roles, else of the jurisdiction)',
    }),
    status: Type.Enum(STEP_STATUSES),
    fulfilmentAction: Nullable(Type.Enum(FULFILMENT_ACTIONS)),
    handledByProvisioning: Type.Boolean({
      description:
        'true: completed by the confirmed delivery receipt, not by a reviewer (a provisioning handler was registered)',
    }),
    deadline: Type.Object({
      value: Nullable(Type.Integer()),
      unit: Nullable(Type.String()),
      article: Nullable(Type.String()),
      note: Nullable(Type.String()),
    }),
    openedAt: Nullable(Moment),
    dueAt: Nullable(Moment),
    dueDay: Nullable(Type.String({ description: 'the due day, Asia/Shanghai; null: no statutory deadline' })),
    provisional: Type.Boolean({ description: 'the due day was counted over a year whose calendar is not confirmed' }),
    unconfirmedYears: Type.Array(Type.Integer()),
    actedBy: Nullable(Type.String()),
    actedByName: Nullable(Type.String()),
    actedAt: Nullable(Moment),
    decision: Nullable(Type.String()),
    comment: Nullable(Type.String()),
    metDeadline: Nullable(Type.Boolean()),
    overdue: Type.Boolean(),
    overdueSince: Nullable(Moment),
  },
  { $id: 'OrderStep', title: 'OrderStep' },
);

const summaryProperties = {
  id: Type.String({ format: 'uuid' }),
  number: Type.String({ description: 'human order number, e.g. DEMO-CITY-2026-000123' }),
  type: Type.Enum(ORDER_TYPES),
  status: Type.Enum(ORDER_STATUSES),
  title: Type.String(),
  reason: Nullable(Type.String()),
  organisationId: Type.String(),
  jurisdictionId: Type.String(),
  projectId: Nullable(Type.String()),
  systemId: Nullable(Type.String()),
  packId: Nullable(Type.String()),
  packVersion: Nullable(Type.String()),
  termMonths: Nullable(Type.Integer()),
  expiresOn: Nullable(Type.String()),
  parentOrderId: Nullable(Type.String()),
  targetResourceIds: Type.Array(Type.String()),
  greenChannel: Type.Boolean(),
  quotaOverrun: Type.Boolean({ description: 'routed to the quota-overrun approval (SH 20)' }),
  temporaryBasis: Nullable(Type.Enum(['key_task', 'meeting_decision'])),
  source: Type.Enum(['unit', 'expiry', 'monitoring', 'test_release'], {
    description:
      'who opened it: the unit, or the platform (at expiry, after a rectification, after the formal opening)',
  }),
  placedBy: Nullable(Type.String()),
  placedByName: Nullable(Type.String()),
  submittedAt: Nullable(Moment),
  closedAt: Nullable(Moment),
  createdAt: Moment,
  currentStep: Nullable(Type.Ref('OrderStep')),
};

export const OrderSummarySchema = Type.Object(summaryProperties, { $id: 'OrderSummary', title: 'OrderSummary' });

export const OrderSchema = Type.Object(
  {
    ...summaryProperties,
    lines: Type.Array(
      Type.Object({
        lineNo: Type.Integer(),
        itemCode: Type.String(),
        catalogueVersionId: Nullable(Type.String()),
        specification: Type.Record(Type.String(), Type.Unknown()),
        quantity: Type.Integer(),
        dimensions: Type.Record(Type.String(), Type.String(), { description: 'quota dimensions the line takes' }),
        requestFormId: Nullable(Type.String()),
        requestFormRowNo: Nullable(Type.Integer()),
        targetResourceId: Nullable(Type.String()),
      }),
    ),
    steps: Type.Array(Type.Ref('OrderStep')),
    events: Type.Array(
      Type.Object({
        at: Moment,
        kind: Type.String(),
        stepKey: Nullable(Type.String()),
        actorId: Nullable(Type.String()),
        actorName: Nullable(Type.String()),
        comment: Nullable(Type.String()),
        detail: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
    reservations: Type.Array(
      Type.Object({
        projectId: Type.String(),
        dimension: Type.String(),
        amount: Decimal,
        status: Type.Enum(['reserved', 'consumed', 'released']),
      }),
    ),
  },
  { $id: 'Order', title: 'Order' },
);

export const PlaceOrderBody = Type.Object(
  {
    type: Type.Enum(ORDER_TYPES),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    projectId: Type.Optional(Type.String({ format: 'uuid' })),
    systemId: Type.Optional(Type.String({ format: 'uuid' })),
    temporaryBasis: Type.Optional(
      Type.Enum(['key_task', 'meeting_decision'], {
        description:
          'temporary orders (SH 24): the project is a key task of the year (key_task) or decided at a special meeting (meeting_decision)',
      }),
    ),
    termMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    parentOrderId: Type.Optional(
      Type.String({ format: 'uuid', description: 'scale-up, change, reclaim, extension: the order it concerns' }),
    ),
    resourceIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 1000 })),
    requestFormId: Type.Optional(
      Type.String({ format: 'uuid', description: 'each row of the imported form becomes a cloud-vm line' }),
    ),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            itemCode: Type.String({ minLength: 1, maxLength: 64 }),
            specification: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
            targetResourceId: Type.Optional(Type.String({ format: 'uuid' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 5000 },
      ),
    ),
    submit: Type.Optional(Type.Boolean({ default: true, description: 'false: keep as a draft' })),
  },
  { additionalProperties: false },
);

export const ActBody = Type.Object(
  {
    decision: Type.Enum(['approve', 'reject', 'return'], {
      description: 'return: ask the unit for more information (the step stays open)',
    }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
    stepKey: Type.Optional(
      Type.String({ description: 'the step the caller acts on; refused when it is no longer current' }),
    ),
  },
  { additionalProperties: false },
);

export const InboxSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        orderId: Type.String(),
        orderNumber: Type.String(),
        orderType: Type.String(),
        orderTitle: Type.String(),
        ownRequest: Type.Boolean({ description: 'placed by the caller: they may not approve it' }),
        step: Type.Ref('OrderStep'),
      }),
    ),
    total: Type.Integer(),
    overdue: Type.Integer(),
  },
  { $id: 'OrderInbox', title: 'OrderInbox' },
);

export const QuotaUsageSchema = Type.Object(
  {
    projectId: Type.String(),
    at: Moment,
    dimensions: Type.Array(
      Type.Object({
        dimension: Type.String(),
        quota: Decimal,
        reserved: Decimal,
        inUse: Decimal,
        testEnvironments: Type.String({
          pattern: '^-?[0-9]+(\\.[0-9]+)?$',
          description:
            'test and trial environments still running after their order (not yet released after the formal opening): counted against the quota',
        }),
        available: Decimal,
      }),
    ),
  },
  { $id: 'QuotaUsage', title: 'QuotaUsage' },
);

export const OverdueSchema = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        orderId: Type.String(),
        orderNumber: Type.String(),
        orderType: Type.String(),
        organisationId: Type.String(),
        organisationCode: Type.String(),
        step: Type.Ref('OrderStep'),
      }),
    ),
    perStep: Type.Array(
      Type.Object({ stepKey: Type.String(), name: Bilingual, role: Type.String(), count: Type.Integer() }),
    ),
    perUnit: Type.Array(
      Type.Object({ organisationId: Type.String(), code: Type.String(), name: Type.String(), count: Type.Integer() }),
    ),
  },
  { $id: 'OverdueDashboard', title: 'OverdueDashboard' },
);

export const ORDER_SCHEMAS = [
  OrderStepSchema,
  OrderSummarySchema,
  OrderSchema,
  InboxSchema,
  QuotaUsageSchema,
  OverdueSchema,
];
