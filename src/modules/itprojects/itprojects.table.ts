import type { ColumnType, Generated, Selectable } from 'kysely';

// Table types of the IT-project lifecycle (migration 0100). Money is bigint fen (int8 parses to bigint on both drivers).

type Bigint = ColumnType<bigint, bigint, bigint>;
type Json<T> = ColumnType<T, string, string>;

export const DECLARATION_STATUSES = [
  'draft',
  'submitted',
  'review_passed',
  'review_failed',
  'in_plan',
  'not_in_plan',
  'approved',
  'design_approved',
] as const;
export type DeclarationStatus = (typeof DECLARATION_STATUSES)[number];

export const ENVIRONMENTS = ['production', 'test', 'development'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** One line of the cloud deployment plan: an item of the catalogue with its specification, per environment. */
export interface DeploymentLine {
  environment: Environment;
  itemCode: string;
  specification: Record<string, string | number>;
  count: number;
  /** the line's monthly price at the catalogue in force, fen (computed) */
  monthlyFen?: string;
}

/** One entry of the data-sharing plan: data the project provides to others, or uses from others. */
export interface SharingLine {
  direction: 'provides' | 'uses';
  name: string;
  description: string;
}

export interface ChecklistAnswer {
  item: string;
  passed: boolean;
  note: string;
}

export interface DeclarationRoundTable {
  id: Generated<string>;
  jurisdiction_id: string;
  plan_year: number;
  opened_on: string;
  deadline_day: string;
  deadline_provisional: boolean;
  investment_ceiling_fen: Bigint;
  status: ColumnType<'open' | 'closed' | 'planned', 'open' | 'closed' | 'planned' | undefined>;
  opened_by: string;
  opened_at: Date;
  planned_by: string | null;
  planned_at: Date | null;
}

export interface ProjectDeclarationTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  project_id: string;
  round_id: string | null;
  urgent: boolean;
  urgent_reason: string | null;
  status: ColumnType<DeclarationStatus, DeclarationStatus | undefined>;
  feasibility_summary: string;
  investment_fen: Bigint;
  funding_source: string;
  deployment_plan: Json<DeploymentLine[]>;
  annual_cloud_cost_fen: Bigint;
  catalogue_version_id: string | null;
  data_sharing_plan: Json<SharingLine[]>;
  review_checklist: ColumnType<ChecklistAnswer[] | null, string | null | undefined, string | null>;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  design_review_note: string | null;
  design_reviewed_by: string | null;
  design_reviewed_at: Date | null;
  submitted_at: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface ProjectChangeTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  project_id: string;
  before_fen: Bigint;
  after_fen: Bigint;
  change_percent: string;
  reason: string;
  status: 'recorded' | 'pending_authority' | 'approved' | 'rejected';
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_comment: string | null;
}

export interface ProjectAcceptanceTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  project_id: string;
  attempt: number;
  result: 'passed' | 'failed';
  accepted_on: string;
  opinion: string;
  rectification_due: string | null;
  warranty_until: string | null;
  evaluation_due: string | null;
  recorded_by: string;
  recorded_at: Date;
}

export interface UnitCloudBudgetTable {
  organisation_id: string;
  jurisdiction_id: string;
  year: number;
  budget_fen: Bigint;
  set_by: string;
  set_at: Date;
}

export interface ItProjectTables {
  declaration_round: DeclarationRoundTable;
  project_declaration: ProjectDeclarationTable;
  project_change: ProjectChangeTable;
  project_acceptance: ProjectAcceptanceTable;
  unit_cloud_budget: UnitCloudBudgetTable;
}

export type RoundRow = Selectable<DeclarationRoundTable>;
export type DeclarationRow = Selectable<ProjectDeclarationTable>;
export type ChangeRow = Selectable<ProjectChangeTable>;
export type AcceptanceRow = Selectable<ProjectAcceptanceTable>;
