import { SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import type { Role } from '../identity/index.ts';
import { notify } from '../notifications/index.ts';
import { SUPERVISOR_ROLE } from '../orders/index.ts';
import * as repo from './provisioning.repository.ts';
import type { FindingKind } from './provisioning.table.ts';

/**
 * Who answers for each deadline, and who is told above them when it is missed. A disputed receipt waits on
 * the provider's operators (`provider_operator` of that provider); a reconciliation finding on the ops unit
 * (`ops_reviewer` of the jurisdiction). Their supervisors are the orders sweeper's (SUPERVISOR_ROLE):
 * the ops unit supervises providers, the competent authority the ops unit.
 */
export const DISPUTE_ROLE: Role = 'provider_operator';
export const FINDING_ROLE: Role = 'ops_reviewer';

/** Items marked per transaction: a long backlog is worked off in bounded transactions. */
const BATCH = 200;

const FINDING_KIND_ZH: Record<FindingKind, string> = {
  unknown_resource: '无订单依据的资源',
  missing_resource: '未上报的已交付资源',
  size_mismatch: '规格与回执不符',
};

export interface DeadlineRun {
  disputes: number;
  findings: number;
}

/** Holders of the supervisor role of `role` in the jurisdiction (none when nobody is above it). */
async function supervisorsOf(trx: Trx, role: Role, jurisdictionId: string): Promise<string[]> {
  const supervisor = SUPERVISOR_ROLE[role];
  if (!supervisor || supervisor === role) return [];
  return repo.roleHolders(trx, jurisdictionId, supervisor);
}

async function escalateDispute(
  trx: Trx,
  w: Awaited<ReturnType<typeof repo.disputesNewlyOverdue>>[number],
  now: Date,
): Promise<void> {
  await repo.markDisputeOverdue(trx, w.id, now);
  const due = w.dispute_due_at as Date;
  const orderNo = w.details.orderNo ?? w.order_id;
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: 'work_order.dispute_overdue',
    objectType: 'work_order',
    objectId: w.id,
    detail: { orderNo, providerId: w.provider_id, dueAt: due.toISOString(), role: DISPUTE_ROLE },
  });
  const day = shanghaiDay(due);
  // One notice (one webhook event) to the provider's operators and, named, their supervisors.
  await notify(trx, {
    jurisdictionId: w.jurisdiction_id,
    to: {
      organisationId: w.provider_id,
      role: DISPUTE_ROLE,
      userIds: await supervisorsOf(trx, DISPUTE_ROLE, w.jurisdiction_id),
    },
    kind: 'delivery_receipt.dispute_overdue',
    title: {
      zh: `交付回执异议逾期未答复：${orderNo}（${w.details.unitName ?? ''}，应于 ${day} 前重新提交回执）`,
      en: `Disputed delivery receipt not answered in time: ${orderNo} (due ${day})`,
    },
    link: `/work-orders/${w.id}`,
    entity: { type: 'work_order', id: w.id },
    occurredAt: now,
  });
}

async function escalateFinding(
  trx: Trx,
  f: Awaited<ReturnType<typeof repo.findingsNewlyOverdue>>[number],
  now: Date,
): Promise<void> {
  await repo.markFindingOverdue(trx, f.id, now);
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: 'inventory.finding_overdue',
    objectType: 'inventory_finding',
    objectId: f.id,
    detail: {
      kind: f.kind,
      externalId: f.external_id,
      providerId: f.provider_id,
      dueAt: f.due_at.toISOString(),
      role: FINDING_ROLE,
    },
  });
  const day = shanghaiDay(f.due_at);
  await notify(trx, {
    jurisdictionId: f.jurisdiction_id,
    to: { role: FINDING_ROLE, userIds: await supervisorsOf(trx, FINDING_ROLE, f.jurisdiction_id) },
    kind: 'inventory.finding_overdue',
    title: {
      zh: `资源核对差异逾期未处理：${FINDING_KIND_ZH[f.kind]} ${f.external_id}（应于 ${day} 前处理）`,
      en: `Reconciliation finding not resolved in time: ${f.kind} ${f.external_id} (due ${day})`,
    },
    link: '/inventory/findings',
    entity: { type: 'inventory_finding', id: f.id },
    occurredAt: now,
  });
}

/**
 * Marks every dispute and finding whose deadline passed before `now` overdue, once each (the mark is in
 * the row: a second run with the same `now`, a restart, another instance change nothing), writes the audit
 * entry and the notice in the same transaction. Answered disputes and resolved findings are never marked:
 * the selection locks the rows, so an answer committed meanwhile takes its row out of the set.
 */
export async function sweepProvisioningDeadlines(db: Db, now: Date): Promise<DeadlineRun> {
  const run: DeadlineRun = { disputes: 0, findings: 0 };
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const rows = await repo.disputesNewlyOverdue(trx, now, BATCH);
      for (const w of rows) await escalateDispute(trx, w, now);
      return rows.length;
    });
    run.disputes += n;
    if (n < BATCH) break;
  }
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const rows = await repo.findingsNewlyOverdue(trx, now, BATCH);
      for (const f of rows) await escalateFinding(trx, f, now);
      return rows.length;
    });
    run.findings += n;
    if (n < BATCH) break;
  }
  return run;
}

/** Every 5 minutes, like the orders sweeper: a missed deadline is escalated within minutes. */
export const provisioningDeadlineJob: Job<DB> = {
  name: 'provisioning.deadline-sweep',
  everyMs: 5 * 60 * 1000,
  async run({ db, now, log }) {
    const run = await sweepProvisioningDeadlines(db, now);
    if (run.disputes || run.findings) log.info(run, 'provisioning deadlines marked overdue');
    return run;
  },
};

/**
 * The authority's overdue board, provisioning's part: disputes and findings marked overdue and still
 * waiting, in the caller's jurisdictions, counted per provider.
 */
export async function overdueBoard(trx: Trx, auth: AuthContext) {
  const v = auth.visibility;
  const jurisdictions = v.kind === 'jurisdiction' ? v.jurisdictions : [];
  const disputes = await repo.overdueDisputes(trx, jurisdictions);
  const findings = await repo.overdueFindings(trx, jurisdictions);
  const perProvider = new Map<
    string,
    { providerId: string; code: string; name: string; disputes: number; findings: number }
  >();
  const count = (p: { provider_id: string; provider_code: string; provider_name: string }) => {
    const e = perProvider.get(p.provider_id) ?? {
      providerId: p.provider_id,
      code: p.provider_code,
      name: p.provider_name,
      disputes: 0,
      findings: 0,
    };
    perProvider.set(p.provider_id, e);
    return e;
  };
  for (const d of disputes) count(d).disputes++;
  for (const f of findings) count(f).findings++;
  return {
    disputes: disputes.map((d) => ({
      workOrderId: d.id,
      orderId: d.order_id,
      orderNo: d.details.orderNo ?? null,
      organisationId: d.organisation_id,
      organisationCode: d.organisation_code,
      organisationName: d.organisation_name,
      providerId: d.provider_id,
      providerName: d.provider_name,
      disputeDueAt: (d.dispute_due_at as Date).toISOString(),
      overdueSince: (d.dispute_overdue_since as Date).toISOString(),
    })),
    findings: findings.map((f) => ({
      id: f.id,
      kind: f.kind,
      externalId: f.external_id,
      providerId: f.provider_id,
      providerName: f.provider_name,
      dueAt: f.due_at.toISOString(),
      overdueSince: (f.overdue_since as Date).toISOString(),
    })),
    perProvider: [...perProvider.values()].sort(
      (a, b) => b.disputes + b.findings - (a.disputes + a.findings) || a.code.localeCompare(b.code),
    ),
  };
}
