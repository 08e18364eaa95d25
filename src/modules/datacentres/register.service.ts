import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { getSystem } from '../projects/index.ts';
import { actsFor, dataCentrePolicy, oversees } from './datacentres.policy.ts';
import * as repo from './datacentres.repository.ts';
import type {
  Construction,
  DataCentreRow,
  DataCentreSystemRow,
  Equipment,
  Gb50174Class,
  Plan,
  Stage,
} from './datacentres.table.ts';

// The register of departments' data centres (LZ 12, the self-check of LZ 14(1)): self-built or rented rooms
// with the facts the certification criteria of LZ 13 look at, and the information systems each hosts. A unit
// sees and edits its own rooms; jurisdiction-wide roles (the ops unit, the authority) see them all.
//
// A rented room migrates within its current lease (LZ 19): the lease end first registered is the migration
// deadline, and a later change of the lease end in the register (a renewal) does not move it.

export interface HostedSystem {
  systemId: string;
  systemName: string;
  classified: boolean;
  plan: Plan | null;
  targetDate: string | null;
  doneOn: string | null;
  dataHandling: string | null;
  projectId: string | null;
  orderNumbers: string[];
  /** planned, not done, and its target date has passed or lies past the room's deadline */
  late: boolean;
}

export interface Progress {
  /** non-classified systems (LZ 14(5), 16: only those migrate) */
  systems: number;
  planned: number;
  done: number;
  remaining: number;
  /** the plan will miss the room's deadline: why, in words for people */
  atRisk: boolean;
  risks: string[];
}

export interface DataCentre {
  id: string;
  organisationId: string;
  organisationName: string;
  jurisdictionId: string;
  name: string;
  construction: Construction;
  address: string;
  areaSquareMetres: string;
  racks: number;
  gb50174Class: Gb50174Class;
  extranetConnected: boolean;
  ipv6: boolean;
  cloudPlatformConformant: boolean;
  cityPlatformInterface: boolean;
  fullTimeOperators: number;
  service7x24: boolean;
  mlpsLevel: number;
  mlpsCloudExtension: boolean;
  mlpsTestReport: string | null;
  leaseEnd: string | null;
  leaseEndRegistered: string | null;
  stage: Stage;
  approvedOn: string | null;
  retentionEnds: string | null;
  /** today lies in the retention: its systems count as provisionally migrated (LZ 14(5)) */
  inRetention: boolean;
  transitionEnds: string | null;
  migrationDeadline: string | null;
  deadlineArticle: string | null;
  closedOn: string | null;
  closureNote: string | null;
  equipment: Equipment[];
  systems: HostedSystem[];
  progress: Progress;
  createdAt: string;
  updatedAt: string;
}

export function progressOf(row: DataCentreRow, systems: DataCentreSystemRow[], today: string): Progress {
  const open = systems.filter((s) => !s.classified);
  const done = open.filter((s) => s.done_on !== null).length;
  const planned = open.filter((s) => s.plan !== null && s.target_date !== null).length;
  const remaining = open.length - done;
  const risks: string[] = [];
  const deadline = row.migration_deadline;
  if (row.stage !== 'closed' && deadline && remaining > 0) {
    if (today > deadline) risks.push(`已超过迁移期限 ${deadline}，仍有 ${remaining} 个系统未迁移`);
    const unplanned = open.filter((s) => s.done_on === null && (s.plan === null || s.target_date === null));
    if (unplanned.length > 0 && row.stage !== 'retained')
      risks.push(`${unplanned.length} 个系统尚无迁移计划（${unplanned.map((s) => s.system_name).join('、')}）`);
    const behind = open.filter((s) => s.done_on === null && s.target_date !== null && s.target_date < today);
    if (behind.length > 0)
      risks.push(`${behind.length} 个系统已过计划完成日期（${behind.map((s) => s.system_name).join('、')}）`);
  }
  return { systems: open.length, planned, done, remaining, atRisk: risks.length > 0, risks };
}

export function toCentre(
  row: DataCentreRow,
  systems: DataCentreSystemRow[],
  organisationName: string,
  today: string,
): DataCentre {
  const mine = systems.filter((s) => s.data_centre_id === row.id);
  return {
    id: row.id,
    organisationId: row.organisation_id,
    organisationName,
    jurisdictionId: row.jurisdiction_id,
    name: row.name,
    construction: row.construction,
    address: row.address,
    areaSquareMetres: row.area_square_metres,
    racks: row.racks,
    gb50174Class: row.gb50174_class,
    extranetConnected: row.extranet_connected,
    ipv6: row.ipv6,
    cloudPlatformConformant: row.cloud_platform_conformant,
    cityPlatformInterface: row.city_platform_interface,
    fullTimeOperators: row.full_time_operators,
    service7x24: row.service_7x24,
    mlpsLevel: row.mlps_level,
    mlpsCloudExtension: row.mlps_cloud_extension,
    mlpsTestReport: row.mlps_test_report,
    leaseEnd: row.lease_end,
    leaseEndRegistered: row.lease_end_registered,
    stage: row.stage,
    approvedOn: row.approved_on,
    retentionEnds: row.retention_ends,
    inRetention: inRetention(row, today),
    transitionEnds: row.transition_ends,
    migrationDeadline: row.migration_deadline,
    deadlineArticle: row.deadline_article,
    closedOn: row.closed_on,
    closureNote: row.closure_note,
    equipment: row.equipment ?? [],
    systems: mine.map((s) => ({
      systemId: s.system_id,
      systemName: s.system_name,
      classified: s.classified,
      plan: s.plan,
      targetDate: s.target_date,
      doneOn: s.done_on,
      dataHandling: s.data_handling,
      projectId: s.project_id,
      orderNumbers: s.order_numbers,
      late:
        s.done_on === null &&
        s.target_date !== null &&
        (s.target_date < today || (row.migration_deadline !== null && s.target_date > row.migration_deadline)),
    })),
    progress: progressOf(row, mine, today),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The retention of an approved room runs from the approval day to its end day, both included. */
export function inRetention(row: Pick<DataCentreRow, 'approved_on' | 'retention_ends'>, day: string): boolean {
  return row.approved_on !== null && row.retention_ends !== null && row.approved_on <= day && day <= row.retention_ends;
}

export async function organisationNames(trx: Trx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('organisation')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function centresOut(trx: Trx, rows: DataCentreRow[], now: Date): Promise<DataCentre[]> {
  const systems = await repo.systemsOf(
    trx,
    rows.map((r) => r.id),
  );
  const names = await organisationNames(
    trx,
    rows.map((r) => r.organisation_id),
  );
  const today = shanghaiDay(now);
  return rows.map((r) => toCentre(r, systems, names.get(r.organisation_id) ?? '', today));
}

/** A room the caller may see; to anyone else it does not exist. */
export async function visibleCentre(trx: Trx, auth: AuthContext, id: string, lock = false): Promise<DataCentreRow> {
  const row = await repo.findCentre(trx, id, lock);
  if (!row || !(actsFor(auth, row.organisation_id) || oversees(auth, row.jurisdiction_id)))
    throw notFound(`数据中心不存在 / no such data centre ${id}`);
  return row;
}

/** A room the caller's unit runs (the register is the department's to fill, LZ 14(1)). */
export async function ownCentre(trx: Trx, auth: AuthContext, id: string): Promise<DataCentreRow> {
  const row = await visibleCentre(trx, auth, id, true);
  if (!actsFor(auth, row.organisation_id))
    throw new AppError('forbidden', '由数据中心所属单位填报 / only the unit that runs the room edits it');
  return row;
}

export interface CentreInput {
  organisationId?: string;
  name: string;
  construction: Construction;
  address: string;
  areaSquareMetres: string;
  racks: number;
  gb50174Class: Gb50174Class;
  extranetConnected: boolean;
  ipv6: boolean;
  cloudPlatformConformant: boolean;
  cityPlatformInterface: boolean;
  fullTimeOperators: number;
  service7x24: boolean;
  mlpsLevel: number;
  mlpsCloudExtension: boolean;
  mlpsTestReport: string | null;
  leaseEnd: string | null;
  systemIds: string[];
}

function refuse(issues: FieldError[]): never {
  throw new AppError('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

const AREA = /^[0-9]{1,8}(\.[0-9]{1,2})?$/;

async function checkSystems(
  trx: Trx,
  organisationId: string,
  centreId: string | null,
  systemIds: readonly string[],
  issues: FieldError[],
) {
  const out: { id: string; name: string; classified: boolean; organisationId: string; jurisdictionId: string }[] = [];
  const seen = new Set<string>();
  for (const [i, id] of systemIds.entries()) {
    if (seen.has(id)) {
      issues.push({ field: `body.systemIds.${i}`, message: '重复的系统 / listed twice' });
      continue;
    }
    seen.add(id);
    const s = await getSystem(trx, id);
    if (!s || s.organisationId !== organisationId) {
      issues.push({ field: `body.systemIds.${i}`, message: '不是本单位登记的信息系统 / not a system of the unit' });
      continue;
    }
    out.push({
      id: s.id,
      name: s.name,
      classified: s.classified,
      organisationId: s.organisationId,
      jurisdictionId: s.jurisdictionId,
    });
  }
  const elsewhere = await repo.hostedElsewhere(trx, centreId ?? '00000000-0000-0000-0000-000000000000', [...seen]);
  for (const e of elsewhere) {
    const i = systemIds.indexOf(e.system_id);
    issues.push({
      field: `body.systemIds.${i}`,
      message: `“${e.system_name}”已登记在其他机房 / hosted by another room`,
    });
  }
  return out;
}

function factIssues(input: Partial<CentreInput>, construction: Construction, issues: FieldError[]) {
  if (input.areaSquareMetres !== undefined && !AREA.test(input.areaSquareMetres))
    issues.push({
      field: 'body.areaSquareMetres',
      message: '面积应为数字，最多两位小数 / a number, two decimals at most',
    });
  if (construction === 'rented' && input.leaseEnd === null)
    issues.push({
      field: 'body.leaseEnd',
      message: '租用机房须填写租用合约到期日 / a rented room needs its lease end',
    });
  if (construction === 'self_built' && input.leaseEnd)
    issues.push({ field: 'body.leaseEnd', message: '自建机房没有租用合约 / a self-built room has no lease' });
}

export async function createCentre(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: CentreInput,
  now: Date,
): Promise<DataCentre> {
  const organisationId = input.organisationId ?? auth.organisationId;
  const issues: FieldError[] = [];
  if (!actsFor(auth, organisationId))
    issues.push({ field: 'body.organisationId', message: '只能登记本单位的数据中心 / only the unit’s own rooms' });
  factIssues(input, input.construction, issues);
  if (await repo.centreNamed(trx, organisationId, input.name.trim()))
    issues.push({ field: 'body.name', message: '本单位已有同名机房 / the unit already has a room of that name' });
  const systems = issues.length ? [] : await checkSystems(trx, organisationId, null, input.systemIds, issues);
  if (issues.length) refuse(issues);
  const jurisdictionId = (
    await trx.selectFrom('organisation').select('jurisdiction_id').where('id', '=', organisationId).executeTakeFirst()
  )?.jurisdiction_id as string;
  const policy = await dataCentrePolicy(trx, jurisdictionId);
  const rented = input.construction === 'rented';
  // LZ 19: the current lease is the migration period; it is fixed here and never moved by a renewal.
  const withinLease = rented && policy.rentedMigrateWithinLease.value === true;
  const row = await repo.insertCentre(trx, {
    organisation_id: organisationId,
    jurisdiction_id: jurisdictionId,
    name: input.name.trim(),
    construction: input.construction,
    address: input.address.trim(),
    area_square_metres: input.areaSquareMetres,
    racks: input.racks,
    gb50174_class: input.gb50174Class,
    extranet_connected: input.extranetConnected,
    ipv6: input.ipv6,
    cloud_platform_conformant: input.cloudPlatformConformant,
    city_platform_interface: input.cityPlatformInterface,
    full_time_operators: input.fullTimeOperators,
    service_7x24: input.service7x24,
    mlps_level: input.mlpsLevel,
    mlps_cloud_extension: input.mlpsCloudExtension,
    mlps_test_report: input.mlpsTestReport,
    lease_end: rented ? input.leaseEnd : null,
    lease_end_registered: rented ? input.leaseEnd : null,
    stage: withinLease ? 'transition' : 'registered',
    transition_ends: withinLease ? input.leaseEnd : null,
    migration_deadline: withinLease ? input.leaseEnd : null,
    deadline_article: withinLease ? policy.rentedMigrateWithinLease.article : null,
    created_by: auth.name,
    created_at: now,
    updated_at: now,
  });
  await repo.addSystems(
    trx,
    systems.map((s) => ({
      data_centre_id: row.id,
      system_id: s.id,
      organisation_id: s.organisationId,
      jurisdiction_id: s.jurisdictionId,
      system_name: s.name,
      classified: s.classified,
      updated_at: now,
    })),
  );
  await writeAudit(trx, actor, {
    action: 'data_centre.registered',
    objectType: 'data_centre',
    objectId: row.id,
    detail: {
      name: row.name,
      construction: row.construction,
      racks: row.racks,
      systems: systems.map((s) => s.name),
      migrationDeadline: row.migration_deadline,
      article: row.deadline_article,
    },
  });
  return (await centresOut(trx, [row], now))[0] as DataCentre;
}

export async function updateCentre(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: Partial<Omit<CentreInput, 'organisationId' | 'construction'>>,
  now: Date,
): Promise<DataCentre> {
  const row = await ownCentre(trx, auth, id);
  if (row.stage === 'closed') throw new AppError('data_centre_state', '机房已撤销 / the room is closed');
  const issues: FieldError[] = [];
  factIssues(input, row.construction, issues);
  if (
    input.name !== undefined &&
    input.name.trim() !== row.name &&
    (await repo.centreNamed(trx, row.organisation_id, input.name.trim()))
  )
    issues.push({ field: 'body.name', message: '本单位已有同名机房 / the unit already has a room of that name' });
  const systems =
    input.systemIds === undefined || issues.length
      ? null
      : await checkSystems(trx, row.organisation_id, row.id, input.systemIds, issues);
  const current = await repo.systemsOf(trx, [row.id]);
  if (systems) {
    const keep = new Set(systems.map((s) => s.id));
    const doneDropped = current.filter((s) => !keep.has(s.system_id) && s.done_on !== null);
    for (const s of doneDropped)
      issues.push({ field: 'body.systemIds', message: `“${s.system_name}”已迁移或关停，不能移出 / already done` });
  }
  if (issues.length) refuse(issues);
  const set: Parameters<typeof repo.updateCentre>[2] = {};
  if (input.name !== undefined) set.name = input.name.trim();
  if (input.address !== undefined) set.address = input.address.trim();
  if (input.areaSquareMetres !== undefined) set.area_square_metres = input.areaSquareMetres;
  if (input.racks !== undefined) set.racks = input.racks;
  if (input.gb50174Class !== undefined) set.gb50174_class = input.gb50174Class;
  if (input.extranetConnected !== undefined) set.extranet_connected = input.extranetConnected;
  if (input.ipv6 !== undefined) set.ipv6 = input.ipv6;
  if (input.cloudPlatformConformant !== undefined) set.cloud_platform_conformant = input.cloudPlatformConformant;
  if (input.cityPlatformInterface !== undefined) set.city_platform_interface = input.cityPlatformInterface;
  if (input.fullTimeOperators !== undefined) set.full_time_operators = input.fullTimeOperators;
  if (input.service7x24 !== undefined) set.service_7x24 = input.service7x24;
  if (input.mlpsLevel !== undefined) set.mlps_level = input.mlpsLevel;
  if (input.mlpsCloudExtension !== undefined) set.mlps_cloud_extension = input.mlpsCloudExtension;
  if (input.mlpsTestReport !== undefined) set.mlps_test_report = input.mlpsTestReport;
  // A renewed lease is recorded as the register's fact, but the migration deadline stays the first lease's end
  // (LZ 19: 不得以任何形式延长租用合约期).
  if (input.leaseEnd !== undefined && row.construction === 'rented') set.lease_end = input.leaseEnd;
  const updated = await repo.updateCentre(trx, row.id, set, now);
  if (systems) {
    const keep = new Set(systems.map((s) => s.id));
    const have = new Set(current.map((s) => s.system_id));
    await repo.removeSystems(
      trx,
      row.id,
      current.filter((s) => !keep.has(s.system_id)).map((s) => s.system_id),
    );
    await repo.addSystems(
      trx,
      systems
        .filter((s) => !have.has(s.id))
        .map((s) => ({
          data_centre_id: row.id,
          system_id: s.id,
          organisation_id: s.organisationId,
          jurisdiction_id: s.jurisdictionId,
          system_name: s.name,
          classified: s.classified,
          updated_at: now,
        })),
    );
  }
  await writeAudit(trx, actor, {
    action: 'data_centre.updated',
    objectType: 'data_centre',
    objectId: row.id,
    detail: {
      name: updated.name,
      changed: Object.keys(input),
      leaseEnd: updated.lease_end,
      migrationDeadline: updated.migration_deadline,
    },
  });
  return (await centresOut(trx, [updated], now))[0] as DataCentre;
}

export async function getCentre(trx: Trx, auth: AuthContext, id: string, now: Date): Promise<DataCentre> {
  const row = await visibleCentre(trx, auth, id);
  return (await centresOut(trx, [row], now))[0] as DataCentre;
}

/** The filter a caller's visibility allows: the unit's own rooms, or the whole jurisdiction's. */
export function scopeFilter(auth: AuthContext): repo.CentreFilter | null {
  const v = auth.visibility;
  if (v.kind === 'jurisdiction') return { jurisdictions: v.jurisdictions };
  if (v.organisations.length === 0) return null;
  return { organisations: v.organisations };
}

export async function listCentres(
  trx: Trx,
  auth: AuthContext,
  filter: { stage?: Stage; construction?: Construction; q?: string },
  page: { limit: number; offset: number },
  now: Date,
): Promise<{ items: DataCentre[]; total: number }> {
  const scope = scopeFilter(auth);
  if (!scope) return { items: [], total: 0 };
  const { rows, total } = await repo.listCentres(trx, { ...scope, ...filter }, page);
  return { items: await centresOut(trx, rows, now), total };
}

/** Every room the caller may see (exports, the overview, progress): bounded by the register's size. */
export async function allVisible(trx: Trx, auth: AuthContext, now: Date): Promise<DataCentre[]> {
  const scope = scopeFilter(auth);
  if (!scope) return [];
  const { rows } = await repo.listCentres(trx, scope, { limit: 100_000, offset: 0 });
  return centresOut(trx, rows, now);
}
