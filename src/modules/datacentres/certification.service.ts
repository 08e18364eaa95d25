import { createHash } from 'node:crypto';
import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import type { Role } from '../identity/index.ts';
import { notify } from '../notifications/index.ts';
import { SUPERVISOR_ROLE } from '../orders/index.ts';
import {
  actsFor,
  addYears,
  certificationProvided,
  type DataCentrePolicy,
  dataCentrePolicy,
  oversees,
} from './datacentres.policy.ts';
import * as repo from './datacentres.repository.ts';
import {
  type ApplicationPath,
  type ApplicationRow,
  type AttachmentPurpose,
  CRITERIA,
  type Criterion,
  type DataCentreRow,
} from './datacentres.table.ts';
import { CRITERION_ARTICLE, CRITERION_ZH, precheck } from './precheck.ts';
import { centresOut, type DataCentre, ownCentre, scopeFilter, visibleCentre } from './register.service.ts';

// Certification of a department's own data centre (LZ 13, 14, 17): the unit applies against the five criteria
// of LZ 13 with evidence for each; the platform pre-checks the measurable ones against the register; the ops
// unit evaluates with a site survey within the pack's working days (LZ 14(3)), the authority decides within its
// working days (LZ 14(4)), both counted on the jurisdiction's calendar from the moment the step became due.
// The sensitive-data path (LZ 17) has its own evaluation and approval periods. A step past due is escalated
// once (by the sweeper, or when it is completed late) as order steps are (SUPERVISOR_ROLE).
//
// Approved: retained for the pack's years from the approval day, then migration within the pack's years
// (LZ 14(4)(5), 17, 18). Refused: a transition period from the approval day, by racks (LZ 15).

// ------------------------------------------------------------------------------------------ the application

const iso = (d: Date | null) => d?.toISOString() ?? null;

export interface AttachmentOut {
  id: string;
  purpose: AttachmentPurpose;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string | null;
  uploadedAt: string;
}
const attachmentOut = (a: repo.AttachmentMeta): AttachmentOut => ({
  id: a.id,
  purpose: a.purpose,
  fileName: a.file_name,
  mediaType: a.media_type,
  sizeBytes: a.size_bytes,
  sha256: a.sha256,
  uploadedBy: a.uploaded_by,
  uploadedAt: a.uploaded_at.toISOString(),
});

export function toApplication(r: ApplicationRow, now: Date, attachments: repo.AttachmentMeta[] = []) {
  const evaluationOverdue =
    r.evaluation_overdue_since !== null ||
    (r.status === 'submitted' && r.evaluation_due_at !== null && now > r.evaluation_due_at) ||
    (r.evaluated_at !== null && r.evaluation_due_at !== null && r.evaluated_at > r.evaluation_due_at);
  const approvalOverdue =
    r.approval_overdue_since !== null ||
    (r.status === 'evaluated' && r.approval_due_at !== null && now > r.approval_due_at) ||
    (r.decided_at !== null && r.approval_due_at !== null && r.decided_at > r.approval_due_at);
  return {
    id: r.id,
    dataCentreId: r.data_centre_id,
    dataCentreName: r.data_centre_name,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    path: r.path,
    sensitiveReason: r.sensitive_reason,
    status: r.status,
    answers: r.answers,
    precheck: r.precheck,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    submittedAt: iso(r.submitted_at),
    submittedBy: r.submitted_by,
    evaluation: {
      workingDays: r.evaluation_working_days,
      article: r.evaluation_article,
      dueAt: iso(r.evaluation_due_at),
      dueDay: r.evaluation_due_day,
      provisional: r.evaluation_due_provisional,
      overdue: evaluationOverdue,
      escalatedAt: iso(r.evaluation_overdue_since),
      doneAt: iso(r.evaluated_at),
      doneBy: r.evaluated_by,
    },
    siteSurveyOn: r.site_survey_on,
    recommendation: r.recommendation,
    evaluationOpinion: r.evaluation_opinion,
    approval: {
      workingDays: r.approval_working_days,
      article: r.approval_article,
      dueAt: iso(r.approval_due_at),
      dueDay: r.approval_due_day,
      provisional: r.approval_due_provisional,
      overdue: approvalOverdue,
      escalatedAt: iso(r.approval_overdue_since),
      doneAt: iso(r.decided_at),
      doneBy: r.decided_by,
    },
    decisionReason: r.decision_reason,
    attachments: attachments.map(attachmentOut),
  };
}
export type Application = ReturnType<typeof toApplication>;

async function visibleApplication(trx: Trx, auth: AuthContext, id: string, lock = false): Promise<ApplicationRow> {
  const r = await repo.findApplication(trx, id, lock);
  if (!r || !(actsFor(auth, r.organisation_id) || oversees(auth, r.jurisdiction_id)))
    throw notFound(`认定申请不存在 / no such application ${id}`);
  return r;
}

async function applicationOut(trx: Trx, r: ApplicationRow, now: Date): Promise<Application> {
  return toApplication(r, now, await repo.attachmentsOf(trx, r.data_centre_id, r.id));
}

export async function getApplication(trx: Trx, auth: AuthContext, id: string, now: Date): Promise<Application> {
  return applicationOut(trx, await visibleApplication(trx, auth, id), now);
}

export async function listApplications(
  trx: Trx,
  auth: AuthContext,
  filter: { status?: ApplicationRow['status']; dataCentreId?: string },
  page: { limit: number; offset: number },
  now: Date,
) {
  const scope = scopeFilter(auth);
  if (!scope) return { items: [], total: 0 };
  const { rows, total } = await repo.listApplications(
    trx,
    { ...scope, status: filter.status, centreId: filter.dataCentreId },
    page,
  );
  return { items: rows.map((r) => toApplication(r, now)), total };
}

export interface ApplicationInput {
  path: ApplicationPath;
  sensitiveReason: string | null;
  answers: Record<Criterion, string>;
}

/** The unit drafts its application (LZ 14(2)): each criterion of LZ 13 answered; evidence is uploaded next. */
export async function createApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  centreId: string,
  input: ApplicationInput,
  now: Date,
): Promise<Application> {
  const room = await ownCentre(trx, auth, centreId);
  if (room.construction === 'rented')
    throw new AppError(
      'data_centre_rented',
      '租用第三方数据中心应在现有租用合约期内完成迁移，不得延长合约 (LZ 19) / rented rooms migrate within the lease',
    );
  const policy = await dataCentrePolicy(trx, room.jurisdiction_id);
  if (!certificationProvided(policy))
    throw new AppError(
      'data_centre_not_provided',
      `${policy.jurisdictionName} 的政策（${policy.policyTitle}）未规定自建数据中心认定 / no certification in the policy`,
    );
  if (!['registered', 'retained', 'migrating'].includes(room.stage))
    throw new AppError('data_centre_state', '该机房当前不能申请认定 / the room cannot apply now');
  if (input.path === 'sensitive' && !input.sensitiveReason?.trim())
    throw invalid('body.sensitiveReason', '敏感数据路径须说明承载的敏感数据 (LZ 17) / required on the sensitive path');
  if (await repo.openApplication(trx, room.id))
    throw new AppError('data_centre_state', '该机房已有进行中的认定申请 / an application is already open');
  const org = await trx
    .selectFrom('organisation')
    .select('name')
    .where('id', '=', room.organisation_id)
    .executeTakeFirstOrThrow();
  const row = await repo.insertApplication(trx, {
    data_centre_id: room.id,
    organisation_id: room.organisation_id,
    jurisdiction_id: room.jurisdiction_id,
    data_centre_name: room.name,
    organisation_name: org.name,
    path: input.path,
    sensitive_reason: input.path === 'sensitive' ? (input.sensitiveReason?.trim() ?? null) : null,
    status: 'draft',
    answers: JSON.stringify(input.answers),
    precheck: null,
    created_by: auth.name,
    created_at: now,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'data_centre.application_drafted',
    objectType: 'data_centre_application',
    objectId: row.id,
    detail: { dataCentre: room.name, path: input.path },
  });
  return applicationOut(trx, row, now);
}

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/i;

export interface UploadInput {
  purpose: AttachmentPurpose;
  fileName: string;
  mediaType: string;
  contentBase64: string;
}

function decodeUpload(input: UploadInput): Buffer {
  const issues: FieldError[] = [];
  if (!MEDIA_TYPE.test(input.mediaType))
    issues.push({ field: 'body.mediaType', message: '文件类型无效 / not a media type' });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBase64))
    issues.push({ field: 'body.contentBase64', message: '不是 base64 编码 / not base64' });
  const content = Buffer.from(input.contentBase64, 'base64');
  if (content.length === 0) issues.push({ field: 'body.contentBase64', message: '文件为空 / empty file' });
  if (content.length > MAX_ATTACHMENT_BYTES)
    issues.push({
      field: 'body.contentBase64',
      message: `文件超过 ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB / too large`,
    });
  if (issues.length)
    throw new AppError('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  return content;
}

async function storeAttachment(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  room: DataCentreRow,
  applicationId: string | null,
  input: UploadInput,
  now: Date,
): Promise<AttachmentOut> {
  const content = decodeUpload(input);
  const meta = await repo.insertAttachment(trx, {
    data_centre_id: room.id,
    application_id: applicationId,
    organisation_id: room.organisation_id,
    jurisdiction_id: room.jurisdiction_id,
    purpose: input.purpose,
    file_name: input.fileName.trim(),
    media_type: input.mediaType,
    size_bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    content,
    uploaded_by: auth.name,
    uploaded_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'data_centre.attachment_uploaded',
    objectType: 'data_centre',
    objectId: room.id,
    detail: {
      purpose: input.purpose,
      file: meta.file_name,
      bytes: meta.size_bytes,
      sha256: meta.sha256,
      applicationId,
    },
  });
  return attachmentOut(meta);
}

/**
 * Evidence for an application: the applying unit's for the five criteria while it drafts; the ops unit's site
 * survey record while it evaluates.
 */
export async function uploadApplicationAttachment(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  applicationId: string,
  input: UploadInput,
  now: Date,
): Promise<AttachmentOut> {
  const app = await visibleApplication(trx, auth, applicationId, true);
  const room = await visibleCentre(trx, auth, app.data_centre_id);
  if (input.purpose === 'site_survey') {
    if (!oversees(auth, app.jurisdiction_id) || !auth.permissions.has('datacentre:evaluate'))
      throw new AppError('forbidden', '现场勘查记录由运行管理单位上传 / the ops unit’s evidence');
    if (app.status !== 'submitted') throw new AppError('data_centre_state', '申请不在评估阶段 / not being evaluated');
  } else if ((CRITERIA as readonly string[]).includes(input.purpose)) {
    if (!actsFor(auth, app.organisation_id))
      throw new AppError('forbidden', '证明材料由申请单位上传 / the applying unit’s evidence');
    if (app.status !== 'draft') throw new AppError('data_centre_state', '申请已提交 / the application was submitted');
  } else {
    throw invalid('body.purpose', '认定申请的材料应对应一项认定标准或现场勘查 / a criterion or the site survey');
  }
  return storeAttachment(trx, auth, actor, room, app.id, input, now);
}

/** Evidence on the room itself: its MLPS test report, its closure record (LZ 16(3)). */
export async function uploadCentreAttachment(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  centreId: string,
  input: UploadInput,
  now: Date,
): Promise<AttachmentOut> {
  const room = await ownCentre(trx, auth, centreId);
  if (input.purpose !== 'closure' && input.purpose !== 'mlps_report')
    throw invalid('body.purpose', '机房材料为撤销证明或等保测评报告 / closure or mlps_report');
  return storeAttachment(trx, auth, actor, room, null, input, now);
}

export async function centreAttachments(trx: Trx, auth: AuthContext, centreId: string): Promise<AttachmentOut[]> {
  const room = await visibleCentre(trx, auth, centreId);
  return (await repo.attachmentsOf(trx, room.id, null)).map(attachmentOut);
}

export async function downloadAttachment(trx: Trx, auth: AuthContext, id: string) {
  const a = await repo.findAttachment(trx, id);
  if (!a || !(actsFor(auth, a.organisation_id) || oversees(auth, a.jurisdiction_id)))
    throw notFound(`附件不存在 / no such attachment ${id}`);
  return a;
}

/** The working days of each step on the application's path, with their articles. */
function periods(policy: DataCentrePolicy, path: ApplicationPath) {
  return path === 'sensitive'
    ? {
        evaluation: policy.sensitiveEvaluationWorkingDays,
        approval: policy.sensitiveApprovalWorkingDays,
        retention: policy.sensitiveRetentionYears,
      }
    : {
        evaluation: policy.evaluationWorkingDays,
        approval: policy.approvalWorkingDays,
        retention: policy.retentionYears,
      };
}

async function due(trx: Trx, policy: DataCentrePolicy, from: Date, days: number | null) {
  if (days === null) return null;
  return addWorkingDays(trx as unknown as Db, policy.jurisdictionCode, from, days);
}

/** The unit submits (LZ 14(2)): every criterion answered with evidence; the pre-check is kept as it stood. */
export async function submitApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<Application> {
  const app = await visibleApplication(trx, auth, id, true);
  if (!actsFor(auth, app.organisation_id))
    throw new AppError('forbidden', '由申请单位提交 / the applying unit submits');
  if (app.status !== 'draft') throw new AppError('data_centre_state', '申请已提交 / already submitted');
  const room = await ownCentre(trx, auth, app.data_centre_id);
  const attachments = await repo.attachmentsOf(trx, room.id, app.id);
  const issues: FieldError[] = [];
  for (const c of CRITERIA) {
    if (!app.answers[c]?.trim())
      issues.push({
        field: `body.answers.${c}`,
        message: `请说明“${CRITERION_ZH[c]}”标准（${CRITERION_ARTICLE[c]}）的满足情况`,
      });
    // LZ 14(2): 提交相关证明材料 — on the sensitive path (LZ 17) the criteria of LZ 13 are not what is decided
    if (app.path === 'standard' && !attachments.some((a) => a.purpose === c))
      issues.push({
        field: `attachments.${c}`,
        message: `缺少“${CRITERION_ZH[c]}”标准（${CRITERION_ARTICLE[c]}）的证明材料 / evidence missing`,
      });
  }
  if (issues.length)
    throw new AppError('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  const policy = await dataCentrePolicy(trx, room.jurisdiction_id);
  const p = periods(policy, app.path);
  const evaluationDue = await due(trx, policy, now, p.evaluation.value);
  const updated = await repo.updateApplication(
    trx,
    app.id,
    {
      status: 'submitted',
      submitted_at: now,
      submitted_by: auth.name,
      precheck: JSON.stringify(precheck(room, policy)),
      evaluation_working_days: p.evaluation.value,
      evaluation_article: p.evaluation.article,
      evaluation_due_at: evaluationDue ? new Date(evaluationDue.due) : null,
      evaluation_due_day: evaluationDue?.dueDay ?? null,
      evaluation_due_provisional: evaluationDue?.provisional ?? false,
    },
    now,
  );
  await repo.updateCentre(trx, room.id, { stage: 'applied' }, now);
  await writeAudit(trx, actor, {
    action: 'data_centre.application_submitted',
    objectType: 'data_centre_application',
    objectId: app.id,
    detail: {
      dataCentre: room.name,
      path: app.path,
      evaluationDueDay: evaluationDue?.dueDay ?? null,
      workingDays: p.evaluation.value,
      article: p.evaluation.article,
      failed: precheck(room, policy)
        .filter((i) => !i.passed)
        .map((i) => i.key),
    },
  });
  await notify(trx, {
    jurisdictionId: room.jurisdiction_id,
    to: { role: 'ops_reviewer' },
    kind: 'data_centre.application_submitted',
    title: {
      zh: `自建数据中心认定申请：${app.organisation_name}“${room.name}”${evaluationDue ? `（请于 ${evaluationDue.dueDay} 前提出评估意见，${p.evaluation.article}）` : ''}`,
      en: `Data-centre certification application: ${room.name}`,
    },
    link: `/data-centres/applications/${app.id}`,
    entity: { type: 'data_centre_application', id: app.id },
    occurredAt: now,
  });
  return applicationOut(trx, updated, now);
}

export async function withdrawApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<Application> {
  const app = await visibleApplication(trx, auth, id, true);
  if (!actsFor(auth, app.organisation_id))
    throw new AppError('forbidden', '由申请单位撤回 / the applying unit withdraws');
  if (app.status !== 'draft' && app.status !== 'submitted')
    throw new AppError('data_centre_state', '申请已评估，不能撤回 / evaluated applications cannot be withdrawn');
  const updated = await repo.updateApplication(trx, app.id, { status: 'withdrawn' }, now);
  const room = await repo.findCentre(trx, app.data_centre_id, true);
  if (room?.stage === 'applied') {
    // back to where the room stood: never applied, or (a new application, LZ 18) retained or past its retention
    const stage = !room.retention_ends
      ? 'registered'
      : shanghaiDay(now) <= room.retention_ends
        ? 'retained'
        : 'migrating';
    await repo.updateCentre(trx, room.id, { stage }, now);
  }
  await writeAudit(trx, actor, {
    action: 'data_centre.application_withdrawn',
    objectType: 'data_centre_application',
    objectId: app.id,
    detail: { dataCentre: app.data_centre_name },
  });
  return applicationOut(trx, updated, now);
}

type StepName = 'evaluation' | 'approval';
const STEP_ROLE: Record<StepName, Role> = { evaluation: 'ops_reviewer', approval: 'authority_approver' };
const STEP_ZH: Record<StepName, string> = { evaluation: '评估意见', approval: '认定审批' };

/**
 * A step past its due time is escalated once: marked, audited, and its role, the role that supervises it
 * (as for order steps, SUPERVISOR_ROLE) and the applying unit are told.
 */
export async function escalate(trx: Trx | Db, app: ApplicationRow, step: StepName, now: Date): Promise<ApplicationRow> {
  const set = step === 'evaluation' ? { evaluation_overdue_since: now } : { approval_overdue_since: now };
  const updated = await repo.updateApplication(trx, app.id, set, now);
  const dueDay = step === 'evaluation' ? app.evaluation_due_day : app.approval_due_day;
  const article = step === 'evaluation' ? app.evaluation_article : app.approval_article;
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: `data_centre.${step}_overdue`,
    objectType: 'data_centre_application',
    objectId: app.id,
    detail: { dataCentre: app.data_centre_name, dueDay, article },
  });
  const title = {
    zh: `自建数据中心认定“${STEP_ZH[step]}”已超期：${app.organisation_name}“${app.data_centre_name}”（应于 ${dueDay} 前办结，${article ?? ''}）`,
    en: `Data-centre certification ${step} overdue: ${app.data_centre_name} (due ${dueDay}, ${article ?? ''})`,
  };
  const common = {
    jurisdictionId: app.jurisdiction_id,
    kind: 'data_centre.step_overdue',
    title,
    link: `/data-centres/applications/${app.id}`,
    entity: { type: 'data_centre_application', id: app.id },
    occurredAt: now,
  };
  const role = STEP_ROLE[step];
  await notify(trx as Trx, { ...common, to: { role } });
  const supervisor = SUPERVISOR_ROLE[role] as Role | null | undefined;
  if (supervisor && supervisor !== role) await notify(trx as Trx, { ...common, to: { role: supervisor } });
  await notify(trx as Trx, { ...common, to: { organisationId: app.organisation_id } });
  return updated;
}

export interface EvaluationInput {
  siteSurveyOn: string | null;
  recommendation: 'approve' | 'refuse';
  opinion: string;
}

/** The ops unit's evaluation with its site survey (LZ 14(3), 17): the authority's days start now. */
export async function evaluateApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: EvaluationInput,
  now: Date,
): Promise<Application> {
  let app = await visibleApplication(trx, auth, id, true);
  if (!oversees(auth, app.jurisdiction_id))
    throw new AppError('forbidden', '由运行管理单位评估 / the ops unit evaluates');
  if (app.status !== 'submitted') throw new AppError('data_centre_state', '申请不在评估阶段 / not awaiting evaluation');
  const today = shanghaiDay(now);
  // LZ 14(3): 组织开展现场勘查 — the standard path needs the survey's day; it cannot lie in the future
  if (app.path === 'standard' && !input.siteSurveyOn)
    throw invalid('body.siteSurveyOn', '请填写现场勘查日期（LZ 14(3)） / the site survey day is required');
  if (input.siteSurveyOn && input.siteSurveyOn > today)
    throw invalid('body.siteSurveyOn', '勘查日期不能晚于今天 / cannot be in the future');
  if (app.evaluation_due_at && now > app.evaluation_due_at && !app.evaluation_overdue_since)
    app = await escalate(trx, app, 'evaluation', now);
  const policy = await dataCentrePolicy(trx, app.jurisdiction_id);
  const p = periods(policy, app.path);
  const approvalDue = await due(trx, policy, now, p.approval.value);
  const updated = await repo.updateApplication(
    trx,
    app.id,
    {
      status: 'evaluated',
      evaluated_at: now,
      evaluated_by: auth.name,
      site_survey_on: input.siteSurveyOn,
      recommendation: input.recommendation,
      evaluation_opinion: input.opinion.trim(),
      approval_working_days: p.approval.value,
      approval_article: p.approval.article,
      approval_due_at: approvalDue ? new Date(approvalDue.due) : null,
      approval_due_day: approvalDue?.dueDay ?? null,
      approval_due_provisional: approvalDue?.provisional ?? false,
    },
    now,
  );
  const late = app.evaluation_due_at !== null && now > app.evaluation_due_at;
  await writeAudit(trx, actor, {
    action: 'data_centre.evaluated',
    objectType: 'data_centre_application',
    objectId: app.id,
    detail: {
      dataCentre: app.data_centre_name,
      recommendation: input.recommendation,
      siteSurveyOn: input.siteSurveyOn,
      late,
      approvalDueDay: approvalDue?.dueDay ?? null,
      article: p.approval.article,
    },
  });
  await notify(trx, {
    jurisdictionId: app.jurisdiction_id,
    to: { role: 'authority_approver' },
    kind: 'data_centre.evaluated',
    title: {
      zh: `自建数据中心认定待审批：${app.organisation_name}“${app.data_centre_name}”（评估建议：${input.recommendation === 'approve' ? '通过' : '不通过'}${approvalDue ? `，请于 ${approvalDue.dueDay} 前完成审批，${p.approval.article}` : ''}）`,
      en: `Data-centre certification awaits approval: ${app.data_centre_name}`,
    },
    link: `/data-centres/applications/${app.id}`,
    entity: { type: 'data_centre_application', id: app.id },
    occurredAt: now,
  });
  return applicationOut(trx, updated, now);
}

export interface DecisionInput {
  decision: 'approve' | 'refuse';
  reason: string | null;
}

/**
 * The authority decides (LZ 14(4), 17). Approved: retained from the approval day for the pack's years, then
 * migration within the pack's years (LZ 14(5), 18). Refused: a transition period from the approval day, the
 * small-room period for racks up to the pack's number and the large-room period otherwise (LZ 15).
 */
export async function decideApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: DecisionInput,
  now: Date,
): Promise<{ application: Application; dataCentre: DataCentre }> {
  let app = await visibleApplication(trx, auth, id, true);
  if (!oversees(auth, app.jurisdiction_id)) throw new AppError('forbidden', '由主管部门审批 / the authority decides');
  if (app.status !== 'evaluated')
    throw new AppError('data_centre_state', '须先由运行管理单位评估 (LZ 14(3)) / the evaluation comes first');
  if (input.decision === 'refuse' && !input.reason?.trim())
    throw invalid('body.reason', '不予认定须说明理由 / a refusal needs its reason');
  if (app.approval_due_at && now > app.approval_due_at && !app.approval_overdue_since)
    app = await escalate(trx, app, 'approval', now);
  const room = (await repo.findCentre(trx, app.data_centre_id, true)) as DataCentreRow;
  const policy = await dataCentrePolicy(trx, app.jurisdiction_id);
  const p = periods(policy, app.path);
  const day = shanghaiDay(now);
  let set: Parameters<typeof repo.updateCentre>[2];
  if (input.decision === 'approve') {
    const years = p.retention.value;
    const after = policy.migrationAfterRetentionYears;
    if (years === null) throw new AppError('data_centre_not_provided', '政策未规定保留期限 / no retention period');
    const retentionEnds = addYears(day, years);
    set = {
      stage: 'retained',
      approved_on: day,
      retention_ends: retentionEnds,
      transition_ends: null,
      migration_deadline: after.value === null ? null : addYears(retentionEnds, after.value),
      deadline_article: after.article,
    };
  } else {
    const small = policy.smallRacksMax.value !== null && room.racks <= policy.smallRacksMax.value;
    const period = small ? policy.transitionYearsSmall : policy.transitionYearsLarge;
    if (period.value === null)
      throw new AppError('data_centre_not_provided', '政策未规定迁移过渡期 / no transition period');
    const ends = addYears(day, period.value);
    set = {
      stage: 'transition',
      approved_on: day,
      retention_ends: null,
      transition_ends: ends,
      migration_deadline: ends,
      deadline_article: period.article,
    };
  }
  const updatedRoom = await repo.updateCentre(trx, room.id, set, now);
  const updated = await repo.updateApplication(
    trx,
    app.id,
    {
      status: input.decision === 'approve' ? 'approved' : 'refused',
      decided_at: now,
      decided_by: auth.name,
      decision_reason: input.reason?.trim() || null,
    },
    now,
  );
  await writeAudit(trx, actor, {
    action: input.decision === 'approve' ? 'data_centre.approved' : 'data_centre.refused',
    objectType: 'data_centre_application',
    objectId: app.id,
    detail: {
      dataCentre: room.name,
      racks: room.racks,
      approvedOn: day,
      retentionEnds: updatedRoom.retention_ends,
      transitionEnds: updatedRoom.transition_ends,
      migrationDeadline: updatedRoom.migration_deadline,
      article: updatedRoom.deadline_article,
      late: app.approval_due_at !== null && now > app.approval_due_at,
    },
  });
  await notify(trx, {
    jurisdictionId: app.jurisdiction_id,
    to: { organisationId: app.organisation_id },
    kind: `data_centre.${input.decision === 'approve' ? 'approved' : 'refused'}`,
    title: {
      zh:
        input.decision === 'approve'
          ? `“${room.name}”通过认定，保留至 ${updatedRoom.retention_ends}；保留期满后应于 ${updatedRoom.migration_deadline ?? '—'} 前完成迁移上云`
          : `“${room.name}”未通过认定，迁移过渡期至 ${updatedRoom.transition_ends}（${updatedRoom.deadline_article}），请制定迁移上云计划`,
      en: `${room.name}: certification ${input.decision === 'approve' ? 'approved' : 'refused'}`,
    },
    link: `/data-centres/${room.id}`,
    entity: { type: 'data_centre', id: room.id },
    occurredAt: now,
  });
  return {
    application: await applicationOut(trx, updated, now),
    dataCentre: (await centresOut(trx, [updatedRoom], now))[0] as DataCentre,
  };
}
