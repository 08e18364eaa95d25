import type { ColumnType, Generated, Selectable } from 'kysely';

// Tables of migration 0080 (legacy data centres, LZ 12-19).

export const CONSTRUCTIONS = ['self_built', 'rented'] as const;
export type Construction = (typeof CONSTRUCTIONS)[number];
export const GB50174_CLASSES = ['A', 'B', 'C', 'none'] as const;
export type Gb50174Class = (typeof GB50174_CLASSES)[number];
export const STAGES = ['registered', 'applied', 'retained', 'transition', 'migrating', 'closed'] as const;
export type Stage = (typeof STAGES)[number];
export const APPLICATION_STATUSES = ['draft', 'submitted', 'evaluated', 'approved', 'refused', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const PATHS = ['standard', 'sensitive'] as const;
export type ApplicationPath = (typeof PATHS)[number];
/** The five criteria of LZ 13, in the article's order. */
export const CRITERIA = ['network', 'technology', 'scale', 'operations', 'security'] as const;
export type Criterion = (typeof CRITERIA)[number];
export const ATTACHMENT_PURPOSES = [...CRITERIA, 'site_survey', 'closure', 'mlps_report'] as const;
export type AttachmentPurpose = (typeof ATTACHMENT_PURPOSES)[number];
export const PLANS = ['migrate', 'shut_down'] as const;
export type Plan = (typeof PLANS)[number];

export interface Equipment {
  kind: string;
  model: string;
  quantity: number;
  note: string | null;
}

type Stamp = ColumnType<Date, Date | undefined, Date>;

export interface DataCentreTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  name: string;
  construction: Construction;
  address: string;
  /** numeric(10,2): read as a string on both databases */
  area_square_metres: ColumnType<string, string, string>;
  racks: number;
  gb50174_class: Gb50174Class;
  extranet_connected: boolean;
  ipv6: boolean;
  cloud_platform_conformant: boolean;
  city_platform_interface: boolean;
  full_time_operators: number;
  service_7x24: boolean;
  mlps_level: number;
  mlps_cloud_extension: boolean;
  mlps_test_report: string | null;
  lease_end: string | null;
  lease_end_registered: string | null;
  stage: Generated<Stage>;
  approved_on: string | null;
  retention_ends: string | null;
  transition_ends: string | null;
  migration_deadline: string | null;
  deadline_article: string | null;
  closed_on: string | null;
  closure_note: string | null;
  equipment: ColumnType<Equipment[] | null, string | null, string | null>;
  closed_by: string | null;
  created_by: string | null;
  created_at: Stamp;
  updated_at: Stamp;
}

export interface DataCentreSystemTable {
  data_centre_id: string;
  system_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  system_name: string;
  classified: boolean;
  plan: Plan | null;
  target_date: string | null;
  done_on: string | null;
  data_handling: string | null;
  project_id: string | null;
  order_numbers: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: Stamp;
}

export interface DataCentreApplicationTable {
  id: Generated<string>;
  data_centre_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  data_centre_name: string;
  organisation_name: string;
  path: ApplicationPath;
  sensitive_reason: string | null;
  status: ApplicationStatus;
  answers: ColumnType<Record<Criterion, string>, string, string>;
  precheck: ColumnType<PrecheckItem[] | null, string | null, string | null>;
  created_by: string | null;
  created_at: Stamp;
  submitted_at: Date | null;
  submitted_by: string | null;
  evaluation_working_days: number | null;
  evaluation_article: string | null;
  evaluation_due_at: Date | null;
  evaluation_due_day: string | null;
  evaluation_due_provisional: Generated<boolean>;
  evaluation_overdue_since: Date | null;
  evaluated_at: Date | null;
  evaluated_by: string | null;
  site_survey_on: string | null;
  recommendation: 'approve' | 'refuse' | null;
  evaluation_opinion: string | null;
  approval_working_days: number | null;
  approval_article: string | null;
  approval_due_at: Date | null;
  approval_due_day: string | null;
  approval_due_provisional: Generated<boolean>;
  approval_overdue_since: Date | null;
  decided_at: Date | null;
  decided_by: string | null;
  decision_reason: string | null;
  updated_at: Stamp;
}

export interface DataCentreAttachmentTable {
  id: Generated<string>;
  data_centre_id: string;
  application_id: string | null;
  organisation_id: string;
  jurisdiction_id: string;
  purpose: AttachmentPurpose;
  file_name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  uploaded_by: string | null;
  uploaded_at: Date;
}

export interface DataCentreNoticeTable {
  data_centre_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  kind: string;
  ends_on: string;
  lead_days: number;
  notice_day: string;
  sent_at: Date;
}

/** One measurable criterion of LZ 13 checked against the register. */
export interface PrecheckItem {
  criterion: Criterion;
  key: string;
  article: string;
  label: string;
  required: string;
  actual: string;
  passed: boolean;
}

export type DataCentreRow = Selectable<DataCentreTable>;
export type DataCentreSystemRow = Selectable<DataCentreSystemTable>;
export type ApplicationRow = Selectable<DataCentreApplicationTable>;
export type AttachmentRow = Selectable<DataCentreAttachmentTable>;

export interface DataCentreTables {
  data_centre: DataCentreTable;
  data_centre_system: DataCentreSystemTable;
  data_centre_application: DataCentreApplicationTable;
  data_centre_attachment: DataCentreAttachmentTable;
  data_centre_notice: DataCentreNoticeTable;
}
