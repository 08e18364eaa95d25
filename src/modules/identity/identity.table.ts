import type { ColumnType, Generated, Selectable } from 'kysely';

export interface UserAccountTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  email: string | null;
  mobile: string | null;
  password_hash: string | null;
  password_changed_at: Date | null;
  must_change_password: Generated<boolean>;
  failed_attempts: Generated<number>;
  locked_until: Date | null;
  /** SM4-encrypted base32 secret (see platform/crypto) */
  totp_secret: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: bigint | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  is_demo: Generated<boolean>;
  disabled_at: Date | null;
  last_login_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface PasswordHistoryTable {
  id: Generated<bigint>;
  user_id: string;
  password_hash: string;
  created_at: ColumnType<Date, never, never>;
}

export interface RoleAssignmentTable {
  user_id: string;
  organisation_id: string;
  role: string;
  granted_by: string | null;
  granted_at: ColumnType<Date, never, never>;
}

export interface UserSessionTable {
  id: string;
  user_id: string;
  organisation_id: string;
  csrf_token: string;
  restriction: 'password_change' | 'totp_enrolment' | null;
  source_ip: string | null;
  user_agent: string | null;
  created_at: ColumnType<Date, never, never>;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
  revoked_at: Date | null;
}

export interface ApiTokenTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  name: string;
  scopes: string[];
  secret_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_by: string | null;
  /** the account that issued it: its scopes never exceed that account's permissions (migration 0040) */
  created_by_user_id: string | null;
  created_at: ColumnType<Date, never, never>;
  last_used_at: Date | null;
}

export interface SecurityPolicyTable {
  id: number;
  password_min_length: number;
  password_history: number;
  lockout_threshold: number;
  lockout_minutes: number;
  session_idle_minutes: number;
  audit_retention_days: number;
  updated_at: ColumnType<Date, never, Date>;
}

/** An admin's action on another admin's account, waiting for the third admin (two-person rule). */
export interface AdminApprovalTable {
  id: Generated<string>;
  action: string;
  target_user_id: string;
  target_role: string;
  payload: ColumnType<unknown, string | undefined, string>;
  requested_by: string;
  requested_role: string;
  approver_role: string;
  jurisdiction_id: string;
  status: Generated<'pending' | 'approved' | 'rejected'>;
  decided_by: string | null;
  created_at: ColumnType<Date, never, never>;
  decided_at: Date | null;
}

export interface TotpUsedStepTable {
  user_id: string;
  time_step: bigint;
  used_at: ColumnType<Date, never, never>;
}

export interface IdentityTables {
  totp_used_step: TotpUsedStepTable;
  admin_approval: AdminApprovalTable;
  user_account: UserAccountTable;
  password_history: PasswordHistoryTable;
  role_assignment: RoleAssignmentTable;
  user_session: UserSessionTable;
  api_token: ApiTokenTable;
  security_policy: SecurityPolicyTable;
}

export type UserRow = Selectable<UserAccountTable>;
export type SessionRow = Selectable<UserSessionTable>;
export type ApiTokenRow = Selectable<ApiTokenTable>;
export type AdminApprovalRow = Selectable<AdminApprovalTable>;
export type SecurityPolicyRow = Selectable<SecurityPolicyTable>;
