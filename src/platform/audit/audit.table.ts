import type { ColumnType, Generated, Selectable } from 'kysely';

export interface AuditEventTable {
  id: Generated<bigint>;
  occurred_at: ColumnType<Date, Date, never>;
  actor_kind: 'system' | 'user' | 'token';
  actor_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  request_id: string | null;
  detail: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

export interface AuditTables {
  audit_event: AuditEventTable;
}

export type AuditEventRow = Selectable<AuditEventTable>;
