import type { ColumnType, Generated, Selectable } from 'kysely';

export type EvaluationStatus = 'draft' | 'reviewed' | 'approved' | 'published';
type Json<T> = ColumnType<T, string, string>;
type Numeric = ColumnType<string, string, string>;

export interface EvaluationTable {
  id: Generated<string>;
  jurisdiction_id: string;
  /** '2026' (annual) or '2026-Q3' */
  period: string;
  window_from: string;
  window_to: string;
  pack_id: string;
  pack_version: string;
  template: Json<unknown>;
  status: EvaluationStatus;
  /** the first month whose settlement the published result's coefficients apply to */
  effective_from: string;
  inputs: Json<unknown>;
  content_hash: string;
  revision: ColumnType<number, number | undefined, number>;
  created_by: string;
  created_at: Date;
  computed_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  published_by: string | null;
  published_at: Date | null;
  appeal_due_day: string | null;
  /** the accounts that computed, recomputed or entered a score on the draft: none of them may review it */
  contributor_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** what publication produced beside the coefficients: allocation advice, provider fee adjustments (0062) */
  outcomes: ColumnType<unknown | null, string | null | undefined, string | null>;
}

export interface EvaluationCardTable {
  evaluation_id: string;
  subject: 'using_unit' | 'provider' | 'data_centre';
  organisation_id: string;
  jurisdiction_id: string;
  total: Numeric;
  band: string | null;
  coefficient: Numeric | null;
  rank: number;
  of_count: number;
  indicators: Json<unknown>;
}

export interface EvaluationSurveyTable {
  evaluation_id: string;
  /** the answering using unit */
  organisation_id: string;
  jurisdiction_id: string;
  provider_id: string;
  answers: Json<Record<string, number>>;
  comment: string | null;
  submitted_by: string;
  submitted_at: Date;
}

export interface EvaluationManualScoreTable {
  evaluation_id: string;
  organisation_id: string;
  indicator: string;
  score: Numeric;
  evidence: string;
  entered_by: string;
  entered_at: Date;
}

export interface EvaluationAppealTable {
  id: Generated<string>;
  evaluation_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  indicator: string;
  reason: string;
  status: 'open' | 'upheld' | 'rejected';
  decision: string | null;
  score: Numeric | null;
  filed_by: string;
  filed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
}

/** An evidence file on an evaluated organisation's indicator (migration 0062). */
export interface EvaluationAttachmentTable {
  id: Generated<string>;
  evaluation_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  indicator: string;
  file_name: string;
  media_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
  uploaded_by: string;
  uploaded_at: Date;
}

export interface EvaluationTables {
  evaluation: EvaluationTable;
  evaluation_card: EvaluationCardTable;
  evaluation_survey: EvaluationSurveyTable;
  evaluation_manual_score: EvaluationManualScoreTable;
  evaluation_appeal: EvaluationAppealTable;
  evaluation_attachment: EvaluationAttachmentTable;
}

export type EvaluationRow = Selectable<EvaluationTable>;
export type CardRow = Selectable<EvaluationCardTable>;
export type AppealRow = Selectable<EvaluationAppealTable>;
