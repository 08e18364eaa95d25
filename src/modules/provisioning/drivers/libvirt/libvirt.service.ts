import { type Actor, writeAudit } from '../../../../platform/audit/audit.ts';
import type { AuthContext } from '../../../../platform/auth/auth.ts';
import { sealSecret } from '../../../../platform/crypto.ts';
import { AppError, notFound } from '../../../../platform/errors.ts';
import type { Db, Trx } from '../../../../schema.ts';
import { freeOf } from './libvirt.capacity.ts';
import { configOf, virshOf } from './libvirt.connections.ts';
import { capacity, resumeVm, suspendVm } from './libvirt.ops.ts';
import * as repo from './libvirt.repository.ts';
import type { LibvirtTaskRow } from './libvirt.table.ts';

// The ops unit's configuration of libvirt zones, the capacity it sees, the driver's tasks on work orders, and
// suspend/resume of a domain. Routes open the transaction; libvirt is called outside any transaction.

/** libvirt connection URIs the driver accepts: QEMU/KVM locally or remotely, and libvirt's test driver. */
const URI = /^(qemu(\+(tcp|tls|ssh|unix|libssh|libssh2))?:\/\/[^\s]*\/(system|session)(\?[^\s]*)?|test:\/\/\/[^\s]+)$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface ConnectionInput {
  providerId: string;
  zone: string;
  name: string;
  uri: string;
  username?: string;
  password?: string;
  pool: string;
  baseVolume: string;
  network: string;
  domainType: 'kvm' | 'qemu';
  maxVcpu?: number;
  maxMemoryGb?: number;
  vcpuOvercommit?: number;
  bootKernel?: string | null;
  bootInitrd?: string | null;
  bootCmdline?: string | null;
  enabled?: boolean;
}

const fieldError = (field: string, message: string) =>
  new AppError('validation_failed', message, [{ field: `body.${field}`, message }]);

function oversees(auth: AuthContext, jurisdictionId: string) {
  return auth.visibility.kind === 'jurisdiction' && auth.visibility.jurisdictions.includes(jurisdictionId);
}

export const toConnection = (c: repo.ConnectionWithProvider) => ({
  id: c.id,
  providerId: c.provider_id,
  providerName: c.provider_name,
  zone: c.zone,
  name: c.name,
  uri: c.uri,
  hasCredentials: c.sealed_credentials !== null,
  pool: c.pool,
  baseVolume: c.base_volume,
  network: c.network,
  domainType: c.domain_type,
  maxVcpu: c.max_vcpu,
  maxMemoryGb: c.max_memory_gb,
  vcpuOvercommit: c.vcpu_overcommit,
  bootKernel: c.boot_kernel,
  bootInitrd: c.boot_initrd,
  bootCmdline: c.boot_cmdline,
  enabled: c.enabled,
  updatedBy: c.updated_by,
  updatedAt: c.updated_at.toISOString(),
  reconciledAt: c.reconciled_at?.toISOString() ?? null,
  sampledAt: c.sampled_at?.toISOString() ?? null,
  lastError: c.last_error,
});

/** The ops unit binds a provider's zone to a libvirt connection (credentials sealed with SM4, never shown). */
export async function putConnection(trx: Trx, auth: AuthContext, actor: Actor, input: ConnectionInput, now: Date) {
  if (auth.organisationType !== 'cloud_operations_unit')
    throw new AppError('forbidden', 'only the cloud operations unit configures libvirt zones / 仅运营单位可配置');
  if (!URI.test(input.uri))
    throw fieldError('uri', 'a libvirt URI such as qemu:///system or qemu+ssh://host/system / 连接地址格式不正确');
  for (const f of ['name', 'pool', 'baseVolume', 'network'] as const) {
    if (!NAME.test(input[f])) throw fieldError(f, `${f}: letters, digits, . _ - (at most 64) / 名称格式不正确`);
  }
  for (const f of ['bootKernel', 'bootInitrd'] as const) {
    const v = input[f];
    if (v && !/^\/[^\0\n]*$/.test(v)) throw fieldError(f, `${f}: an absolute path on the host / 须为主机上的绝对路径`);
  }
  if (input.bootInitrd && !input.bootKernel)
    throw fieldError('bootKernel', 'an initrd needs its kernel / 指定 initrd 时须指定内核');
  if (!input.zone.trim()) throw fieldError('zone', 'the network zone is required / 请填写网络区域');
  if ((input.username === undefined) !== (input.password === undefined))
    throw fieldError('password', 'give the user name and the password together / 用户名与密码须同时填写');
  const provider = await repo.organisationOf(trx, input.providerId);
  if (provider?.type !== 'cloud_service_provider' || provider.jurisdiction_id !== auth.jurisdictionId)
    throw fieldError('providerId', 'not a cloud service provider of this jurisdiction / 不是本辖区的云服务商');
  const id = await repo.upsertConnection(trx, {
    jurisdiction_id: auth.jurisdictionId,
    provider_id: input.providerId,
    zone: input.zone.trim(),
    name: input.name,
    uri: input.uri,
    sealed_credentials:
      input.username === undefined
        ? undefined
        : sealSecret(JSON.stringify({ username: input.username, password: input.password })),
    pool: input.pool,
    base_volume: input.baseVolume,
    network: input.network,
    domain_type: input.domainType,
    max_vcpu: input.maxVcpu ?? 0,
    max_memory_gb: input.maxMemoryGb ?? 0,
    vcpu_overcommit: input.vcpuOvercommit ?? 1,
    boot_kernel: input.bootKernel || null,
    boot_initrd: input.bootKernel ? input.bootInitrd || null : null,
    boot_cmdline: input.bootKernel ? input.bootCmdline || null : null,
    enabled: input.enabled ?? true,
    updated_by: auth.name,
    updated_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'libvirt_connection.configured',
    objectType: 'libvirt_connection',
    objectId: id,
    detail: {
      providerId: input.providerId,
      zone: input.zone,
      name: input.name,
      uri: input.uri,
      credentialsChanged: input.username !== undefined,
      domainType: input.domainType,
      enabled: input.enabled ?? true,
    },
  });
  const [row] = await repo.listConnections(trx, { id });
  return toConnection(row as repo.ConnectionWithProvider);
}

export async function listConnections(trx: Trx, auth: AuthContext) {
  return (await repo.listConnections(trx)).filter((c) => oversees(auth, c.jurisdiction_id)).map(toConnection);
}

/** A connection's host capacity, read from libvirt now (outside any transaction). */
export async function connectionCapacity(db: Db, auth: AuthContext, id: string) {
  const [c] = await repo.listConnections(db, { id });
  if (!c || !oversees(auth, c.jurisdiction_id)) throw notFound(`libvirt connection ${id} / 连接不存在`);
  const room = await capacity(virshOf(c), configOf(c));
  return { ...room, ...freeOf(room) };
}

export const toTask = (t: LibvirtTaskRow) => ({
  workOrderId: t.work_order_id,
  status: t.status,
  attempts: t.attempts,
  nextAttemptAt: t.status === 'pending' ? t.next_attempt_at.toISOString() : null,
  lastError: t.last_error,
  lastErrorAt: t.last_error_at?.toISOString() ?? null,
  steps: t.trail,
  updatedAt: t.updated_at.toISOString(),
});

export async function listTasks(trx: Trx, filter: { workOrderId?: string; status?: string }) {
  return (await repo.tasksOf(trx, filter)).map(toTask);
}

/** The ops unit asks again for a task that stopped retrying (after fixing the cause). */
export async function retryTask(trx: Trx, auth: AuthContext, actor: Actor, workOrderId: string, now: Date) {
  if (auth.organisationType !== 'cloud_operations_unit')
    throw new AppError('forbidden', 'only the cloud operations unit retries / 仅运营单位可重试');
  if (!(await repo.retryTask(trx, workOrderId, now)))
    throw new AppError('conflict', 'no failed libvirt task on this work order / 该工单没有失败的任务');
  await writeAudit(trx, actor, {
    action: 'libvirt_task.retried',
    objectType: 'work_order',
    objectId: workOrderId,
    detail: {},
  });
  const [t] = await repo.tasksOf(trx, { workOrderId });
  return toTask(t as LibvirtTaskRow);
}

/**
 * The domain of an inventory resource on a libvirt zone, for suspend/resume: read in the caller's tenant
 * transaction (its provider, or the ops unit).
 */
export async function libvirtTarget(trx: Trx, auth: AuthContext, resourceId: string) {
  const r = await repo.resourceOf(trx, resourceId);
  const allowed = r && (oversees(auth, r.jurisdiction_id) || auth.organisationId === r.provider_id);
  if (!r || !allowed) throw notFound(`resource ${resourceId} / 资源不存在`);
  const c = (await repo.listConnections(trx, { enabledOnly: true })).find(
    (x) => x.provider_id === r.provider_id && x.zone === r.zone,
  );
  if (!c || !r.external_id)
    throw new AppError('conflict', 'the resource is not on a libvirt zone / 该资源不在 libvirt 网络区域');
  return { resource: r, connection: c, uuid: r.external_id };
}

/** Suspends or resumes the domain (libvirt, outside any transaction). */
export async function pauseOrResume(
  target: Awaited<ReturnType<typeof libvirtTarget>>,
  action: 'suspend' | 'resume',
): Promise<void> {
  await (action === 'suspend' ? suspendVm : resumeVm)(virshOf(target.connection), target.uuid);
}
