import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { notify } from '../notifications/index.ts';
import type { FulfilmentContext } from '../orders/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import * as repo from './provisioning.repository.ts';

// A reclaim the platform opened itself (at expiry, SH 21-24; after a rectification the authority consented to,
// SH 25) waits for the unit's backup (SH 26), but a unit cannot stall it by never confirming: its work order gets
// a backup deadline (the pack's defaults.reclaimBackupWorkingDays, working days from the moment the provider is
// asked). After it, the competent authority records its consent and the ops unit proceeds without the unit's
// confirmation; the provider may then reclaim. Each step by its own role, audited.

/** The backup deadline of a work order the platform's own reclaim opens, or null (a unit's own reclaim: none). */
export async function backupDeadline(
  trx: Trx,
  ctx: FulfilmentContext,
  code: string,
): Promise<{ at: Date; day: string } | null> {
  if (ctx.step.fulfilmentAction !== 'reclaim' || ctx.order.source === 'unit') return null;
  const days = (await effectivePolicy(trx, code)).defaults.reclaimBackupWorkingDays.value;
  if (days === null) return null;
  const asked = new Date(ctx.step.actedAt ?? ctx.step.openedAt ?? ctx.order.submittedAt ?? ctx.order.createdAt);
  const due = await addWorkingDays(trx, code, asked, days);
  return { at: new Date(due.due), day: due.dueDay };
}

type WorkOrderRow = NonNullable<Awaited<ReturnType<typeof repo.findWorkOrder>>>;

async function waiting(trx: Trx, auth: AuthContext, id: string, now: Date, doing: string): Promise<WorkOrderRow> {
  const w = await repo.findWorkOrder(trx, auth.visibility, id, true);
  if (!w) throw notFound(`work order ${id} / 工单不存在`);
  if (w.status !== 'open' || w.backup_confirmed_at || w.backup_waived_at) {
    throw new AppError('conflict', `cannot ${doing}: the work order no longer waits for a backup / 工单不在等待备份`);
  }
  if (!w.backup_due_at) {
    throw new AppError(
      'conflict',
      `cannot ${doing}: only a reclaim the platform opened has a backup deadline; the unit confirms its own (SH 26) / 仅平台发起的回收设有备份期限`,
    );
  }
  if (now <= w.backup_due_at) {
    throw new AppError(
      'conflict',
      `cannot ${doing} before the unit's backup deadline ${w.backup_due_day} / 使用单位备份期限（${w.backup_due_day}）未到`,
    );
  }
  return w;
}

const hasRole = (auth: AuthContext, role: string) => auth.roles.includes(role);

/** The competent authority consents to the reclaim going ahead without the unit's backup confirmation. */
export async function consentWithoutBackup(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { comment?: string },
  now: Date,
): Promise<void> {
  if (!hasRole(auth, 'authority_approver')) {
    throw new AppError('forbidden', 'only the competent authority consents / 仅政务云主管部门可同意');
  }
  const w = await waiting(trx, auth, id, now, 'consent');
  if (w.backup_consent_at) throw new AppError('conflict', 'the authority has already consented / 主管部门已同意');
  const comment = input.comment ?? null;
  await repo.updateWorkOrder(trx, id, {
    backup_consent_by: auth.name,
    backup_consent_at: now,
    backup_consent_comment: comment,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'work_order.backup_waiver_consented',
    objectType: 'work_order',
    objectId: id,
    detail: { orderId: w.order_id, backupDueDay: w.backup_due_day, comment },
  });
  await notify(trx, {
    jurisdictionId: w.jurisdiction_id,
    to: { role: 'ops_reviewer' },
    kind: 'work_order.backup_waiver_consented',
    title: {
      zh: `主管部门已同意：使用单位逾期未确认备份，可继续回收（${w.details.orderNo ?? ''}）`,
      en: `The authority consented: proceed with the reclaim without the unit's backup (${w.details.orderNo ?? ''})`,
    },
    link: `/work-orders/${id}`,
    entity: { type: 'work_order', id },
    occurredAt: now,
  });
}

/**
 * The ops unit proceeds with the reclaim after the backup deadline, on the authority's recorded consent; the
 * provider is told and the work order goes to its driver (`handToDriver`, passed in by the service).
 */
export async function proceedWithoutBackup(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { comment?: string },
  now: Date,
  handToDriver: (trx: Trx, id: string, driver: string, now: Date) => Promise<void>,
): Promise<void> {
  if (!hasRole(auth, 'ops_reviewer')) {
    throw new AppError('forbidden', 'only the cloud operations unit proceeds / 仅运行管理单位可继续回收');
  }
  const w = await waiting(trx, auth, id, now, 'proceed');
  if (!w.backup_consent_at) {
    throw new AppError(
      'conflict',
      'the competent authority has not consented yet (SH 25: 经政务云主管部门同意) / 尚无主管部门同意记录',
    );
  }
  const comment = input.comment ?? null;
  await repo.updateWorkOrder(trx, id, {
    backup_waived_by: auth.name,
    backup_waived_at: now,
    backup_waiver_comment: comment,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'work_order.backup_waived',
    objectType: 'work_order',
    objectId: id,
    detail: {
      orderId: w.order_id,
      backupDueDay: w.backup_due_day,
      consentBy: w.backup_consent_by,
      consentAt: w.backup_consent_at.toISOString(),
      comment,
    },
  });
  for (const to of [
    { organisationId: w.provider_id, role: 'provider_operator' as const },
    { organisationId: w.organisation_id },
  ]) {
    await notify(trx, {
      jurisdictionId: w.jurisdiction_id,
      to,
      kind: 'work_order.backup_waived',
      title: {
        zh: `使用单位逾期未确认备份，经主管部门同意继续回收：${w.details.orderNo ?? ''}`,
        en: `Backup not confirmed in time; reclaim proceeds with the authority's consent: ${w.details.orderNo ?? ''}`,
      },
      link: `/work-orders/${id}`,
      entity: { type: 'work_order', id },
      occurredAt: now,
    });
  }
  await handToDriver(trx, id, w.driver, now);
}

// ------------------------------------------------------------------------------------ the deadline sweep

/** Work orders marked per transaction: a long backlog is worked off in bounded transactions. */
const BATCH = 200;

/**
 * The backup deadline passed: marked once (`backup_overdue_since`), audited (`work_order.backup_overdue`), and
 * announced to each party in its own words: the unit (its deadline is gone; the reclaim may proceed without it),
 * the competent authority (its consent is now asked, SH 25 "经政务云主管部门同意"), the ops unit (it proceeds once
 * the authority consents) and the provider (it still waits). In the sweep's transaction.
 */
async function announceBackupOverdue(
  trx: Trx,
  w: Awaited<ReturnType<typeof repo.backupsNewlyOverdue>>[number],
  now: Date,
): Promise<void> {
  await repo.markBackupOverdue(trx, w.id, now);
  const orderNo = w.details.orderNo ?? w.order_id;
  const day = w.backup_due_day ?? '';
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: 'work_order.backup_overdue',
    objectType: 'work_order',
    objectId: w.id,
    detail: { orderId: w.order_id, orderNo, backupDueDay: w.backup_due_day, dueAt: w.backup_due_at?.toISOString() },
  });
  const notices = [
    {
      to: { organisationId: w.organisation_id },
      title: {
        zh: `备份期限已过：${orderNo}（应于 ${day} 前确认备份），经主管部门同意后将继续回收`,
        en: `Backup deadline passed: ${orderNo} (due ${day}); the reclaim may proceed with the authority's consent`,
      },
    },
    {
      to: { role: 'authority_approver' as const },
      title: {
        zh: `待同意：${w.details.unitName ?? ''}逾期未确认备份，是否同意继续回收（${orderNo}）`,
        en: `To consent: the unit did not confirm its backup by ${day}; proceed with the reclaim? (${orderNo})`,
      },
    },
    {
      to: { role: 'ops_reviewer' as const },
      title: {
        zh: `使用单位逾期未确认备份：${orderNo}，主管部门同意后可继续回收`,
        en: `Backup not confirmed in time: ${orderNo}; proceed once the authority consents`,
      },
    },
    {
      to: { organisationId: w.provider_id, role: 'provider_operator' as const },
      title: {
        zh: `使用单位逾期未确认备份：${orderNo}，请待运行管理单位通知后回收`,
        en: `Backup not confirmed in time: ${orderNo}; reclaim only when the ops unit proceeds`,
      },
    },
  ];
  for (const n of notices) {
    await notify(trx, {
      jurisdictionId: w.jurisdiction_id,
      to: n.to,
      kind: 'work_order.backup_overdue',
      title: n.title,
      link: `/work-orders/${w.id}`,
      entity: { type: 'work_order', id: w.id },
      occurredAt: now,
    });
  }
}

/**
 * Marks and announces every backup deadline that passed before `now` unconfirmed, once each: the mark is in the
 * row, so a second run with the same `now`, a restart or another instance announce nothing again; a backup
 * confirmed (or waived) meanwhile takes its row out of the locked selection.
 */
export async function sweepBackupDeadlines(db: Db, now: Date): Promise<{ backups: number }> {
  let backups = 0;
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const rows = await repo.backupsNewlyOverdue(trx, now, BATCH);
      for (const w of rows) await announceBackupOverdue(trx, w, now);
      return rows.length;
    });
    backups += n;
    if (n < BATCH) break;
  }
  return { backups };
}

/** Every 5 minutes, like the other deadline sweeps. */
export const backupDeadlineJob: Job<DB> = {
  name: 'provisioning.backup-sweep',
  everyMs: 5 * 60 * 1000,
  async run({ db, now, log }) {
    const run = await sweepBackupDeadlines(db, now);
    if (run.backups) log.info(run, 'backup deadlines passed and announced');
    return run;
  },
};
