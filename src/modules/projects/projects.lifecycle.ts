import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import { AppError } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import { effectivePolicy } from '../policy/index.ts';
import * as repo from './projects.repository.ts';
import { reviewRefusal } from './projects.rules.ts';
import type { ProjectRecord } from './projects.table.ts';

// The hooks the IT-project lifecycle (modules/itprojects) drives on a project: the preliminary review's
// outcome and the approval (立项) it leads to, and the JQ-proj 9 gate the project's own routes apply.

/** JQ-proj 9: refuses approval or quota for a project without a passed preliminary review where the pack says so. */
export async function assertReviewed(trx: Trx, project: ProjectRecord, what: 'approval' | 'quota'): Promise<void> {
  const policy = await effectivePolicy(trx, await repo.jurisdictionCode(trx, project.jurisdiction_id));
  const refusal = reviewRefusal(
    policy.projects.reviewBeforeApproval,
    { name: project.name, reviewPassedAt: project.review_passed_at },
    what,
  );
  if (refusal) throw new AppError('project_transition_refused', refusal);
}

/** Records (or clears) the preliminary review's pass on the project; the caller writes the audit entry. */
export async function setProjectReviewPassed(trx: Trx, projectId: string, at: Date | null, now: Date): Promise<void> {
  await repo.lockProject(trx, projectId);
  await repo.updateProject(trx, projectId, { review_passed_at: at }, now);
}

/**
 * Approval (立项) at the end of the declaration flow: declared or under review -> approved, audited like the
 * project route's decision. The caller checked the approver's role (the pack's `projects.approvalRole`).
 */
export async function approveDeclaredProject(
  trx: Trx,
  actor: Actor,
  projectId: string,
  approver: string,
  comment: string | null,
  now: Date,
): Promise<void> {
  await repo.lockProject(trx, projectId);
  const before = await repo.findProject(trx, null, projectId);
  if (!before) throw new AppError('not_found', `project ${projectId}`);
  if (before.status !== 'declared' && before.status !== 'under_review') {
    throw new AppError(
      'project_transition_refused',
      `the project is ${before.status}: only a declared project is approved / 仅申报中的项目可批复立项`,
    );
  }
  await assertReviewed(trx, before, 'approval');
  await repo.updateProject(
    trx,
    projectId,
    { status: 'approved', decided_by: approver, decided_at: now, decision_comment: comment },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'project.approved',
    objectType: 'project',
    objectId: projectId,
    detail: {
      approvalNo: before.approval_no,
      before: { status: before.status },
      after: { status: 'approved' },
      comment,
    },
  });
}
