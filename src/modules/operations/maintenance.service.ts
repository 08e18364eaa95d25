import { randomBytes } from 'node:crypto';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { formatShanghai, shanghaiDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { displayNamesByUsername } from '../identity/index.ts';
import { resourcesInScope } from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import * as repo from './operations.repository.ts';
import type {
  Answer,
  MaintenanceKind,
  MaintenanceRow,
  MaintenanceStatus,
  MaintenanceUnitRow,
} from './operations.table.ts';

// Planned maintenance (JQ 13): the provider applies with the window, the affected zone or resources and the
// impact at least the pack's working days ahead (a late application is refused with the article); a sudden
// interruption may be applied for at any time. Either way it takes effect only after the authority has notified
// the affected units (derived from the inventory, each told once), heard their confirmation or objection, and
// agreed the final window.

export interface MaintenanceInput {
  kind: MaintenanceKind;
  title: string;
  impact: string;
  zone?: string | null;
  resourceIds?: string[];
  startsAt: string;
  endsAt: string;
}

const actorName = (a: Actor) => a.name ?? a.kind;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const STATUS_ZH: Record<MaintenanceStatus, string> = {
  applied: '已申请',
  consulting: '征求意见中',
  agreed: '已同意',
  refused: '未同意',
  withdrawn: '已撤回',
};

type Listed = MaintenanceRow & { provider_name: string | null };
type UnitListed = Omit<MaintenanceUnitRow, 'unit_name'> & { unit_name: string | null };

export function toMaintenance(m: Listed) {
  return {
    id: m.id,
    number: m.number,
    provider: { id: m.organisation_id, name: m.provider_name ?? '' },
    kind: m.kind,
    title: m.title,
    impact: m.impact,
    zone: m.zone,
    resourceIds: m.resource_ids,
    startsAt: m.starts_at.toISOString(),
    endsAt: m.ends_at.toISOString(),
    status: m.status,
    leadTime:
      m.lead_working_days === null
        ? null
        : { workingDays: m.lead_working_days, article: m.lead_article, lastDayBefore: m.lead_due_day },
    affectedResources: m.affected_resources,
    appliedBy: m.applied_by,
    appliedAt: m.applied_at.toISOString(),
    notifiedAt: iso(m.notified_at),
    decidedAt: iso(m.decided_at),
    decidedBy: m.decided_by,
    decisionNote: m.decision_note,
  };
}

const toUnit = (u: UnitListed) => ({
  unit: { id: u.organisation_id, name: u.unit_name ?? '' },
  resourceIds: u.resource_ids,
  notifiedAt: iso(u.notified_at),
  answer: u.answer,
  answerNote: u.answer_note,
  answeredAt: iso(u.answered_at),
});

function parseWindow(input: { startsAt: string; endsAt: string }, now: Date, future = true) {
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (Number.isNaN(startsAt.getTime())) throw invalid('body.startsAt', 'not a date-time / 时间格式无效');
  if (Number.isNaN(endsAt.getTime())) throw invalid('body.endsAt', 'not a date-time / 时间格式无效');
  if (endsAt <= startsAt) throw invalid('body.endsAt', 'must be after the start / 结束时间须晚于开始时间');
  if (future && startsAt <= now) throw invalid('body.startsAt', 'must be in the future / 开始时间须晚于当前时间');
  return { startsAt, endsAt };
}

async function leadTimeRule(trx: Trx, jurisdictionId: string) {
  const code = await repo.jurisdictionCode(trx, jurisdictionId);
  const c = (await effectivePolicy(trx as unknown as Db, code)).provider.plannedInterruptionLeadWorkingDays;
  return { code, days: (c.value as number | null) ?? null, article: c.article ?? null };
}

export async function apply(trx: Trx, auth: AuthContext, actor: Actor, input: MaintenanceInput, now: Date) {
  if (auth.organisationType !== 'cloud_service_provider')
    throw new AppError('forbidden', 'only a cloud service provider applies / 仅云服务商可提出申请');
  const { startsAt, endsAt } = parseWindow(input, now);
  const zone = input.zone?.trim() || null;
  const resourceIds = [...new Set(input.resourceIds ?? [])];
  if (zone === null && resourceIds.length === 0)
    throw invalid('body.zone', 'name the affected zone or resources / 请填写受影响的网络分区或资源');
  let lead: { days: number; article: string | null; dueDay: string } | null = null;
  if (input.kind === 'planned') {
    const rule = await leadTimeRule(trx, auth.jurisdictionId);
    if (rule.days !== null) {
      const due = await addWorkingDays(trx as unknown as Db, rule.code, now, rule.days);
      if (shanghaiDay(startsAt) <= due.dueDay) {
        const message =
          `${rule.article}: a planned interruption is applied for at least ${rule.days} working days ahead; applied ` +
          `${formatShanghai(now)}, the window may start on the day after ${due.dueDay} at the earliest / 依据${rule.article}，` +
          `计划性中断须至少提前${rule.days}个工作日申请，本次申请的维护窗口最早可于 ${due.dueDay} 之后开始；突发情况请按临时中断申请`;
        throw new AppError('lead_time_too_short', message, [{ field: 'body.startsAt', message }]);
      }
      lead = { days: rule.days, article: rule.article, dueDay: due.dueDay };
    }
  }
  const affected = await resourcesInScope(trx, {
    jurisdictionId: auth.jurisdictionId,
    providerId: auth.organisationId,
    zone,
    resourceIds,
  });
  const found = new Set(affected.map((r) => r.id));
  const missing = resourceIds.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw invalid('body.resourceIds', `not resources you run: ${missing.join(', ')} / 不是本服务商运维的资源`);
  const byUnit = new Map<string, { organisationId: string; jurisdictionId: string; resourceIds: string[] }>();
  for (const r of affected) {
    const u = byUnit.get(r.organisationId) ?? {
      organisationId: r.organisationId,
      jurisdictionId: r.jurisdictionId,
      resourceIds: [],
    };
    u.resourceIds.push(r.id);
    byUnit.set(r.organisationId, u);
  }
  const m = await repo.insertMaintenance(trx, {
    number: `WH${shanghaiDay(now).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`,
    organisation_id: auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    kind: input.kind,
    title: input.title,
    impact: input.impact,
    zone,
    resource_ids: resourceIds,
    starts_at: startsAt,
    ends_at: endsAt,
    lead_working_days: lead?.days ?? null,
    lead_article: lead?.article ?? null,
    lead_due_day: lead?.dueDay ?? null,
    affected_resources: affected.length,
    applied_by: actorName(actor),
    applied_at: now,
    updated_at: now,
  });
  await repo.insertMaintenanceUnits(trx, m, [...byUnit.values()]);
  await writeAudit(trx, actor, {
    action: 'maintenance.applied',
    objectType: 'maintenance_window',
    objectId: m.id,
    detail: {
      number: m.number,
      kind: m.kind,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      zone,
      resources: affected.length,
      units: byUnit.size,
    },
  });
  await notify(trx, {
    jurisdictionId: auth.jurisdictionId,
    to: { role: 'authority_approver' },
    kind: 'maintenance.applied',
    title: {
      zh: `${input.kind === 'sudden' ? '临时中断' : '计划维护'}申请 ${m.number}：${m.title}`,
      en: `${input.kind === 'sudden' ? 'Sudden interruption' : 'Planned maintenance'} ${m.number}: ${m.title}`,
    },
    link: `/operations/maintenance/${m.id}`,
    entity: { type: 'maintenance_window', id: m.id },
    occurredAt: now,
  });
  return getMaintenance(trx, auth, m.id);
}

export async function listMaintenance(
  trx: Trx,
  auth: AuthContext,
  f: { status?: MaintenanceStatus; from?: Date; to?: Date },
  page: { limit: number; offset: number },
) {
  const { rows, total } = await repo.listMaintenance(trx, auth.visibility, f, page);
  return { items: rows.map(toMaintenance), total };
}

export async function getMaintenance(trx: Trx, auth: AuthContext, id: string) {
  const m = await repo.findMaintenance(trx, auth.visibility, id);
  if (!m) throw notFound(`maintenance ${id} / 维护申请不存在`);
  const units = await repo.maintenanceUnits(trx, auth.visibility, id);
  const names = await displayNamesByUsername(
    trx as unknown as Db,
    [m.applied_by, m.decided_by].filter((n): n is string => n !== null),
  );
  return {
    ...toMaintenance(m),
    appliedByName: names.get(m.applied_by) ?? m.applied_by,
    decidedByName: m.decided_by === null ? null : (names.get(m.decided_by) ?? m.decided_by),
    units: units.map(toUnit),
  };
}

async function locked(trx: Trx, auth: AuthContext, id: string) {
  const m = await repo.findMaintenance(trx, auth.visibility, id, true);
  if (!m) throw notFound(`maintenance ${id} / 维护申请不存在`);
  return m;
}

const notInStatus = (m: MaintenanceRow, wanted: string) =>
  new AppError(
    'conflict',
    `the application is ${m.status}, not ${wanted} / 申请当前状态为“${STATUS_ZH[m.status]}”，不能办理此操作`,
  );

/** The authority's step (JQ 13): every affected unit is told, once, and asked to confirm or object. */
export async function notifyUnits(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const m = await locked(trx, auth, id);
  if (m.status !== 'applied') throw notInStatus(m, 'applied');
  const marked = await repo.markUnitsNotified(trx, m.id, now);
  await repo.updateMaintenance(trx, m.id, {
    status: 'consulting',
    notified_at: now,
    notified_by: actorName(actor),
    updated_at: now,
  });
  for (const u of marked)
    await notify(trx, {
      jurisdictionId: u.jurisdiction_id,
      to: { organisationId: u.organisation_id },
      kind: 'maintenance.consultation',
      title: {
        zh: `${m.provider_name} ${m.kind === 'sudden' ? '临时中断' : '计划维护'}：${formatShanghai(m.starts_at).slice(0, 16).replace('T', ' ')} 至 ${formatShanghai(m.ends_at).slice(0, 16).replace('T', ' ')}，请确认或提出异议`,
        en: `${m.provider_name} maintenance ${m.starts_at.toISOString()} to ${m.ends_at.toISOString()}: confirm or object`,
      },
      body: { zh: m.impact, en: m.impact },
      link: `/operations/maintenance/${m.id}`,
      entity: { type: 'maintenance_window', id: m.id },
      occurredAt: now,
    });
  await writeAudit(trx, actor, {
    action: 'maintenance.units_notified',
    objectType: 'maintenance_window',
    objectId: m.id,
    detail: { number: m.number, units: marked.map((u) => u.organisation_id) },
  });
  return getMaintenance(trx, auth, id);
}

export async function answer(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { answer: Answer; note?: string | null },
  now: Date,
) {
  const m = await locked(trx, auth, id);
  if (m.status !== 'consulting') throw notInStatus(m, 'consulting');
  if (input.answer === 'objected' && !input.note?.trim())
    throw invalid('body.note', 'say why you object / 请说明异议理由');
  const row = await repo.answerUnit(trx, m.id, auth.organisationId, {
    answer: input.answer,
    answer_note: input.note?.trim() || null,
    answered_at: now,
    answered_by: actorName(actor),
  });
  if (!row) throw notFound(`maintenance ${id} / 维护申请不存在`);
  await writeAudit(trx, actor, {
    action: `maintenance.${input.answer}`,
    objectType: 'maintenance_window',
    objectId: m.id,
    detail: { number: m.number, organisationId: auth.organisationId, note: input.note ?? null },
  });
  return getMaintenance(trx, auth, id);
}

export async function decide(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { decision: 'agree' | 'refuse'; startsAt?: string; endsAt?: string; note?: string | null },
  now: Date,
) {
  const m = await locked(trx, auth, id);
  if (m.status !== 'consulting') throw notInStatus(m, 'consulting (the affected units notified)');
  const units = await repo.maintenanceUnits(trx, auth.visibility, m.id);
  const objected = units.filter((u) => u.answer === 'objected');
  const note = input.note?.trim() || null;
  if (input.decision === 'refuse' && !note) throw invalid('body.note', 'say why / 请说明理由');
  if (input.decision === 'agree' && objected.length > 0 && !note)
    throw invalid(
      'body.note',
      'units objected: say how the window was agreed with them / 有单位提出异议，请说明协商结果',
    );
  const window =
    input.decision === 'agree' && (input.startsAt || input.endsAt)
      ? parseWindow(
          {
            startsAt: input.startsAt ?? m.starts_at.toISOString(),
            endsAt: input.endsAt ?? m.ends_at.toISOString(),
          },
          now,
        )
      : null;
  await repo.updateMaintenance(trx, m.id, {
    status: input.decision === 'agree' ? 'agreed' : 'refused',
    ...(window ? { starts_at: window.startsAt, ends_at: window.endsAt } : {}),
    decided_at: now,
    decided_by: actorName(actor),
    decision_note: note,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: input.decision === 'agree' ? 'maintenance.agreed' : 'maintenance.refused',
    objectType: 'maintenance_window',
    objectId: m.id,
    detail: {
      number: m.number,
      startsAt: (window?.startsAt ?? m.starts_at).toISOString(),
      endsAt: (window?.endsAt ?? m.ends_at).toISOString(),
      objections: objected.length,
      note,
    },
  });
  const title = {
    zh: `维护申请 ${m.number} ${input.decision === 'agree' ? '已同意实施' : '未获同意'}`,
    en: `Maintenance ${m.number} ${input.decision === 'agree' ? 'agreed' : 'refused'}`,
  };
  const common = {
    jurisdictionId: m.jurisdiction_id,
    kind: `maintenance.${input.decision === 'agree' ? 'agreed' : 'refused'}`,
    title,
    link: `/operations/maintenance/${m.id}`,
    entity: { type: 'maintenance_window', id: m.id },
    occurredAt: now,
  };
  await notify(trx, { ...common, to: { organisationId: m.organisation_id } });
  if (input.decision === 'agree')
    for (const u of units) await notify(trx, { ...common, to: { organisationId: u.organisation_id } });
  return getMaintenance(trx, auth, id);
}

/** For monitoring (passed in by app.ts): resources under an agreed window at `at`; no silent-agent finding on them. */
export async function resourcesUnderAgreedMaintenance(
  trx: Trx | Db,
  jurisdictionId: string,
  at: Date,
): Promise<readonly string[]> {
  return repo.resourcesUnderAgreedMaintenance(trx, jurisdictionId, at);
}
