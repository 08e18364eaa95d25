import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export const RESOURCE_STATES = ['provisioning', 'active', 'suspended', 'reclaiming', 'reclaimed'] as const;
export type ResourceState = (typeof RESOURCE_STATES)[number];
export const RESOURCE_PURPOSES = ['formal', 'test', 'trial', 'development', 'emergency', 'temporary'] as const;
export type ResourcePurpose = (typeof RESOURCE_PURPOSES)[number];
export const RESOURCE_EVENT_KINDS = ['delivered', 'resized', 'suspended', 'resumed', 'reclaimed'] as const;
export type ResourceEventKind = (typeof RESOURCE_EVENT_KINDS)[number];
export type ResourceEventSource = 'receipt' | 'push' | 'order' | 'manual' | 'seed';

/** Billable quantities by pricing dimension (catalogue_price.dimension): {"vcpu": 4, "memory_gb": 8}. */
export type Quantities = Record<string, number>;
type Json<T> = ColumnType<T, string, string>;

export interface ResourceTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  system_id: string | null;
  project_id: string | null;
  order_id: string | null;
  catalogue_item_code: string;
  zone: string | null;
  name: string;
  external_id: string | null;
  addresses: ColumnType<string[], string | undefined, string>;
  state: ColumnType<ResourceState, ResourceState | undefined, ResourceState>;
  purpose: ColumnType<ResourcePurpose, ResourcePurpose | undefined, ResourcePurpose>;
  specification: ColumnType<Record<string, unknown>, string | undefined, string>;
  quantities: ColumnType<Quantities, string | undefined, string>;
  /** 'YYYY-MM-DD' (Asia/Shanghai), time-limited resources only */
  expires_on: string | null;
  delivered_at: Date | null;
  reclaimed_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ResourceSpecIntervalTable {
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  valid_from: Date;
  valid_to: Date | null;
  specification: Json<Record<string, unknown>>;
  quantities: Json<Quantities>;
}

export interface ResourceEventTable {
  id: Generated<string>;
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  catalogue_item_code: string;
  kind: ResourceEventKind;
  occurred_at: Date;
  recorded_at: ColumnType<Date, Date | undefined, never>;
  quantities: Json<Quantities>;
  specification: ColumnType<Record<string, unknown>, string | undefined, never>;
  source: ResourceEventSource;
  reference: string | null;
  actor: string;
}

export interface InventoryTables {
  resource: ResourceTable;
  resource_spec_interval: ResourceSpecIntervalTable;
  resource_event: ResourceEventTable;
}

export type ResourceRow = Selectable<ResourceTable>;
export type NewResource = Insertable<ResourceTable>;
export type ResourceEventRow = Selectable<ResourceEventTable>;
export type ResourceSpecIntervalRow = Selectable<ResourceSpecIntervalTable>;
