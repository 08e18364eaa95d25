import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Quantities } from '../inventory/index.ts';
import type { FulfilmentAction } from '../policy/index.ts';

// A work order carries out one order step's fulfilment action: the policy packs' list (which the orders
// module's steps use too), one source.
export { FULFILMENT_ACTIONS, type FulfilmentAction } from '../policy/index.ts';
export const WORK_ORDER_STATUSES = ['open', 'submitted', 'disputed', 'completed', 'failed'] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];
export type ReceiptStatus = 'submitted' | 'confirmed' | 'disputed';
export type FindingKind = 'unknown_resource' | 'missing_resource' | 'size_mismatch';

type Json<T> = ColumnType<T, string | undefined, string>;

/** The order data a provider may see, copied onto its work order. */
export interface WorkOrderDetails {
  orderNo?: string | null;
  orderType?: string | null;
  unitName?: string | null;
  systemName?: string | null;
  purpose?: string | null;
  expiresOn?: string | null;
  note?: string | null;
  /** a trial (purpose `trial`): its length in calendar days from delivery, from the pack (LZ 21(4)) */
  trialCalendarDays?: number | null;
  /** SH 26: the unit confirms its backup before the provider acts (a reclaim always; other actions per the pack's `dataBackupFirst`) */
  backupFirst?: boolean;
}

export interface WorkOrderTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  order_id: string;
  step_key: string;
  action: FulfilmentAction;
  zone: string | null;
  driver: ColumnType<string, string | undefined, string>;
  status: ColumnType<WorkOrderStatus, WorkOrderStatus | undefined, WorkOrderStatus>;
  due_at: Date | null;
  dispute_due_at: Date | null;
  /** the current dispute's deadline passed unanswered (the sweeper's mark, migration 0015) */
  dispute_overdue_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
  details: Json<WorkOrderDetails>;
  backup_confirmed_at: Date | null;
  backup_confirmed_by: string | null;
  /** a reclaim the platform opened: the unit's backup deadline (defaults.reclaimBackupWorkingDays, migration 0024) */
  backup_due_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  backup_due_day: ColumnType<string | null, string | null | undefined, string | null>;
  /** the backup deadline passed unconfirmed: when the sweep marked and announced it (once; migration 0026) */
  backup_overdue_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** after the backup deadline: the competent authority's consent to proceed without the unit's confirmation */
  backup_consent_by: ColumnType<string | null, string | null | undefined, string | null>;
  backup_consent_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  backup_consent_comment: ColumnType<string | null, string | null | undefined, string | null>;
  /** ... and the ops unit proceeding with it */
  backup_waived_by: ColumnType<string | null, string | null | undefined, string | null>;
  backup_waived_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  backup_waiver_comment: ColumnType<string | null, string | null | undefined, string | null>;
  completed_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface WorkOrderLineTable {
  work_order_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  line_no: number;
  order_line_id: string | null;
  catalogue_item_code: string;
  specification: Json<Record<string, unknown>>;
  quantity: number;
  resource_id: string | null;
  system_id: string | null;
  project_id: string | null;
  purpose: ColumnType<string, string | undefined, string>;
  expires_on: string | null;
}

export interface DeliveryReceiptTable {
  id: Generated<string>;
  work_order_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  revision: number;
  status: ColumnType<ReceiptStatus, ReceiptStatus | undefined, ReceiptStatus>;
  notes: string | null;
  data_erased: ColumnType<boolean, boolean | undefined, boolean>;
  submitted_at: Date;
  submitted_by: string;
  decided_at: Date | null;
  decided_by: string | null;
}

export interface DeliveryReceiptLineTable {
  receipt_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  line_no: number;
  work_order_line_no: number;
  resource_id: string | null;
  name: string;
  external_id: string | null;
  addresses: Json<string[]>;
  specification: Json<Record<string, unknown>>;
  quantities: Json<Quantities>;
  delivered_at: Date;
  notes: string | null;
  dispute: string | null;
}

export interface InventorySnapshotTable {
  id: Generated<string>;
  provider_id: string;
  jurisdiction_id: string;
  mode: 'full' | 'changes';
  items: number;
  content_sm3: string;
  findings_raised: number;
  received_at: Date;
  received_by: string;
}

export interface InventoryFindingTable {
  id: Generated<string>;
  jurisdiction_id: string;
  provider_id: string;
  organisation_id: string | null;
  resource_id: string | null;
  external_id: string;
  kind: FindingKind;
  detail: Json<Record<string, unknown>>;
  fingerprint: string;
  status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
  snapshot_id: string;
  raised_at: Date;
  due_at: Date;
  /** the deadline passed while open (the sweeper's mark, migration 0015); kept after resolution */
  overdue_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
}

export interface ExpiryNoticeTable {
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  expires_on: string;
  kind: 'notice' | 'reclaim' | 'extended';
  lead_working_days: number;
  sent_on: string;
  sent_at: Date;
  order_id: string | null;
}

export interface ProvisioningTables {
  work_order: WorkOrderTable;
  work_order_line: WorkOrderLineTable;
  delivery_receipt: DeliveryReceiptTable;
  delivery_receipt_line: DeliveryReceiptLineTable;
  inventory_snapshot: InventorySnapshotTable;
  inventory_finding: InventoryFindingTable;
  expiry_notice: ExpiryNoticeTable;
}

export type WorkOrderRow = Selectable<WorkOrderTable>;
export type WorkOrderLineRow = Selectable<WorkOrderLineTable>;
export type DeliveryReceiptRow = Selectable<DeliveryReceiptTable>;
export type DeliveryReceiptLineRow = Selectable<DeliveryReceiptLineTable>;
export type InventoryFindingRow = Selectable<InventoryFindingTable>;
