import type { Static } from 'typebox';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { addRecords, normalise } from '../../platform/decimal.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { assertReviewed } from './projects.lifecycle.ts';
import * as repo from './projects.repository.ts';
import {
  assertSystemMayGoLive,
  assertSystemMayUseCloud,
  cloudRefusal,
  goLiveMissing,
  isDimension,
} from './projects.rules.ts';
import type {
  InformationSystemSchema,
  ProjectCreateBody,
  ProjectPatchBody,
  ProjectQuotaSchema,
  ProjectSchema,
  QuotaBody,
  SystemCreateBody,
  SystemPatchBody,
} from './projects.schemas.ts';
import type { ProjectRecord, QuotaRecord, SystemRecord } from './projects.table.ts';

// Every function taking a `trx` runs in a tenant transaction (withTenant) unless it says otherwise.

export type InformationSystem = Static<typeof InformationSystemSchema>;
type ProjectQuota = Static<typeof ProjectQuotaSchema>;
export type Project = Omit<Static<typeof ProjectSchema>, 'quota'> & { quota: ProjectQuota };
type Page = { limit: number; offset: number };

async function organisationNames(trx: Trx, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('organisation')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

const factsOf = (s: SystemRecord) => ({
  name: s.name,
  mlpsLevel: s.mlps_level,
  classified: s.classified,
  filingStatus: s.filing_status,
  commitmentLetterOnFile: s.commitment_letter_on_file,
});

function toSystem(s: SystemRecord, orgName: string | null): InformationSystem {
  const refusal = cloudRefusal({ ...factsOf(s), name: undefined });
  return {
    id: s.id,
    organisationId: s.organisation_id,
    organisationName: orgName,
    jurisdictionId: s.jurisdiction_id,
    name: s.name,
    subsystems: s.subsystems,
    developer: s.developer,
    networkZone: s.network_zone,
    mlpsLevel: s.mlps_level,
    filingStatus: s.filing_status,
    filingNumber: s.filing_number,
    classified: s.classified,
    commitmentLetterOnFile: s.commitment_letter_on_file,
    commitmentLetterFile: s.commitment_letter_file,
    commitmentLetterDate: s.commitment_letter_date,
    status: s.status,
    notes: s.notes,
    cloudEligible: refusal === null,
    cloudRefusal: refusal,
    goLiveMissing: goLiveMissing(factsOf(s)) as InformationSystem['goLiveMissing'],
    createdBy: s.created_by,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
  };
}

/** A system the caller may reach; a foreign one answers exactly like a missing one. */
async function scopedSystem(trx: Trx, auth: AuthContext, id: string): Promise<SystemRecord> {
  const s = await repo.findSystem(trx, auth.visibility, id);
  if (!s) throw notFound(`information system ${id} / 信息系统不存在`);
  return s;
}

async function scopedProject(trx: Trx, auth: AuthContext, id: string): Promise<ProjectRecord> {
  const p = await repo.findProject(trx, auth.visibility, id);
  if (!p) throw notFound(`project ${id} / 项目不存在`);
  return p;
}

/** Only a unit's own people (organisation scope) change its systems and projects. */
function assertUnitCaller(auth: AuthContext): void {
  if (auth.visibility.kind !== 'organisation') {
    throw new AppError('forbidden', 'systems and projects are managed by their using unit / 由使用单位维护');
  }
}

/** The cloud rules on a system's (new) state: on_cloud needs eligibility and go-live readiness. */
async function checkSystemState(trx: Trx, s: SystemRecord): Promise<void> {
  if (s.status === 'on_cloud') assertSystemMayGoLive(factsOf(s));
  if (cloudRefusal(factsOf(s))) {
    const projects = await repo.openProjectsOfSystem(trx, s.id);
    if (projects.length) {
      assertSystemMayUseCloud({
        ...factsOf(s),
        name: `${s.name} (used by project ${projects.map((p) => p.name).join(', ')})`,
      });
    }
  }
}

// ---- information systems ----------------------------------------------------------------------------

export async function listSystems(
  trx: Trx,
  auth: AuthContext,
  filter: repo.SystemFilter,
  page: Page,
): Promise<{ items: InformationSystem[]; total: number }> {
  const { rows, total } = await repo.listSystems(trx, auth.visibility, filter, page);
  const names = await organisationNames(
    trx,
    rows.map((r) => r.organisation_id),
  );
  return { items: rows.map((r) => toSystem(r, names.get(r.organisation_id) ?? null)), total };
}

export async function readSystem(trx: Trx, auth: AuthContext, id: string): Promise<InformationSystem> {
  const s = await scopedSystem(trx, auth, id);
  const names = await organisationNames(trx, [s.organisation_id]);
  return toSystem(s, names.get(s.organisation_id) ?? null);
}

type SystemInput = Static<typeof SystemPatchBody>;

function systemColumns(input: SystemInput) {
  const out: Partial<Parameters<typeof repo.updateSystem>[2]> = {};
  if (input.name !== undefined) out.name = input.name.trim();
  if (input.subsystems !== undefined) out.subsystems = JSON.stringify(input.subsystems.map((x) => x.trim()));
  if (input.developer !== undefined) out.developer = input.developer;
  if (input.networkZone !== undefined) out.network_zone = input.networkZone;
  if (input.mlpsLevel !== undefined) out.mlps_level = input.mlpsLevel;
  if (input.filingStatus !== undefined) out.filing_status = input.filingStatus;
  if (input.filingNumber !== undefined) out.filing_number = input.filingNumber;
  if (input.classified !== undefined) out.classified = input.classified;
  if (input.commitmentLetterOnFile !== undefined) out.commitment_letter_on_file = input.commitmentLetterOnFile;
  if (input.commitmentLetterFile !== undefined) out.commitment_letter_file = input.commitmentLetterFile;
  if (input.commitmentLetterDate !== undefined) out.commitment_letter_date = input.commitmentLetterDate;
  if (input.status !== undefined) out.status = input.status;
  if (input.notes !== undefined) out.notes = input.notes;
  return out;
}

export async function createSystem(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: Static<typeof SystemCreateBody>,
): Promise<InformationSystem> {
  assertUnitCaller(auth);
  const columns = systemColumns(input);
  const facts = {
    name: input.name,
    mlpsLevel: input.mlpsLevel,
    classified: input.classified ?? false,
    filingStatus: input.filingStatus ?? 'not_filed',
    commitmentLetterOnFile: input.commitmentLetterOnFile ?? false,
  };
  if (input.status === 'on_cloud') assertSystemMayGoLive(facts);
  const s = await repo.insertSystem(trx, {
    ...columns,
    name: input.name.trim(),
    mlps_level: input.mlpsLevel,
    organisation_id: auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    created_by: auth.name,
  });
  await writeAudit(trx, actor, {
    action: 'information_system.created',
    objectType: 'information_system',
    objectId: s.id,
    detail: { name: s.name, mlpsLevel: s.mlps_level, classified: s.classified, status: s.status },
  });
  return readSystem(trx, auth, s.id);
}

export async function updateSystem(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: SystemInput,
  now: Date,
): Promise<InformationSystem> {
  assertUnitCaller(auth);
  const before = await scopedSystem(trx, auth, id);
  const columns = systemColumns(input);
  const merged = { ...before, ...columns, subsystems: before.subsystems } as SystemRecord;
  await checkSystemState(trx, merged);
  const after = await repo.updateSystem(trx, id, columns, now);
  const changed = Object.keys(columns);
  await writeAudit(trx, actor, {
    action: 'information_system.updated',
    objectType: 'information_system',
    objectId: id,
    detail: {
      changed,
      before: Object.fromEntries(changed.map((k) => [k, (before as Record<string, unknown>)[k]])),
      after: Object.fromEntries(changed.map((k) => [k, (after as Record<string, unknown>)[k]])),
    },
  });
  return readSystem(trx, auth, id);
}

export async function deleteSystem(trx: Trx, auth: AuthContext, actor: Actor, id: string): Promise<void> {
  assertUnitCaller(auth);
  const s = await scopedSystem(trx, auth, id);
  if ((await repo.projectCountOfSystem(trx, id)) > 0) {
    throw new AppError(
      'conflict',
      `${s.name} is built by a project: retire it instead / 已关联项目，不能删除，请改为退役`,
    );
  }
  if (s.status === 'on_cloud') {
    throw new AppError('conflict', `${s.name} is on the cloud: retire it instead / 已上云，不能删除`);
  }
  await repo.deleteSystem(trx, id);
  await writeAudit(trx, actor, {
    action: 'information_system.deleted',
    objectType: 'information_system',
    objectId: id,
    detail: { name: s.name },
  });
}

// ---- projects ---------------------------------------------------------------------------------------

function quotaOf(rows: QuotaRecord[]): ProjectQuota {
  const base: Record<string, string> = {};
  const windows = new Map<string, ProjectQuota['windows'][number]>();
  let latest: QuotaRecord | undefined;
  for (const r of rows) {
    if (!latest || r.set_at > latest.set_at) latest = r;
    if (r.valid_from === null || r.valid_to === null) {
      base[r.dimension] = normalise(r.quantity);
    } else {
      const key = `${r.valid_from}/${r.valid_to}`;
      const w = windows.get(key) ?? { validFrom: r.valid_from, validTo: r.valid_to, quantities: {} };
      w.quantities[r.dimension] = normalise(r.quantity);
      windows.set(key, w);
    }
  }
  return {
    base,
    windows: [...windows.values()].sort((a, b) => a.validFrom.localeCompare(b.validFrom)),
    setBy: latest?.set_by ?? null,
    setAt: latest?.set_at.toISOString() ?? null,
  };
}

/** The quota on a day from a project's rows: the base, replaced per dimension by a window covering the day. */
export function quotaOn(rows: QuotaRecord[], day: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.valid_from === null) out[r.dimension] = normalise(r.quantity);
  for (const r of rows) {
    if (r.valid_from !== null && r.valid_to !== null && r.valid_from <= day && day <= r.valid_to) {
      out[r.dimension] = normalise(r.quantity);
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

async function toProjects(trx: Trx, rows: ProjectRecord[], now: Date): Promise<Project[]> {
  const ids = rows.map((r) => r.id);
  const [systems, quotas, names] = await Promise.all([
    repo.systemsOfProjects(trx, ids),
    repo.quotaRows(trx, ids),
    organisationNames(
      trx,
      rows.map((r) => r.organisation_id),
    ),
  ]);
  const today = shanghaiDay(now);
  return rows.map((p) => {
    const own = quotas.filter((q) => q.project_id === p.id);
    return {
      id: p.id,
      organisationId: p.organisation_id,
      organisationName: names.get(p.organisation_id) ?? null,
      jurisdictionId: p.jurisdiction_id,
      approvalNo: p.approval_no,
      name: p.name,
      year: p.year,
      status: p.status,
      description: p.description,
      decidedBy: p.decided_by,
      decidedAt: p.decided_at ? p.decided_at.toISOString() : null,
      decisionComment: p.decision_comment,
      systems: systems
        .filter((s) => s.project_id === p.id)
        .map((s) => ({ id: s.id, name: s.name, status: s.status, mlpsLevel: s.mlps_level })),
      quota: quotaOf(own),
      quotaToday: quotaOn(own, today),
      createdBy: p.created_by,
      createdAt: p.created_at.toISOString(),
      updatedAt: p.updated_at.toISOString(),
    };
  });
}

export async function listProjects(
  trx: Trx,
  auth: AuthContext,
  filter: repo.ProjectFilter,
  page: Page,
  now: Date,
): Promise<{ items: Project[]; total: number }> {
  const { rows, total } = await repo.listProjects(trx, auth.visibility, filter, page);
  return { items: await toProjects(trx, rows, now), total };
}

export async function readProject(trx: Trx, auth: AuthContext, id: string, now: Date): Promise<Project> {
  const p = await scopedProject(trx, auth, id);
  return (await toProjects(trx, [p], now))[0] as Project;
}

/** The systems a project may build: the caller's own, each allowed on the cloud (SH 2, 7). */
async function checkedSystemIds(trx: Trx, auth: AuthContext, organisationId: string, ids: readonly string[]) {
  const found = await repo.findSystemsByIds(trx, auth.visibility, ids);
  const byId = new Map(found.map((s) => [s.id, s]));
  const errors: FieldError[] = [];
  ids.forEach((id, i) => {
    const s = byId.get(id);
    if (!s || s.organisation_id !== organisationId) {
      errors.push({
        field: `body.systemIds.${i}`,
        message: '信息系统不存在或不属于本项目单位 / no such system of the project’s unit',
      });
    }
  });
  if (errors.length) {
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  for (const id of ids) assertSystemMayUseCloud(factsOf(byId.get(id) as SystemRecord));
}

async function assertApprovalNoFree(trx: Trx, jurisdictionId: string, approvalNo: string, except?: string) {
  if (await repo.approvalNoTaken(trx, jurisdictionId, approvalNo, except)) {
    throw new AppError('conflict', `approval number ${approvalNo} is already used / 立项批复文号已存在`, [
      { field: 'body.approvalNo', message: '立项批复文号已存在 / already used' },
    ]);
  }
}

/**
 * Another unit's project is invisible under RLS, so the lookup above cannot see its number: the unique
 * constraint is the final word, answered as the same 409 (the transaction is abandoned anyway).
 */
async function uniqueApprovalNo<T>(approvalNo: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if ((error as { code?: string }).code === '23505' && String((error as Error).message).includes('approval_no')) {
      throw new AppError('conflict', `approval number ${approvalNo} is already used / 立项批复文号已存在`, [
        { field: 'body.approvalNo', message: '立项批复文号已存在 / already used' },
      ]);
    }
    throw error;
  }
}

export async function createProject(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: Static<typeof ProjectCreateBody>,
  now: Date,
): Promise<Project> {
  assertUnitCaller(auth);
  const approvalNo = input.approvalNo.trim();
  await assertApprovalNoFree(trx, auth.jurisdictionId, approvalNo);
  const systemIds = input.systemIds ?? [];
  await checkedSystemIds(trx, auth, auth.organisationId, systemIds);
  const p = await uniqueApprovalNo(approvalNo, () =>
    repo.insertProject(trx, {
      organisation_id: auth.organisationId,
      jurisdiction_id: auth.jurisdictionId,
      approval_no: approvalNo,
      name: input.name.trim(),
      year: input.year,
      status: 'declared',
      description: input.description ?? null,
      created_by: auth.name,
    }),
  );
  await repo.replaceProjectSystems(trx, p, systemIds);
  await writeAudit(trx, actor, {
    action: 'project.created',
    objectType: 'project',
    objectId: p.id,
    detail: { approvalNo: p.approval_no, name: p.name, year: p.year, status: p.status, systemIds },
  });
  return readProject(trx, auth, p.id, now);
}

export async function updateProject(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: Static<typeof ProjectPatchBody>,
  now: Date,
): Promise<Project> {
  assertUnitCaller(auth);
  const before = await scopedProject(trx, auth, id);
  await repo.lockProject(trx, id);
  const closing = input.status === 'closed' && before.status === 'approved' && Object.keys(input).length === 1;
  if (before.status !== 'declared' && !closing) {
    throw new AppError(
      'project_transition_refused',
      `the project is ${before.status}: a unit edits it only while declared (SH 18); an approved one it may only close / 项目仅在申报状态下可修改`,
      [{ field: 'body', message: `status ${before.status}` }],
    );
  }
  if (input.status !== undefined && input.status !== before.status && !closing) {
    throw new AppError(
      'validation_failed',
      `body.status: a unit does not set a project's status; it submits the project for the authority's review (SH 18, JQ-proj 9) / 项目状态由审核决定，单位不得自行修改`,
      [{ field: 'body.status', message: '立项由政务云主管部门审批 / approval is the authority’s (SH 18)' }],
    );
  }
  const values: Parameters<typeof repo.updateProject>[2] = {};
  if (input.approvalNo !== undefined && input.approvalNo.trim() !== before.approval_no) {
    values.approval_no = input.approvalNo.trim();
    await assertApprovalNoFree(trx, before.jurisdiction_id, values.approval_no, id);
  }
  if (input.name !== undefined) values.name = input.name.trim();
  if (input.year !== undefined) values.year = input.year;
  if (input.description !== undefined) values.description = input.description;
  if (closing) values.status = 'closed';
  const beforeSystems = (await repo.systemsOfProjects(trx, [id])).map((s) => s.id);
  const after = Object.keys(values).length
    ? await uniqueApprovalNo(values.approval_no ?? '', () => repo.updateProject(trx, id, values, now))
    : before;
  if (input.systemIds !== undefined) {
    await checkedSystemIds(trx, auth, before.organisation_id, input.systemIds);
    await repo.replaceProjectSystems(trx, after, input.systemIds);
  }
  const changed = Object.keys(values);
  await writeAudit(trx, actor, {
    action: 'project.updated',
    objectType: 'project',
    objectId: id,
    detail: {
      before: {
        ...Object.fromEntries(changed.map((k) => [k, (before as Record<string, unknown>)[k]])),
        ...(input.systemIds !== undefined ? { systemIds: beforeSystems } : {}),
      },
      after: {
        ...Object.fromEntries(changed.map((k) => [k, (after as Record<string, unknown>)[k]])),
        ...(input.systemIds !== undefined ? { systemIds: input.systemIds } : {}),
      },
    },
  });
  return readProject(trx, auth, id, now);
}

// ---- quota (economy & IT authority, SH 18) ----------------------------------------------------------

function quotaRowsOfBody(body: Static<typeof QuotaBody>) {
  const errors: FieldError[] = [];
  const rows: { dimension: string; quantity: string; valid_from: string | null; valid_to: string | null }[] = [];
  for (const [dimension, quantity] of Object.entries(body.base)) {
    if (!isDimension(dimension)) {
      errors.push({
        field: `body.base.${dimension}`,
        message:
          '未知的配额维度 / unknown dimension: vcpu, memory_gb, storage_gb, bandwidth_mbps or item:<catalogue code>',
      });
    } else rows.push({ dimension, quantity: normalise(quantity), valid_from: null, valid_to: null });
  }
  const windows = body.windows ?? [];
  windows.forEach((w, i) => {
    if (w.validTo < w.validFrom) {
      errors.push({ field: `body.windows.${i}.validTo`, message: '结束日期早于开始日期 / before validFrom' });
    }
    const dims = Object.entries(w.quantities);
    if (dims.length === 0) {
      errors.push({ field: `body.windows.${i}.quantities`, message: '至少一个维度 / at least one dimension' });
    }
    for (const [dimension, quantity] of dims) {
      if (!isDimension(dimension)) {
        errors.push({
          field: `body.windows.${i}.quantities.${dimension}`,
          message: '未知的配额维度 / unknown dimension',
        });
        continue;
      }
      // Two windows of one dimension may not overlap: on any day at most one replaces the base.
      windows.slice(0, i).forEach((other, j) => {
        if (other.quantities[dimension] !== undefined && other.validFrom <= w.validTo && w.validFrom <= other.validTo) {
          errors.push({
            field: `body.windows.${i}.validFrom`,
            message: `与第 ${j} 个时段的 ${dimension} 重叠 / overlaps window ${j} for ${dimension}`,
          });
        }
      });
      rows.push({ dimension, quantity: normalise(quantity), valid_from: w.validFrom, valid_to: w.validTo });
    }
  });
  if (errors.length) {
    throw new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
  }
  return rows;
}

/**
 * Replaces a project's quota (base and periodic windows) as a whole. Only the economy & IT authority holds
 * `quota:set` (SH 18); the audit entry carries the quota before and after.
 */
export async function setQuota(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  body: Static<typeof QuotaBody>,
  now: Date,
): Promise<Project> {
  const project = await scopedProject(trx, auth, id);
  await assertReviewed(trx, project, 'quota');
  const rows = quotaRowsOfBody(body);
  await repo.lockProject(trx, id);
  const before = quotaOf(await repo.quotaRows(trx, [id]));
  await repo.replaceQuota(trx, project, rows, auth.name, now);
  const after = quotaOf(await repo.quotaRows(trx, [id]));
  await writeAudit(trx, actor, {
    action: 'project.quota_set',
    objectType: 'project',
    objectId: id,
    detail: {
      approvalNo: project.approval_no,
      before: { base: before.base, windows: before.windows },
      after: { base: after.base, windows: after.windows },
      reason: body.reason ?? null,
    },
  });
  return readProject(trx, auth, id, now);
}

export async function quotaAt(trx: Trx, auth: AuthContext, id: string, day: string) {
  await scopedProject(trx, auth, id);
  return { projectId: id, day, quota: quotaOn(await repo.quotaRowsOn(trx, [id], day), day) };
}

// ---- for other modules (contract, see index.ts) ----------------------------------------------------

/** The quota of a project at a moment (its Asia/Shanghai day): base, replaced by a window covering the day. */
export async function projectQuotaAt(trx: Trx, projectId: string, at: Date): Promise<Record<string, string>> {
  const day = shanghaiDay(at);
  return quotaOn(await repo.quotaRowsOn(trx, [projectId], day), day);
}

/** The sum of the quotas of a unit's approved projects at a moment (the base of SH 20's 120% rule). */
export async function unitProjectsQuotaTotal(
  trx: Trx,
  organisationId: string,
  at: Date,
): Promise<Record<string, string>> {
  const day = shanghaiDay(at);
  const ids = await repo.activeProjectIdsOf(trx, organisationId);
  const rows = await repo.quotaRowsOn(trx, ids, day);
  return addRecords(
    ids.map((pid) =>
      quotaOn(
        rows.filter((r) => r.project_id === pid),
        day,
      ),
    ),
  );
}

export interface ProjectFacts {
  id: string;
  organisationId: string;
  jurisdictionId: string;
  approvalNo: string;
  name: string;
  year: number;
  status: ProjectRecord['status'];
  systemIds: string[];
}

/** A project by id as the transaction sees it (RLS applies under withTenant); undefined when missing. */
export async function getProject(trx: Trx, id: string): Promise<ProjectFacts | undefined> {
  const p = await repo.findProject(trx, null, id);
  if (!p) return undefined;
  const systems = await repo.systemsOfProjects(trx, [id]);
  return {
    id: p.id,
    organisationId: p.organisation_id,
    jurisdictionId: p.jurisdiction_id,
    approvalNo: p.approval_no,
    name: p.name,
    year: p.year,
    status: p.status,
    systemIds: systems.map((s) => s.id),
  };
}

export interface SystemFacts {
  id: string;
  organisationId: string;
  jurisdictionId: string;
  name: string;
  mlpsLevel: number;
  classified: boolean;
  filingStatus: SystemRecord['filing_status'];
  commitmentLetterOnFile: boolean;
  status: SystemRecord['status'];
  networkZone: string | null;
}

const systemFacts = (s: SystemRecord): SystemFacts => ({
  id: s.id,
  organisationId: s.organisation_id,
  jurisdictionId: s.jurisdiction_id,
  name: s.name,
  mlpsLevel: s.mlps_level,
  classified: s.classified,
  filingStatus: s.filing_status,
  commitmentLetterOnFile: s.commitment_letter_on_file,
  status: s.status,
  networkZone: s.network_zone,
});

/** An information system by id as the transaction sees it; pass it to assertSystemMayUseCloud / GoLive. */
export async function getSystem(trx: Trx, id: string): Promise<SystemFacts | undefined> {
  const s = await repo.findSystem(trx, null, id);
  return s ? systemFacts(s) : undefined;
}

/**
 * Every information system of the jurisdictions, as facts (the legacy data-centre module's on-cloud rate and
 * migration figures). Reads under the caller's transaction: row-level security still applies.
 */
export async function systemsOfJurisdictions(trx: Trx, jurisdictionIds: readonly string[]): Promise<SystemFacts[]> {
  if (jurisdictionIds.length === 0) return [];
  const { rows } = await repo.listSystems(
    trx,
    { kind: 'jurisdiction', jurisdictions: jurisdictionIds },
    {},
    { limit: 100_000, offset: 0 },
  );
  return rows.map(systemFacts);
}

// ---- the project's review (SH 18, JQ-proj 9) --------------------------------------------------------

/** The unit submits its declared project for review: declared -> under_review. */
export async function submitProject(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  assertUnitCaller(auth);
  const before = await scopedProject(trx, auth, id);
  await repo.lockProject(trx, id);
  if (before.status !== 'declared') {
    throw new AppError(
      'project_transition_refused',
      `the project is ${before.status}: only a declared project is submitted for review / 仅申报状态的项目可提交审核`,
    );
  }
  await repo.updateProject(trx, id, { status: 'under_review' }, now);
  await writeAudit(trx, actor, {
    action: 'project.submitted',
    objectType: 'project',
    objectId: id,
    detail: { approvalNo: before.approval_no, before: { status: before.status }, after: { status: 'under_review' } },
  });
  return readProject(trx, auth, id, now);
}

/**
 * The authority decides a project under review (立项, SH 18; JQ-proj 9: projects not reviewed get no
 * approval): approve, reject, or return it to the unit (declared again, editable). Only `project:approve`
 * (the authority approver) reaches here; the quota is then set by the economy & IT authority (`quota:set`).
 */
export async function decideProject(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { decision: 'approve' | 'reject' | 'return'; comment?: string },
  now: Date,
) {
  const before = await scopedProject(trx, auth, id);
  await repo.lockProject(trx, id);
  if (before.status !== 'under_review') {
    throw new AppError(
      'project_transition_refused',
      `the project is ${before.status}: only a project under review is decided / 仅审核中的项目可审批`,
    );
  }
  if (input.decision === 'approve') await assertReviewed(trx, before, 'approval');
  const status = input.decision === 'approve' ? 'approved' : input.decision === 'reject' ? 'rejected' : 'declared';
  await repo.updateProject(
    trx,
    id,
    { status, decided_by: auth.name, decided_at: now, decision_comment: input.comment ?? null },
    now,
  );
  await writeAudit(trx, actor, {
    action: `project.${input.decision === 'approve' ? 'approved' : input.decision === 'reject' ? 'rejected' : 'returned'}`,
    objectType: 'project',
    objectId: id,
    detail: {
      approvalNo: before.approval_no,
      before: { status: before.status },
      after: { status },
      comment: input.comment ?? null,
    },
  });
  return readProject(trx, auth, id, now);
}
