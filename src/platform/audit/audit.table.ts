import type { ColumnType, Generated, Selectable } from 'kysely';

export interface AuditEventTable {
  id: Generated<bigint>;
  occurred_at: ColumnType<Date, Date, never>;
  actor_kind: 'system' | 'user' | 'token';
  actor_id: string | null;
  actor_name: string | null;
  organisation_id: string | null;
  role: string | null;
  source_ip: string | null;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  object_type: string;
  object_id: string | null;
  request_id: string | null;
  detail: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: string;
  hash: string;
}

export interface AuditPurgeTable {
  id: Generated<bigint>;
  purged_at: ColumnType<Date, never, never>;
  cutoff: Date;
  last_purged_id: bigint;
  last_purged_hash: string;
  purged_count: bigint;
}

export interface AuditTables {
  audit_event: AuditEventTable;
  audit_purge: AuditPurgeTable;
}

export type AuditEventRow = Selectable<AuditEventTable>;
