import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { notify } from '../notifications/index.ts';
import { getProject } from '../projects/index.ts';
import { getOrganisation } from '../tenancy/index.ts';
import * as catalogue from './catalogue.repository.ts';
import * as repo from './grants.repository.ts';
import { actsFor, assertProvided, oversees } from './shareddata.policy.ts';
import type { DataGrantRow, GrantStatus } from './shareddata.table.ts';

// Authorised use (NB 13, 14): a consuming unit applies for a published resource; the providing unit decides
// (all or some fields, a period, a rate limit) or refuses; conditional resources then need the ops unit's
// review; unconditional ones are granted on application. One grant per resource and unit is in force: a new
// one supersedes it. Revocation and expiry take effect on the next gateway call (the gateway reads the row).

export interface Grant {
  id: string;
  resourceId: string;
  resourceName: string;
  providerOrganisationId: string;
  providerName: string;
  consumerOrganisationId: string;
  consumerName: string;
  projectId: string;
  projectName: string;
  purpose: string;
  sharingType: 'unconditional' | 'conditional';
  requestedFields: string[];
  requestedFrom: string;
  requestedTo: string;
  status: GrantStatus;
  expired: boolean;
  grantedFields: string[] | null;
  validFrom: string | null;
  validTo: string | null;
  rateLimitPerMinute: number | null;
  appliedBy: string | null;
  appliedAt: string;
  providerDecidedAt: string | null;
  providerDecidedBy: string | null;
  providerComment: string | null;
  opsReviewedAt: string | null;
  opsReviewedBy: string | null;
  opsComment: string | null;
  refusedBy: 'provider' | 'ops' | null;
  refusalReason: string | null;
  activatedAt: string | null;
  endedAt: string | null;
  endedBy: string | null;
  endReason: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toGrant(row: DataGrantRow, today: string): Grant {
  return {
    id: row.id,
    resourceId: row.resource_id,
    resourceName: row.resource_name,
    providerOrganisationId: row.provider_organisation_id,
    providerName: row.provider_name,
    consumerOrganisationId: row.consumer_organisation_id,
    consumerName: row.consumer_name,
    projectId: row.project_id,
    projectName: row.project_name,
    purpose: row.purpose,
    sharingType: row.sharing_type,
    requestedFields: row.requested_fields,
    requestedFrom: row.requested_from,
    requestedTo: row.requested_to,
    status: row.status,
    expired: row.status === 'active' && row.valid_to !== null && row.valid_to < today,
    grantedFields: row.granted_fields,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    rateLimitPerMinute: row.rate_limit_per_minute,
    appliedBy: row.applied_by,
    appliedAt: row.applied_at.toISOString(),
    providerDecidedAt: iso(row.provider_decided_at),
    providerDecidedBy: row.provider_decided_by,
    providerComment: row.provider_comment,
    opsReviewedAt: iso(row.ops_reviewed_at),
    opsReviewedBy: row.ops_reviewed_by,
    opsComment: row.ops_comment,
    refusedBy: row.refused_by,
    refusalReason: row.refusal_reason,
    activatedAt: iso(row.activated_at),
    endedAt: iso(row.ended_at),
    endedBy: row.ended_by,
    endReason: row.end_reason,
  };
}

/** The caller's grant (or newest application) on a resource, for the catalogue entry page. */
export async function latestGrantOf(
  trx: Trx,
  resourceId: string,
  consumerId: string,
  now: Date,
): Promise<Grant | null> {
  const row = await repo.latestGrant(trx, resourceId, consumerId);
  return row ? toGrant(row, shanghaiDay(now)) : null;
}

function refuse(issues: FieldError[]): never {
  throw new AppError('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

const periodIssues = (from: string, to: string, today: string, prefix = 'body'): FieldError[] => {
  if (from > to) return [{ field: `${prefix}.validTo`, message: '结束日期早于开始日期 / ends before it starts' }];
  if (to < today) return [{ field: `${prefix}.validTo`, message: '结束日期已过 / ends in the past' }];
  return [];
};

export interface ApplicationInput {
  resourceId: string;
  projectId: string;
  purpose: string;
  fields: string[];
  validFrom: string;
  validTo: string;
}

/** A grant comes into force: the unit's previous grant on the resource is superseded in the same transaction. */
async function activate(
  trx: Trx,
  grant: DataGrantRow,
  set: Partial<DataGrantRow>,
  now: Date,
  by: string | null,
): Promise<DataGrantRow> {
  const previous = await repo.activeGrant(trx, grant.resource_id, grant.consumer_organisation_id);
  if (previous && previous.id !== grant.id) {
    await repo.updateGrant(
      trx,
      previous.id,
      { status: 'superseded', ended_at: now, ended_by: by, end_reason: '由新的授权取代 / superseded by a new grant' },
      now,
    );
  }
  return repo.updateGrant(trx, grant.id, { ...set, status: 'active', activated_at: now }, now);
}

export async function applyForResource(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: ApplicationInput,
  now: Date,
): Promise<Grant> {
  const today = shanghaiDay(now);
  const resource = await catalogue.findResource(trx, input.resourceId);
  if (!resource || resource.published_version === null || resource.withdrawn_at)
    throw notFound(`数据资源不存在 / no such data resource ${input.resourceId}`);
  const version = await catalogue.findVersion(trx, resource.id, resource.published_version);
  if (!version) throw notFound(`数据资源不存在 / no such data resource ${input.resourceId}`);
  if (version.sharing_type === 'not_shared') {
    throw new AppError(
      'data_resource_not_shared',
      `“${version.name}”不予共享：${version.not_shared_reason ?? ''} / this resource is not shared`,
    );
  }
  await assertProvided(trx, resource.jurisdiction_id);
  const issues: FieldError[] = [];
  if (actsFor(auth, resource.organisation_id) || auth.organisationId === resource.organisation_id)
    issues.push({ field: 'body.resourceId', message: '本单位的数据资源无需申请 / the unit’s own resource' });
  const names = new Set(version.fields.map((f) => f.name));
  const fields = [...new Set(input.fields)];
  input.fields.forEach((f, i) => {
    if (!names.has(f)) issues.push({ field: `body.fields.${i}`, message: `没有信息项“${f}” / no field ${f}` });
  });
  if (fields.length === 0) issues.push({ field: 'body.fields', message: '至少选择一个信息项 / at least one field' });
  issues.push(...periodIssues(input.validFrom, input.validTo, today));
  const project = await getProject(trx, input.projectId);
  if (!project || project.organisationId !== auth.organisationId)
    issues.push({ field: 'body.projectId', message: '不是本单位的项目 / not a project of the unit' });
  else if (project.status === 'closed')
    issues.push({ field: 'body.projectId', message: '项目已关闭 / the project is closed' });
  if (issues.length > 0) refuse(issues);
  if (await repo.pendingGrant(trx, resource.id, auth.organisationId)) {
    throw new AppError(
      'data_transition_refused',
      '本单位对该数据资源已有待审批的申请 / the unit already has an application pending for this resource',
    );
  }
  const consumer = await getOrganisation(trx, auth, auth.organisationId);
  const conditional = version.sharing_type === 'conditional';
  let row = await repo.insertGrant(
    trx,
    {
      resource_id: resource.id,
      jurisdiction_id: resource.jurisdiction_id,
      provider_organisation_id: resource.organisation_id,
      consumer_organisation_id: auth.organisationId,
      consumer_jurisdiction_id: auth.jurisdictionId,
      resource_name: version.name,
      provider_name: version.provider_name,
      consumer_name: consumer.name,
      project_id: input.projectId,
      project_name: project?.name ?? '',
      purpose: input.purpose,
      sharing_type: conditional ? 'conditional' : 'unconditional',
      requested_fields: fields,
      requested_from: input.validFrom,
      requested_to: input.validTo,
      status: 'pending_provider',
      applied_by: auth.name,
      applied_at: now,
    },
    now,
  );
  if (!conditional) {
    row = await activate(
      trx,
      row,
      {
        granted_fields: fields,
        valid_from: input.validFrom,
        valid_to: input.validTo,
        rate_limit_per_minute: version.default_rate_limit_per_minute,
      },
      now,
      auth.name,
    );
  }
  await writeAudit(trx, actor, {
    action: conditional ? 'data_grant.applied' : 'data_grant.granted_on_application',
    objectType: 'data_grant',
    objectId: row.id,
    detail: {
      resource: version.name,
      provider: version.provider_name,
      project: row.project_name,
      purpose: input.purpose,
      fields,
      validFrom: input.validFrom,
      validTo: input.validTo,
    },
  });
  await notify(trx, {
    jurisdictionId: resource.jurisdiction_id,
    to: conditional
      ? { organisationId: resource.organisation_id, role: 'unit_admin' }
      : { organisationId: resource.organisation_id },
    kind: conditional ? 'shared_data.application_received' : 'shared_data.granted_on_application',
    title: conditional
      ? {
          zh: `数据使用申请待审批：${consumer.name} 申请“${version.name}”`,
          en: `Data application to decide: ${consumer.name} applies for ${version.name}`,
        }
      : {
          zh: `无条件共享数据已授权：${consumer.name} 使用“${version.name}”（${fields.length} 个信息项）`,
          en: `Unconditional data granted on application: ${consumer.name} uses ${version.name}`,
        },
    link: `/shared-data/applications/${row.id}`,
    entity: { type: 'data_grant', id: row.id },
    occurredAt: now,
  });
  return toGrant(row, today);
}

async function visibleGrant(trx: Trx, auth: AuthContext, id: string, lock = false): Promise<DataGrantRow> {
  const row = await repo.findGrant(trx, id, lock);
  const visible =
    !!row &&
    (actsFor(auth, row.consumer_organisation_id) ||
      actsFor(auth, row.provider_organisation_id) ||
      oversees(auth, row.jurisdiction_id) ||
      oversees(auth, row.consumer_jurisdiction_id));
  if (!row || !visible) throw notFound(`申请不存在 / no such application ${id}`);
  return row;
}

function expect(row: DataGrantRow, status: GrantStatus, what: string): void {
  if (row.status !== status)
    throw new AppError('data_transition_refused', `该申请当前不能${what} / the application cannot be ${what} now`);
}

export interface DecisionInput {
  decision: 'approve' | 'refuse';
  fields?: string[];
  validFrom?: string;
  validTo?: string;
  rateLimitPerMinute?: number | null;
  reason?: string | null;
}

/** The providing unit decides: some or all of the fields asked for, a period inside the one asked for, a rate. */
export async function decideApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: DecisionInput,
  now: Date,
): Promise<Grant> {
  const today = shanghaiDay(now);
  const row = await visibleGrant(trx, auth, id, true);
  if (!actsFor(auth, row.provider_organisation_id))
    throw new AppError('forbidden', '只有数据提供单位可以审批 / only the providing unit decides');
  expect(row, 'pending_provider', '审批');
  let updated: DataGrantRow;
  if (input.decision === 'refuse') {
    if (!input.reason?.trim()) throw invalid('body.reason', '拒绝须说明理由 / a refusal needs a reason');
    updated = await repo.updateGrant(
      trx,
      id,
      {
        status: 'refused',
        refused_by: 'provider',
        refusal_reason: input.reason,
        provider_decided_at: now,
        provider_decided_by: auth.name,
      },
      now,
    );
  } else {
    const fields = [...new Set(input.fields ?? row.requested_fields)];
    const from = input.validFrom ?? row.requested_from;
    const to = input.validTo ?? row.requested_to;
    const issues: FieldError[] = [];
    (input.fields ?? []).forEach((f, i) => {
      if (!row.requested_fields.includes(f))
        issues.push({ field: `body.fields.${i}`, message: `未申请信息项“${f}” / ${f} was not asked for` });
    });
    if (fields.length === 0) issues.push({ field: 'body.fields', message: '至少批准一个信息项 / at least one field' });
    if (from < row.requested_from)
      issues.push({ field: 'body.validFrom', message: '早于申请的开始日期 / before the period asked for' });
    if (to > row.requested_to)
      issues.push({ field: 'body.validTo', message: '晚于申请的结束日期 / after the period asked for' });
    issues.push(...periodIssues(from, to, today));
    if (issues.length > 0) refuse(issues);
    updated = await repo.updateGrant(
      trx,
      id,
      {
        status: 'pending_ops',
        granted_fields: fields,
        valid_from: from,
        valid_to: to,
        rate_limit_per_minute: input.rateLimitPerMinute ?? null,
        provider_comment: input.reason ?? null,
        provider_decided_at: now,
        provider_decided_by: auth.name,
      },
      now,
    );
  }
  await writeAudit(trx, actor, {
    action: input.decision === 'approve' ? 'data_grant.provider_approved' : 'data_grant.provider_refused',
    objectType: 'data_grant',
    objectId: id,
    detail: {
      resource: row.resource_name,
      consumer: row.consumer_name,
      fields: updated.granted_fields,
      validFrom: updated.valid_from,
      validTo: updated.valid_to,
      rateLimitPerMinute: updated.rate_limit_per_minute,
      reason: input.reason ?? null,
    },
  });
  if (input.decision === 'approve') {
    await notify(trx, {
      jurisdictionId: row.jurisdiction_id,
      to: { role: 'ops_reviewer' },
      kind: 'shared_data.application_to_review',
      title: {
        zh: `有条件共享数据申请待运管审核：${row.consumer_name} 使用“${row.resource_name}”`,
        en: `Conditional data grant to review: ${row.consumer_name} uses ${row.resource_name}`,
      },
      link: `/shared-data/applications/${id}`,
      entity: { type: 'data_grant', id },
      occurredAt: now,
    });
  } else await tellConsumer(trx, updated, 'refused', now);
  return toGrant(updated, today);
}

async function tellConsumer(trx: Trx, row: DataGrantRow, what: 'granted' | 'refused' | 'revoked', now: Date) {
  const zh = { granted: '已授权', refused: '未获批准', revoked: '授权已撤销' }[what];
  const en = { granted: 'granted', refused: 'refused', revoked: 'revoked' }[what];
  await notify(trx, {
    jurisdictionId: row.consumer_jurisdiction_id,
    to: { organisationId: row.consumer_organisation_id },
    kind: `shared_data.grant_${en}`,
    title: { zh: `数据使用申请${zh}：“${row.resource_name}”`, en: `Data application ${en}: ${row.resource_name}` },
    body:
      what === 'granted'
        ? undefined
        : { zh: row.refusal_reason ?? row.end_reason ?? '', en: row.refusal_reason ?? row.end_reason ?? '' },
    link: `/shared-data/applications/${row.id}`,
    entity: { type: 'data_grant', id: row.id },
    occurredAt: now,
  });
}

/** The ops unit reviews a conditional grant the provider approved (NB 14: the centre provides authorisation). */
export async function reviewApplication(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { decision: 'approve' | 'refuse'; reason?: string | null },
  now: Date,
): Promise<Grant> {
  const row = await visibleGrant(trx, auth, id, true);
  if (!oversees(auth, row.jurisdiction_id))
    throw new AppError(
      'forbidden',
      '只有数据提供单位所在辖区的运管单位可以审核 / only the provider’s ops unit reviews',
    );
  expect(row, 'pending_ops', '审核');
  let updated: DataGrantRow;
  if (input.decision === 'refuse') {
    if (!input.reason?.trim()) throw invalid('body.reason', '不同意须说明理由 / a refusal needs a reason');
    updated = await repo.updateGrant(
      trx,
      id,
      {
        status: 'refused',
        refused_by: 'ops',
        refusal_reason: input.reason,
        ops_reviewed_at: now,
        ops_reviewed_by: auth.name,
        ops_comment: input.reason,
      },
      now,
    );
  } else {
    updated = await activate(
      trx,
      row,
      { ops_reviewed_at: now, ops_reviewed_by: auth.name, ops_comment: input.reason ?? null },
      now,
      auth.name,
    );
  }
  await writeAudit(trx, actor, {
    action: input.decision === 'approve' ? 'data_grant.granted' : 'data_grant.ops_refused',
    objectType: 'data_grant',
    objectId: id,
    detail: {
      resource: row.resource_name,
      consumer: row.consumer_name,
      fields: row.granted_fields,
      validFrom: row.valid_from,
      validTo: row.valid_to,
      reason: input.reason ?? null,
    },
  });
  await tellConsumer(trx, updated, input.decision === 'approve' ? 'granted' : 'refused', now);
  return toGrant(updated, shanghaiDay(now));
}

export async function withdrawApplication(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const row = await visibleGrant(trx, auth, id, true);
  if (!actsFor(auth, row.consumer_organisation_id))
    throw new AppError('forbidden', '只有申请单位可以撤回 / only the applying unit withdraws');
  if (row.status !== 'pending_provider' && row.status !== 'pending_ops')
    throw new AppError('data_transition_refused', '只能撤回待审批的申请 / only pending applications');
  const updated = await repo.updateGrant(trx, id, { status: 'withdrawn', ended_at: now, ended_by: auth.name }, now);
  await writeAudit(trx, actor, {
    action: 'data_grant.withdrawn',
    objectType: 'data_grant',
    objectId: id,
    detail: { resource: row.resource_name },
  });
  return toGrant(updated, shanghaiDay(now));
}

/** The provider (or the ops unit) revokes a grant in force: the next gateway call is refused (grant_revoked). */
export async function revokeGrant(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  reason: string,
  now: Date,
): Promise<Grant> {
  const row = await visibleGrant(trx, auth, id, true);
  if (!(actsFor(auth, row.provider_organisation_id) || oversees(auth, row.jurisdiction_id)))
    throw new AppError('forbidden', '只有数据提供单位或运管单位可以撤销授权 / only the provider or the ops unit');
  expect(row, 'active', '撤销');
  const updated = await repo.updateGrant(
    trx,
    id,
    { status: 'revoked', ended_at: now, ended_by: auth.name, end_reason: reason },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'data_grant.revoked',
    objectType: 'data_grant',
    objectId: id,
    detail: { resource: row.resource_name, consumer: row.consumer_name, reason },
  });
  await tellConsumer(trx, updated, 'revoked', now);
  return toGrant(updated, shanghaiDay(now));
}

/** Every grant in force on a resource ends (the resource became not shared). */
export async function revokeAllOnResource(trx: Trx, actor: Actor, resourceId: string, reason: string, now: Date) {
  for (const row of await repo.activeGrantsOn(trx, resourceId)) {
    const updated = await repo.updateGrant(
      trx,
      row.id,
      { status: 'revoked', ended_at: now, ended_by: actor.name ?? null, end_reason: reason },
      now,
    );
    await writeAudit(trx, actor, {
      action: 'data_grant.revoked',
      objectType: 'data_grant',
      objectId: row.id,
      detail: { resource: row.resource_name, consumer: row.consumer_name, reason },
    });
    await tellConsumer(trx, updated, 'revoked', now);
  }
}

export async function getGrant(trx: Trx, auth: AuthContext, id: string, now: Date): Promise<Grant> {
  return toGrant(await visibleGrant(trx, auth, id), shanghaiDay(now));
}

export type GrantView = 'mine' | 'provider' | 'review' | 'all';

export async function listApplications(
  trx: Trx,
  auth: AuthContext,
  view: GrantView,
  filter: { status?: GrantStatus; resourceId?: string },
  page: { limit: number; offset: number },
  now: Date,
): Promise<{ items: Grant[]; total: number }> {
  const v = auth.visibility;
  const scoped: repo.GrantFilter = { ...filter };
  if (view === 'mine' || view === 'provider') {
    const orgs = v.kind === 'organisation' ? v.organisations : [];
    if (orgs.length === 0) return { items: [], total: 0 };
    if (view === 'mine') scoped.consumers = orgs;
    else scoped.providers = orgs;
  } else {
    if (v.kind !== 'jurisdiction') return { items: [], total: 0 };
    scoped.jurisdictions = v.jurisdictions;
    if (view === 'review') scoped.status = 'pending_ops';
  }
  const { rows, total } = await repo.listGrants(trx, scoped, page);
  const today = shanghaiDay(now);
  return { items: rows.map((r) => toGrant(r, today)), total };
}
