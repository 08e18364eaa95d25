import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, invalid } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { addDays, shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { notify } from '../notifications/index.ts';
import { getProject, systemsOfJurisdictions } from '../projects/index.ts';
import { escalate } from './certification.service.ts';
import { dataCentrePolicy } from './datacentres.policy.ts';
import * as repo from './datacentres.repository.ts';
import type { Equipment, Plan } from './datacentres.table.ts';
import {
  allVisible,
  centresOut,
  type DataCentre,
  inRetention,
  ownCentre,
  type Progress,
  visibleCentre,
} from './register.service.ts';

// Migration and closure (LZ 16, 18, 19): a plan per room naming how and by when each non-classified system
// leaves it, inside the room's deadline; each system's migration recorded with the project and orders that moved
// it, or its shut-down with how the data was handled; closure with its day, evidence and the equipment left for
// the authority to pool. Progress per room and city-wide; the ops unit's overview; the on-cloud rate.

export interface PlanItem {
  systemId: string;
  plan: Plan;
  targetDate: string;
}

/** The unit's migration plan (LZ 16(1)): every target date inside the room's deadline. */
export async function setPlan(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  centreId: string,
  items: PlanItem[],
  now: Date,
): Promise<DataCentre> {
  const room = await ownCentre(trx, auth, centreId);
  if (room.stage === 'closed') throw new AppError('data_centre_state', '机房已撤销 / the room is closed');
  if (!room.migration_deadline)
    throw new AppError(
      'data_centre_state',
      '机房尚无迁移期限（认定审批完成或登记租用合约后才有） / the room has no migration deadline yet',
    );
  const systems = await repo.systemsOf(trx, [room.id]);
  const byId = new Map(systems.map((s) => [s.system_id, s]));
  const issues: FieldError[] = [];
  const today = shanghaiDay(now);
  items.forEach((item, i) => {
    const s = byId.get(item.systemId);
    if (!s) issues.push({ field: `body.items.${i}.systemId`, message: '不是该机房承载的系统 / not hosted here' });
    else if (s.classified)
      issues.push({ field: `body.items.${i}.systemId`, message: '涉密系统不纳入迁移上云 / classified systems stay' });
    else if (s.done_on) issues.push({ field: `body.items.${i}.systemId`, message: '已完成 / already done' });
    if (item.targetDate > room.migration_deadline!)
      issues.push({
        field: `body.items.${i}.targetDate`,
        message: `应在迁移期限 ${room.migration_deadline}（${room.deadline_article ?? ''}）之前 / after the room's deadline`,
      });
    if (item.targetDate < today)
      issues.push({ field: `body.items.${i}.targetDate`, message: '计划日期已过 / in the past' });
  });
  if (issues.length)
    throw new AppError('validation_failed', issues.map((x) => `${x.field}: ${x.message}`).join('; '), issues);
  for (const item of items)
    await repo.updateSystem(trx, room.id, item.systemId, { plan: item.plan, target_date: item.targetDate }, now);
  await writeAudit(trx, actor, {
    action: 'data_centre.plan_set',
    objectType: 'data_centre',
    objectId: room.id,
    detail: {
      dataCentre: room.name,
      deadline: room.migration_deadline,
      items: items.map((i) => ({ system: byId.get(i.systemId)?.system_name, plan: i.plan, targetDate: i.targetDate })),
    },
  });
  return (await centresOut(trx, [room], now))[0] as DataCentre;
}

export interface DoneInput {
  doneOn: string;
  dataHandling: string | null;
  projectId: string | null;
  orderNumbers: string[];
}

/** A system left the room (LZ 16(2)): migrated (with its project and orders) or shut down (with its data's handling). */
export async function recordDone(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  centreId: string,
  systemId: string,
  input: DoneInput,
  now: Date,
): Promise<DataCentre> {
  const room = await ownCentre(trx, auth, centreId);
  const s = (await repo.systemsOf(trx, [room.id])).find((x) => x.system_id === systemId);
  if (!s) throw invalid('params.systemId', '不是该机房承载的系统 / not hosted here');
  if (s.classified) throw invalid('params.systemId', '涉密系统不纳入迁移上云 / classified systems stay');
  if (!s.plan) throw new AppError('data_centre_state', '请先在迁移计划中列出该系统 / plan it first');
  if (s.done_on) throw new AppError('data_centre_state', '已记录完成 / already recorded');
  if (input.doneOn > shanghaiDay(now)) throw invalid('body.doneOn', '不能晚于今天 / cannot be in the future');
  if (input.projectId) {
    const project = await getProject(trx, input.projectId);
    if (!project || project.organisationId !== room.organisation_id)
      throw invalid('body.projectId', '不是本单位的项目 / not a project of the unit');
  }
  if (s.plan === 'shut_down' && !input.dataHandling?.trim())
    throw invalid('body.dataHandling', '关停系统须说明数据处理情况（LZ 16(2)） / how the data was handled');
  await repo.updateSystem(
    trx,
    room.id,
    systemId,
    {
      done_on: input.doneOn,
      data_handling: input.dataHandling?.trim() || null,
      project_id: input.projectId,
      order_numbers: input.orderNumbers,
    },
    now,
  );
  await writeAudit(trx, actor, {
    action: s.plan === 'migrate' ? 'data_centre.system_migrated' : 'data_centre.system_shut_down',
    objectType: 'data_centre',
    objectId: room.id,
    detail: {
      system: s.system_name,
      doneOn: input.doneOn,
      orders: input.orderNumbers,
      dataHandling: input.dataHandling,
    },
  });
  return (await centresOut(trx, [room], now))[0] as DataCentre;
}

export interface ClosureInput {
  closedOn: string;
  note: string;
  equipment: Equipment[];
}

/** The room is revoked (LZ 16(3)): all its non-classified systems gone, evidence on file, equipment listed (16(4)). */
export async function closeCentre(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  centreId: string,
  input: ClosureInput,
  now: Date,
): Promise<DataCentre> {
  const room = await ownCentre(trx, auth, centreId);
  if (room.stage === 'closed') throw new AppError('data_centre_state', '机房已撤销 / already closed');
  if (room.stage === 'registered' || room.stage === 'applied')
    throw new AppError('data_centre_state', '机房尚未进入迁移（须先完成认定） / not in migration');
  const systems = await repo.systemsOf(trx, [room.id]);
  const left = systems.filter((s) => !s.classified && !s.done_on);
  const issues: FieldError[] = [];
  if (left.length)
    issues.push({
      field: 'body',
      message: `仍有系统未迁移或关停：${left.map((s) => s.system_name).join('、')} / systems remain`,
    });
  if (input.closedOn > shanghaiDay(now))
    issues.push({ field: 'body.closedOn', message: '不能晚于今天 / in the future' });
  const evidence = await repo.attachmentsOf(trx, room.id, null, ['closure']);
  if (evidence.length === 0)
    issues.push({ field: 'attachments.closure', message: '请先上传撤销证明材料 / upload the closure evidence first' });
  if (issues.length)
    throw new AppError('validation_failed', issues.map((x) => `${x.field}: ${x.message}`).join('; '), issues);
  const updated = await repo.updateCentre(
    trx,
    room.id,
    {
      stage: 'closed',
      closed_on: input.closedOn,
      closure_note: input.note.trim(),
      equipment: JSON.stringify(input.equipment),
      closed_by: auth.name,
    },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'data_centre.closed',
    objectType: 'data_centre',
    objectId: room.id,
    detail: {
      dataCentre: room.name,
      closedOn: input.closedOn,
      equipment: input.equipment.length,
      evidence: evidence.map((e) => e.sha256),
    },
  });
  await notify(trx, {
    jurisdictionId: room.jurisdiction_id,
    to: { role: 'authority_approver' },
    kind: 'data_centre.closed',
    title: {
      zh: `“${room.name}”已撤销，${input.equipment.length} 项设备待统筹利用（LZ 16(4)）`,
      en: `${room.name} closed; ${input.equipment.length} equipment items listed for pooling`,
    },
    link: `/data-centres/${room.id}`,
    entity: { type: 'data_centre', id: room.id },
    occurredAt: now,
  });
  return (await centresOut(trx, [updated], now))[0] as DataCentre;
}

// ------------------------------------------------------------------------------------------ figures

export interface ProgressRow {
  dataCentreId: string;
  name: string;
  organisationName: string;
  stage: DataCentre['stage'];
  migrationDeadline: string | null;
  deadlineArticle: string | null;
  progress: Progress;
}

export function progressRows(centres: DataCentre[]): ProgressRow[] {
  return centres.map((c) => ({
    dataCentreId: c.id,
    name: c.name,
    organisationName: c.organisationName,
    stage: c.stage,
    migrationDeadline: c.migrationDeadline,
    deadlineArticle: c.deadlineArticle,
    progress: c.progress,
  }));
}

export async function migrationProgress(trx: Trx, auth: AuthContext, now: Date) {
  const centres = await allVisible(trx, auth, now);
  const rooms = progressRows(centres.filter((c) => c.migrationDeadline !== null || c.stage === 'closed'));
  const sum = (f: (p: Progress) => number) => rooms.reduce((n, r) => n + f(r.progress), 0);
  return {
    rooms,
    total: {
      rooms: rooms.length,
      systems: sum((p) => p.systems),
      planned: sum((p) => p.planned),
      done: sum((p) => p.done),
      remaining: sum((p) => p.remaining),
      atRisk: rooms.filter((r) => r.progress.atRisk).length,
      closed: rooms.filter((r) => r.stage === 'closed').length,
    },
  };
}

/** The ops unit's picture of the city (LZ 14(1)): rooms, racks, systems still off the cloud, by stage and unit. */
export async function overview(trx: Trx, auth: AuthContext, now: Date) {
  const centres = (await allVisible(trx, auth, now)).filter((c) => c.stage !== 'closed');
  const offCloud = (c: DataCentre) => c.systems.filter((s) => !s.classified && !s.doneOn).length;
  const byStage = new Map<string, { rooms: number; racks: number; systemsOffCloud: number }>();
  const byUnit = new Map<string, { organisationName: string; rooms: number; racks: number; systemsOffCloud: number }>();
  for (const c of centres) {
    const s = byStage.get(c.stage) ?? { rooms: 0, racks: 0, systemsOffCloud: 0 };
    s.rooms++;
    s.racks += c.racks;
    s.systemsOffCloud += offCloud(c);
    byStage.set(c.stage, s);
    const u = byUnit.get(c.organisationId) ?? {
      organisationName: c.organisationName,
      rooms: 0,
      racks: 0,
      systemsOffCloud: 0,
    };
    u.rooms++;
    u.racks += c.racks;
    u.systemsOffCloud += offCloud(c);
    byUnit.set(c.organisationId, u);
  }
  return {
    rooms: centres.length,
    racks: centres.reduce((n, c) => n + c.racks, 0),
    systemsOffCloud: centres.reduce((n, c) => n + offCloud(c), 0),
    classifiedSystems: centres.reduce((n, c) => n + c.systems.filter((s) => s.classified).length, 0),
    selfBuilt: centres.filter((c) => c.construction === 'self_built').length,
    rented: centres.filter((c) => c.construction === 'rented').length,
    atRisk: centres.filter((c) => c.progress.atRisk).length,
    byStage: [...byStage.entries()].map(([stage, v]) => ({ stage: stage as DataCentre['stage'], ...v })),
    byUnit: [...byUnit.entries()]
      .map(([organisationId, v]) => ({ organisationId, ...v }))
      .sort((a, b) => b.racks - a.racks),
  };
}

export interface OnCloudRate {
  /** non-classified systems in service (not retired, not shut down by consolidation) */
  systems: number;
  /** on the city cloud (the systems register says on_cloud, or the migration was recorded) */
  migrated: number;
  /** hosted by a retained room on the day, not migrated otherwise (LZ 14(5)) */
  provisionallyMigrated: number;
  /** (migrated + provisionally migrated) / systems, a decimal string with four places; null without systems */
  rate: string | null;
}

/**
 * The 上云率 of evaluation (LZ 30, DOMAIN.md section 8) for a jurisdiction or one unit on a day: migrated
 * non-classified systems plus, during retention, the systems of retained rooms (LZ 14(5)). For the evaluation
 * module; reads under the caller's transaction.
 */
export async function onCloudRate(
  trx: Trx,
  jurisdictionId: string,
  day: string,
  organisationId?: string,
): Promise<OnCloudRate> {
  const systems = (await systemsOfJurisdictions(trx, [jurisdictionId])).filter(
    (s) => !s.classified && s.status !== 'retired' && (!organisationId || s.organisationId === organisationId),
  );
  const rooms = await repo.centresOfJurisdictions(trx, [jurisdictionId]);
  const hosted = await repo.systemsOf(
    trx,
    rooms.map((r) => r.id),
  );
  const roomOf = new Map(rooms.map((r) => [r.id, r]));
  const hostedBy = new Map(hosted.map((h) => [h.system_id, h]));
  let total = 0;
  let migrated = 0;
  let provisional = 0;
  for (const s of systems) {
    const h = hostedBy.get(s.id);
    const doneByPlan = h?.done_on != null && h.done_on <= day;
    if (doneByPlan && h?.plan === 'shut_down') continue;
    total++;
    if (s.status === 'on_cloud' || doneByPlan) migrated++;
    else if (h) {
      const room = roomOf.get(h.data_centre_id);
      if (room && room.stage !== 'closed' && inRetention(room, day)) provisional++;
    }
  }
  const rate = total === 0 ? null : ratio(migrated + provisional, total);
  return { systems: total, migrated, provisionallyMigrated: provisional, rate };
}

/** n / d rounded half up to four decimal places, in integers. */
function ratio(n: number, d: number): string {
  const tenThousandths = Math.floor((n * 20000 + d) / (2 * d));
  return `${Math.floor(tenThousandths / 10000)}.${String(tenThousandths % 10000).padStart(4, '0')}`;
}

// ------------------------------------------------------------------------------------------ the sweeper

const BATCH = 200;

/**
 * Escalates evaluations and approvals past due (once each), sends the notices before a retention ends at the
 * pack's leads (once each), and moves retained rooms whose retention has ended into migration (LZ 18).
 */
export async function sweepDataCentres(
  db: Db,
  now: Date,
): Promise<{ escalated: number; notices: number; retentionEnded: number }> {
  let escalated = 0;
  for (;;) {
    const n = await db.transaction().execute(async (trx) => {
      const due = await repo.newlyOverdue(trx, now, BATCH);
      for (const a of due) await escalate(trx, a, a.status === 'submitted' ? 'evaluation' : 'approval', now);
      return due.length;
    });
    escalated += n;
    if (n < BATCH) break;
  }
  const today = shanghaiDay(now);
  let notices = 0;
  let retentionEnded = 0;
  await db.transaction().execute(async (trx) => {
    // a year ahead bounds every lead a pack can sensibly give
    const rooms = await repo.retainedEndingBy(trx, addDays(today, 3660));
    const policies = new Map<string, Awaited<ReturnType<typeof dataCentrePolicy>>>();
    for (const room of rooms) {
      const ends = room.retention_ends as string;
      if (today > ends) {
        await repo.updateCentre(trx, room.id, { stage: 'migrating' }, now);
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'data_centre.retention_ended',
          objectType: 'data_centre',
          objectId: room.id,
          detail: { dataCentre: room.name, retentionEnds: ends, migrationDeadline: room.migration_deadline },
        });
        retentionEnded++;
        continue;
      }
      let policy = policies.get(room.jurisdiction_id);
      if (!policy) {
        policy = await dataCentrePolicy(trx, room.jurisdiction_id);
        policies.set(room.jurisdiction_id, policy);
      }
      for (const lead of [policy.retentionNoticeFirstLeadDays, policy.retentionNoticeFinalLeadDays]) {
        if (lead.value === null) continue;
        const noticeDay = addDays(ends, -lead.value);
        if (today < noticeDay) continue;
        const fresh = await repo.recordNotice(trx, {
          data_centre_id: room.id,
          organisation_id: room.organisation_id,
          jurisdiction_id: room.jurisdiction_id,
          kind: 'retention_ending',
          ends_on: ends,
          lead_days: lead.value,
          notice_day: noticeDay,
          sent_at: now,
        });
        if (!fresh) continue;
        notices++;
        const title = {
          zh: `“${room.name}”认定保留期将于 ${ends} 届满（${lead.article ?? ''}）：届满后应于 ${room.migration_deadline ?? '—'} 前完成迁移上云，或再次申请认定`,
          en: `${room.name}: retention ends ${ends}; migrate by ${room.migration_deadline ?? '—'} or apply again`,
        };
        const common = {
          jurisdictionId: room.jurisdiction_id,
          kind: 'data_centre.retention_ending',
          title,
          link: `/data-centres/${room.id}`,
          entity: { type: 'data_centre', id: room.id },
          occurredAt: now,
        };
        await notify(trx, { ...common, to: { organisationId: room.organisation_id } });
        await notify(trx, { ...common, to: { role: 'ops_reviewer' } });
        await writeAudit(trx, SYSTEM_ACTOR, {
          action: 'data_centre.retention_notice',
          objectType: 'data_centre',
          objectId: room.id,
          detail: { dataCentre: room.name, retentionEnds: ends, leadDays: lead.value, noticeDay },
        });
      }
    }
  });
  return { escalated, notices, retentionEnded };
}

export const dataCentreSweepJob: Job<DB> = {
  name: 'datacentres.sweep',
  everyMs: 5 * 60_000,
  run: ({ db, now }) => sweepDataCentres(db as Db, now),
};

export async function noticesSent(trx: Trx, auth: AuthContext, centreId: string) {
  const room = await visibleCentre(trx, auth, centreId);
  return (await repo.noticesOf(trx, room.id)).map((n) => ({
    kind: n.kind,
    endsOn: n.ends_on,
    leadDays: n.lead_days,
    noticeDay: n.notice_day,
    sentAt: n.sent_at.toISOString(),
  }));
}
