import { type Kysely, sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import { reusable } from '../../platform/db/reusable.ts';
import type { DB, Trx } from '../../schema.ts';
import type {
  NewSystemRecord,
  ProjectRecord,
  ProjectStatus,
  QuotaRecord,
  SystemRecord,
  SystemStatus,
} from './projects.table.ts';

// Every function runs in a transaction; under withTenant row-level security limits what it sees, and the
// visibility filters state the same rule in SQL. Functions without a visibility are for other modules and
// system jobs (RLS still applies when they are called inside withTenant).

type Page = { limit: number; offset: number };

function systemsOf(trx: Trx, v: Visibility) {
  return trx
    .selectFrom('information_system as s')
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('s.organisation_id', 'in', v.organisations)
        : eb('s.jurisdiction_id', 'in', v.jurisdictions),
    );
}

function projectsOf(trx: Trx, v: Visibility) {
  return trx
    .selectFrom('project as p')
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('p.organisation_id', 'in', v.organisations)
        : eb('p.jurisdiction_id', 'in', v.jurisdictions),
    );
}

export interface SystemFilter {
  status?: SystemStatus;
  organisationId?: string;
  mlpsLevel?: number;
  q?: string;
}

export async function listSystems(
  trx: Trx,
  v: Visibility,
  filter: SystemFilter,
  page: Page,
): Promise<{ rows: SystemRecord[]; total: number }> {
  let query = systemsOf(trx, v);
  if (filter.status) query = query.where('s.status', '=', filter.status);
  if (filter.organisationId) query = query.where('s.organisation_id', '=', filter.organisationId);
  if (filter.mlpsLevel) query = query.where('s.mlps_level', '=', filter.mlpsLevel);
  if (filter.q) query = query.where('s.name', 'ilike', `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const { total } = await query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll('s')
    .orderBy('s.name')
    .orderBy('s.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(total) };
}

const systemById = reusable((db: Kysely<DB>, id: string) =>
  db.selectFrom('information_system as s').selectAll('s').where('s.id', '=', id),
);

export async function findSystem(trx: Trx, v: Visibility | null, id: string): Promise<SystemRecord | undefined> {
  if (!v) return systemById.first(trx, id);
  return systemsOf(trx, v).selectAll('s').where('s.id', '=', id).executeTakeFirst();
}

export async function findSystemsByIds(trx: Trx, v: Visibility, ids: readonly string[]): Promise<SystemRecord[]> {
  if (ids.length === 0) return [];
  return systemsOf(trx, v).selectAll('s').where('s.id', 'in', ids).execute();
}

export async function insertSystem(trx: Trx, values: NewSystemRecord): Promise<SystemRecord> {
  return trx.insertInto('information_system').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateSystem(
  trx: Trx,
  id: string,
  values: Partial<Omit<NewSystemRecord, 'id' | 'organisation_id' | 'jurisdiction_id' | 'created_by'>>,
  now: Date,
): Promise<SystemRecord> {
  return trx
    .updateTable('information_system')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSystem(trx: Trx, id: string): Promise<void> {
  await trx.deleteFrom('information_system').where('id', '=', id).execute();
}

/** The projects (not closed) that build a system. */
export async function openProjectsOfSystem(trx: Trx, systemId: string): Promise<{ id: string; name: string }[]> {
  return trx
    .selectFrom('project_system as ps')
    .innerJoin('project as p', 'p.id', 'ps.project_id')
    .select(['p.id', 'p.name'])
    .where('ps.system_id', '=', systemId)
    .where('p.status', '<>', 'closed')
    .execute();
}

export async function projectCountOfSystem(trx: Trx, systemId: string): Promise<number> {
  const { n } = await trx
    .selectFrom('project_system')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('system_id', '=', systemId)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export interface ProjectFilter {
  status?: ProjectStatus;
  organisationId?: string;
  year?: number;
  q?: string;
}

export async function listProjects(
  trx: Trx,
  v: Visibility,
  filter: ProjectFilter,
  page: Page,
): Promise<{ rows: ProjectRecord[]; total: number }> {
  let query = projectsOf(trx, v);
  if (filter.status) query = query.where('p.status', '=', filter.status);
  if (filter.organisationId) query = query.where('p.organisation_id', '=', filter.organisationId);
  if (filter.year) query = query.where('p.year', '=', filter.year);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('p.name', 'ilike', like), eb('p.approval_no', 'ilike', like)]));
  }
  const { total } = await query.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll('p')
    .orderBy('p.year', 'desc')
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows, total: Number(total) };
}

export async function findProject(trx: Trx, v: Visibility | null, id: string): Promise<ProjectRecord | undefined> {
  const query = v ? projectsOf(trx, v) : trx.selectFrom('project as p');
  return query.selectAll('p').where('p.id', '=', id).executeTakeFirst();
}

/** Locks a project row for an update of its quota or systems (concurrent quota writers queue). */
export async function lockProject(trx: Trx, id: string): Promise<void> {
  await trx.selectFrom('project').select('id').where('id', '=', id).forUpdate().execute();
}

export async function insertProject(
  trx: Trx,
  values: {
    organisation_id: string;
    jurisdiction_id: string;
    approval_no: string;
    name: string;
    year: number;
    status: ProjectStatus;
    description: string | null;
    created_by: string;
  },
): Promise<ProjectRecord> {
  return trx.insertInto('project').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateProject(
  trx: Trx,
  id: string,
  values: Partial<{
    approval_no: string;
    name: string;
    year: number;
    status: ProjectStatus;
    description: string | null;
    decided_by: string | null;
    decided_at: Date | null;
    decision_comment: string | null;
    review_passed_at: Date | null;
  }>,
  now: Date,
): Promise<ProjectRecord> {
  return trx
    .updateTable('project')
    .set({ ...values, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function approvalNoTaken(trx: Trx, jurisdictionId: string, approvalNo: string, except?: string) {
  // Looked up without RLS's help would be better, but a unit only sees its own projects: the unique
  // constraint is the final word and is mapped to a 409 by the service.
  let query = trx
    .selectFrom('project')
    .select('id')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('approval_no', '=', approvalNo);
  if (except) query = query.where('id', '<>', except);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function systemsOfProjects(
  trx: Trx,
  projectIds: readonly string[],
): Promise<{ project_id: string; id: string; name: string; status: SystemStatus; mlps_level: number }[]> {
  if (projectIds.length === 0) return [];
  return trx
    .selectFrom('project_system as ps')
    .innerJoin('information_system as s', 's.id', 'ps.system_id')
    .select(['ps.project_id', 's.id', 's.name', 's.status', 's.mlps_level'])
    .where('ps.project_id', 'in', projectIds)
    .orderBy('s.name')
    .execute();
}

export async function replaceProjectSystems(
  trx: Trx,
  project: ProjectRecord,
  systemIds: readonly string[],
): Promise<void> {
  await trx.deleteFrom('project_system').where('project_id', '=', project.id).execute();
  if (systemIds.length === 0) return;
  await trx
    .insertInto('project_system')
    .values(
      systemIds.map((system_id) => ({
        project_id: project.id,
        system_id,
        organisation_id: project.organisation_id,
        jurisdiction_id: project.jurisdiction_id,
      })),
    )
    .execute();
}

export async function quotaRows(trx: Trx, projectIds: readonly string[]): Promise<QuotaRecord[]> {
  if (projectIds.length === 0) return [];
  return trx
    .selectFrom('project_quota')
    .selectAll()
    .where('project_id', 'in', projectIds)
    .orderBy('project_id')
    .orderBy(sql`valid_from nulls first`)
    .orderBy('dimension')
    .execute();
}

/** The quota rows in force on a day: every base row and the windows covering the day. */
function quotaOn(db: Kysely<DB>, projectIds: readonly string[], day: string) {
  return db
    .selectFrom('project_quota')
    .selectAll()
    .where('project_id', 'in', projectIds)
    .where((eb) =>
      eb.or([eb('valid_from', 'is', null), eb.and([eb('valid_from', '<=', day), eb('valid_to', '>=', day)])]),
    );
}

// One project (an order's): compiled once; the same text as `quotaOn` with one id.
const quotaOfOneOn = reusable((db: Kysely<DB>, projectId: string, day: string) => quotaOn(db, [projectId], day));

export async function quotaRowsOn(trx: Trx, projectIds: readonly string[], day: string): Promise<QuotaRecord[]> {
  if (projectIds.length === 0) return [];
  if (projectIds.length === 1) return quotaOfOneOn.execute(trx, projectIds[0] as string, day);
  return quotaOn(trx, projectIds, day).execute();
}

export async function replaceQuota(
  trx: Trx,
  project: ProjectRecord,
  rows: { dimension: string; quantity: string; valid_from: string | null; valid_to: string | null }[],
  setBy: string,
  setAt: Date,
): Promise<void> {
  await trx.deleteFrom('project_quota').where('project_id', '=', project.id).execute();
  if (rows.length === 0) return;
  await trx
    .insertInto('project_quota')
    .values(
      rows.map((r) => ({
        ...r,
        project_id: project.id,
        organisation_id: project.organisation_id,
        jurisdiction_id: project.jurisdiction_id,
        set_by: setBy,
        set_at: setAt,
      })),
    )
    .execute();
}

export async function activeProjectIdsOf(trx: Trx, organisationId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('project')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('status', '=', 'approved')
    .execute();
  return rows.map((r) => r.id);
}

/** The code of a jurisdiction by id (the key the policy module reads packs by). */
export async function jurisdictionCode(trx: Trx, jurisdictionId: string): Promise<string> {
  const row = await trx
    .selectFrom('jurisdiction')
    .select('code')
    .where('id', '=', jurisdictionId)
    .executeTakeFirstOrThrow();
  return row.code;
}
