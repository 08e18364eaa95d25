import type { ColumnType, Selectable } from 'kysely';

export interface PolicyOverrideTable {
  jurisdiction_id: string;
  /** dotted path into the pack, e.g. quota.developmentShareMax */
  path: string;
  /** the pack the override was set against; it applies only while the jurisdiction runs on that pack */
  pack_id: string;
  /** JSON: written as JSON text, read parsed (a JSON null is a value: "no number here") */
  value: ColumnType<unknown, string, string>;
  reason: string;
  set_by_id: string | null;
  set_by_name: string | null;
  set_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PolicyTables {
  policy_override: PolicyOverrideTable;
}

export type PolicyOverrideRow = Selectable<PolicyOverrideTable>;
