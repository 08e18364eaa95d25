import type { ColumnType, Generated, Selectable } from 'kysely';

// Tables of migration 0070 (operations: the service desk and planned maintenance, issue 18).

export const TICKET_KINDS = ['fault', 'request', 'consultation'] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const TICKET_STATUSES = ['open', 'responded', 'resolved', 'confirmed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const ENTRY_KINDS = ['opened', 'response', 'update', 'resolution', 'confirmation', 'escalation'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];
export const MAINTENANCE_KINDS = ['planned', 'sudden'] as const;
export type MaintenanceKind = (typeof MAINTENANCE_KINDS)[number];
export const MAINTENANCE_STATUSES = ['applied', 'consulting', 'agreed', 'refused', 'withdrawn'] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];
export const ANSWERS = ['confirmed', 'objected'] as const;
export type Answer = (typeof ANSWERS)[number];

export interface ServiceTicketTable {
  id: Generated<string>;
  number: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  unit_name: string;
  kind: TicketKind;
  priority: Priority;
  subject: string;
  description: string;
  resource_id: string | null;
  resource_name: string | null;
  system_id: string | null;
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>;
  response_minutes: number | null;
  response_article: string | null;
  response_due_at: Date | null;
  first_response_at: Date | null;
  first_response_by: string | null;
  response_breached: ColumnType<boolean, boolean | undefined, boolean>;
  escalated_at: Date | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  confirmed_at: Date | null;
  confirmed_by: string | null;
  satisfaction: number | null;
  satisfaction_comment: string | null;
  /** migration 0073: the resolution target of the ticket's priority, from the pack's defaults */
  resolution_hours: number | null;
  resolution_note: string | null;
  resolution_article: string | null;
  resolution_due_at: Date | null;
  resolution_breached: ColumnType<boolean, boolean | undefined, boolean>;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface ServiceTicketEntryTable {
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  ticket_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  kind: EntryKind;
  body: string;
  author: string;
  created_at: Date;
}

export interface MaintenanceWindowTable {
  id: Generated<string>;
  number: string;
  organisation_id: string;
  jurisdiction_id: string;
  kind: MaintenanceKind;
  title: string;
  impact: string;
  zone: string | null;
  resource_ids: ColumnType<string[], string[] | undefined, string[]>;
  starts_at: Date;
  ends_at: Date;
  status: ColumnType<MaintenanceStatus, MaintenanceStatus | undefined, MaintenanceStatus>;
  lead_working_days: number | null;
  lead_article: string | null;
  lead_due_day: string | null;
  affected_resources: number;
  applied_by: string;
  applied_at: Date;
  notified_at: Date | null;
  notified_by: string | null;
  decided_at: Date | null;
  decided_by: string | null;
  decision_note: string | null;
  updated_at: Date;
}

export interface MaintenanceUnitTable {
  maintenance_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  resource_ids: string[];
  unit_name: string | null;
  notified_at: Date | null;
  answer: Answer | null;
  answer_note: string | null;
  answered_at: Date | null;
  answered_by: string | null;
}

export interface OperationsReportTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  scope: 'city' | 'provider';
  provider_id: string | null;
  period: 'week' | 'month';
  period_from: string;
  period_to: string;
  figures: ColumnType<unknown, string, string>;
  workbook: Buffer;
  content_hash: string;
  generated_by: string;
  generated_at: Date;
}

export const SEVERITIES = ['major', 'significant', 'minor'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface IncidentTable {
  id: Generated<string>;
  number: string;
  organisation_id: string;
  jurisdiction_id: string;
  severity: Severity;
  title: string;
  description: string;
  zone: string | null;
  resource_ids: ColumnType<string[], string[], string[]>;
  system_ids: ColumnType<string[], string[], string[]>;
  started_at: Date;
  ended_at: Date | null;
  report_due_at: Date | null;
  report: string | null;
  reported_at: Date | null;
  overdue_since: Date | null;
  created_by: string;
  created_at: Date;
}

export interface IncidentUnitTable {
  incident_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
}

export interface OperationsTables {
  incident: IncidentTable;
  incident_unit: IncidentUnitTable;
  operations_report: OperationsReportTable;
  service_ticket: ServiceTicketTable;
  service_ticket_entry: ServiceTicketEntryTable;
  maintenance_window: MaintenanceWindowTable;
  maintenance_unit: MaintenanceUnitTable;
}

export type TicketRow = Selectable<ServiceTicketTable>;
export type EntryRow = Selectable<ServiceTicketEntryTable>;
export type MaintenanceRow = Selectable<MaintenanceWindowTable>;
export type MaintenanceUnitRow = Selectable<MaintenanceUnitTable>;
