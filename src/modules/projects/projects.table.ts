import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export const SYSTEM_STATUSES = ['planned', 'on_cloud', 'legacy_data_centre', 'retired'] as const;
export type SystemStatus = (typeof SYSTEM_STATUSES)[number];
export const FILING_STATUSES = ['not_filed', 'filed'] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];
/** declared -> under_review -> approved / rejected (SH 18, JQ-proj 9); closed when done. */
export const PROJECT_STATUSES = ['declared', 'under_review', 'approved', 'rejected', 'closed'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface InformationSystemTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  name: string;
  /** JSON array of subsystem names */
  subsystems: ColumnType<string[], string | undefined, string>;
  developer: string | null;
  network_zone: string | null;
  mlps_level: number;
  filing_status: Generated<FilingStatus>;
  filing_number: string | null;
  classified: Generated<boolean>;
  commitment_letter_on_file: Generated<boolean>;
  commitment_letter_file: string | null;
  /** YYYY-MM-DD */
  commitment_letter_date: string | null;
  status: Generated<SystemStatus>;
  notes: string | null;
  created_by: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProjectTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  approval_no: string;
  name: string;
  year: number;
  status: Generated<ProjectStatus>;
  description: string | null;
  created_by: string;
  /** who approved, rejected or returned the project (the authority), when, and why */
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
  decided_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  decision_comment: ColumnType<string | null, string | null | undefined, string | null>;
  /** when the project's preliminary review passed (JQ-proj 9; modules/itprojects writes it, migration 0100) */
  review_passed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProjectSystemTable {
  project_id: string;
  system_id: string;
  organisation_id: string;
  jurisdiction_id: string;
}

export interface ProjectQuotaTable {
  id: Generated<string>;
  project_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  dimension: string;
  /** numeric(20, 6): a decimal string */
  quantity: string;
  /** YYYY-MM-DD, both null for the base quota */
  valid_from: string | null;
  valid_to: string | null;
  set_by: string;
  set_at: Date;
}

export interface ProjectTables {
  information_system: InformationSystemTable;
  project: ProjectTable;
  project_system: ProjectSystemTable;
  project_quota: ProjectQuotaTable;
}

export type SystemRecord = Selectable<InformationSystemTable>;
export type NewSystemRecord = Insertable<InformationSystemTable>;
export type ProjectRecord = Selectable<ProjectTable>;
export type QuotaRecord = Selectable<ProjectQuotaTable>;
