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
  /** keyed SM3 of the entry's content, computed by the writer (null on entries written before the sealer) */
  entry_hash: string | null;
  /** the entry's position in the chain, given by the sealer (an entry written before the sealer: its id) */
  seal_seq: bigint | null;
  /** null until sealed */
  prev_hash: string | null;
  hash: string | null;
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
