import Type, { type TSchema } from 'typebox';
import { FULFILMENT_ACTIONS, WORK_ORDER_STATUSES } from './provisioning.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Obj = Type.Record(Type.String(), Type.Unknown());
const Quantities = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

const workOrderProperties = {
  id: Type.String(),
  organisationId: Type.String({ description: 'the using unit' }),
  jurisdictionId: Type.String(),
  providerId: Type.String(),
  providerName: Nullable(Type.String()),
  orderId: Type.String(),
  stepKey: Type.String(),
  action: Type.Union(FULFILMENT_ACTIONS.map((a) => Type.Literal(a))),
  zone: Nullable(Type.String()),
  driver: Type.String({ description: 'how it is carried out; `manual`: the provider’s delivery receipt' }),
  status: Type.Union(WORK_ORDER_STATUSES.map((s) => Type.Literal(s))),
  dueAt: Nullable(Type.String({ description: 'from the policy pack: the fulfilment step’s due time' })),
  disputeDueAt: Nullable(Type.String({ description: 'while disputed: the provider’s deadline to answer' })),
  disputeOverdueSince: Nullable(
    Type.String({ description: 'while disputed: when the deadline sweeper marked the unanswered dispute overdue' }),
  ),
  overdue: Type.Boolean({
    description: 'waits on the provider past its deadline: open past dueAt, or disputed past disputeDueAt',
  }),
  details: Type.Object(
    {
      orderNo: Type.Optional(Nullable(Type.String())),
      orderType: Type.Optional(Nullable(Type.String())),
      unitName: Type.Optional(Nullable(Type.String())),
      systemName: Type.Optional(Nullable(Type.String())),
      purpose: Type.Optional(Nullable(Type.String())),
      expiresOn: Type.Optional(Nullable(Type.String())),
      note: Type.Optional(Nullable(Type.String())),
      backupFirst: Type.Optional(
        Type.Boolean({
          description:
            'SH 26: the unit confirms its backup before the provider acts (reclaims; scale-ups per the pack)',
        }),
      ),
    },
    { description: 'the order data copied onto the work order: all a provider sees of the order' },
  ),
  backupConfirmedAt: Nullable(Type.String({ description: 'reclaim: the unit confirmed backup and migration (SH 26)' })),
  backupConfirmedBy: Nullable(Type.String()),
  backupDueAt: Nullable(
    Type.String({
      description:
        'a reclaim the platform opened (expiry, monitoring): the unit’s backup deadline (the pack’s defaults.reclaimBackupWorkingDays), end of the day +08:00',
    }),
  ),
  backupDueDay: Nullable(Type.String()),
  backupOverdueSince: Nullable(
    Type.String({ description: 'the backup deadline passed unconfirmed: when the sweep marked and announced it' }),
  ),
  backupConsent: Nullable(
    Type.Object(
      {
        by: Nullable(Type.String()),
        byName: Nullable(Type.String({ description: 'the person’s name' })),
        at: Type.String(),
        comment: Nullable(Type.String()),
      },
      { description: 'after the backup deadline: the competent authority consented to proceed without it' },
    ),
  ),
  backupWaived: Nullable(
    Type.Object(
      {
        by: Nullable(Type.String()),
        byName: Nullable(Type.String({ description: 'the person’s name' })),
        at: Type.String(),
        comment: Nullable(Type.String()),
      },
      { description: 'the ops unit proceeded with the reclaim on that consent' },
    ),
  ),
  completedAt: Nullable(Type.String()),
  createdAt: Type.String(),
};

export const WorkOrderSchema = Type.Object(workOrderProperties, {
  $id: 'WorkOrder',
  title: 'WorkOrder',
  description: 'What one provider must do for one fulfilment step of an order',
});

export const ReceiptLineSchema = Type.Object(
  {
    lineNo: Type.Integer(),
    workOrderLineNo: Type.Integer(),
    resourceId: Nullable(Type.String()),
    name: Type.String(),
    externalId: Nullable(Type.String()),
    addresses: Type.Array(Type.String()),
    specification: Obj,
    quantities: Quantities,
    deliveredAt: Type.String(),
    notes: Nullable(Type.String()),
    dispute: Nullable(Type.String({ description: 'the unit’s objection to this line' })),
  },
  { $id: 'DeliveryReceiptLine', title: 'DeliveryReceiptLine' },
);

export const WorkOrderDetailSchema = Type.Object(
  {
    ...workOrderProperties,
    lines: Type.Array(
      Type.Object({
        lineNo: Type.Integer(),
        catalogueItemCode: Type.String(),
        specification: Obj,
        quantity: Type.Integer(),
        resourceId: Nullable(Type.String()),
        purpose: Type.String(),
        expiresOn: Nullable(Type.String()),
      }),
    ),
    receipts: Type.Array(
      Type.Object({
        id: Type.String(),
        revision: Type.Integer(),
        status: Type.Union([Type.Literal('submitted'), Type.Literal('confirmed'), Type.Literal('disputed')]),
        notes: Nullable(Type.String()),
        dataErased: Type.Boolean(),
        submittedAt: Type.String(),
        submittedBy: Type.String(),
        decidedAt: Nullable(Type.String()),
        decidedBy: Nullable(Type.String()),
        lines: Type.Array(Type.Ref('DeliveryReceiptLine')),
      }),
      { description: 'every revision of the delivery receipt (交付回执单), oldest first' },
    ),
  },
  { $id: 'WorkOrderDetail', title: 'WorkOrderDetail', description: 'A work order with its lines and receipts' },
);

export const ReceiptBody = Type.Object(
  {
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    dataErased: Type.Optional(Type.Boolean({ description: 'reclaim: the data was erased (LZ 26)' })),
    lines: Type.Array(
      Type.Object({
        workOrderLineNo: Type.Integer({ minimum: 1 }),
        name: Type.String({ minLength: 1, maxLength: 200 }),
        externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'instance id' })),
        addresses: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 64 })),
        specification: Type.Optional(Obj),
        quantities: Type.Optional(Quantities),
        deliveredAt: Type.String({ format: 'date-time' }),
        notes: Type.Optional(Type.String({ maxLength: 2000 })),
      }),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

export const FindingSchema = Type.Object(
  {
    id: Type.String(),
    jurisdictionId: Type.String(),
    providerId: Type.String(),
    organisationId: Nullable(Type.String()),
    resourceId: Nullable(Type.String()),
    externalId: Type.String(),
    kind: Type.Union([
      Type.Literal('unknown_resource'),
      Type.Literal('missing_resource'),
      Type.Literal('size_mismatch'),
    ]),
    detail: Obj,
    status: Type.Union([Type.Literal('open'), Type.Literal('resolved')]),
    snapshotId: Type.String(),
    raisedAt: Type.String(),
    dueAt: Type.String(),
    overdue: Type.Boolean({ description: 'open past its due time' }),
    overdueSince: Nullable(
      Type.String({
        description: 'when the deadline sweeper marked it overdue; kept after resolution (resolved late)',
      }),
    ),
    resolvedAt: Nullable(Type.String()),
    resolvedBy: Nullable(Type.String()),
    resolution: Nullable(Type.String()),
  },
  {
    $id: 'InventoryFinding',
    title: 'InventoryFinding',
    description: 'A difference between a provider’s report and the inventory',
  },
);

const FindingKindSchema = Type.Union([
  Type.Literal('unknown_resource'),
  Type.Literal('missing_resource'),
  Type.Literal('size_mismatch'),
]);

export const ProvisioningOverdueSchema = Type.Object(
  {
    disputes: Type.Array(
      Type.Object({
        workOrderId: Type.String(),
        orderId: Type.String(),
        orderNo: Nullable(Type.String()),
        organisationId: Type.String({ description: 'the using unit that disputed' }),
        organisationCode: Type.String(),
        organisationName: Type.String(),
        providerId: Type.String(),
        providerName: Type.String(),
        disputeDueAt: Type.String(),
        overdueSince: Type.String(),
      }),
      { description: 'disputed receipts the provider has not answered by their deadline, earliest due first' },
    ),
    findings: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: FindingKindSchema,
        externalId: Type.String(),
        providerId: Type.String(),
        providerName: Type.String(),
        dueAt: Type.String(),
        overdueSince: Type.String(),
      }),
      { description: 'reconciliation findings the ops unit has not resolved by their deadline, earliest due first' },
    ),
    perProvider: Type.Array(
      Type.Object({
        providerId: Type.String(),
        code: Type.String(),
        name: Type.String(),
        disputes: Type.Integer(),
        findings: Type.Integer(),
      }),
    ),
  },
  { $id: 'ProvisioningOverdue', title: 'ProvisioningOverdue' },
);

export const PROVISIONING_SCHEMAS = [
  WorkOrderSchema,
  ReceiptLineSchema,
  WorkOrderDetailSchema,
  FindingSchema,
  ProvisioningOverdueSchema,
];
