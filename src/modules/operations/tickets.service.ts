import { randomBytes } from 'node:crypto';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { addWorkingTime } from '../calendar/index.ts';
import { displayNamesByUsername } from '../identity/index.ts';
import { getResource, systemProviders } from '../inventory/index.ts';
import { notify } from '../notifications/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import { getSystem } from '../projects/index.ts';
import * as repo from './operations.repository.ts';
import type { EntryRow, Priority, TicketKind, TicketRow, TicketStatus } from './operations.table.ts';

// The service desk (TZ 12): tickets from using units routed to the provider that serves them, with the pack's
// response target counted in wall-clock time (7x24), first response, updates, resolution, the unit's confirmation
// and satisfaction rating. A ticket not answered by its target is breached and escalated once: to the provider's
// administrators and the ops unit, by the sweep or by the late answer itself, whichever comes first.

export interface TicketInput {
  kind: TicketKind;
  priority: Priority;
  subject: string;
  description: string;
  resourceId?: string | null;
  /** an information system alone: routed to the provider(s) running its resources (choose one with providerId) */
  systemId?: string | null;
  providerId?: string | null;
}

type Listed = TicketRow & { provider_name: string | null };

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toTicket(t: Listed, now: Date) {
  const respondedIn =
    t.first_response_at === null ? null : Math.round((t.first_response_at.getTime() - t.created_at.getTime()) / 1000);
  return {
    id: t.id,
    number: t.number,
    unit: { id: t.organisation_id, name: t.unit_name },
    provider: { id: t.provider_id, name: t.provider_name ?? '' },
    kind: t.kind,
    priority: t.priority,
    subject: t.subject,
    description: t.description,
    resource: t.resource_id === null ? null : { id: t.resource_id, name: t.resource_name ?? '' },
    system: t.system_id === null ? null : { id: t.system_id, name: t.system_name ?? '' },
    status: t.status,
    response: {
      targetMinutes: t.response_minutes,
      article: t.response_article,
      dueAt: iso(t.response_due_at),
      respondedAt: iso(t.first_response_at),
      respondedInSeconds: respondedIn,
      /** seconds left before the target while unanswered (negative: over it); null when answered or no target */
      remainingSeconds:
        t.response_due_at === null || t.first_response_at !== null
          ? null
          : Math.floor((t.response_due_at.getTime() - now.getTime()) / 1000),
      met: t.response_due_at === null || t.first_response_at === null ? null : !t.response_breached,
      breached: t.response_breached,
      escalatedAt: iso(t.escalated_at),
    },
    resolutionTarget: {
      targetHours: t.resolution_hours,
      /** how the hours are counted: null wall-clock 7x24, else service hours of the calendar's working days */
      workingTime:
        t.resolution_service_hours === null
          ? null
          : {
              hoursPerDay: t.resolution_service_hours,
              startHour: t.resolution_service_start_hour ?? 0,
            },
      note: t.resolution_note,
      article: t.resolution_article,
      dueAt: iso(t.resolution_due_at),
      resolvedInSeconds:
        t.resolved_at === null ? null : Math.round((t.resolved_at.getTime() - t.created_at.getTime()) / 1000),
      /** seconds left while unresolved (negative: over it); null when resolved or no target */
      remainingSeconds:
        t.resolution_due_at === null || t.resolved_at !== null
          ? null
          : Math.floor((t.resolution_due_at.getTime() - now.getTime()) / 1000),
      met: t.resolution_due_at === null || t.resolved_at === null ? null : !t.resolution_breached,
      /** when the missed target was told to the provider and the ops unit (once) */
      escalatedAt: iso(t.resolution_escalated_at),
      /** unresolved past the due moment, or resolved after it */
      overdue:
        t.resolution_due_at !== null &&
        (t.resolved_at === null ? now.getTime() > t.resolution_due_at.getTime() : t.resolution_breached),
    },
    resolvedAt: iso(t.resolved_at),
    resolution: t.resolution,
    confirmedAt: iso(t.confirmed_at),
    satisfaction: t.satisfaction,
    satisfactionComment: t.satisfaction_comment,
    createdBy: t.created_by,
    createdAt: t.created_at.toISOString(),
  };
}

const toEntry = (e: Pick<EntryRow, 'kind' | 'body' | 'author' | 'created_at'>, names: Map<string, string>) => ({
  kind: e.kind,
  body: e.body,
  author: e.author,
  /** the person's display name (the account's, else the recorded name: 'system', a token's name) */
  authorName: e.author === 'system' ? '系统' : (names.get(e.author) ?? e.author),
  at: e.created_at.toISOString(),
});

const actorName = (a: Actor) => a.name ?? a.kind;

function ticketNumber(now: Date): string {
  return `GD${shanghaiDay(now).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

const RESOLUTION_KEY = {
  urgent: 'ticketResolutionHoursUrgent',
  high: 'ticketResolutionHoursHigh',
  normal: 'ticketResolutionHoursNormal',
  low: 'ticketResolutionHoursLow',
} as const satisfies Record<Priority, string>;

/**
 * The targets a ticket of this priority is held to, from the jurisdiction's effective pack: the response (TZ 12(2))
 * and the resolution of its priority (the pack's defaults: no regulation gives one; its note says so, and the
 * article of the provider's duty of continuous service it serves, where the pack has one, goes with it).
 */
async function targets(trx: Trx, jurisdictionId: string, priority: Priority, now: Date) {
  const code = await repo.jurisdictionCode(trx, jurisdictionId);
  const policy = await effectivePolicy(trx as unknown as Db, code);
  const c = policy.provider.responseMinutesMax;
  const r = policy.defaults[RESOLUTION_KEY[priority]];
  const resolutionHours = (r.value as number | null) ?? null;
  // Counted in the service hours of working days where the pack says so (issue 18), else wall-clock 7x24.
  const perDay = (policy.defaults.ticketResolutionWorkingHoursPerDay.value as number | null) ?? 0;
  const startHour = (policy.defaults.ticketServiceDayStartHour.value as number | null) ?? 9;
  const service = perDay > 0 ? { hours: Math.min(perDay, 24 - startHour), startHour } : null;
  let resolutionDueAt: Date | null = null;
  if (resolutionHours !== null && service === null)
    resolutionDueAt = new Date(now.getTime() + resolutionHours * 3_600_000);
  else if (resolutionHours !== null && service !== null) {
    const hours = { startMinute: service.startHour * 60, endMinute: (service.startHour + service.hours) * 60 };
    resolutionDueAt = (await addWorkingTime(trx as unknown as Db, code, now, resolutionHours * 60, hours)).due;
  }
  return {
    minutes: (c.value as number | null) ?? null,
    article: c.article ?? null,
    resolutionHours,
    resolutionNote: r.note ?? null,
    resolutionArticle: r.article ?? policy.provider.continuousOperation.article ?? null,
    resolutionDueAt,
    service,
  };
}

export async function openTicket(trx: Trx, auth: AuthContext, actor: Actor, input: TicketInput, now: Date) {
  let organisationId = auth.organisationId;
  let providerId: string;
  let resource: { id: string; name: string } | null = null;
  let systemId: string | null = null;
  let systemName: string | null = null;
  if (input.resourceId) {
    const r = await getResource(trx, auth, input.resourceId).catch(() => null);
    const foreign =
      !r || (auth.visibility.kind === 'organisation' && !auth.visibility.organisations.includes(r.organisationId));
    if (!r || foreign) throw invalid('body.resourceId', 'not one of your resources / 不是本单位的资源');
    organisationId = r.organisationId;
    providerId = r.providerId;
    resource = { id: r.id, name: r.name };
    systemId = r.systemId;
    systemName = r.systemId ? ((await getSystem(trx, r.systemId))?.name ?? null) : null;
  } else if (input.systemId) {
    const s = await systemRouting(trx, auth, input.systemId, input.providerId ?? null);
    ({ organisationId, providerId } = s);
    systemId = s.id;
    systemName = s.name;
  } else if (input.providerId) {
    const p = await repo.providerOrganisation(trx, input.providerId, auth.jurisdictionId);
    if (!p) throw invalid('body.providerId', 'no such cloud service provider / 云服务商不存在');
    providerId = p.id;
  } else {
    throw invalid('body.resourceId', 'name the resource concerned, or the provider / 请选择相关资源或云服务商');
  }
  const unitName = (await repo.organisationName(trx, organisationId)) ?? '';
  const target = await targets(trx, auth.jurisdictionId, input.priority, now);
  const t = await repo.insertTicket(trx, {
    number: ticketNumber(now),
    organisation_id: organisationId,
    jurisdiction_id: auth.jurisdictionId,
    provider_id: providerId,
    unit_name: unitName,
    kind: input.kind,
    priority: input.priority,
    subject: input.subject,
    description: input.description,
    resource_id: resource?.id ?? null,
    resource_name: resource?.name ?? null,
    system_id: systemId,
    system_name: systemName,
    response_minutes: target.minutes,
    response_article: target.article,
    response_due_at: target.minutes === null ? null : new Date(now.getTime() + target.minutes * 60_000),
    first_response_at: null,
    first_response_by: null,
    escalated_at: null,
    resolved_at: null,
    resolved_by: null,
    resolution: null,
    confirmed_at: null,
    confirmed_by: null,
    satisfaction: null,
    satisfaction_comment: null,
    resolution_hours: target.resolutionHours,
    resolution_note: target.resolutionNote,
    resolution_article: target.resolutionArticle,
    resolution_due_at: target.resolutionDueAt,
    resolution_service_hours: target.service?.hours ?? null,
    resolution_service_start_hour: target.service?.startHour ?? null,
    created_by: actorName(actor),
    created_at: now,
    updated_at: now,
  });
  await repo.insertEntry(trx, t, 'opened', input.description, actorName(actor), now);
  await writeAudit(trx, actor, {
    action: 'service_ticket.opened',
    objectType: 'service_ticket',
    objectId: t.id,
    detail: { number: t.number, providerId, kind: t.kind, priority: t.priority, responseDueAt: iso(t.response_due_at) },
  });
  await notify(trx, {
    jurisdictionId: t.jurisdiction_id,
    to: { organisationId: providerId },
    kind: 'ticket.opened',
    title: { zh: `新工单 ${t.number}：${t.subject}`, en: `New ticket ${t.number}: ${t.subject}` },
    body:
      t.response_due_at === null
        ? undefined
        : {
            zh: `请于 ${t.response_minutes} 分钟内响应（${t.response_article}）`,
            en: `Respond within ${t.response_minutes} minutes (${t.response_article})`,
          },
    link: `/operations/tickets/${t.id}`,
    entity: { type: 'service_ticket', id: t.id },
    occurredAt: now,
  });
  return getTicket(trx, auth, t.id, now);
}

/**
 * A ticket against an information system alone: the unit owning it, and the provider that serves it, from the
 * inventory (the providers running its live resources). Several: the unit names one of them; none: refused.
 */
async function systemRouting(trx: Trx, auth: AuthContext, systemId: string, providerId: string | null) {
  const s = await getSystem(trx, systemId);
  const v = auth.visibility;
  const foreign =
    !s ||
    s.jurisdictionId !== auth.jurisdictionId ||
    (v.kind === 'organisation' && !v.organisations.includes(s.organisationId));
  if (!s || foreign) throw invalid('body.systemId', 'not one of your information systems / 不是本单位的信息系统');
  const serving = (await systemProviders(trx, auth.jurisdictionId, s.id)).map((p) => p.providerId);
  if (serving.length === 0)
    throw invalid('body.systemId', 'no provider runs resources of this system / 该系统尚无云资源，无法确定云服务商');
  if (providerId !== null && !serving.includes(providerId))
    throw invalid('body.providerId', 'not a provider serving this system / 该云服务商未承载此系统');
  const chosen = providerId ?? (serving.length === 1 ? serving[0] : null);
  if (!chosen)
    throw invalid(
      'body.providerId',
      'several providers serve this system: choose one / 该系统由多家云服务商承载，请选择',
    );
  return { id: s.id, name: s.name, organisationId: s.organisationId, providerId: chosen };
}

export async function listTickets(
  trx: Trx,
  auth: AuthContext,
  f: { status?: TicketStatus; breached?: boolean; overdue?: boolean },
  page: { limit: number; offset: number },
  now: Date,
) {
  const { rows, total } = await repo.listTickets(trx, auth.visibility, f, page, now);
  return { items: rows.map((r) => toTicket(r, now)), total };
}

export async function getTicket(trx: Trx, auth: AuthContext, id: string, now: Date) {
  const t = await repo.findTicket(trx, auth.visibility, id);
  if (!t) throw notFound(`ticket ${id} / 工单不存在`);
  const entries = await repo.ticketEntries(trx, id);
  const names = await displayNamesByUsername(trx as unknown as Db, [t.created_by, ...entries.map((e) => e.author)]);
  return {
    ...toTicket(t, now),
    createdByName: names.get(t.created_by) ?? t.created_by,
    entries: entries.map((e) => toEntry(e, names)),
  };
}

/** The ticket as its provider (an organisation-scoped caller that is the ticket's provider) may work it. */
async function asProvider(trx: Trx, auth: AuthContext, id: string) {
  const t = await repo.findTicket(trx, auth.visibility, id, true);
  if (!t || auth.visibility.kind !== 'organisation' || !auth.visibility.organisations.includes(t.provider_id))
    throw notFound(`ticket ${id} / 工单不存在`);
  return t;
}

async function asUnit(trx: Trx, auth: AuthContext, id: string) {
  const t = await repo.findTicket(trx, auth.visibility, id, true);
  if (!t || auth.visibility.kind !== 'organisation' || !auth.visibility.organisations.includes(t.organisation_id))
    throw notFound(`ticket ${id} / 工单不存在`);
  return t;
}

/** Escalates a breached ticket once: the provider's administrators and the ops unit are told. */
async function escalate(trx: Trx, actor: Actor, t: TicketRow, now: Date, late: boolean) {
  await repo.updateTicket(trx, t.id, { escalated_at: now, response_breached: true, updated_at: now });
  const body = `响应超时：目标 ${t.response_minutes} 分钟（${t.response_article}）`;
  await repo.insertEntry(trx, t, 'escalation', body, 'system', now);
  await writeAudit(trx, actor, {
    action: 'service_ticket.escalated',
    objectType: 'service_ticket',
    objectId: t.id,
    detail: { number: t.number, responseDueAt: iso(t.response_due_at), answeredLate: late },
  });
  const title = {
    zh: `工单 ${t.number} 响应超时（${t.response_article} 要求 ${t.response_minutes} 分钟内响应）`,
    en: `Ticket ${t.number} missed its response target of ${t.response_minutes} minutes (${t.response_article})`,
  };
  const common = {
    jurisdictionId: t.jurisdiction_id,
    kind: 'ticket.response_breached',
    title,
    link: `/operations/tickets/${t.id}`,
    entity: { type: 'service_ticket', id: t.id },
    occurredAt: now,
  };
  await notify(trx, { ...common, to: { organisationId: t.provider_id, role: 'provider_admin' } });
  await notify(trx, { ...common, to: { role: 'ops_reviewer' } });
}

/**
 * Tells, once, that a ticket missed its resolution target: the provider that must resolve it (every user of its
 * organisation, who work its queue) and the ops unit. By the sweep, or by the late resolution itself.
 */
async function escalateResolution(trx: Trx, actor: Actor, t: TicketRow, now: Date, resolvedLate: boolean) {
  await repo.updateTicket(trx, t.id, { resolution_escalated_at: now, updated_at: now });
  const due = t.resolution_due_at as Date;
  const body = `解决超时：目标 ${t.resolution_hours} 小时${t.resolution_article ? `（${t.resolution_article}）` : ''}`;
  await repo.insertEntry(trx, t, 'escalation', body, 'system', now);
  await writeAudit(trx, actor, {
    action: 'service_ticket.resolution_overdue',
    objectType: 'service_ticket',
    objectId: t.id,
    detail: { number: t.number, resolutionDueAt: due.toISOString(), resolvedLate },
  });
  const common = {
    jurisdictionId: t.jurisdiction_id,
    kind: 'ticket.resolution_breached',
    title: {
      zh: `工单 ${t.number} 未在 ${t.resolution_hours} 小时内解决（解决时限已过）`,
      en: `Ticket ${t.number} missed its resolution target of ${t.resolution_hours} hours`,
    },
    body: {
      zh: `${t.unit_name}：${t.subject}`,
      en: `${t.unit_name}: ${t.subject}`,
    },
    link: `/operations/tickets/${t.id}`,
    entity: { type: 'service_ticket', id: t.id },
    occurredAt: now,
  };
  await notify(trx, { ...common, to: { organisationId: t.provider_id } });
  await notify(trx, { ...common, to: { role: 'ops_reviewer' } });
}

export async function respond(trx: Trx, auth: AuthContext, actor: Actor, id: string, body: string, now: Date) {
  const t = await asProvider(trx, auth, id);
  if (t.status === 'confirmed') throw new AppError('conflict', 'the ticket is closed / 工单已关闭');
  if (t.first_response_at === null) {
    const breached = t.response_due_at !== null && now.getTime() > t.response_due_at.getTime();
    await repo.updateTicket(trx, t.id, {
      status: t.status === 'open' ? 'responded' : t.status,
      first_response_at: now,
      first_response_by: actorName(actor),
      response_breached: breached || t.response_breached,
      updated_at: now,
    });
    await repo.insertEntry(trx, t, 'response', body, actorName(actor), now);
    await writeAudit(trx, actor, {
      action: 'service_ticket.responded',
      objectType: 'service_ticket',
      objectId: t.id,
      detail: {
        number: t.number,
        respondedInSeconds: Math.round((now.getTime() - t.created_at.getTime()) / 1000),
        breached,
      },
    });
    if (breached && t.escalated_at === null) await escalate(trx, actor, t, now, true);
  } else {
    await repo.insertEntry(trx, t, 'update', body, actorName(actor), now);
    await repo.updateTicket(trx, t.id, { updated_at: now });
    await writeAudit(trx, actor, {
      action: 'service_ticket.updated',
      objectType: 'service_ticket',
      objectId: t.id,
      detail: { number: t.number },
    });
  }
  await notify(trx, {
    jurisdictionId: t.jurisdiction_id,
    to: { organisationId: t.organisation_id },
    kind: 'ticket.answered',
    title: { zh: `工单 ${t.number} 有新回复`, en: `Ticket ${t.number} was answered` },
    body: { zh: body, en: body },
    link: `/operations/tickets/${t.id}`,
    entity: { type: 'service_ticket', id: t.id },
    occurredAt: now,
  });
  return getTicket(trx, auth, id, now);
}

export async function resolve(trx: Trx, auth: AuthContext, actor: Actor, id: string, resolution: string, now: Date) {
  const t = await asProvider(trx, auth, id);
  if (t.status === 'resolved' || t.status === 'confirmed')
    throw new AppError('conflict', 'the ticket is already resolved / 工单已解决');
  if (t.first_response_at === null) await respond(trx, auth, actor, id, resolution, now);
  const late = t.resolution_due_at !== null && now.getTime() > t.resolution_due_at.getTime();
  await repo.updateTicket(trx, t.id, {
    status: 'resolved',
    resolution_breached: late,
    resolved_at: now,
    resolved_by: actorName(actor),
    resolution,
    updated_at: now,
  });
  await repo.insertEntry(trx, t, 'resolution', resolution, actorName(actor), now);
  if (late && t.resolution_escalated_at === null) await escalateResolution(trx, actor, t, now, true);
  await writeAudit(trx, actor, {
    action: 'service_ticket.resolved',
    objectType: 'service_ticket',
    objectId: t.id,
    detail: {
      number: t.number,
      resolvedInSeconds: Math.round((now.getTime() - t.created_at.getTime()) / 1000),
      resolutionDueAt: iso(t.resolution_due_at),
      breached: late,
    },
  });
  await notify(trx, {
    jurisdictionId: t.jurisdiction_id,
    to: { organisationId: t.organisation_id },
    kind: 'ticket.resolved',
    title: {
      zh: `工单 ${t.number} 已解决，请确认并评价`,
      en: `Ticket ${t.number} is resolved: please confirm and rate`,
    },
    link: `/operations/tickets/${t.id}`,
    entity: { type: 'service_ticket', id: t.id },
    occurredAt: now,
  });
  return getTicket(trx, auth, id, now);
}

export async function confirm(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { satisfaction: number; comment?: string | null },
  now: Date,
) {
  const t = await asUnit(trx, auth, id);
  if (t.status !== 'resolved') throw new AppError('conflict', 'only a resolved ticket is confirmed / 工单尚未解决');
  await repo.updateTicket(trx, t.id, {
    status: 'confirmed',
    confirmed_at: now,
    confirmed_by: actorName(actor),
    satisfaction: input.satisfaction,
    satisfaction_comment: input.comment ?? null,
    updated_at: now,
  });
  await repo.insertEntry(
    trx,
    t,
    'confirmation',
    `满意度 ${input.satisfaction}/5${input.comment ? `：${input.comment}` : ''}`,
    actorName(actor),
    now,
  );
  await writeAudit(trx, actor, {
    action: 'service_ticket.confirmed',
    objectType: 'service_ticket',
    objectId: t.id,
    detail: { number: t.number, satisfaction: input.satisfaction },
  });
  return getTicket(trx, auth, id, now);
}

/**
 * Escalates every ticket past its response target with no answer yet, and tells of every unresolved ticket past its
 * resolution target; once each. One transaction.
 */
export async function sweepServiceDesk(db: Db, now: Date, actor: Actor = { kind: 'system', id: null, name: 'system' }) {
  return db.transaction().execute(async (trx) => {
    const due = await repo.dueForEscalation(trx, now, 500);
    for (const t of due) await escalate(trx, actor, t, now, false);
    const unresolved = await repo.dueForResolutionEscalation(trx, now, 500);
    for (const t of unresolved) await escalateResolution(trx, actor, t, now, false);
    return { escalated: due.length, resolutionOverdue: unresolved.length };
  });
}

export const serviceDeskSweepJob: Job<DB> = {
  name: 'operations.service_desk_sweep',
  everyMs: 60_000,
  run: async ({ db, now }) => {
    await sweepServiceDesk(db as Db, now);
  },
};
