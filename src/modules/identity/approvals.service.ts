import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { type AdminApproval, toApproval, toApprovals } from './approval-request.ts';
import * as repo from './identity.repository.ts';
import type { AdminApprovalRow } from './identity.table.ts';
import {
  applyRoles,
  applySecurityAction,
  applyUpdate,
  type SecurityAction,
  type UserPatch,
  visibleUser,
} from './users.service.ts';

const jurisdictionsOf = (auth: AuthContext): readonly string[] =>
  auth.visibility.kind === 'jurisdiction' ? auth.visibility.jurisdictions : [];

export async function listApprovals(db: Db, auth: AuthContext, status?: string): Promise<AdminApproval[]> {
  const jurisdictions = jurisdictionsOf(auth);
  if (jurisdictions.length === 0) return [];
  let query = db
    .selectFrom('admin_approval')
    .selectAll()
    .where('jurisdiction_id', 'in', jurisdictions)
    .orderBy('created_at', 'desc')
    .limit(200);
  if (status) query = query.where('status', '=', status as 'pending');
  const rows = await query.execute();
  return toApprovals(db, rows);
}

async function pendingApproval(trx: Trx, auth: AuthContext, id: string): Promise<AdminApprovalRow> {
  const jurisdictions = jurisdictionsOf(auth);
  const row =
    jurisdictions.length === 0
      ? undefined
      : await trx
          .selectFrom('admin_approval')
          .selectAll()
          .where('id', '=', id)
          .where('jurisdiction_id', 'in', jurisdictions)
          .forUpdate()
          .executeTakeFirst();
  if (!row) throw notFound(`approval ${id} / 审批不存在`);
  if (row.status !== 'pending') throw new AppError('conflict', `approval ${id} is ${row.status} / 该审批已处理`);
  // The approver is the third admin: it holds the approver role now, and is neither requester nor target.
  if (!auth.roles.includes(row.approver_role) || auth.id === row.requested_by || auth.id === row.target_user_id) {
    throw new AppError(
      'separation_of_duties',
      `only the ${row.approver_role} approves this, and never its requester or target / 须由第三名管理员审批`,
    );
  }
  return row;
}

/** The third admin approves: the requested action is carried out now, in the same transaction. */
export async function approve(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<AdminApproval> {
  const row = await pendingApproval(trx, auth, id);
  const target = await visibleUser(trx, auth, row.target_user_id, { roleless: row.action === 'admin-roles' });
  const payload = row.payload as Record<string, unknown>;
  const requester = await repo.findUserById(trx, row.requested_by);
  const onBehalf: Actor = { ...actor, role: `${actor.role ?? ''} (approving ${requester?.username ?? '?'})` };
  if (row.action === 'admin-roles') {
    const assignments = payload.assignments as { organisationId: string; role: string }[];
    await applyRoles(trx, auth, onBehalf, target.id, 'admin', assignments, now);
  } else if (row.action === 'update') {
    await applyUpdate(trx, onBehalf, target, payload as UserPatch, now);
  } else {
    await applySecurityAction(trx, onBehalf, target, row.action as SecurityAction, now);
  }
  const decided = await trx
    .updateTable('admin_approval')
    .set({ status: 'approved', decided_by: auth.id, decided_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'admin_approval.approved',
    objectType: 'user',
    objectId: row.target_user_id,
    detail: { approvalId: id, action: row.action, requestedBy: requester?.username ?? null },
  });
  return toApproval(trx, decided);
}

export async function reject(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date): Promise<AdminApproval> {
  const row = await pendingApproval(trx, auth, id);
  const decided = await trx
    .updateTable('admin_approval')
    .set({ status: 'rejected', decided_by: auth.id, decided_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'admin_approval.rejected',
    objectType: 'user',
    objectId: row.target_user_id,
    detail: { approvalId: id, action: row.action },
  });
  return toApproval(trx, decided);
}
