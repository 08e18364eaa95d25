import type { ColumnType, Generated, Selectable } from 'kysely';

// Tables of migration 0090 (shared data, NB 13-15).

export const FIELD_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export const SENSITIVITIES = ['public', 'internal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];
export const FORMATS = ['json', 'csv'] as const;
export type DataFormat = (typeof FORMATS)[number];
export const UPDATE_SCHEDULES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;
export type UpdateSchedule = (typeof UPDATE_SCHEDULES)[number];
export const SHARING_TYPES = ['unconditional', 'conditional', 'not_shared'] as const;
export type SharingType = (typeof SHARING_TYPES)[number];
export const DELIVERIES = ['api', 'file'] as const;
export type Delivery = (typeof DELIVERIES)[number];
export const VERSION_STATUSES = ['draft', 'submitted', 'returned', 'published', 'superseded'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export const GRANT_STATUSES = [
  'pending_provider',
  'pending_ops',
  'active',
  'refused',
  'withdrawn',
  'revoked',
  'superseded',
] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];
export const ERROR_REPORT_STATUSES = ['reported', 'acknowledged', 'corrected', 'confirmed'] as const;
export type ErrorReportStatus = (typeof ERROR_REPORT_STATUSES)[number];

/** What a gateway call ended in (the trace's outcome). */
export const CALL_OUTCOMES = [
  'ok',
  'not_found',
  'grant_required',
  'grant_revoked',
  'grant_expired',
  'grant_not_yet_valid',
  'fields_not_granted',
  'rate_limited',
  'withdrawn',
  'endpoint_refused',
  'provider_error',
  'provider_answer_invalid',
  'invalid_request',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface DataField {
  /** the key of the field in the provider's records (a JSON key or a CSV header) */
  name: string;
  type: FieldType;
  /** what it means, in the provider's words */
  meaning: string;
  sensitivity: Sensitivity;
}

type Created = ColumnType<Date, Date | undefined, never>;
type Updated = ColumnType<Date, Date | undefined, Date>;

export interface DataResourceTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  name: string;
  published_version: number | null;
  withdrawn_at: Date | null;
  withdrawn_by: string | null;
  withdraw_reason: string | null;
  created_at: Created;
  updated_at: Updated;
}

export interface DataResourceVersionTable {
  resource_id: string;
  version: number;
  organisation_id: string;
  jurisdiction_id: string;
  status: VersionStatus;
  name: string;
  description: string;
  fields: ColumnType<DataField[], string, string>;
  format: DataFormat;
  update_schedule: UpdateSchedule;
  sharing_type: SharingType;
  sharing_condition: string | null;
  not_shared_reason: string | null;
  scope: string;
  system_id: string;
  system_name: string;
  provider_name: string;
  delivery: Delivery;
  endpoint_url: string | null;
  default_rate_limit_per_minute: number | null;
  created_by: string | null;
  created_at: Created;
  updated_at: Updated;
  submitted_at: Date | null;
  submitted_by: string | null;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  review_comment: string | null;
  published_at: Date | null;
}

export interface DataResourceCredentialTable {
  resource_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  header_name: string;
  sealed_value: string;
  updated_by: string | null;
  updated_at: Updated;
}

export interface DataGrantTable {
  id: Generated<string>;
  resource_id: string;
  jurisdiction_id: string;
  provider_organisation_id: string;
  consumer_organisation_id: string;
  consumer_jurisdiction_id: string;
  resource_name: string;
  provider_name: string;
  consumer_name: string;
  project_id: string;
  project_name: string;
  purpose: string;
  sharing_type: 'unconditional' | 'conditional';
  requested_fields: string[];
  /** calendar days (Asia/Shanghai), as YYYY-MM-DD */
  requested_from: string;
  requested_to: string;
  status: GrantStatus;
  granted_fields: string[] | null;
  valid_from: string | null;
  valid_to: string | null;
  rate_limit_per_minute: number | null;
  applied_by: string | null;
  applied_at: Date;
  provider_decided_at: Date | null;
  provider_decided_by: string | null;
  provider_comment: string | null;
  ops_reviewed_at: Date | null;
  ops_reviewed_by: string | null;
  ops_comment: string | null;
  refused_by: 'provider' | 'ops' | null;
  refusal_reason: string | null;
  activated_at: Date | null;
  ended_at: Date | null;
  ended_by: string | null;
  end_reason: string | null;
  created_at: Created;
  updated_at: Updated;
}

export interface DataCallTraceTable {
  id: Generated<string>;
  occurred_at: Date;
  jurisdiction_id: string;
  provider_organisation_id: string | null;
  consumer_organisation_id: string;
  consumer_jurisdiction_id: string;
  resource_id: string;
  resource_name: string | null;
  provider_name: string | null;
  consumer_name: string;
  grant_id: string | null;
  token_id: string | null;
  token_name: string | null;
  purpose: string | null;
  fields: string[];
  parameters: string[];
  record_count: number;
  outcome: CallOutcome;
  status_code: number;
  duration_ms: number;
  request_id: string | null;
}

export interface DataRateWindowTable {
  grant_id: string;
  window_start: Date;
  calls: number;
}

export interface DataErrorReportTable {
  id: Generated<string>;
  resource_id: string;
  grant_id: string;
  jurisdiction_id: string;
  provider_organisation_id: string;
  consumer_organisation_id: string;
  consumer_jurisdiction_id: string;
  resource_name: string;
  provider_name: string;
  consumer_name: string;
  record_reference: string;
  field: string;
  description: string;
  status: ErrorReportStatus;
  reported_at: Date;
  reported_by: string | null;
  deadline_working_days: number | null;
  due_at: Date | null;
  due_provisional: boolean;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledgement: string | null;
  corrected_at: Date | null;
  corrected_by: string | null;
  correction: string | null;
  confirmed_at: Date | null;
  confirmed_by: string | null;
  rejections: number;
  last_rejection: string | null;
  overdue_since: Date | null;
  updated_at: Updated;
}

export interface SharedDataTables {
  data_resource: DataResourceTable;
  data_resource_version: DataResourceVersionTable;
  data_resource_credential: DataResourceCredentialTable;
  data_grant: DataGrantTable;
  data_call_trace: DataCallTraceTable;
  data_rate_window: DataRateWindowTable;
  data_error_report: DataErrorReportTable;
}

export type DataResourceRow = Selectable<DataResourceTable>;
export type DataResourceVersionRow = Selectable<DataResourceVersionTable>;
export type DataGrantRow = Selectable<DataGrantTable>;
export type DataCallTraceRow = Selectable<DataCallTraceTable>;
export type DataErrorReportRow = Selectable<DataErrorReportTable>;
