import type { ColumnType, Generated, Selectable } from 'kysely';
import type { OrderType } from '../policy/index.ts';

export const ORDER_STATUSES = ['draft', 'submitted', 'in_progress', 'completed', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const STEP_STATUSES = ['pending', 'open', 'done', 'rejected', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
// What a fulfilment step asks of the provider is the pack's (PolicyStep.fulfilment).
export { FULFILMENT_ACTIONS, type FulfilmentAction } from '../policy/index.ts';

import type { FulfilmentAction } from '../policy/index.ts';
export type StepDecision = 'approve' | 'reject' | 'return' | 'done' | 'failed' | 'cancelled';
export const TEMPORARY_BASES = ['key_task', 'meeting_decision'] as const;
export type TemporaryBasis = (typeof TEMPORARY_BASES)[number];
export type OrderSource = 'unit' | 'expiry' | 'monitoring' | 'test_release';
export type ReservationStatus = 'reserved' | 'consumed' | 'released';

type Json<T> = ColumnType<T, string, string>;

/** One step of the workflow snapshot taken at submission. */
export interface WorkflowStep {
  key: string;
  name: { zh: string; en: string };
  role: string;
  deadline: { value: number | null; unit: string | null; article: string | null; note?: string };
  when?: string;
  fulfilment: FulfilmentAction | null;
}

export interface ResourceOrderTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  number: string;
  type: OrderType;
  status: OrderStatus;
  title: string;
  reason: string | null;
  project_id: string | null;
  system_id: string | null;
  pack_id: string | null;
  pack_version: string | null;
  workflow: Json<WorkflowStep[]>;
  term_months: number | null;
  expires_on: string | null;
  parent_order_id: string | null;
  target_resource_ids: Json<string[]>;
  green_channel: boolean;
  quota_overrun: boolean;
  /** SH 24: why a temporary order may draw on a project not yet approved */
  temporary_basis: TemporaryBasis | null;
  source: OrderSource;
  placed_by: string | null;
  placed_by_name: string | null;
  submitted_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface OrderLineTable {
  order_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  line_no: number;
  catalogue_item_code: string;
  catalogue_version_id: string | null;
  specification: Json<Record<string, unknown>>;
  quantity: number;
  dimensions: Json<Record<string, string>>;
  request_form_id: string | null;
  request_form_row_no: number | null;
  target_resource_id: string | null;
}

export interface OrderStepTable {
  id: Generated<string>;
  order_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  seq: number;
  key: string;
  name_zh: string;
  name_en: string;
  role: string;
  acting_organisation_id: string | null;
  fulfilment_action: FulfilmentAction | null;
  status: StepStatus;
  handled: Generated<boolean>;
  opened_at: Date | null;
  due_at: Date | null;
  due_day: string | null;
  deadline_value: number | null;
  deadline_unit: string | null;
  deadline_article: string | null;
  deadline_note: string | null;
  deadline_provisional: Generated<boolean>;
  unconfirmed_years: Json<number[]>;
  acted_by: string | null;
  acted_by_name: string | null;
  acted_at: Date | null;
  decision: StepDecision | null;
  comment: string | null;
  met_deadline: boolean | null;
  overdue_since: Date | null;
  escalated_at: Date | null;
  /** a fulfilment step: when the provider's receipt arrived (the last of the step's work orders) */
  delivered_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface OrderEventTable {
  id: Generated<string>;
  order_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  at: Date;
  kind: string;
  step_key: string | null;
  actor_id: string | null;
  actor_name: string | null;
  comment: string | null;
  detail: Json<Record<string, unknown>>;
}

export interface QuotaReservationTable {
  order_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  project_id: string;
  dimension: string;
  amount: string;
  status: ReservationStatus;
  updated_at: Date;
}

export interface AllocationStopTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  reason: string;
  reference: string | null;
  stopped_at: Date;
  stopped_by: string | null;
  resumed_at: Date | null;
  resumed_by: string | null;
}

export interface IdempotencyKeyTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number | null;
  response: Json<unknown> | null;
  created_at: Generated<Date>;
}

export interface OrderTables {
  resource_order: ResourceOrderTable;
  order_line: OrderLineTable;
  order_step: OrderStepTable;
  order_event: OrderEventTable;
  quota_reservation: QuotaReservationTable;
  allocation_stop: AllocationStopTable;
  idempotency_key: IdempotencyKeyTable;
}

export type OrderRow = Selectable<ResourceOrderTable>;
export type OrderLineRow = Selectable<OrderLineTable>;
export type OrderStepRow = Selectable<OrderStepTable>;
export type OrderEventRow = Selectable<OrderEventTable>;
