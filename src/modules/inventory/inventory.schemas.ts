import Type, { type TSchema } from 'typebox';
import { RESOURCE_EVENT_KINDS, RESOURCE_PURPOSES, RESOURCE_STATES } from './inventory.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Quantities = Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
  description: 'billable quantities per catalogue pricing dimension, e.g. {"vcpu": 4, "memory_gb": 8}',
});
const Spec = Type.Record(Type.String(), Type.Unknown(), { description: 'the actual specification' });

const resourceProperties = {
  id: Type.String(),
  name: Type.String(),
  organisationId: Type.String({ description: 'the using unit' }),
  unitName: Nullable(Type.String()),
  jurisdictionId: Type.String(),
  providerId: Type.String(),
  providerName: Nullable(Type.String()),
  systemId: Nullable(Type.String()),
  projectId: Nullable(Type.String()),
  orderId: Nullable(Type.String()),
  catalogueItemCode: Type.String(),
  zone: Nullable(Type.String()),
  externalId: Nullable(Type.String({ description: "the provider's identifier (instance id)" })),
  addresses: Type.Array(Type.String()),
  state: Type.Union(RESOURCE_STATES.map((s) => Type.Literal(s))),
  purpose: Type.Union(RESOURCE_PURPOSES.map((s) => Type.Literal(s))),
  specification: Spec,
  quantities: Quantities,
  expiresOn: Nullable(Type.String({ description: 'YYYY-MM-DD (Asia/Shanghai), time-limited resources' })),
  deliveredAt: Nullable(Type.String()),
  reclaimedAt: Nullable(Type.String()),
  createdAt: Type.String(),
};

export const ResourceSchema = Type.Object(resourceProperties, {
  $id: 'Resource',
  title: 'Resource',
  description: 'One resource of the live inventory',
});

export const ResourceDetailSchema = Type.Object(
  {
    ...resourceProperties,
    intervals: Type.Array(
      Type.Object({
        validFrom: Type.String(),
        validTo: Nullable(Type.String()),
        specification: Spec,
        quantities: Quantities,
      }),
      { description: 'the specification history: one open interval while the resource lives' },
    ),
    events: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: Type.Union(RESOURCE_EVENT_KINDS.map((s) => Type.Literal(s))),
        occurredAt: Type.String(),
        recordedAt: Type.String(),
        quantities: Quantities,
        specification: Spec,
        source: Type.String(),
        reference: Nullable(Type.String()),
        actor: Type.String({ description: 'the account or the system part that recorded it' }),
        actorName: Nullable(Type.String({ description: 'the display name when a person recorded it' })),
      }),
      { description: 'append-only lifecycle events, the single input of metering' },
    ),
  },
  { $id: 'ResourceDetail', title: 'ResourceDetail', description: 'A resource with its spec history and events' },
);

export const INVENTORY_SCHEMAS = [ResourceSchema, ResourceDetailSchema];
