import type { ColumnType, Generated, Selectable } from 'kysely';

export type SettlementStatus = 'draft' | 'reviewed' | 'closed';
type Bigint = ColumnType<string, string | bigint | number, string | bigint | number>;
type Numeric = ColumnType<string, string, string>;

export interface EfficiencyCoefficientTable {
  organisation_id: string;
  jurisdiction_id: string;
  /** 'YYYY-MM' */
  period: string;
  coefficient: Numeric;
  note: string | null;
  set_by: string;
  set_at: Date;
  /** who set it: a person (an override with its reason in `note`) or a published evaluation (migration 0060) */
  source: ColumnType<'manual' | 'evaluation', 'manual' | 'evaluation' | undefined, 'manual' | 'evaluation'>;
  evaluation_id: ColumnType<string | null, string | null | undefined, string | null>;
  band: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SettlementRunTable {
  id: Generated<string>;
  jurisdiction_id: string;
  period: string;
  status: SettlementStatus;
  as_of: Date;
  content_hash: string;
  statement_count: number;
  line_count: number;
  total_fen: Bigint;
  computed_by: string;
  computed_at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  confirmed_by: string | null;
  confirmed_at: Date | null;
}

export interface StatementTable {
  id: Generated<string>;
  run_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  period: string;
  outside_city_budget: boolean;
  coefficient: Numeric;
  usage_fen: Bigint;
  adjustment_fen: Bigint;
  total_fen: Bigint;
  line_count: number;
  /** md5 of the unit's lines as its run's content hash reads them; a recompute rewrites the lines when it differs */
  lines_digest: string | null;
}

export interface StatementLineTable {
  statement_id: string;
  line_no: number;
  organisation_id: string;
  jurisdiction_id: string;
  kind: 'usage' | 'adjustment';
  resource_id: string;
  provider_id: string;
  project_id: string | null;
  system_id: string | null;
  catalogue_item_code: string;
  dimension: string;
  quantity_seconds: Numeric;
  price_seconds: Numeric;
  month_seconds: number;
  coefficient: Numeric;
  amount_fen: Bigint;
  event_ids: ColumnType<string[], string[], string[]>;
  version_ids: ColumnType<string[], string[], string[]>;
  adjusts_period: string | null;
  adjusts_statement_id: string | null;
  adjusts_line_no: number | null;
}

export interface MeteringTables {
  efficiency_coefficient: EfficiencyCoefficientTable;
  settlement_run: SettlementRunTable;
  statement: StatementTable;
  statement_line: StatementLineTable;
}

export type SettlementRunRow = Selectable<SettlementRunTable>;
export type StatementRow = Selectable<StatementTable>;
export type StatementLineRow = Selectable<StatementLineTable>;
