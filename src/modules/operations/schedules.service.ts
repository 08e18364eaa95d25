import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { PDF_MEDIA_TYPE } from '../../platform/pdf.ts';
import { XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { addDays, addMonthsToDay, isoWeekday, shanghaiDay, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { ROLES, type Role, roleHolders } from '../identity/index.ts';
import { notify } from '../notifications/index.ts';
import * as opsRepo from './operations.repository.ts';
import type { ScheduleRow } from './operations.table.ts';
import { reportPdf } from './reports.pdf.ts';
import { generateReport, type Period } from './reports.service.ts';
import * as repo from './schedules.repository.ts';

// Reports on schedule (TZ 12: weekly and monthly reports). A schedule names the period (week, month), the scope
// (city-wide, or one provider) and the roles whose holders receive it: only roles that may read that report. Once a
// period is over (a week on Monday, a month on the 1st, at 08:00 Beijing time) the job generates and archives the
// report as if by hand, then tells each recipient once, in the inbox and by e-mail with the PDF attached (the
// workbook when the server has no Chinese font). A run missed while the service was down is caught up, one period
// per run, in order.

const RUN_HOUR = 8;
const HOUR = 3_600_000;

type Listed = NonNullable<Awaited<ReturnType<typeof repo.findSchedule>>>;

/** The roles that may read the report of a scope: the jurisdiction-wide readers, and for a provider's its own staff. */
export function recipientRolesFor(scope: 'city' | 'provider'): Role[] {
  return (Object.keys(ROLES) as Role[]).filter((r) => {
    const d = ROLES[r];
    if (!(d.permissions as readonly string[]).includes('ops-report:read')) return false;
    return (
      d.scope === 'jurisdiction' ||
      (scope === 'provider' && (d.organisationTypes as readonly string[]).includes('cloud_service_provider'))
    );
  });
}

/** The first run strictly after `after`: 08:00 Beijing time on the next Monday (week) or 1st of a month (month). */
export function nextRunAfter(period: Period, after: Date): Date {
  const day = shanghaiDay(after);
  let boundary =
    period === 'week'
      ? isoWeekday(day) === 1
        ? day
        : addDays(day, 8 - isoWeekday(day))
      : day.endsWith('-01')
        ? day
        : addMonthsToDay(`${day.slice(0, 7)}-01`, 1);
  const at = (b: string) => new Date(startOfShanghaiDay(b).getTime() + RUN_HOUR * HOUR);
  if (at(boundary) <= after) boundary = period === 'week' ? addDays(boundary, 7) : addMonthsToDay(boundary, 1);
  return at(boundary);
}

/** The first day of the period a run at `runAt` reports: the week or month that ended that morning. */
export function periodStartOf(period: Period, runAt: Date): string {
  const day = shanghaiDay(runAt);
  return period === 'week' ? addDays(day, -7) : addMonthsToDay(day, -1);
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toSchedule = (s: Listed) => ({
  id: s.id,
  scope: s.scope,
  provider: s.provider_id ? { id: s.provider_id, name: s.provider_name ?? '' } : null,
  period: s.period,
  recipientRoles: s.recipient_roles,
  active: s.active,
  nextRunAt: s.next_run_at.toISOString(),
  /** the first day of the period the next run reports */
  nextPeriodStart: periodStartOf(s.period, s.next_run_at),
  lastRunAt: iso(s.last_run_at),
  lastReportId: s.last_report_id,
  lastError: s.last_error,
  createdBy: s.created_by,
  createdAt: s.created_at.toISOString(),
});

function checkRoles(scope: 'city' | 'provider', roles: readonly string[]): Role[] {
  const allowed = new Set<string>(recipientRolesFor(scope));
  const bad = roles.filter((r) => !allowed.has(r));
  if (bad.length > 0 || roles.length === 0)
    throw invalid(
      'body.recipientRoles',
      `only roles that may read this report: ${[...allowed].join(', ')} / 只能发送给有权查看该报告的角色`,
    );
  return [...new Set(roles)] as Role[];
}

export async function createSchedule(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { period: Period; providerId?: string | null; recipientRoles: string[] },
  now: Date,
) {
  const isProvider = auth.organisationType === 'cloud_service_provider';
  if (auth.visibility.kind === 'organisation' && !isProvider)
    throw new AppError(
      'forbidden',
      'reports are scheduled by the ops unit or a provider / 运维报告由运管单位或云服务商定制',
    );
  let provider: { id: string; name: string } | null = null;
  const providerId = isProvider ? auth.organisationId : (input.providerId ?? null);
  if (providerId) {
    const p = await opsRepo.providerOrganisation(trx, providerId, auth.jurisdictionId);
    if (!p) throw invalid('body.providerId', 'no such cloud service provider / 云服务商不存在');
    provider = { id: p.id, name: p.name };
  }
  const scope = provider ? ('provider' as const) : ('city' as const);
  const roles = checkRoles(scope, input.recipientRoles);
  const s = await repo.insertSchedule(trx, {
    organisation_id: provider?.id ?? auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    scope,
    provider_id: provider?.id ?? null,
    period: input.period,
    recipient_roles: roles,
    next_run_at: nextRunAfter(input.period, now),
    created_by: actor.name ?? actor.kind,
    created_at: now,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'operations.report_scheduled',
    objectType: 'operations_report_schedule',
    objectId: s.id,
    detail: { scope, providerId: provider?.id ?? null, period: s.period, recipientRoles: roles },
  });
  return getSchedule(trx, auth, s.id);
}

export async function listSchedules(trx: Trx, auth: AuthContext) {
  return { items: (await repo.listSchedules(trx, auth.visibility)).map(toSchedule) };
}

export async function getSchedule(trx: Trx, auth: AuthContext, id: string) {
  const s = await repo.findSchedule(trx, auth.visibility, id);
  if (!s) throw notFound(`report schedule ${id} / 报告计划不存在`);
  return toSchedule(s);
}

export async function updateSchedule(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { active?: boolean; recipientRoles?: string[] },
  now: Date,
) {
  const s = await repo.findSchedule(trx, auth.visibility, id, true);
  if (!s) throw notFound(`report schedule ${id} / 报告计划不存在`);
  const roles = input.recipientRoles === undefined ? undefined : checkRoles(s.scope, input.recipientRoles);
  // resumed: the next period that ends from now on, not the ones missed while paused
  const resumed = input.active === true && !s.active;
  await repo.updateSchedule(trx, id, {
    ...(input.active === undefined ? {} : { active: input.active }),
    ...(roles ? { recipient_roles: roles } : {}),
    ...(resumed ? { next_run_at: nextRunAfter(s.period, now) } : {}),
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'operations.report_schedule_changed',
    objectType: 'operations_report_schedule',
    objectId: id,
    detail: { active: input.active ?? s.active, recipientRoles: roles ?? s.recipient_roles },
  });
  return getSchedule(trx, auth, id);
}

type Due = Awaited<ReturnType<typeof repo.dueSchedules>>[number];

/** The caller the job acts as: the schedule's owner, seeing what a person of the owner sees. */
async function ownerContext(trx: Trx, s: Due): Promise<AuthContext> {
  return {
    kind: 'user',
    id: 'system',
    name: 'system',
    organisationId: s.organisation_id,
    organisationType: s.organisation_type,
    jurisdictionId: s.jurisdiction_id,
    roles: [],
    permissions: new Set(),
    visibility: { kind: 'jurisdiction', jurisdictions: await repo.jurisdictionTree(trx, s.jurisdiction_id) },
  };
}

async function recipients(trx: Trx, s: ScheduleRow): Promise<string[]> {
  const ids = new Set<string>();
  for (const role of s.recipient_roles as Role[]) {
    const holders =
      ROLES[role]?.scope === 'jurisdiction'
        ? await roleHolders(trx, role, { jurisdictionId: s.jurisdiction_id })
        : s.provider_id
          ? await roleHolders(trx, role, { organisationIds: [s.provider_id] })
          : [];
    for (const h of holders) ids.add(h.id);
  }
  return [...ids];
}

/** One due schedule: generate and archive its report, tell its recipients with the file attached, move it on. */
async function runSchedule(trx: Trx, s: Due, now: Date) {
  const auth = await ownerContext(trx, s);
  const start = periodStartOf(s.period, s.next_run_at);
  const report = await generateReport(
    trx,
    auth,
    SYSTEM_ACTOR,
    { period: s.period, start, providerId: s.provider_id },
    now,
    s.id,
  );
  const f = report.figures;
  const label = `${f.provider ? f.provider.name : '全市'}政务云运维${s.period === 'week' ? '周' : '月'}报（${f.from} 至 ${addDays(f.to, -1)}）`;
  let attachment: { filename: string; contentType: string; content: Buffer };
  let note = '附件为报告 PDF。';
  try {
    const pdf = await reportPdf(trx, auth, SYSTEM_ACTOR, report.id);
    attachment = { filename: pdf.name, contentType: PDF_MEDIA_TYPE, content: pdf.body };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'pdf_font_unavailable') throw error;
    const wb = await opsRepo.reportWorkbook(trx, auth.visibility, report.id);
    if (!wb) throw error;
    attachment = {
      filename: `operations-${s.period}-${f.from}.xlsx`,
      contentType: XLSX_MEDIA_TYPE,
      content: wb.workbook,
    };
    note = '服务器缺少中文字体，无法生成 PDF，附件为 Excel 报告。';
  }
  const userIds = await recipients(trx, s);
  await notify(trx, {
    jurisdictionId: s.jurisdiction_id,
    to: { userIds },
    kind: 'ops_report.scheduled',
    title: { zh: label, en: `Operations ${s.period === 'week' ? 'weekly' : 'monthly'} report ${f.from} to ${f.to}` },
    body: {
      zh: `${note}报告已归档，SM3 摘要 ${report.contentHash}。`,
      en: `The report is attached and archived (SM3 ${report.contentHash}).`,
    },
    link: '/operations/reports',
    entity: { type: 'operations_report', id: report.id },
    occurredAt: now,
    attachments: [attachment],
  });
  await repo.updateSchedule(trx, s.id, {
    next_run_at: nextRunAfter(s.period, s.next_run_at),
    last_run_at: now,
    last_report_id: report.id,
    last_error: null,
    updated_at: now,
  });
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: 'operations.scheduled_report_sent',
    objectType: 'operations_report_schedule',
    objectId: s.id,
    detail: { reportId: report.id, from: f.from, recipients: userIds.length, attachment: attachment.contentType },
  });
  return { scheduleId: s.id, reportId: report.id, recipients: userIds.length };
}

/**
 * Runs every schedule due at `now`, each in a transaction of its own (one failing does not hold back the others: its
 * error is kept on it and it is tried again at the next run).
 */
export async function runDueSchedules(db: Db, now: Date, limit = 20) {
  const done: { scheduleId: string; reportId: string; recipients: number }[] = [];
  const failed: { scheduleId: string; error: string }[] = [];
  const seen = new Set<string>();
  for (;;) {
    let current: string | null = null;
    try {
      const outcome = await db.transaction().execute(async (trx) => {
        const due = (await repo.dueSchedules(trx, now, limit + seen.size)).find((s) => !seen.has(s.id));
        if (!due) return null;
        current = due.id;
        seen.add(due.id);
        return runSchedule(trx, due, now);
      });
      if (outcome === null) break;
      done.push(outcome);
    } catch (error) {
      // the schedule's transaction rolled back: nothing of the run is kept but the error
      if (current === null) throw error;
      const message = error instanceof Error ? error.message : String(error);
      await repo.updateSchedule(db, current, { last_error: message.slice(0, 1000), updated_at: now });
      failed.push({ scheduleId: current, error: message });
    }
    if (seen.size >= limit) break;
  }
  return { done, failed };
}

export const reportScheduleJob: Job<DB> = {
  name: 'operations.report_schedules',
  everyMs: 15 * 60_000,
  run: async ({ db, now }) => runDueSchedules(db as Db, now),
};
