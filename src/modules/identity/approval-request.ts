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
    targetRole: string;
    requestedBy: string;
    requestedRole: string;
    approverRole: string;
    status: 'pending' | 'approved' | 'rejected';
    createdAt: string;
    decidedAt: string | null;
  };
}

export function isApproval(value: unknown): value is AdminApproval {
  return typeof value === 'object' && value !== null && 'approval' in value;
}

export async function toApproval(trx: Db, row: AdminApprovalRow): Promise<AdminApproval> {
  const names = await trx
    .selectFrom('user_account')
    .select(['id', 'username'])
    .where('id', 'in', [row.target_user_id, row.requested_by])
    .execute();
  const name = (id: string) => names.find((n) => n.id === id)?.username ?? id;
  return {
    approval: {
      id: row.id,
      action: row.action,
      targetUserId: row.target_user_id,
      targetUsername: name(row.target_user_id),
      targetRole: row.target_role,
      requestedBy: name(row.requested_by),
      requestedRole: row.requested_role,
      approverRole: row.approver_role,
      status: row.status,
      createdAt: row.created_at.toISOString(),
      decidedAt: row.decided_at?.toISOString() ?? null,
    },
  };
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
