import { randomBytes } from 'node:crypto';
import { type Actor, SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { addDays, endOfShanghaiDay, formatShanghai, shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { displayNamesByUsername } from '../identity/index.ts';
import { resourcesInScope } from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import * as repo from './incidents.repository.ts';
import { jurisdictionCode, providerOrganisation } from './operations.repository.ts';
import type { IncidentStatus, Severity } from './operations.table.ts';

// Incidents (TZ 12(5), JQ 11): a provider, or the ops unit for a provider, declares one with its severity and the
// affected zone or resources; the information systems and units touched come from the inventory. Its provider and
// the ops unit post updates (a timeline with status changes), record its end and its report. A major incident's report is due by the pack's
// `monitoring.majorIncidentReportCalendarDays` (Taizhou: 0, the same day, 23:59:59.999 Shanghai time); missing then,
// it is overdue and escalated once to the authority and the ops unit. Incident windows give availability.

export interface IncidentInput {
  severity: Severity;
  title: string;
  description: string;
  zone?: string | null;
  resourceIds?: string[];
  startedAt: string;
  /** the provider whose zone or resources are affected: required when the ops unit declares, else the caller */
  providerId?: string | null;
}

type Listed = NonNullable<Awaited<ReturnType<typeof repo.findIncident>>>;
const OPS_UNIT = 'cloud_operations_unit';
const iso = (d: Date | null) => d?.toISOString() ?? null;

const toIncident = (i: Listed) => ({
  id: i.id,
  number: i.number,
  provider: { id: i.organisation_id, name: i.provider_name ?? '' },
  severity: i.severity,
  status: i.status,
  declaredBy: { id: i.declared_by_organisation_id, name: i.declared_by_name ?? '' },
  title: i.title,
  description: i.description,
  zone: i.zone,
  resourceIds: i.resource_ids,
  systemIds: i.system_ids,
  startedAt: i.started_at.toISOString(),
  endedAt: iso(i.ended_at),
  reportDueAt: iso(i.report_due_at),
  report: i.report,
  reportedAt: iso(i.reported_at),
  overdueSince: iso(i.overdue_since),
});

export async function declare(trx: Trx, auth: AuthContext, actor: Actor, input: IncidentInput, now: Date) {
  const providerId = await declaringFor(trx, auth, input.providerId ?? null);
  const startedAt = new Date(input.startedAt);
  if (Number.isNaN(startedAt.getTime()) || startedAt > now)
    throw invalid('body.startedAt', 'a moment not in the future / 发生时间不能晚于当前时间');
  const zone = input.zone?.trim() || null;
  const resourceIds = [...new Set(input.resourceIds ?? [])];
  if (zone === null && resourceIds.length === 0)
    throw invalid('body.zone', 'name the affected zone or resources / 请填写受影响的网络分区或资源');
  const affected = await resourcesInScope(trx, {
    jurisdictionId: auth.jurisdictionId,
    providerId,
    zone,
    resourceIds,
  });
  const found = new Set(affected.map((r) => r.id));
  const missing = resourceIds.filter((id) => !found.has(id));
  if (missing.length > 0) throw invalid('body.resourceIds', `not resources the provider runs / 不是该服务商运维的资源`);
  const systems = [...new Set(affected.flatMap((r) => (r.systemId ? [r.systemId] : [])))];
  const units = new Map(affected.map((r) => [r.organisationId, r.jurisdictionId]));
  let reportDueAt: Date | null = null;
  if (input.severity === 'major') {
    const policy = await effectivePolicy(trx as unknown as Db, await jurisdictionCode(trx, auth.jurisdictionId));
    const days = policy.monitoring.majorIncidentReportCalendarDays.value as number | null;
    if (days !== null) reportDueAt = endOfShanghaiDay(addDays(shanghaiDay(startedAt), days));
  }
  const i = await repo.insertIncident(trx, {
    number: `SJ${shanghaiDay(now).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`,
    organisation_id: providerId,
    jurisdiction_id: auth.jurisdictionId,
    declared_by_organisation_id: auth.organisationId,
    severity: input.severity,
    title: input.title,
    description: input.description,
    zone,
    resource_ids: affected.map((r) => r.id),
    system_ids: systems,
    started_at: startedAt,
    report_due_at: reportDueAt,
    created_by: actor.name ?? actor.kind,
    created_at: now,
  });
  await repo.insertIncidentUnits(
    trx,
    i,
    [...units].map(([organisationId, jurisdictionId]) => ({ organisationId, jurisdictionId })),
  );
  await writeAudit(trx, actor, {
    action: 'incident.declared',
    objectType: 'incident',
    objectId: i.id,
    detail: {
      number: i.number,
      severity: i.severity,
      resources: affected.length,
      units: units.size,
      providerId,
      declaredBy: auth.organisationId,
    },
  });
  await repo.insertUpdate(trx, i, {
    kind: 'declared',
    body: input.description,
    statusFrom: null,
    statusTo: i.status,
    author: actorName(actor),
    authorOrganisationId: auth.organisationId,
    at: now,
  });
  const title = { zh: `${SEVERITY_ZH[i.severity]}：${i.title}`, en: `${i.severity} incident: ${i.title}` };
  const common = {
    jurisdictionId: i.jurisdiction_id,
    kind: 'incident.declared',
    title,
    link: `/operations/incidents/${i.id}`,
    entity: { type: 'incident', id: i.id },
    occurredAt: now,
  };
  await notify(trx, { ...common, to: { role: 'ops_reviewer' } });
  if (i.severity === 'major') await notify(trx, { ...common, to: { role: 'authority_approver' } });
  // declared by the ops unit: the provider hears of it too
  if (providerId !== auth.organisationId) await notify(trx, { ...common, to: { organisationId: providerId } });
  for (const organisationId of units.keys()) await notify(trx, { ...common, to: { organisationId } });
  return getIncident(trx, auth, i.id);
}

const actorName = (a: Actor) => a.name ?? a.kind;

/** A provider declares for itself; the ops unit for a provider of its jurisdiction it names. */
async function declaringFor(trx: Trx, auth: AuthContext, providerId: string | null): Promise<string> {
  if (auth.organisationType === 'cloud_service_provider') {
    if (providerId !== null && providerId !== auth.organisationId)
      throw invalid('body.providerId', 'a provider declares its own incidents / 云服务商只能申报本服务商的事件');
    return auth.organisationId;
  }
  if (auth.organisationType !== OPS_UNIT)
    throw new AppError('forbidden', 'a provider or the ops unit declares incidents / 事件由云服务商或运管单位申报');
  if (providerId === null) throw invalid('body.providerId', 'name the provider concerned / 请选择相关云服务商');
  const p = await providerOrganisation(trx, providerId, auth.jurisdictionId);
  if (!p) throw invalid('body.providerId', 'no such cloud service provider / 云服务商不存在');
  return p.id;
}
const SEVERITY_ZH: Record<Severity, string> = { major: '重大事件', significant: '较大事件', minor: '一般事件' };

export async function listIncidents(trx: Trx, auth: AuthContext, page: { limit: number; offset: number }) {
  const { rows, total } = await repo.listIncidents(trx, auth.visibility, page);
  return { items: rows.map(toIncident), total };
}

/** An incident with its timeline: who (display name and organisation), when, what, and any status change. */
export async function getIncident(trx: Trx, auth: AuthContext, id: string) {
  const i = await repo.findIncident(trx, auth.visibility, id);
  if (!i) throw notFound(`incident ${id} / 事件不存在`);
  const updates = await repo.incidentUpdates(trx, i.id);
  const names = await displayNamesByUsername(
    trx as unknown as Db,
    updates.map((u) => u.author),
  );
  return {
    ...toIncident(i),
    updates: updates.map((u) => ({
      kind: u.kind,
      body: u.body,
      statusFrom: u.status_from,
      statusTo: u.status_to,
      author: u.author,
      authorName: u.author === 'system' ? '系统' : (names.get(u.author) ?? u.author),
      organisationName: u.organisation_name ?? '',
      at: u.created_at.toISOString(),
    })),
  };
}

/** An incident the caller acts on: its provider's, or any of the jurisdiction's for the ops unit; locked. */
async function ownIncident(trx: Trx, auth: AuthContext, id: string) {
  const i = await repo.findIncident(trx, auth.visibility, id, true);
  const v = auth.visibility;
  const mine =
    i !== undefined &&
    (v.kind === 'organisation'
      ? v.organisations.includes(i.organisation_id)
      : auth.organisationType === OPS_UNIT && v.jurisdictions.includes(i.jurisdiction_id));
  if (!i || !mine) throw notFound(`incident ${id} / 事件不存在`);
  return i;
}

export async function end(trx: Trx, auth: AuthContext, actor: Actor, id: string, endedAt: string, now: Date) {
  const i = await ownIncident(trx, auth, id);
  if (i.ended_at) throw new AppError('conflict', 'the incident has ended / 事件已结束');
  const at = new Date(endedAt);
  if (Number.isNaN(at.getTime()) || at <= i.started_at || at > now)
    throw invalid('body.endedAt', 'after the start and not in the future / 须晚于发生时间且不晚于当前时间');
  await repo.updateIncident(trx, i.id, { ended_at: at, status: 'ended' });
  await writeAudit(trx, actor, {
    action: 'incident.ended',
    objectType: 'incident',
    objectId: i.id,
    detail: { number: i.number, endedAt: at.toISOString() },
  });
  await repo.insertUpdate(trx, i, {
    kind: 'ended',
    body: `服务已于 ${formatShanghai(at).slice(0, 16).replace('T', ' ')}（北京时间）恢复`,
    statusFrom: i.status,
    statusTo: 'ended',
    author: actorName(actor),
    authorOrganisationId: auth.organisationId,
    at: now,
  });
  return getIncident(trx, auth, id);
}

export async function report(trx: Trx, auth: AuthContext, actor: Actor, id: string, text: string, now: Date) {
  const i = await ownIncident(trx, auth, id);
  await repo.updateIncident(trx, i.id, { report: text, reported_at: now });
  await writeAudit(trx, actor, {
    action: 'incident.reported',
    objectType: 'incident',
    objectId: i.id,
    detail: { number: i.number, late: i.report_due_at !== null && now > i.report_due_at },
  });
  await repo.insertUpdate(trx, i, {
    kind: 'reported',
    body: text,
    statusFrom: null,
    statusTo: null,
    author: actorName(actor),
    authorOrganisationId: auth.organisationId,
    at: now,
  });
  return getIncident(trx, auth, id);
}

/**
 * An update during the incident (what is known, what is being done), with an optional change of status; the touched
 * units and the ops unit are told. Its end stays its own step (`end`, with the moment service came back).
 */
export async function postUpdate(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { body: string; status?: Exclude<IncidentStatus, 'ended'> | null },
  now: Date,
) {
  const i = await ownIncident(trx, auth, id);
  if (i.ended_at) throw new AppError('conflict', 'the incident has ended / 事件已结束，请通过事件报告补充说明');
  const body = input.body.trim();
  if (body === '') throw invalid('body.body', 'say what is known or being done / 请填写进展说明');
  const to = input.status && input.status !== i.status ? input.status : null;
  if (to) await repo.updateIncident(trx, i.id, { status: to });
  await repo.insertUpdate(trx, i, {
    kind: 'update',
    body,
    statusFrom: to ? i.status : null,
    statusTo: to,
    author: actorName(actor),
    authorOrganisationId: auth.organisationId,
    at: now,
  });
  await writeAudit(trx, actor, {
    action: 'incident.updated',
    objectType: 'incident',
    objectId: i.id,
    detail: { number: i.number, statusFrom: to ? i.status : null, statusTo: to },
  });
  const common = {
    jurisdictionId: i.jurisdiction_id,
    kind: 'incident.updated',
    title: {
      zh: `事件 ${i.number} 进展${to ? `（${STATUS_ZH[to]}）` : ''}：${i.title}`,
      en: `Incident ${i.number} update${to ? ` (${to})` : ''}: ${i.title}`,
    },
    body: { zh: body, en: body },
    link: `/operations/incidents/${i.id}`,
    entity: { type: 'incident', id: i.id },
    occurredAt: now,
  };
  await notify(trx, { ...common, to: { role: 'ops_reviewer' } });
  if (i.organisation_id !== auth.organisationId)
    await notify(trx, { ...common, to: { organisationId: i.organisation_id } });
  for (const organisationId of await repo.incidentUnitIds(trx, i.id))
    await notify(trx, { ...common, to: { organisationId } });
  return getIncident(trx, auth, id);
}

const STATUS_ZH: Record<IncidentStatus, string> = {
  investigating: '排查中',
  identified: '已定位原因',
  recovering: '恢复中',
  monitoring: '观察中',
  ended: '已恢复',
};

/** Escalates, once each, major incidents whose report is overdue. */
export async function sweepIncidents(db: Db, now: Date) {
  return db.transaction().execute(async (trx) => {
    const due = await repo.reportsOverdue(trx, now);
    for (const i of due) {
      await repo.updateIncident(trx, i.id, { overdue_since: now });
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: 'incident.report_overdue',
        objectType: 'incident',
        objectId: i.id,
        detail: { number: i.number, reportDueAt: iso(i.report_due_at) },
      });
      const common = {
        jurisdictionId: i.jurisdiction_id,
        kind: 'incident.report_overdue',
        title: {
          zh: `重大事件 ${i.number} 未按时提交事件报告（TZ 12(5) 要求当天提交）`,
          en: `Major incident ${i.number}: its same-day report is overdue`,
        },
        link: `/operations/incidents/${i.id}`,
        entity: { type: 'incident', id: i.id },
        occurredAt: now,
      };
      await notify(trx, { ...common, to: { role: 'authority_approver' } });
      await notify(trx, { ...common, to: { role: 'ops_reviewer' } });
      await notify(trx, { ...common, to: { organisationId: i.organisation_id, role: 'provider_admin' } });
    }
    return { escalated: due.length };
  });
}

export const incidentSweepJob: Job<DB> = {
  name: 'operations.incident_sweep',
  everyMs: 5 * 60_000,
  run: async ({ db, now }) => {
    await sweepIncidents(db as Db, now);
  },
};

/** Availability in [from, to) per provider, zone and system from unplanned incident windows (overlaps merged). */
export async function availability(trx: Trx, auth: AuthContext, fromDay: string, toDay: string, now: Date) {
  const from = endOfShanghaiDay(addDays(fromDay, -1));
  const fromAt = new Date(from.getTime() + 1);
  const toAt = new Date(endOfShanghaiDay(addDays(toDay, -1)).getTime() + 1);
  if (toAt <= fromAt) throw invalid('query.to', 'must be after from / 结束日期须晚于开始日期');
  const periodSeconds = (toAt.getTime() - fromAt.getTime()) / 1000;
  const rows = await repo.downtime(trx, auth.visibility, fromAt, toAt, now);
  const item = (r: (typeof rows)[number]) => {
    const down = Number(r.seconds);
    return {
      key: r.key,
      name: r.name,
      downtimeSeconds: down,
      availabilityPercent: Math.round((1 - down / periodSeconds) * 1_000_000) / 10_000,
    };
  };
  return {
    from: fromDay,
    to: toDay,
    periodSeconds,
    providers: rows.filter((r) => r.dimension === 'provider').map(item),
    zones: rows.filter((r) => r.dimension === 'zone').map(item),
    systems: rows.filter((r) => r.dimension === 'system').map(item),
  };
}
