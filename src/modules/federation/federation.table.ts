import type { ColumnType, Generated, Selectable } from 'kysely';

type Json<T> = ColumnType<T, string | undefined, string>;
type Int8 = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;

export interface FederationIdentityTable {
  installation_id: Generated<string>;
  singleton: Generated<boolean>;
  /** sealed with the data key (platform/crypto.ts) */
  private_key: string;
  public_key: string;
  /** a rotation in progress: the key announced to the city, sealed, until it is switched to */
  next_private_key: string | null;
  next_public_key: string | null;
  created_at: Generated<Date>;
}

export type PeerDirection = 'district' | 'city';
export type PeerState = 'pending' | 'active' | 'revoked';

export interface FederationPeerTable {
  id: Generated<string>;
  direction: PeerDirection;
  name: string;
  district_code: string;
  peer_installation_id: string | null;
  peer_public_key: string | null;
  url: string | null;
  allowed_networks: Json<string[]>;
  state: ColumnType<PeerState, PeerState | undefined, PeerState>;
  enrolment_code_hash: string | null;
  enrolment_expires_at: Date | null;
  applied_seq: Int8;
  last_applied_at: Date | null;
  last_lag_ms: ColumnType<string | null, number | null | undefined, number | null>;
  silence_minutes: ColumnType<number, number | undefined, number>;
  silent_since: Date | null;
  sealed_seq: Int8;
  acked_seq: Int8;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_delivered_at: Date | null;
  catalogue_version: string | null;
  /** the link's own signing key on the city's side (sealed; null: the identity key) */
  own_private_key: string | null;
  own_public_key: string | null;
  /** a key announced to the peer and not yet confirmed (sealed) */
  next_private_key: string | null;
  next_public_key: string | null;
  /** the peer's key before its last rotation */
  previous_public_key: string | null;
  /** the policy baseline the district runs (as reported on the city side, as accepted on the district side) */
  policy_version: string | null;
  /** the creation time of the last control message accepted from the peer (older ones are replays) */
  last_control_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface FederationOutboxTable {
  id: Generated<string>;
  source: string;
  op: 'upsert' | 'delete';
  key: string;
  payload: Json<unknown>;
  created_at: Generated<Date>;
}

export interface FederationBatchTable {
  peer_id: string;
  seq: Int8;
  body: string;
  content_hash: string;
  change_count: number;
  oldest_change_at: Date;
  created_at: Date;
  acked_at: Date | null;
}

export interface FederationReceivedTable {
  peer_id: string;
  seq: Int8;
  content_hash: string;
  change_count: number;
  applied_at: Date;
  lag_ms: Int8;
}

export interface FederationRecordTable {
  peer_id: string;
  source: string;
  key: string;
  payload: Json<unknown>;
  seq: Int8;
}

export interface FederationRefusalTable {
  id: Generated<string>;
  peer_id: string | null;
  claimed_installation_id: string | null;
  seq: Int8 | null;
  code: string;
  detail: string;
  received_at: Date;
}

export interface FederationCatalogueTable {
  peer_id: string;
  version: string;
  content: Json<unknown>;
  content_hash: string;
  received_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
}

export interface FederationTables {
  federation_identity: FederationIdentityTable;
  federation_peer: FederationPeerTable;
  federation_outbox: FederationOutboxTable;
  federation_batch: FederationBatchTable;
  federation_received: FederationReceivedTable;
  federation_record: FederationRecordTable;
  federation_refusal: FederationRefusalTable;
  federation_catalogue: FederationCatalogueTable;
  federation_policy: FederationPolicyTable;
  federation_silence: FederationSilenceTable;
  federation_setting: FederationSettingTable;
}

export type PeerRow = Selectable<FederationPeerTable>;
export type BatchRow = Selectable<FederationBatchTable>;

export interface FederationPolicyTable {
  peer_id: string;
  version: string;
  content: Json<unknown>;
  content_hash: string;
  received_at: Date;
  accepted_at: Date | null;
  accepted_by: string | null;
  jurisdiction_code: string | null;
}

export interface FederationSilenceTable {
  id: Generated<string>;
  peer_id: string;
  silent_since: Date;
  last_applied_at: Date | null;
  resumed_at: Date | null;
}

export interface FederationSettingTable {
  singleton: ColumnType<boolean, boolean | undefined, never>;
  retention_days: number;
  set_by: string | null;
  updated_at: Date;
}
