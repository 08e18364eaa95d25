import { sql, type Updateable } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import type { Db, Trx } from '../../schema.ts';
import type { Answer, EntryKind, MaintenanceStatus, ServiceTicketTable, TicketStatus } from './operations.table.ts';

// The only SQL of the operations module. Tenant reads run in withTenant (row-level security); the visibility
// filters state the same rule: a unit sees its own tickets, a provider those routed to it, jurisdiction-wide
// roles their jurisdictions.

const uuids = (ids: readonly string[]) => `{${ids.join(',')}}`;

// ---------------------------------------------------------------------------------------------- tickets

export async function insertTicket(
  trx: Trx,
  values: Omit<
    ServiceTicketTable,
    'id' | 'status' | 'response_breached' | 'resolution_breached' | 'resolution_escalated_at'
  > & {
    status?: TicketStatus;
  },
) {
  return trx.insertInto('service_ticket').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertEntry(
  trx: Trx,
  t: { id: string; organisation_id: string; jurisdiction_id: string; provider_id: string },
  kind: EntryKind,
  body: string,
  author: string,
  at: Date,
) {
  await trx
    .insertInto('service_ticket_entry')
    .values({
      ticket_id: t.id,
      organisation_id: t.organisation_id,
      jurisdiction_id: t.jurisdiction_id,
      provider_id: t.provider_id,
      kind,
      body,
      author,
      created_at: at,
    })
    .execute();
}

function visibleTickets(trx: Trx | Db, v: Visibility) {
  return trx
    .selectFrom('service_ticket as t')
    .leftJoin('organisation as p', 'p.id', 't.provider_id')
    .where((eb) =>
      v.kind === 'jurisdiction'
        ? eb('t.jurisdiction_id', 'in', v.jurisdictions)
        : eb.or([eb('t.organisation_id', 'in', v.organisations), eb('t.provider_id', 'in', v.organisations)]),
    );
}

export async function listTickets(
  trx: Trx,
  v: Visibility,
  f: { status?: TicketStatus; breached?: boolean; overdue?: boolean },
  page: { limit: number; offset: number },
  now: Date,
) {
  let q = visibleTickets(trx, v);
  if (f.status) q = q.where('t.status', '=', f.status);
  if (f.breached !== undefined) q = q.where('t.response_breached', '=', f.breached);
  if (f.overdue !== undefined) {
    // overdue for resolution: unresolved past the due moment, or resolved after it (the same rule as toTicket)
    const overdue = sql<boolean>`coalesce(case when t.resolved_at is null then t.resolution_due_at < ${now}
      else t.resolution_breached end, false)`;
    q = q.where(f.overdue ? overdue : sql<boolean>`not ${overdue}`);
  }
  const [rows, count] = await Promise.all([
    q
      .selectAll('t')
      .select('p.name as provider_name')
      .orderBy('t.created_at', 'desc')
      .orderBy('t.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findTicket(trx: Trx, v: Visibility, id: string, lock = false) {
  const q = visibleTickets(trx, v).selectAll('t').select('p.name as provider_name').where('t.id', '=', id);
  return (lock ? q.forUpdate('t') : q).executeTakeFirst();
}

export async function ticketEntries(trx: Trx, ticketId: string) {
  return trx
    .selectFrom('service_ticket_entry')
    .select(['kind', 'body', 'author', 'created_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('seq')
    .execute();
}

export async function updateTicket(trx: Trx, id: string, values: Updateable<ServiceTicketTable>) {
  return trx.updateTable('service_ticket').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Tickets past their response target with no response and no escalation yet, locked, oldest first. */
export async function dueForEscalation(trx: Trx, now: Date, limit: number) {
  return trx
    .selectFrom('service_ticket')
    .selectAll()
    .where('first_response_at', 'is', null)
    .where('escalated_at', 'is', null)
    .where('response_due_at', 'is not', null)
    .where('response_due_at', '<', now)
    .orderBy('response_due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Unresolved tickets past their resolution target not yet told to anyone, locked (migration 0074). */
export async function dueForResolutionEscalation(trx: Trx, now: Date, limit: number) {
  return trx
    .selectFrom('service_ticket')
    .selectAll()
    .where('resolved_at', 'is', null)
    .where('resolution_escalated_at', 'is', null)
    .where('resolution_due_at', 'is not', null)
    .where('resolution_due_at', '<', now)
    .orderBy('resolution_due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function providerOrganisation(trx: Trx, providerId: string, jurisdictionId: string) {
  return trx
    .selectFrom('organisation')
    .select(['id', 'name', 'jurisdiction_id'])
    .where('id', '=', providerId)
    .where('type', '=', 'cloud_service_provider')
    .where('jurisdiction_id', '=', jurisdictionId)
    .executeTakeFirst();
}

export async function jurisdictionCode(trx: Trx | Db, jurisdictionId: string): Promise<string> {
  const j = await trx
    .selectFrom('jurisdiction')
    .select('code')
    .where('id', '=', jurisdictionId)
    .executeTakeFirstOrThrow();
  return j.code;
}

// ------------------------------------------------------------------------------------------ maintenance

export async function insertMaintenance(
  trx: Trx,
  values: {
    number: string;
    organisation_id: string;
    jurisdiction_id: string;
    kind: 'planned' | 'sudden';
    title: string;
    impact: string;
    zone: string | null;
    resource_ids: string[];
    starts_at: Date;
    ends_at: Date;
    lead_working_days: number | null;
    lead_article: string | null;
    lead_due_day: string | null;
    affected_resources: number;
    applied_by: string;
    applied_at: Date;
    updated_at: Date;
  },
) {
  return trx
    .insertInto('maintenance_window')
    .values({ ...values, resource_ids: sql`${uuids(values.resource_ids)}::uuid[]` as never })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One row per affected unit, from arrays (one parameter per column, never per row). */
export async function insertMaintenanceUnits(
  trx: Trx,
  m: { id: string; jurisdiction_id: string; organisation_id: string },
  units: { organisationId: string; jurisdictionId: string; resourceIds: string[] }[],
) {
  if (units.length === 0) return;
  await sql`
    insert into maintenance_unit (maintenance_id, organisation_id, jurisdiction_id, provider_id, resource_ids)
    select ${m.id}::uuid, u.organisation_id, u.jurisdiction_id, ${m.organisation_id}::uuid,
           string_to_array(u.resource_ids, ',')::uuid[]
    from unnest(${uuids(units.map((u) => u.organisationId))}::uuid[],
                ${uuids(units.map((u) => u.jurisdictionId))}::uuid[],
                ${`{${units.map((u) => `"${u.resourceIds.join(',')}"`).join(',')}}`}::text[])
      as u(organisation_id, jurisdiction_id, resource_ids)`.execute(trx);
}

function visibleMaintenance(trx: Trx | Db, v: Visibility) {
  return trx
    .selectFrom('maintenance_window as m')
    .leftJoin('organisation as p', 'p.id', 'm.organisation_id')
    .where((eb) =>
      v.kind === 'jurisdiction'
        ? eb('m.jurisdiction_id', 'in', v.jurisdictions)
        : eb.or([
            eb('m.organisation_id', 'in', v.organisations),
            eb.exists(
              eb
                .selectFrom('maintenance_unit as mu')
                .select(sql`1`.as('one'))
                .whereRef('mu.maintenance_id', '=', 'm.id')
                .where('mu.organisation_id', 'in', v.organisations),
            ),
          ]),
    );
}

export async function listMaintenance(
  trx: Trx,
  v: Visibility,
  f: { status?: MaintenanceStatus; from?: Date; to?: Date },
  page: { limit: number; offset: number },
) {
  let q = visibleMaintenance(trx, v);
  if (f.status) q = q.where('m.status', '=', f.status);
  if (f.from) q = q.where('m.ends_at', '>', f.from);
  if (f.to) q = q.where('m.starts_at', '<', f.to);
  const [rows, count] = await Promise.all([
    q
      .selectAll('m')
      .select('p.name as provider_name')
      .orderBy('m.starts_at', 'desc')
      .orderBy('m.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findMaintenance(trx: Trx, v: Visibility, id: string, lock = false) {
  const q = visibleMaintenance(trx, v).selectAll('m').select('p.name as provider_name').where('m.id', '=', id);
  return (lock ? q.forUpdate('m') : q).executeTakeFirst();
}

export async function maintenanceUnits(trx: Trx, v: Visibility, maintenanceId: string) {
  let q = trx
    .selectFrom('maintenance_unit as mu')
    .leftJoin('organisation as o', 'o.id', 'mu.organisation_id')
    .selectAll('mu')
    .select(sql<string | null>`coalesce(mu.unit_name, o.name)`.as('unit_name'))
    .where('mu.maintenance_id', '=', maintenanceId);
  // a unit sees its own answer; the provider and jurisdiction-wide roles every unit's
  if (v.kind === 'organisation')
    q = q.where((eb) =>
      eb.or([eb('mu.organisation_id', 'in', v.organisations), eb('mu.provider_id', 'in', v.organisations)]),
    );
  return q.orderBy('mu.organisation_id').execute();
}

export async function updateMaintenance(
  trx: Trx,
  id: string,
  values: {
    status?: MaintenanceStatus;
    starts_at?: Date;
    ends_at?: Date;
    notified_at?: Date;
    notified_by?: string;
    decided_at?: Date;
    decided_by?: string;
    decision_note?: string | null;
    updated_at: Date;
  },
) {
  await trx.updateTable('maintenance_window').set(values).where('id', '=', id).execute();
}

/** Marks the units not yet notified as notified now; returns those just marked (each unit is told once). */
export async function markUnitsNotified(trx: Trx, maintenanceId: string, at: Date) {
  return trx
    .updateTable('maintenance_unit')
    .set((eb) => ({
      notified_at: at,
      // the authority sees every unit's organisation row: the name is kept for the provider's view
      unit_name: eb
        .selectFrom('organisation as o')
        .select('o.name')
        .whereRef('o.id', '=', 'maintenance_unit.organisation_id'),
    }))
    .where('maintenance_id', '=', maintenanceId)
    .where('notified_at', 'is', null)
    .returning(['organisation_id', 'jurisdiction_id'])
    .execute();
}

export async function answerUnit(
  trx: Trx,
  maintenanceId: string,
  organisationId: string,
  values: { answer: Answer; answer_note: string | null; answered_at: Date; answered_by: string },
) {
  return trx
    .updateTable('maintenance_unit')
    .set(values)
    .where('maintenance_id', '=', maintenanceId)
    .where('organisation_id', '=', organisationId)
    .returning('organisation_id')
    .executeTakeFirst();
}

/** The resources of agreed windows open at `at` in a jurisdiction (monitoring raises no silent-agent finding on them). */
export async function resourcesUnderAgreedMaintenance(trx: Trx | Db, jurisdictionId: string, at: Date) {
  const rows = await sql<{ resource_id: string }>`
    select distinct unnest(mu.resource_ids) as resource_id
    from maintenance_window m join maintenance_unit mu on mu.maintenance_id = m.id
    where m.jurisdiction_id = ${jurisdictionId} and m.status = 'agreed'
      and m.starts_at <= ${at} and m.ends_at > ${at}`.execute(trx);
  return rows.rows.map((r) => r.resource_id);
}

export async function organisationName(trx: Trx, id: string): Promise<string | null> {
  const row = await trx.selectFrom('organisation').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? null;
}

// ---------------------------------------------------------------------------------------------- reports

/** Service-desk figures of the tickets opened in [from, to) that `v` sees, optionally one provider's. */
export async function ticketFigures(trx: Trx, v: Visibility, from: Date, to: Date, providerId: string | null) {
  let q = visibleTickets(trx, v).where('t.created_at', '>=', from).where('t.created_at', '<', to);
  if (providerId) q = q.where('t.provider_id', '=', providerId);
  const row = await q
    .select([
      sql<string>`count(*)`.as('opened'),
      sql<string>`count(t.first_response_at)`.as('answered'),
      sql<string>`count(*) filter (where t.first_response_at is not null and not t.response_breached and t.response_due_at is not null)`.as(
        'met',
      ),
      sql<string>`count(*) filter (where t.response_breached)`.as('breached'),
      sql<string | null>`avg(extract(epoch from t.first_response_at - t.created_at))`.as('avg_response'),
      sql<string>`count(t.confirmed_at)`.as('confirmed'),
      sql<string | null>`avg(t.satisfaction)`.as('avg_satisfaction'),
    ])
    .executeTakeFirstOrThrow();
  return row;
}

/** Maintenance windows agreed that overlap [from, to), that `v` sees, optionally one provider's. */
export async function agreedWindows(trx: Trx, v: Visibility, from: Date, to: Date, providerId: string | null) {
  let q = visibleMaintenance(trx, v)
    .where('m.status', '=', 'agreed')
    .where('m.starts_at', '<', to)
    .where('m.ends_at', '>', from);
  if (providerId) q = q.where('m.organisation_id', '=', providerId);
  return q
    .select([
      'm.number',
      'm.kind',
      'm.title',
      'm.starts_at',
      'm.ends_at',
      'm.affected_resources',
      'p.name as provider_name',
    ])
    .orderBy('m.starts_at')
    .execute();
}

export async function insertReport(
  trx: Trx,
  values: {
    organisation_id: string;
    jurisdiction_id: string;
    scope: 'city' | 'provider';
    provider_id: string | null;
    period: 'week' | 'month';
    period_from: string;
    period_to: string;
    figures: string;
    workbook: Buffer;
    content_hash: string;
    generated_by: string;
    generated_at: Date;
    schedule_id?: string | null;
  },
) {
  return trx.insertInto('operations_report').values(values).returning(['id', 'generated_at']).executeTakeFirstOrThrow();
}

const REPORT_COLUMNS = [
  'r.id',
  'r.scope',
  'r.provider_id',
  'r.period',
  'r.period_from',
  'r.period_to',
  'r.content_hash',
  'r.generated_by',
  'r.generated_at',
] as const;

export async function listReports(trx: Trx, v: Visibility, limit: number) {
  return reportQuery(trx, v).select(REPORT_COLUMNS).orderBy('r.generated_at', 'desc').limit(limit).execute();
}

function reportQuery(trx: Trx, v: Visibility) {
  return trx
    .selectFrom('operations_report as r')
    .leftJoin('organisation as p', 'p.id', 'r.provider_id')
    .select('p.name as provider_name')
    .where((eb) =>
      v.kind === 'jurisdiction'
        ? eb('r.jurisdiction_id', 'in', v.jurisdictions)
        : eb('r.organisation_id', 'in', v.organisations),
    );
}

export async function findReport(trx: Trx, v: Visibility, id: string) {
  return reportQuery(trx, v).select(REPORT_COLUMNS).select('r.figures').where('r.id', '=', id).executeTakeFirst();
}

export async function reportWorkbook(trx: Trx, v: Visibility, id: string) {
  return reportQuery(trx, v)
    .select(['r.workbook', 'r.period', 'r.period_from', 'r.content_hash'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

// ------------------------------------------------------------------------------------------ availability

/** Each resource of an agreed window overlapping [from, to) that `v` sees, with the window (planned time, JQ 13). */
export async function plannedSpans(trx: Trx | Db, v: Visibility, from: Date, to: Date) {
  const visible =
    v.kind === 'jurisdiction'
      ? sql`mu.jurisdiction_id = any(${uuids(v.jurisdictions)}::uuid[])`
      : sql`(mu.organisation_id = any(${uuids(v.organisations)}::uuid[]) or mu.provider_id = any(${uuids(v.organisations)}::uuid[]))`;
  const { rows } = await sql<{ resource_id: string; starts_at: Date; ends_at: Date }>`
    select distinct r.resource_id, m.starts_at, m.ends_at
    from maintenance_window m
    join maintenance_unit mu on mu.maintenance_id = m.id
    cross join lateral unnest(mu.resource_ids) as r(resource_id)
    where m.status = 'agreed' and m.starts_at < ${to} and m.ends_at > ${from} and ${visible}`.execute(trx);
  return rows;
}

/**
 * The service desk's part of the providers' response indicator (evaluation), per provider: the tickets with a
 * response target answered in [from, to) or left unanswered past a due moment in it, and of those answered in time;
 * likewise the tickets with a resolution target resolved in the window or left unresolved past a due moment in it,
 * and of those resolved in time (a resolution breach counts against the provider).
 */
export async function ticketResponseFacts(trx: Trx, jurisdictionId: string, from: Date, to: Date) {
  const responses = sql<boolean>`(response_due_at is not null
    and ((first_response_at >= ${from} and first_response_at < ${to})
      or (first_response_at is null and response_due_at >= ${from} and response_due_at < ${to})))`;
  const resolutions = sql<boolean>`(resolution_due_at is not null
    and ((resolved_at >= ${from} and resolved_at < ${to})
      or (resolved_at is null and resolution_due_at >= ${from} and resolution_due_at < ${to})))`;
  const { rows } = await sql<{
    provider_id: string;
    counted: number;
    on_time: number;
    resolution_counted: number;
    resolution_on_time: number;
  }>`
    select provider_id,
      count(*) filter (where ${responses})::int as counted,
      count(*) filter (where ${responses} and first_response_at is not null and not response_breached)::int as on_time,
      count(*) filter (where ${resolutions})::int as resolution_counted,
      count(*) filter (where ${resolutions} and resolved_at is not null and not resolution_breached)::int
        as resolution_on_time
    from service_ticket
    where jurisdiction_id = ${jurisdictionId} and (${responses} or ${resolutions})
    group by provider_id`.execute(trx);
  return rows.map((r) => ({
    providerId: r.provider_id,
    counted: r.counted,
    onTime: r.on_time,
    resolutions: { counted: r.resolution_counted, onTime: r.resolution_on_time },
  }));
}
