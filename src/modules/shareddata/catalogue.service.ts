import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { sealSecret } from '../../platform/crypto.ts';
import { AppError, type FieldError, invalid, notFound } from '../../platform/errors.ts';
import { checkTarget, EgressRefused, type Resolver } from '../../platform/http/egress.ts';
import type { Trx } from '../../schema.ts';
import { egressPolicyOf, notify } from '../notifications/index.ts';
import { getSystem } from '../projects/index.ts';
import { getOrganisation } from '../tenancy/index.ts';
import * as repo from './catalogue.repository.ts';
import type { Grant } from './grants.service.ts';
import { latestGrantOf, revokeAllOnResource } from './grants.service.ts';
import { actsFor, assertProvided, oversees, sharedDataPolicy } from './shareddata.policy.ts';
import type {
  DataField,
  DataFormat,
  DataResourceRow,
  DataResourceVersionRow,
  Delivery,
  SharingType,
  UpdateSchedule,
  VersionStatus,
} from './shareddata.table.ts';

// The shared-data catalogue (NB 15): providing units register their data resources; the ops unit reviews and
// publishes each version; every signed-in unit searches what is published.

export interface ResourceInput {
  name: string;
  description: string;
  fields: DataField[];
  format: DataFormat;
  updateSchedule: UpdateSchedule;
  sharingType: SharingType;
  sharingCondition: string | null;
  notSharedReason: string | null;
  scope: string;
  systemId: string;
  delivery: Delivery;
  endpointUrl: string | null;
  defaultRateLimitPerMinute: number | null;
}

export interface ResourceVersion extends ResourceInput {
  resourceId: string;
  version: number;
  status: VersionStatus;
  systemName: string;
  providerName: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  submittedBy: string | null;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewComment: string | null;
  publishedAt: string | null;
}

type ResourceStatus = 'draft' | 'submitted' | 'returned' | 'published' | 'withdrawn';
const OPEN: readonly VersionStatus[] = ['draft', 'submitted', 'returned'];

export interface ResourceSummary {
  id: string;
  organisationId: string;
  providerName: string;
  name: string;
  description: string;
  systemName: string;
  sharingType: SharingType;
  format: DataFormat;
  updateSchedule: UpdateSchedule;
  delivery: Delivery;
  scope: string;
  fieldCount: number;
  status: ResourceStatus;
  publishedVersion: number | null;
  openVersion: { version: number; status: 'draft' | 'submitted' | 'returned' } | null;
  publishedAt: string | null;
  updatedAt: string;
}

export interface Resource {
  id: string;
  organisationId: string;
  providerName: string;
  status: ResourceStatus;
  withdrawnAt: string | null;
  withdrawReason: string | null;
  published: ResourceVersion | null;
  open: ResourceVersion | null;
  versions: { version: number; status: VersionStatus; publishedAt: string | null; reviewComment: string | null }[];
  credential: { headerName: string; updatedAt: string; updatedBy: string | null } | null;
  canManage: boolean;
  myGrant: Grant | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toVersion(row: DataResourceVersionRow): ResourceVersion {
  return {
    resourceId: row.resource_id,
    version: row.version,
    status: row.status,
    name: row.name,
    description: row.description,
    fields: row.fields,
    format: row.format,
    updateSchedule: row.update_schedule,
    sharingType: row.sharing_type,
    sharingCondition: row.sharing_condition,
    notSharedReason: row.not_shared_reason,
    scope: row.scope,
    systemId: row.system_id,
    systemName: row.system_name,
    providerName: row.provider_name,
    delivery: row.delivery,
    endpointUrl: row.endpoint_url,
    defaultRateLimitPerMinute: row.default_rate_limit_per_minute,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    submittedAt: iso(row.submitted_at),
    submittedBy: row.submitted_by,
    reviewedAt: iso(row.reviewed_at),
    reviewedBy: row.reviewed_by,
    reviewComment: row.review_comment,
    publishedAt: iso(row.published_at),
  };
}

const withoutEndpoint = (v: ResourceVersion, keep: boolean): ResourceVersion =>
  keep ? v : { ...v, endpointUrl: null };

function statusOf(resource: Pick<DataResourceRow, 'withdrawn_at' | 'published_version'>, open?: VersionStatus) {
  if (resource.withdrawn_at) return 'withdrawn';
  if (resource.published_version !== null) return 'published';
  return (open ?? 'draft') as ResourceStatus;
}

/** The endpoint must be an http(s) address without credentials; whether it may be called is the ops unit's check. */
function endpointIssues(input: ResourceInput, prefix: string): FieldError[] {
  const field = `${prefix}.endpointUrl`;
  if (input.endpointUrl === null || input.endpointUrl === '') {
    return input.sharingType === 'not_shared'
      ? []
      : [{ field, message: '必填：数据服务地址或文件地址 / required: the address of the endpoint or file' }];
  }
  let url: URL;
  try {
    url = new URL(input.endpointUrl);
  } catch {
    return [{ field, message: '不是有效的网址 / not a URL' }];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return [{ field, message: '只能是 http 或 https 地址 / only http and https' }];
  if (url.username || url.password)
    return [{ field, message: '地址中不得包含用户名或密码；凭据另行设置 / no credentials in the address' }];
  if (url.hash) return [{ field, message: '地址中不得包含 # 片段 / no fragment' }];
  return [];
}

/** Everything wrong with an entry, each naming its field (`body.fields.2.name`); [] when it is complete. */
export function resourceIssues(input: ResourceInput, prefix = 'body'): FieldError[] {
  const issues: FieldError[] = [];
  const seen = new Map<string, number>();
  input.fields.forEach((f, i) => {
    const before = seen.get(f.name);
    if (before !== undefined)
      issues.push({
        field: `${prefix}.fields.${i}.name`,
        message: `与第 ${before + 1} 个信息项重名 / repeats field ${before + 1}`,
      });
    else seen.set(f.name, i);
  });
  if (input.sharingType === 'conditional' && !input.sharingCondition?.trim())
    issues.push({
      field: `${prefix}.sharingCondition`,
      message: '有条件共享须写明共享条件 / required for conditional sharing',
    });
  if (input.sharingType === 'not_shared' && !input.notSharedReason?.trim())
    issues.push({
      field: `${prefix}.notSharedReason`,
      message: '不予共享须写明理由和依据 / required when not shared',
    });
  issues.push(...endpointIssues(input, prefix));
  return issues;
}

function refuse(issues: FieldError[]): never {
  throw new AppError('validation_failed', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
}

async function versionValues(
  trx: Trx,
  auth: AuthContext,
  organisationId: string,
  input: ResourceInput,
): Promise<Omit<repo.VersionValues, 'resource_id' | 'version' | 'status' | 'organisation_id' | 'jurisdiction_id'>> {
  const issues = resourceIssues(input);
  const system = await getSystem(trx, input.systemId);
  if (!system || system.organisationId !== organisationId) {
    issues.push({
      field: 'body.systemId',
      message: '不是本单位登记的信息系统 / not an information system of the providing unit',
    });
  }
  if (issues.length > 0) refuse(issues);
  const provider = await getOrganisation(trx, auth, organisationId);
  return {
    name: input.name.trim(),
    description: input.description,
    fields: input.fields,
    format: input.format,
    update_schedule: input.updateSchedule,
    sharing_type: input.sharingType,
    sharing_condition: input.sharingType === 'conditional' ? input.sharingCondition : null,
    not_shared_reason: input.sharingType === 'not_shared' ? input.notSharedReason : null,
    scope: input.scope,
    system_id: input.systemId,
    system_name: system?.name ?? '',
    provider_name: provider.name,
    delivery: input.delivery,
    endpoint_url: input.endpointUrl || null,
    default_rate_limit_per_minute: input.defaultRateLimitPerMinute,
    created_by: auth.name,
  };
}

async function assertNameFree(trx: Trx, organisationId: string, name: string, resourceId: string | null) {
  const other = await repo.findResourceByName(trx, organisationId, name.trim());
  if (other && other.id !== resourceId)
    throw invalid('body.name', `本单位已有同名数据资源 / the unit already has a data resource named ${name}`);
}

/** The resource as its providing unit may change it (the caller acts for that unit), locked. */
async function ownResource(trx: Trx, auth: AuthContext, id: string): Promise<DataResourceRow> {
  const resource = await repo.findResource(trx, id, true);
  if (!resource || !actsFor(auth, resource.organisation_id))
    throw notFound(`数据资源不存在 / no such data resource ${id}`);
  return resource;
}

/** A new data resource of the caller's unit: version 1, a draft. */
export async function createResource(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: ResourceInput,
  now: Date,
): Promise<Resource> {
  await assertProvided(trx, auth.jurisdictionId);
  const values = await versionValues(trx, auth, auth.organisationId, input);
  await assertNameFree(trx, auth.organisationId, values.name, null);
  const resource = await repo.insertResource(trx, {
    organisation_id: auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    name: values.name,
  });
  await repo.insertVersion(
    trx,
    {
      ...values,
      resource_id: resource.id,
      version: 1,
      status: 'draft',
      organisation_id: resource.organisation_id,
      jurisdiction_id: resource.jurisdiction_id,
    },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'data_resource.created',
    objectType: 'data_resource',
    objectId: resource.id,
    detail: { name: values.name, sharingType: values.sharing_type, version: 1 },
  });
  return getResource(trx, auth, resource.id, now);
}

/**
 * Saves the entry being prepared: edits the open draft (or a version returned by the ops unit), or starts the
 * next version from a published one. A version under review cannot change (409).
 */
export async function saveDraft(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: ResourceInput,
  now: Date,
): Promise<Resource> {
  const resource = await ownResource(trx, auth, id);
  if (resource.withdrawn_at)
    throw new AppError('data_transition_refused', '数据资源已下架 / the resource was withdrawn');
  await assertProvided(trx, resource.jurisdiction_id);
  const values = await versionValues(trx, auth, resource.organisation_id, input);
  await assertNameFree(trx, resource.organisation_id, values.name, resource.id);
  const open = (await repo.versionsOf(trx, [id])).find((v) => OPEN.includes(v.status));
  let version: number;
  if (open?.status === 'submitted') {
    throw new AppError(
      'data_transition_refused',
      `第 ${open.version} 版正在审核，审核完成前不能修改 / version ${open.version} is under review`,
    );
  }
  if (open) {
    version = open.version;
    await repo.updateVersion(trx, id, version, { ...values, status: 'draft' }, now);
  } else {
    version = (await repo.maxVersion(trx, id)) + 1;
    await repo.insertVersion(
      trx,
      {
        ...values,
        resource_id: id,
        version,
        status: 'draft',
        organisation_id: resource.organisation_id,
        jurisdiction_id: resource.jurisdiction_id,
      },
      now,
    );
  }
  await repo.updateResource(trx, id, { name: values.name }, now);
  await writeAudit(trx, actor, {
    action: 'data_resource.draft_saved',
    objectType: 'data_resource',
    objectId: id,
    detail: { name: values.name, version, sharingType: values.sharing_type },
  });
  return getResource(trx, auth, id, now);
}

/** The provider submits its open version to the ops unit for review; the ops reviewers are told. */
export async function submitResource(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const resource = await ownResource(trx, auth, id);
  await assertProvided(trx, resource.jurisdiction_id);
  const open = (await repo.versionsOf(trx, [id])).find((v) => v.status === 'draft' || v.status === 'returned');
  if (!open) throw new AppError('data_transition_refused', '没有待提交的版本 / no draft to submit');
  await repo.updateVersion(
    trx,
    id,
    open.version,
    { status: 'submitted', submitted_at: now, submitted_by: auth.name },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'data_resource.submitted',
    objectType: 'data_resource',
    objectId: id,
    detail: { name: open.name, version: open.version },
  });
  await notify(trx, {
    jurisdictionId: resource.jurisdiction_id,
    to: { role: 'ops_reviewer' },
    kind: 'shared_data.resource_submitted',
    title: {
      zh: `数据资源待审核发布：${open.name}（${open.provider_name}，第 ${open.version} 版）`,
      en: `Data resource awaiting review: ${open.name} (version ${open.version})`,
    },
    link: `/shared-data/resources/${id}`,
    entity: { type: 'data_resource', id },
    occurredAt: now,
  });
  return getResource(trx, auth, id, now);
}

export interface ReviewInput {
  decision: 'publish' | 'return';
  comment: string | null;
}

/**
 * The ops unit publishes a submitted version (the endpoint must pass the jurisdiction's egress policy: the
 * address is approved here, and only a published address is ever called) or returns it with a comment.
 * Publishing supersedes the previous version; a version that is not shared ends the grants in force.
 */
export async function reviewResource(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: ReviewInput,
  now: Date,
  resolve?: Resolver,
): Promise<Resource> {
  const resource = await repo.findResource(trx, id, true);
  if (!resource || !oversees(auth, resource.jurisdiction_id))
    throw notFound(`数据资源不存在 / no such data resource ${id}`);
  const submitted = (await repo.versionsOf(trx, [id])).find((v) => v.status === 'submitted');
  if (!submitted) throw new AppError('data_transition_refused', '没有待审核的版本 / no version awaiting review');
  if (input.decision === 'return') {
    if (!input.comment?.trim()) throw invalid('body.comment', '退回须说明理由 / a return needs a comment');
    await repo.updateVersion(
      trx,
      id,
      submitted.version,
      { status: 'returned', reviewed_at: now, reviewed_by: auth.name, review_comment: input.comment },
      now,
    );
  } else {
    await assertProvided(trx, resource.jurisdiction_id);
    if (submitted.endpoint_url) {
      try {
        await checkTarget(submitted.endpoint_url, await egressPolicyOf(trx, resource.jurisdiction_id), resolve);
      } catch (error) {
        if (!(error instanceof EgressRefused)) throw error;
        throw new AppError(
          'data_endpoint_refused',
          `数据服务地址未通过出站访问策略：${error.message}；请先在出站访问策略中允许该主机 / the endpoint does not pass the egress policy`,
          [{ field: 'endpointUrl', message: error.message }],
        );
      }
    }
    if (resource.published_version !== null) {
      await repo.updateVersion(trx, id, resource.published_version, { status: 'superseded' }, now);
    }
    await repo.updateVersion(
      trx,
      id,
      submitted.version,
      {
        status: 'published',
        reviewed_at: now,
        reviewed_by: auth.name,
        review_comment: input.comment,
        published_at: now,
      },
      now,
    );
    await repo.updateResource(trx, id, { published_version: submitted.version }, now);
    if (submitted.sharing_type === 'not_shared') {
      await revokeAllOnResource(
        trx,
        actor,
        id,
        `第 ${submitted.version} 版改为不予共享 / version ${submitted.version} is not shared`,
        now,
      );
    }
  }
  const published = input.decision === 'publish';
  await writeAudit(trx, actor, {
    action: published ? 'data_resource.published' : 'data_resource.returned',
    objectType: 'data_resource',
    objectId: id,
    detail: {
      name: submitted.name,
      version: submitted.version,
      comment: input.comment,
      endpoint: submitted.endpoint_url,
    },
  });
  await notify(trx, {
    jurisdictionId: resource.jurisdiction_id,
    to: { organisationId: resource.organisation_id },
    kind: published ? 'shared_data.resource_published' : 'shared_data.resource_returned',
    title: published
      ? {
          zh: `数据资源已发布：${submitted.name}（第 ${submitted.version} 版）`,
          en: `Data resource published: ${submitted.name}`,
        }
      : {
          zh: `数据资源被退回修改：${submitted.name}（${input.comment ?? ''}）`,
          en: `Data resource returned: ${submitted.name}`,
        },
    link: `/shared-data/resources/${id}`,
    entity: { type: 'data_resource', id },
    occurredAt: now,
  });
  return getResource(trx, auth, id, now);
}

/** Takes a resource off the catalogue (the provider, or the ops unit): grants stop working on the next call. */
export async function withdrawResource(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  reason: string,
  now: Date,
): Promise<Resource> {
  const resource = await repo.findResource(trx, id, true);
  if (!resource || !(actsFor(auth, resource.organisation_id) || oversees(auth, resource.jurisdiction_id)))
    throw notFound(`数据资源不存在 / no such data resource ${id}`);
  if (resource.withdrawn_at) throw new AppError('data_transition_refused', '数据资源已下架 / already withdrawn');
  await repo.updateResource(trx, id, { withdrawn_at: now, withdrawn_by: auth.name, withdraw_reason: reason }, now);
  await writeAudit(trx, actor, {
    action: 'data_resource.withdrawn',
    objectType: 'data_resource',
    objectId: id,
    detail: { name: resource.name, reason },
  });
  return getResource(trx, auth, id, now);
}

/** The provider's credential for its own endpoint, sealed with SM4 (YUNGUAN_DATA_KEY); never shown again. */
export async function setCredential(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  input: { headerName: string; value: string },
  now: Date,
): Promise<Resource> {
  const resource = await ownResource(trx, auth, id);
  await repo.putCredential(
    trx,
    {
      resource_id: id,
      organisation_id: resource.organisation_id,
      jurisdiction_id: resource.jurisdiction_id,
      header_name: input.headerName,
      sealed_value: sealSecret(input.value),
      updated_by: auth.name,
    },
    now,
  );
  await writeAudit(trx, actor, {
    action: 'data_resource.credential_set',
    objectType: 'data_resource',
    objectId: id,
    detail: { name: resource.name, headerName: input.headerName },
  });
  return getResource(trx, auth, id, now);
}

/** One resource as the caller may see it: a consumer sees only what is published (else 404). */
export async function getResource(trx: Trx, auth: AuthContext, id: string, now: Date): Promise<Resource> {
  const resource = await repo.findResource(trx, id);
  const manage = !!resource && actsFor(auth, resource.organisation_id);
  const staff = !!resource && oversees(auth, resource.jurisdiction_id);
  if (!resource || (!manage && !staff && (resource.published_version === null || resource.withdrawn_at)))
    throw notFound(`数据资源不存在 / no such data resource ${id}`);
  const versions = await repo.versionsOf(trx, [id]);
  const published = versions.find((v) => v.version === resource.published_version) ?? null;
  const open = manage || staff ? (versions.find((v) => OPEN.includes(v.status)) ?? null) : null;
  const credential = manage ? await repo.getCredential(trx, id) : undefined;
  return {
    id,
    organisationId: resource.organisation_id,
    providerName: (published ?? open ?? versions[0])?.provider_name ?? '',
    status: statusOf(resource, open?.status),
    withdrawnAt: iso(resource.withdrawn_at),
    withdrawReason: resource.withdraw_reason,
    // The endpoint is the ops unit's and the provider's business: consumers reach the data only through the gateway.
    published: published ? withoutEndpoint(toVersion(published), manage || staff) : null,
    open: open ? toVersion(open) : null,
    versions: versions
      .filter((v) => manage || staff || v.status === 'published' || v.status === 'superseded')
      .map((v) => ({
        version: v.version,
        status: v.status,
        publishedAt: iso(v.published_at),
        reviewComment: v.review_comment,
      })),
    credential: credential
      ? {
          headerName: credential.header_name,
          updatedAt: credential.updated_at.toISOString(),
          updatedBy: credential.updated_by,
        }
      : null,
    canManage: manage,
    myGrant: await latestGrantOf(trx, id, auth.organisationId, now),
  };
}

export async function getVersion(trx: Trx, auth: AuthContext, id: string, version: number): Promise<ResourceVersion> {
  const resource = await repo.findResource(trx, id);
  const row = resource ? await repo.findVersion(trx, id, version) : undefined;
  const visible =
    !!resource &&
    !!row &&
    (actsFor(auth, resource.organisation_id) ||
      oversees(auth, resource.jurisdiction_id) ||
      row.status === 'published' ||
      row.status === 'superseded');
  if (!visible || !row) throw notFound(`数据资源版本不存在 / no such version ${version}`);
  return withoutEndpoint(
    toVersion(row),
    actsFor(auth, resource.organisation_id) || oversees(auth, resource.jurisdiction_id),
  );
}

export type CatalogueView = 'catalogue' | 'mine' | 'review';

export async function listResources(
  trx: Trx,
  auth: AuthContext,
  view: CatalogueView,
  filter: Omit<repo.CatalogueFilter, 'mine' | 'review'>,
  page: { limit: number; offset: number },
): Promise<{ items: ResourceSummary[]; total: number }> {
  const scoped: repo.CatalogueFilter = { ...filter };
  if (view === 'mine') {
    scoped.mine = auth.visibility.kind === 'organisation' ? auth.visibility.organisations : [];
  } else if (view === 'review') {
    scoped.review = auth.visibility.kind === 'jurisdiction' ? auth.visibility.jurisdictions : [];
  }
  const { rows, total } = await repo.listResources(trx, scoped, page);
  const open =
    view === 'catalogue'
      ? new Map<string, DataResourceVersionRow>()
      : new Map(
          (
            await repo.versionsOf(
              trx,
              rows.map((r) => r.resource_id),
            )
          )
            .filter((v) => OPEN.includes(v.status))
            .map((v) => [v.resource_id, v]),
        );
  return {
    total,
    items: rows.map((r) => {
      const o = open.get(r.resource_id);
      return {
        id: r.resource_id,
        organisationId: r.organisation_id,
        providerName: r.provider_name,
        name: r.name,
        description: r.description,
        systemName: r.system_name,
        sharingType: r.sharing_type,
        format: r.format,
        updateSchedule: r.update_schedule,
        delivery: r.delivery,
        scope: r.scope,
        fieldCount: r.fields.length,
        status: statusOf(r, o?.status),
        publishedVersion: r.published_version,
        openVersion: o ? { version: o.version, status: o.status as 'draft' | 'submitted' | 'returned' } : null,
        publishedAt: iso(r.published_at),
        updatedAt: r.updated_at.toISOString(),
      };
    }),
  };
}

/** The service guide's figures: the caller's jurisdiction's rules and what the catalogue holds. */
export async function guide(trx: Trx, auth: AuthContext) {
  const policy = await sharedDataPolicy(trx, auth.jurisdictionId);
  const figures = await repo.catalogueFigures(trx);
  return {
    jurisdictionName: policy.jurisdictionName,
    provided: policy.provided,
    providedArticle: policy.providedArticle,
    providedNote: policy.providedNote,
    errorCorrectionWorkingDays: policy.errorCorrectionWorkingDays,
    errorCorrectionArticle: policy.errorCorrectionArticle,
    errorCorrectionNote: policy.errorCorrectionNote,
    errorCorrectionOverridden: policy.errorCorrectionOverridden,
    policyTitle: policy.policyTitle,
    publishedResources: figures.resources,
    providers: figures.providers,
  };
}

export async function recordExport(trx: Trx, actor: Actor, view: string, resources: number, bytes: number) {
  await writeAudit(trx, actor, {
    action: 'data_resource.exported',
    objectType: 'data_resource',
    detail: { view, resources, bytes },
  });
}
