import type { ColumnType, Generated, Selectable } from 'kysely';

export const METRICS = ['cpu', 'memory', 'disk_io', 'network_in', 'network_out', 'heartbeat'] as const;
export type Metric = (typeof METRICS)[number];
export const RULES = ['low_utilisation', 'zombie', 'silent_agent'] as const;
export type Rule = (typeof RULES)[number];
export type FindingStatus = 'open' | 'cleared' | 'in_rectification' | 'resolved' | 'escalated';
export type RectificationStatus =
  | 'proposed'
  | 'warned'
  | 'responded'
  | 'accepted'
  | 'consent_requested'
  | 'declined'
  | 'escalated'
  | 'reversed'
  | 'withdrawn';
export type ResponseAction = 'justify' | 'downsize' | 'release';
type Json<T> = ColumnType<T, string, string>;

export interface MonitoringSettingTable {
  jurisdiction_id: string;
  mapping_label: ColumnType<string, string | undefined, string>;
  thresholds: ColumnType<Record<string, number>, string | undefined, string>;
  retention_days: ColumnType<number, number | undefined, number>;
  out_of_order_minutes: ColumnType<number, number | undefined, number>;
  pull_url: string | null;
  pull_pulled_until: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface MonitoringRollupTable {
  resource_id: string;
  metric: Metric;
  hour: Date;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  sum: number;
  max: number;
  count: number;
}

export interface MonitoringAgentTable {
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  last_sample_at: Date;
}

/** One accepted ingest request, waiting to be folded into the rollups (monitoring.staging.ts, monitoring.fold.ts). */
export interface MonitoringStagedTable {
  id: Generated<string>;
  jurisdiction_id: string;
  organisation_id: string;
  scope: 'organisation' | 'jurisdiction';
  visible: string[];
  mapping_label: string;
  received_at: Date;
  samples: number;
  data: Uint8Array;
}

export interface MonitoringUnmappedTable {
  jurisdiction_id: string;
  organisation_id: string;
  series: string;
  reason: 'no_label' | 'no_resource' | 'unsupported_metric';
  samples: ColumnType<string, string | number, string | number>;
  first_seen_at: Date;
  last_seen_at: Date;
}

/** Digests of accepted push requests, kept for the accepted window (a resent request is staged once; migration 0019). */
export interface MonitoringIngestDigestTable {
  digest: Uint8Array;
  jurisdiction_id: string;
  organisation_id: string;
  received_at: Date;
  expires_at: Date;
}

/** Per caller: unmapped series over a fold's (or pull's) listing limit, counted, not listed (migration 0019). */
export interface MonitoringUnmappedOverflowTable {
  jurisdiction_id: string;
  organisation_id: string;
  series: ColumnType<bigint, bigint | number, bigint | number>;
  samples: ColumnType<bigint, bigint | number, bigint | number>;
  first_seen_at: Date;
  last_seen_at: Date;
}

/** A staged batch the fold could not read or write, with the error (migration 0019). */
export interface MonitoringStagedQuarantineTable {
  /** the staged batch's id */
  id: bigint;
  jurisdiction_id: string;
  organisation_id: string;
  scope: string;
  visible: string[];
  mapping_label: string;
  received_at: Date;
  samples: number;
  data: Uint8Array;
  error: string;
  quarantined_at: Date;
}

export interface MonitoringFindingTable {
  id: Generated<string>;
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  rule: Rule;
  rule_version: string;
  status: ColumnType<FindingStatus, FindingStatus | undefined, FindingStatus>;
  evidence: Json<Record<string, unknown>>;
  first_detected_at: Date;
  last_detected_at: Date;
  updated_at: Date;
}

export interface RectificationTable {
  id: Generated<string>;
  finding_id: string;
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  status: RectificationStatus;
  reason: string;
  working_days: number;
  proposed_by: string;
  proposed_at: Date;
  approved_by: string | null;
  warned_at: Date | null;
  due_at: Date | null;
  due_day: ColumnType<string | null, string | null | undefined, string | null>;
  response_action: ResponseAction | null;
  response_comment: string | null;
  responded_by: string | null;
  responded_at: Date | null;
  review_comment: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  escalated_at: Date | null;
  reclaim_order_id: string | null;
  reversed_by: string | null;
  reversed_at: Date | null;
  reversal_comment: string | null;
  consent_requested_at: Date | null;
  consent_due_at: Date | null;
  consent_due_day: ColumnType<string | null, string | null | undefined, string | null>;
  consent_overdue_at: Date | null;
  consent_by: string | null;
  consent_at: Date | null;
  consent_comment: string | null;
  updated_at: Date;
}

export interface MonitoringTables {
  monitoring_setting: MonitoringSettingTable;
  monitoring_rollup: MonitoringRollupTable;
  monitoring_agent: MonitoringAgentTable;
  monitoring_staged: MonitoringStagedTable;
  monitoring_unmapped: MonitoringUnmappedTable;
  monitoring_ingest_digest: MonitoringIngestDigestTable;
  monitoring_unmapped_overflow: MonitoringUnmappedOverflowTable;
  monitoring_staged_quarantine: MonitoringStagedQuarantineTable;
  monitoring_finding: MonitoringFindingTable;
  rectification: RectificationTable;
}

export type FindingRow = Selectable<MonitoringFindingTable>;
export type RectificationRow = Selectable<RectificationTable>;
