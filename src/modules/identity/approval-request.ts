import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import type { AdminApprovalRow, UserRow } from './identity.table.ts';
import {
  ADMIN_ACCOUNT_RULES,
  type AdminAccountAction,
  type AdminRole,
  adminRoleOf,
  THIRD_ADMIN,
} from './separation.ts';

export interface AdminApproval {
  approval: {
    id: string;
    action: string;
    targetUserId: string;
    targetUsername: string;
    targetDisplayName: string;
    targetRole: string;
    requestedBy: string;
    requestedByDisplayName: string;
    requestedRole: string;
    approverRole: string;
    status: 'pending' | 'approved' | 'rejected';
    /** what the request would change: the admin roles asked for, or the account fields to be set */
    changes: {
      roles?: string[];
      displayName?: string;
      email?: string | null;
      mobile?: string | null;
      disabled?: boolean;
    };
    createdAt: string;
    decidedAt: string | null;
    decidedByDisplayName: string | null;
  };
}

export function isApproval(value: unknown): value is AdminApproval {
  return typeof value === 'object' && value !== null && 'approval' in value;
}

interface AccountNow {
  display_name: string;
  email: string | null;
  mobile: string | null;
  disabled_at: Date | null;
}

/** What the request would change, leaving out the fields a form sent back unchanged. */
function changesOf(payload: unknown, now: AccountNow | undefined): AdminApproval['approval']['changes'] {
  const p = (payload ?? {}) as Record<string, unknown>;
  const changes: AdminApproval['approval']['changes'] = {};
  if (Array.isArray(p.assignments)) changes.roles = (p.assignments as { role: string }[]).map((a) => a.role);
  if (typeof p.displayName === 'string' && p.displayName !== now?.display_name) changes.displayName = p.displayName;
  const email = (p.email as string | null | undefined) || null;
  if ('email' in p && email !== (now?.email ?? null)) changes.email = email;
  const mobile = (p.mobile as string | null | undefined) || null;
  if ('mobile' in p && mobile !== (now?.mobile ?? null)) changes.mobile = mobile;
  if (typeof p.disabled === 'boolean' && p.disabled !== Boolean(now?.disabled_at)) changes.disabled = p.disabled;
  return changes;
}

/** The approvals as people read them: accounts by display name, the requested change laid out. */
export async function toApprovals(trx: Db, rows: AdminApprovalRow[]): Promise<AdminApproval[]> {
  const ids = [...new Set(rows.flatMap((r) => [r.target_user_id, r.requested_by, r.decided_by ?? r.requested_by]))];
  const names =
    ids.length === 0
      ? []
      : await trx
          .selectFrom('user_account')
          .select(['id', 'username', 'display_name', 'email', 'mobile', 'disabled_at'])
          .where('id', 'in', ids)
          .execute();
  const byId = new Map(names.map((n) => [n.id, n]));
  return rows.map((row) => ({
    approval: {
      id: row.id,
      action: row.action,
      targetUserId: row.target_user_id,
      targetUsername: byId.get(row.target_user_id)?.username ?? row.target_user_id,
      targetDisplayName: byId.get(row.target_user_id)?.display_name ?? '',
      targetRole: row.target_role,
      requestedBy: byId.get(row.requested_by)?.username ?? row.requested_by,
      requestedByDisplayName: byId.get(row.requested_by)?.display_name ?? '',
      requestedRole: row.requested_role,
      approverRole: row.approver_role,
      status: row.status,
      // a decided request is read against the account as it is now: an applied change shows as none
      changes: changesOf(row.payload, row.status === 'pending' ? byId.get(row.target_user_id) : undefined),
      createdAt: row.created_at.toISOString(),
      decidedAt: row.decided_at?.toISOString() ?? null,
      decidedByDisplayName: row.decided_by ? (byId.get(row.decided_by)?.display_name ?? null) : null,
    },
  }));
}

export async function toApproval(trx: Db, row: AdminApprovalRow): Promise<AdminApproval> {
  return (await toApprovals(trx, [row]))[0] as AdminApproval;
}

/**
 * Two-person rule: an admin's action on an admin account is recorded as a request the third admin
 * approves (separation.ts THIRD_ADMIN); nothing changes until then. Actions the table makes impossible
 * are refused here.
 */
export async function requestApproval(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  request: { action: AdminAccountAction; target: UserRow; targetRole: AdminRole; payload: Record<string, unknown> },
): Promise<AdminApproval> {
  const rule = ADMIN_ACCOUNT_RULES[request.action];
  const requesterRole = adminRoleOf(auth.roles);
  if (rule === 'impossible' || !requesterRole)
    throw new AppError(
      'separation_of_duties',
      `${request.action} on an admin account is not possible / 不允许对管理员账号执行`,
    );
  const approverRole = THIRD_ADMIN[requesterRole][request.targetRole];
  const row = await trx
    .insertInto('admin_approval')
    .values({
      action: request.action,
      target_user_id: request.target.id,
      target_role: request.targetRole,
      payload: JSON.stringify(request.payload),
      requested_by: auth.id,
      requested_role: requesterRole,
      approver_role: approverRole,
      jurisdiction_id: auth.jurisdictionId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'admin_approval.requested',
    objectType: 'user',
    objectId: request.target.id,
    detail: { approvalId: row.id, action: request.action, targetRole: request.targetRole, approverRole },
  });
  return toApproval(trx, row);
}
