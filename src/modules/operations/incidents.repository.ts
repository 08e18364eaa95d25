import { sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import type { Db, Trx } from '../../schema.ts';
import type { IncidentStatus, IncidentUpdateKind, Severity } from './operations.table.ts';

// The SQL of incidents and availability (TZ 12(5), JQ 11). A unit sees the incidents touching its systems or
// resources (incident_unit), a provider its own, jurisdiction-wide roles all.

const uuids = (ids: readonly string[]) => `{${ids.join(',')}}`;

export async function insertIncident(
  trx: Trx,
  v: {
    number: string;
    organisation_id: string;
    jurisdiction_id: string;
    severity: Severity;
    title: string;
    description: string;
    zone: string | null;
    resource_ids: string[];
    system_ids: string[];
    started_at: Date;
    report_due_at: Date | null;
    created_by: string;
    created_at: Date;
    declared_by_organisation_id: string;
  },
) {
  return trx
    .insertInto('incident')
    .values({
      ...v,
      resource_ids: sql`${uuids(v.resource_ids)}::uuid[]` as never,
      system_ids: sql`${uuids(v.system_ids)}::uuid[]` as never,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertIncidentUnits(
  trx: Trx,
  incident: { id: string; organisation_id: string },
  units: { organisationId: string; jurisdictionId: string }[],
) {
  if (units.length === 0) return;
  await sql`
    insert into incident_unit (incident_id, organisation_id, jurisdiction_id, provider_id)
    select ${incident.id}::uuid, u.o, u.j, ${incident.organisation_id}::uuid
    from unnest(${uuids(units.map((u) => u.organisationId))}::uuid[], ${uuids(units.map((u) => u.jurisdictionId))}::uuid[])
      as u(o, j)`.execute(trx);
}

function visibleIncidents(trx: Trx | Db, v: Visibility) {
  return trx
    .selectFrom('incident as i')
    .leftJoin('organisation as p', 'p.id', 'i.organisation_id')
    .where((eb) =>
      v.kind === 'jurisdiction'
        ? eb('i.jurisdiction_id', 'in', v.jurisdictions)
        : eb.or([
            eb('i.organisation_id', 'in', v.organisations),
            eb.exists(
              eb
                .selectFrom('incident_unit as iu')
                .select(sql`1`.as('one'))
                .whereRef('iu.incident_id', '=', 'i.id')
                .where('iu.organisation_id', 'in', v.organisations),
            ),
          ]),
    );
}

const declarerName = sql<
  string | null
>`(select d.name from organisation d where d.id = i.declared_by_organisation_id)`.as('declared_by_name');

export async function listIncidents(trx: Trx, v: Visibility, page: { limit: number; offset: number }) {
  const q = visibleIncidents(trx, v);
  const [rows, count] = await Promise.all([
    q
      .selectAll('i')
      .select('p.name as provider_name')
      .select(declarerName)
      .orderBy('i.started_at', 'desc')
      .orderBy('i.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findIncident(trx: Trx, v: Visibility, id: string, lock = false) {
  const q = visibleIncidents(trx, v)
    .selectAll('i')
    .select('p.name as provider_name')
    .select(declarerName)
    .where('i.id', '=', id);
  return (lock ? q.forUpdate('i') : q).executeTakeFirst();
}

export async function updateIncident(
  trx: Trx,
  id: string,
  values: { ended_at?: Date; report?: string; reported_at?: Date; overdue_since?: Date; status?: IncidentStatus },
) {
  await trx.updateTable('incident').set(values).where('id', '=', id).execute();
}

/** One entry of an incident's timeline (its declaration, an update, its end, its report). */
export async function insertUpdate(
  trx: Trx,
  incident: { id: string; organisation_id: string; jurisdiction_id: string },
  v: {
    kind: IncidentUpdateKind;
    body: string;
    statusFrom: IncidentStatus | null;
    statusTo: IncidentStatus | null;
    author: string;
    authorOrganisationId: string;
    at: Date;
  },
) {
  await trx
    .insertInto('incident_update')
    .values({
      incident_id: incident.id,
      organisation_id: incident.organisation_id,
      jurisdiction_id: incident.jurisdiction_id,
      kind: v.kind,
      body: v.body,
      status_from: v.statusFrom,
      status_to: v.statusTo,
      author: v.author,
      author_organisation_id: v.authorOrganisationId,
      created_at: v.at,
    })
    .execute();
}

/** The timeline of an incident the caller sees (row-level security applies), oldest first, with organisation names. */
export async function incidentUpdates(trx: Trx, incidentId: string) {
  return trx
    .selectFrom('incident_update as u')
    .leftJoin('organisation as o', 'o.id', 'u.author_organisation_id')
    .select([
      'u.kind',
      'u.body',
      'u.status_from',
      'u.status_to',
      'u.author',
      'u.created_at',
      'o.name as organisation_name',
    ])
    .where('u.incident_id', '=', incidentId)
    .orderBy('u.seq')
    .execute();
}

/** Major incidents whose same-day report is overdue at `now` and not yet escalated, locked. */
export async function reportsOverdue(trx: Trx, now: Date) {
  return trx
    .selectFrom('incident')
    .selectAll()
    .where('reported_at', 'is', null)
    .where('overdue_since', 'is', null)
    .where('report_due_at', 'is not', null)
    .where('report_due_at', '<', now)
    .forUpdate()
    .skipLocked()
    .execute();
}

/**
 * Unplanned downtime in [from, to) per provider, per zone and per information system, overlapping incidents merged
 * (range_agg), in seconds; the period's length is the caller's. With `now`, an incident still open counts until now.
 */
export async function downtime(trx: Trx, v: Visibility, from: Date, to: Date, now: Date | null = null) {
  const visible = visibleIncidents(trx, v).select('i.id');
  // an incident not yet ended counts as down until now, not until the end of a period still running
  const openEnd = now !== null && now < to ? now : to;
  const { rows } = await sql<{ dimension: string; key: string; name: string | null; seconds: string }>`
    with i as (
      select i.id, i.organisation_id, i.zone, i.system_ids,
             tstzrange(greatest(i.started_at, ${from}::timestamptz), least(coalesce(i.ended_at, ${openEnd}::timestamptz), ${to}::timestamptz)) as r
      from incident i
      where i.id in (${visible}) and i.started_at < ${openEnd}::timestamptz
        and coalesce(i.ended_at, ${openEnd}::timestamptz) > ${from}::timestamptz
    ),
    keyed as (
      select 'provider' as dimension, organisation_id::text as key, r from i
      union all select 'zone', zone, r from i where zone is not null
      union all select 'system', s::text, r from i, unnest(system_ids) as s
    ),
    merged as (select dimension, key, range_agg(r) as m from keyed group by dimension, key)
    select merged.dimension, merged.key, o.name,
           (select coalesce(sum(extract(epoch from upper(x) - lower(x))), 0) from unnest(merged.m) as x)::text as seconds
    from merged left join organisation o on merged.dimension = 'provider' and o.id::text = merged.key
    order by merged.dimension, merged.key`.execute(trx);
  return rows;
}

/** Incidents per provider that started in [from, to), by severity, and how many were reported late (issue 17). */
export async function incidentCounts(trx: Trx, jurisdictionId: string, from: Date, to: Date) {
  const { rows } = await sql<{ provider_id: string; incidents: number; major: number; reports_late: number }>`
    select organisation_id as provider_id, count(*)::int as incidents,
      count(*) filter (where severity = 'major')::int as major,
      count(*) filter (where overdue_since is not null and overdue_since < ${to})::int as reports_late
    from incident
    where jurisdiction_id = ${jurisdictionId} and started_at >= ${from} and started_at < ${to}
    group by organisation_id order by organisation_id`.execute(trx);
  return rows;
}

/** The units an incident touches (each is told of its updates). */
export async function incidentUnitIds(trx: Trx, incidentId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('incident_unit')
    .select('organisation_id')
    .where('incident_id', '=', incidentId)
    .orderBy('organisation_id')
    .execute();
  return rows.map((r) => r.organisation_id);
}
