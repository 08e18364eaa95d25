import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { notify } from '../notifications/index.ts';
import * as catalogue from './catalogue.repository.ts';
import * as repo from './dataerrors.repository.ts';
import { pruneRateWindows } from './gateway.repository.ts';
import { actsFor, oversees, sharedDataPolicy } from './shareddata.policy.ts';
import type { DataErrorReportRow, ErrorReportStatus } from './shareddata.table.ts';

// Data error feedback (NB 14: 数据使用单位发现数据差错时，应按流程及时反馈给数据提供单位). A consuming unit reports an error
// (record, field, what is wrong); the providing unit acknowledges and corrects it within the working days of
// its jurisdiction's policy (sharedData.errorCorrectionWorkingDays, counted on its own calendar); the consumer
// confirms the correction or sends it back. A report still open past its deadline escalates to the ops unit.

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toReport(r: DataErrorReportRow, now: Date, fieldMeaning: string | null = null) {
  const open = r.status === 'reported' || r.status === 'acknowledged';
  return {
    id: r.id,
    resourceId: r.resource_id,
    resourceName: r.resource_name,
    providerOrganisationId: r.provider_organisation_id,
    providerName: r.provider_name,
    consumerOrganisationId: r.consumer_organisation_id,
    consumerName: r.consumer_name,
    recordReference: r.record_reference,
    field: r.field,
    fieldMeaning,
    description: r.description,
    status: r.status,
    reportedAt: r.reported_at.toISOString(),
    reportedBy: r.reported_by,
    deadlineWorkingDays: r.deadline_working_days,
    dueAt: iso(r.due_at),
    dueProvisional: r.due_provisional,
    overdue: open && r.due_at !== null && r.due_at < now,
    overdueSince: iso(r.overdue_since),
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    acknowledgement: r.acknowledgement,
    correctedAt: iso(r.corrected_at),
    correctedBy: r.corrected_by,
    correction: r.correction,
    confirmedAt: iso(r.confirmed_at),
    confirmedBy: r.confirmed_by,
    rejections: r.rejections,
    lastRejection: r.last_rejection,
  };
}
export type ErrorReport = ReturnType<typeof toReport>;

async function meaningOf(trx: Trx, r: DataErrorReportRow): Promise<string | null> {
  const resource = await catalogue.findResource(trx, r.resource_id);
  if (!resource?.published_version) return null;
  const version = await catalogue.findVersion(trx, r.resource_id, resource.published_version);
  return version?.fields.find((f) => f.name === r.field)?.meaning ?? null;
}

export interface ReportInput {
  resourceId: string;
  recordReference: string;
  field: string;
  description: string;
}

export async function reportError(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: ReportInput,
  now: Date,
): Promise<ErrorReport> {
  const resource = await catalogue.findResource(trx, input.resourceId);
  const grant = resource ? await repo.reportingGrant(trx, resource.id, auth.organisationId) : undefined;
  // Only a unit that was granted the data can find errors in it; to anyone else the resource does not exist.
  if (!resource || !grant || resource.published_version === null)
    throw notFound(`数据资源不存在或未获授权 / no such data resource ${input.resourceId}`);
  const version = await catalogue.findVersion(trx, resource.id, resource.published_version);
  const field = version?.fields.find((f) => f.name === input.field);
  if (!version || !field) throw invalid('body.field', `没有信息项“${input.field}” / no such field`);
  const policy = await sharedDataPolicy(trx, resource.jurisdiction_id);
  const days = policy.errorCorrectionWorkingDays;
  const due = days === null ? null : await addWorkingDays(trx, policy.jurisdictionCode, now, days);
  const row = await repo.insertReport(
    trx,
    {
      resource_id: resource.id,
      grant_id: grant.id,
      jurisdiction_id: resource.jurisdiction_id,
      provider_organisation_id: resource.organisation_id,
      consumer_organisation_id: auth.organisationId,
      consumer_jurisdiction_id: auth.jurisdictionId,
      resource_name: version.name,
      provider_name: version.provider_name,
      consumer_name: grant.consumer_name,
      record_reference: input.recordReference,
      field: input.field,
      description: input.description,
      status: 'reported',
      reported_at: now,
      reported_by: auth.name,
      deadline_working_days: days,
      due_at: due ? new Date(due.due) : null,
      due_provisional: due?.provisional ?? false,
      acknowledged_at: null,
      acknowledged_by: null,
      acknowledgement: null,
      corrected_at: null,
      corrected_by: null,
      correction: null,
      confirmed_at: null,
      confirmed_by: null,
      rejections: 0,
      last_rejection: null,
      overdue_since: null,
    },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'data_error.reported',
    objectType: 'data_error_report',
    objectId: row.id,
    detail: {
      resource: version.name,
      record: input.recordReference,
      field: input.field,
      dueDay: due?.dueDay ?? null,
      workingDays: days,
      article: policy.errorCorrectionArticle,
    },
  });
  await notify(trx, {
    jurisdictionId: resource.jurisdiction_id,
    to: { organisationId: resource.organisation_id, role: 'unit_admin' },
    kind: 'shared_data.error_reported',
    title: {
      zh: `数据差错反馈：“${version.name}”记录 ${input.recordReference} 的“${field.meaning}”${due ? `（请于 ${due.dueDay} 前更正）` : ''}`,
      en: `Data error reported in ${version.name}, record ${input.recordReference}`,
    },
    body: { zh: input.description, en: input.description },
    link: `/shared-data/errors/${row.id}`,
    entity: { type: 'data_error_report', id: row.id },
    occurredAt: now,
  });
  return toReport(row, now, field.meaning);
}

async function visibleReport(trx: Trx, auth: AuthContext, id: string, lock = false) {
  const r = await repo.findReport(trx, id, lock);
  const visible =
    !!r &&
    (actsFor(auth, r.consumer_organisation_id) ||
      actsFor(auth, r.provider_organisation_id) ||
      oversees(auth, r.jurisdiction_id) ||
      oversees(auth, r.consumer_jurisdiction_id));
  if (!r || !visible) throw notFound(`差错反馈不存在 / no such error report ${id}`);
  return r;
}

type Step = 'acknowledge' | 'correct' | 'confirm' | 'reject';
const STEPS: Record<Step, { party: 'provider' | 'consumer'; from: ErrorReportStatus[]; zh: string }> = {
  acknowledge: { party: 'provider', from: ['reported'], zh: '确认收到' },
  correct: { party: 'provider', from: ['reported', 'acknowledged'], zh: '已更正' },
  confirm: { party: 'consumer', from: ['corrected'], zh: '确认更正' },
  reject: { party: 'consumer', from: ['corrected'], zh: '退回更正' },
};

/** One step of the flow, by the party it belongs to, in order: acknowledge, correct, then confirm or reject. */
export async function errorStep(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  step: Step,
  note: string | null,
  now: Date,
): Promise<ErrorReport> {
  const r = await visibleReport(trx, auth, id, true);
  const spec = STEPS[step];
  const party = spec.party === 'provider' ? r.provider_organisation_id : r.consumer_organisation_id;
  if (!actsFor(auth, party)) {
    throw new AppError(
      'forbidden',
      spec.party === 'provider'
        ? '由数据提供单位办理 / the providing unit’s step'
        : '由反馈单位办理 / the reporting unit’s step',
    );
  }
  if (!spec.from.includes(r.status))
    throw new AppError('data_transition_refused', `当前状态不能${spec.zh} / not possible in state ${r.status}`);
  if ((step === 'correct' || step === 'reject') && !note?.trim())
    throw invalid(step === 'correct' ? 'body.correction' : 'body.reason', '必填 / required');
  const set: Parameters<typeof repo.updateReport>[2] =
    step === 'acknowledge'
      ? { status: 'acknowledged', acknowledged_at: now, acknowledged_by: auth.name, acknowledgement: note }
      : step === 'correct'
        ? {
            status: 'corrected',
            corrected_at: now,
            corrected_by: auth.name,
            correction: note,
            acknowledged_at: r.acknowledged_at ?? now,
            acknowledged_by: r.acknowledged_by ?? auth.name,
          }
        : step === 'confirm'
          ? { status: 'confirmed', confirmed_at: now, confirmed_by: auth.name }
          : { status: 'acknowledged', corrected_at: null, rejections: r.rejections + 1, last_rejection: note };
  const updated = await repo.updateReport(trx, id, set, now);
  await writeAudit(trx, actor, {
    action: `data_error.${step === 'correct' ? 'corrected' : step === 'confirm' ? 'confirmed' : step === 'reject' ? 'rejected' : 'acknowledged'}`,
    objectType: 'data_error_report',
    objectId: id,
    detail: { resource: r.resource_name, record: r.record_reference, field: r.field, note },
  });
  const toProvider = spec.party === 'consumer';
  await notify(trx, {
    jurisdictionId: toProvider ? r.jurisdiction_id : r.consumer_jurisdiction_id,
    to: { organisationId: toProvider ? r.provider_organisation_id : r.consumer_organisation_id },
    kind: `shared_data.error_${step}`,
    title: {
      zh: `数据差错反馈${spec.zh}：“${r.resource_name}”记录 ${r.record_reference}`,
      en: `Data error report ${step}: ${r.resource_name}, record ${r.record_reference}`,
    },
    link: `/shared-data/errors/${id}`,
    entity: { type: 'data_error_report', id },
    occurredAt: now,
  });
  return toReport(updated, now, await meaningOf(trx, updated));
}

export async function getReport(trx: Trx, auth: AuthContext, id: string, now: Date): Promise<ErrorReport> {
  const r = await visibleReport(trx, auth, id);
  return toReport(r, now, await meaningOf(trx, r));
}

export type ReportView = 'mine' | 'provider' | 'all';

export async function listReports(
  trx: Trx,
  auth: AuthContext,
  view: ReportView,
  filter: { status?: ErrorReportStatus; open?: boolean; overdue?: boolean; resourceId?: string },
  page: { limit: number; offset: number },
  now: Date,
) {
  const v = auth.visibility;
  const f: repo.ReportFilter = { ...filter };
  if (view === 'all') {
    if (v.kind !== 'jurisdiction') return { items: [], total: 0 };
    f.jurisdictions = v.jurisdictions;
  } else {
    if (v.kind !== 'organisation' || v.organisations.length === 0) return { items: [], total: 0 };
    if (view === 'mine') f.consumers = v.organisations;
    else f.providers = v.organisations;
  }
  const { rows, total } = await repo.listReports(trx, f, page, now);
  return { items: rows.map((r) => toReport(r, now)), total };
}

const BATCH = 200;

/**
 * Overdue reports escalate once each: marked, audited, and the providing unit's administrators, the ops
 * reviewers of its jurisdiction and the reporting unit are told. The gateway's old rate windows are dropped.
 */
export async function sweepSharedData(db: Db, now: Date): Promise<{ escalated: number; rateWindowsPruned: number }> {
  let escalated = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      const due = await repo.newlyOverdue(trx, now, BATCH);
      for (const r of due) {
        await repo.updateReport(trx, r.id, { overdue_since: now }, now);
        const day = r.due_at ? shanghaiDay(r.due_at) : '';
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'data_error.overdue',
          objectType: 'data_error_report',
          objectId: r.id,
          detail: { resource: r.resource_name, provider: r.provider_name, dueAt: r.due_at?.toISOString() ?? null },
        });
        const title = {
          zh: `数据差错逾期未更正：${r.provider_name}“${r.resource_name}”记录 ${r.record_reference}（应于 ${day} 前更正）`,
          en: `Data error not corrected in time: ${r.resource_name}, record ${r.record_reference} (due ${day})`,
        };
        const common = {
          kind: 'shared_data.error_overdue',
          title,
          link: `/shared-data/errors/${r.id}`,
          occurredAt: now,
        };
        const entity = { type: 'data_error_report', id: r.id };
        await notify(trx, {
          ...common,
          entity,
          jurisdictionId: r.jurisdiction_id,
          to: { organisationId: r.provider_organisation_id, role: 'unit_admin' },
        });
        await notify(trx, { ...common, entity, jurisdictionId: r.jurisdiction_id, to: { role: 'ops_reviewer' } });
        await notify(trx, {
          ...common,
          entity,
          jurisdictionId: r.consumer_jurisdiction_id,
          to: { organisationId: r.consumer_organisation_id },
        });
      }
      return due.length;
    });
    escalated += done;
    if (done < BATCH) break;
  }
  const rateWindowsPruned = await pruneRateWindows(db, new Date(now.getTime() - 10 * 60_000));
  return { escalated, rateWindowsPruned };
}

export const sharedDataSweepJob: Job<DB> = {
  name: 'shared-data.sweep',
  everyMs: 5 * 60_000,
  run: ({ db, now }) => sweepSharedData(db as Db, now),
};

export interface DataErrorCounts {
  providerOrganisationId: string;
  providerName: string;
  reported: number;
  corrected: number;
  correctedLate: number;
  open: number;
  overdue: number;
}

/**
 * For evaluation (SH 33-34, TZ 20, LZ 30; NB 19 counts data sharing in project acceptance and assessment):
 * per providing unit, the error reports received in [from, to) and how they were handled.
 */
export async function dataErrorCounts(
  db: Db | Trx,
  jurisdictionIds: readonly string[],
  from: Date,
  to: Date,
  now: Date,
): Promise<DataErrorCounts[]> {
  const rows = await repo.countsByProvider(db, jurisdictionIds, from, to, now);
  return rows.map((r) => ({
    providerOrganisationId: r.provider_organisation_id,
    providerName: r.provider_name,
    reported: Number(r.reported),
    corrected: Number(r.corrected),
    correctedLate: Number(r.corrected_late),
    open: Number(r.open),
    overdue: Number(r.overdue),
  }));
}
