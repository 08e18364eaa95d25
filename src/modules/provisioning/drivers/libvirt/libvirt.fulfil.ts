import { hostname } from 'node:os';
import { writeAudit } from '../../../../platform/audit/audit.ts';
import type { Job } from '../../../../platform/jobs/jobs.ts';
import type { DB, Db } from '../../../../schema.ts';
import * as provisioningRepo from '../../provisioning.repository.ts';
import { deliver } from '../../provisioning.service.ts';
import type { DriverDelivery } from '../driver.ts';
import { fits, freeOf } from './libvirt.capacity.ts';
import { configOf, syncLibvirtDrivers, virshOf, virshSessionsOf, zoneConnections } from './libvirt.connections.ts';
import {
  awaitLeases,
  type CreatedVm,
  capacity,
  createVm,
  domainName,
  LibvirtStepError,
  oneAtATime,
  reclaimVm,
  removeLeftovers,
  resizeVm,
  type StepRecord,
  sizeOf,
} from './libvirt.ops.ts';
import type { ConnectionWithProvider } from './libvirt.repository.ts';
import * as repo from './libvirt.repository.ts';
import { VirshError } from './virsh.ts';

/** Attempts before a work order's task stops retrying by itself (the ops unit can retry it by hand). */
export const MAX_ATTEMPTS = 5;
/** Back-off after the n-th failed attempt: 30 s, 1, 2, 4 min ... at most 30 min. */
export const backoffMs = (attempt: number) => Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 30 * 60_000);
/** How long a claim holds: an instance that dies mid-attempt lets another take the work order after this. */
export const LEASE_MS = 15 * 60_000;

const ME = `${hostname()}:${process.pid}`;

/** The driver's domain name for the i-th resource of a line: stable, so a retry finds what a crash left. */
export const vmName = (workOrderId: string, lineNo: number, i: number) => `yg-${workOrderId}-${lineNo}-${i}`;

/**
 * The resource's name people read (inventory, receipts): the order's number with the line and the machine, e.g.
 * `SH-2026-000012-1-1` (`-test-1-1` for test resources), not the domain's name, which carries the work order's identifier. The domain's title
 * (`virsh list --title`) carries it too; the UUID links the two.
 */
export const resourceName = (orderNo: string | null, test: boolean, domain: string, lineNo: number, i: number) =>
  orderNo ? `${orderNo}${test ? '-test' : ''}-${lineNo}-${i}` : domain;

/** A volume as people read it: the system or data disk of the machine (its name carries an identifier). */
const diskOf = (volume: string) =>
  volume.endsWith('-system.qcow2') ? '系统盘' : volume.endsWith('-data.qcow2') ? '数据盘' : volume;

/** A person's sentence for what went wrong (the work order shows it), libvirt's own words after it. */
export function explain(e: unknown): string {
  const step = e instanceof LibvirtStepError ? e.step : null;
  const cause = e instanceof LibvirtStepError ? e.cause : e;
  const kind = cause instanceof VirshError ? cause.kind : 'failed';
  const msg = cause instanceof Error ? cause.message : String(cause);
  const what =
    step === 'base image' && kind === 'not_found'
      ? '基础镜像不存在'
      : kind === 'connection' || kind === 'timeout'
        ? '无法连接虚拟化平台（libvirt）'
        : kind === 'no_space'
          ? '资源容量不足'
          : kind === 'unsupported'
            ? '虚拟化平台不支持该操作'
            : '虚拟化平台操作失败';
  return `${what}${step ? `（步骤：${step}）` : ''}：${msg}`;
}

/** How long the undo of a failed attempt waits for libvirt to answer again (a restarting daemon). */
export const UNDO_PATIENCE_MS = 30_000;

/** Runs a libvirt operation again while the connection is down, for at most `UNDO_PATIENCE_MS`. */
async function patiently<T>(run: () => Promise<T>): Promise<T> {
  const until = Date.now() + UNDO_PATIENCE_MS;
  for (;;) {
    try {
      return await run();
    } catch (e) {
      const down = e instanceof VirshError && (e.kind === 'connection' || e.kind === 'timeout');
      if (!down || Date.now() >= until) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

interface WorkItem {
  id: string;
  driver: string;
  action: string;
  jurisdiction_id: string;
  provider_id: string;
  zone: string | null;
  order_no: string | null;
}

/** The connection of the zone on which a resource (domain UUID) lives; the first one for new machines. */
async function connectionFor(connections: ConnectionWithProvider[], uuid: string | null) {
  if (!uuid) return connections[0];
  for (const c of connections) {
    if (
      await domainName(virshOf(c), uuid).then(
        () => true,
        () => false,
      )
    )
      return c;
  }
  return undefined;
}

/** Carries out one claimed work order on libvirt; answers the delivery or throws (nothing left half-made). */
async function carryOut(db: Db, w: WorkItem, now: Date, trail: StepRecord[]): Promise<DriverDelivery> {
  const connections = await zoneConnections(db, w.provider_id, w.zone);
  if (!connections.length)
    throw new Error(`no enabled libvirt connection for zone ${w.zone} / 该网络区域未配置 libvirt 连接`);
  const { lines, targets } = await db.transaction().execute(async (trx) => {
    const lines = await provisioningRepo.workOrderLines(trx, w.id);
    const targetIds = lines.map((l) => l.resource_id).filter((x): x is string => !!x);
    const targets = new Map((await provisioningRepo.resourcesByIds(trx, targetIds)).map((r) => [r.id, r]));
    return { lines, targets };
  });
  const out: DriverDelivery['lines'] = [];

  if (w.action === 'open' || w.action === 'open_test') {
    const planned = lines.flatMap((l) =>
      Array.from({ length: l.quantity }, (_, i) => ({
        line: l,
        name: vmName(w.id, l.line_no, i + 1),
        label: resourceName(w.order_no, w.action === 'open_test', vmName(w.id, l.line_no, i + 1), l.line_no, i + 1),
      })),
    );
    // what a crashed earlier attempt of this work order left (its names only) goes first, on every host
    for (const host of connections) {
      const names = planned.map((p) => p.name);
      for (const r of await removeLeftovers(virshOf(host), configOf(host), names))
        trail.push({ step: `remove leftover ${r}`, ok: true });
    }
    const wanted = planned.reduce(
      (a, p) => {
        const s = sizeOf(p.line.specification as Record<string, unknown>);
        return { vcpu: a.vcpu + s.vcpu, memoryGb: a.memoryGb + s.memoryGb };
      },
      { vcpu: 0, memoryGb: 0 },
    );
    // the zone's first host with room for the whole work order (free vCPUs and memory, as libvirt reports
    // them): the same rule as the capacity flag at review (libvirt.capacity.ts)
    let c: ConnectionWithProvider | undefined;
    const seen: string[] = [];
    for (const candidate of connections) {
      const room = await capacity(virshOf(candidate), configOf(candidate));
      const free = freeOf(room);
      seen.push(`${candidate.name}: free ${free.freeVcpus} vCPUs, ${free.freeMemoryGb} GiB`);
      if (fits(free, wanted)) {
        c = candidate;
        break;
      }
    }
    if (!c) {
      throw new LibvirtStepError(
        'capacity',
        new VirshError(
          'nodeinfo',
          'no_space',
          `host room (${seen.join('; ')}), ordered ${wanted.vcpu} vCPUs, ${wanted.memoryGb} GiB`,
        ),
        trail,
      );
    }
    const virsh = virshOf(c);
    const cfg = configOf(c);
    const made: string[] = [];
    const created: {
      vm: CreatedVm;
      line: (typeof planned)[number]['line'];
      label: string;
      spec: Record<string, unknown>;
    }[] = [];
    try {
      // the machines are prepared side by side, one per session (libvirt serves its connections concurrently:
      // volumes and definitions), and started one at a time, each as soon as the one before has started: the
      // host's own start latency paces the guests, which then boot one after another instead of all at once
      // (docs/decisions.md: start pacing); after a failure no further machine is begun, those under way finish,
      // and the attempt fails as a whole
      const failures: unknown[] = [];
      const startTurn = oneAtATime();
      let next = 0;
      await Promise.all(
        virshSessionsOf(c).map(async (session) => {
          while (!failures.length && next < planned.length) {
            const i = next++;
            const p = planned[i] as (typeof planned)[number];
            made.push(p.name);
            const spec = p.line.specification as Record<string, unknown>;
            try {
              const vm = await createVm(
                session,
                cfg,
                p.name,
                `${p.label}（工单 ${w.id} 第 ${p.line.line_no} 行）`,
                sizeOf(spec),
                { leaseWaitMs: 0, startTurn },
              );
              created[i] = { vm, line: p.line, label: p.label, spec };
            } catch (e) {
              failures.push(e);
            }
          }
        }),
      );
      if (failures.length) {
        // the first failure is the attempt's error (its steps are added below); the others' steps are kept too
        for (const f of failures.slice(1))
          if (f instanceof LibvirtStepError) trail.push(...f.trail.map((s) => ({ ...s, step: `failed: ${s.step}` })));
        throw failures[0];
      }
      // all machines started: their guests boot side by side while the leases are awaited
      await awaitLeases(
        virsh,
        created.map((x) => x.vm),
      );
      for (const { vm, line, label, spec } of created) {
        trail.push(...vm.trail.map((s) => ({ ...s, step: `${vm.name}: ${s.step}` })));
        out.push({
          lineNo: line.line_no,
          name: label,
          externalId: vm.uuid,
          addresses: vm.addresses,
          specification: spec,
          deliveredAt: now,
          notes: `MAC ${vm.macs.join(', ')}；${vm.volumes.map(diskOf).join('、')}${vm.addresses.length ? '' : '；尚未获得 DHCP 地址'}`,
        });
      }
    } catch (e) {
      if (e instanceof LibvirtStepError) trail.push(...e.trail.map((s) => ({ ...s, step: `failed: ${s.step}` })));
      // the machines this attempt finished before the failure go too (a work order is all or nothing), and
      // whatever of the failing one libvirt kept when its own undo could not run (the daemon gone mid-step:
      // libvirt is waited for a while, as a supervised daemon comes back within seconds)
      for (const name of made) {
        try {
          for (const r of await patiently(() => removeLeftovers(virsh, cfg, name)))
            trail.push({ step: `undo ${r}`, ok: true });
        } catch (ue) {
          trail.push({ step: `undo ${name}`, ok: false, detail: (ue as Error).message });
        }
      }
      throw e;
    }
    return { notes: `libvirt 自动交付（${c.name}，${c.uri}）`, lines: out };
  }

  if (w.action === 'scale_up' || w.action === 'change') {
    const notes: string[] = [];
    for (const l of lines) {
      const r = l.resource_id ? targets.get(l.resource_id) : undefined;
      const uuid = r?.external_id ?? null;
      const c = await connectionFor(connections, uuid);
      if (!uuid || !c) throw new Error(`domain ${uuid ?? '(none)'} not found in zone ${w.zone} / 未找到虚拟机`);
      const spec = l.specification as Record<string, unknown>;
      const done = await resizeVm(virshOf(c), configOf(c), uuid, sizeOf(spec));
      trail.push({ step: `resize ${uuid}`, ok: true, detail: [...done.live, ...done.atRestart].join('; ') });
      const note = [
        done.live.length ? `即时生效：${done.live.join('，')}` : '',
        done.atRestart.length ? `下次重启生效：${done.atRestart.join('，')}` : '',
      ]
        .filter(Boolean)
        .join('；');
      notes.push(note);
      out.push({
        lineNo: l.line_no,
        name: r?.name ?? uuid,
        externalId: uuid,
        addresses: r?.addresses ?? [],
        specification: spec,
        deliveredAt: now,
        notes: note || '规格未变',
      });
    }
    return { notes: `libvirt 自动变更：${notes.filter(Boolean).join('；') || '规格未变'}`, lines: out };
  }

  if (w.action === 'reclaim') {
    const erasures: string[] = [];
    for (const l of lines) {
      const r = l.resource_id ? targets.get(l.resource_id) : undefined;
      const uuid = r?.external_id ?? null;
      const c = await connectionFor(connections, uuid);
      if (!uuid || !c) throw new Error(`domain ${uuid ?? '(none)'} not found in zone ${w.zone} / 未找到虚拟机`);
      const done = await reclaimVm(virshOf(c), configOf(c), uuid);
      const erased = done.erased
        .map((x) => `${diskOf(x.volume)}（${x.capacityGb} GiB，${x.algorithm} 覆写）`)
        .join('，');
      trail.push({
        step: `reclaim ${done.name}`,
        ok: true,
        detail: done.erased.map((x) => `${x.volume} ${x.capacityGb} GiB ${x.algorithm}`).join(', '),
      });
      erasures.push(erased);
      out.push({
        lineNo: l.line_no,
        name: r?.name ?? done.name,
        externalId: uuid,
        addresses: r?.addresses ?? [],
        specification: l.specification as Record<string, unknown>,
        deliveredAt: now,
        notes: `已擦除：${erased}；虚拟机已删除`,
      });
    }
    return {
      // the erasure done and recorded (LZ 26), said in words: people read no short citation
      notes: `libvirt 自动回收：存储卷已用 vol-wipe 覆写擦除后删除：${erasures.join('；')}`,
      dataErased: true,
      lines: out,
    };
  }
  throw new Error(`action ${w.action} is not carried out by libvirt`);
}

export interface FulfilRun {
  claimed: number;
  delivered: string[];
  failed: { workOrderId: string; error: string; willRetryAt: string | null }[];
}

/**
 * One pass of the libvirt driver: every due work order is claimed (once, whatever the number of instances),
 * carried out on libvirt outside any transaction, and then either delivered (the receipt, by `deliver`) or
 * recorded as failed with the error, the steps and their undoing, and retried after a back-off.
 */
export async function runLibvirtFulfilment(db: Db, now: Date, me = ME): Promise<FulfilRun> {
  await syncLibvirtDrivers(db);
  const run: FulfilRun = { claimed: 0, delivered: [], failed: [] };
  for (const w of await repo.dueWorkOrders(db, now)) {
    const task = await repo.claimTask(db, w, me, now, LEASE_MS);
    if (!task) continue; // another instance has it
    run.claimed++;
    const trail: StepRecord[] = [];
    try {
      const delivery = await carryOut(db, w, now, trail);
      await db.transaction().execute(async (trx) => {
        if (!(await repo.finishTask(trx, w.id, me, { status: 'delivered', trail, last_error: null, updated_at: now })))
          throw new Error('the claim lapsed');
        await deliver(trx, { workOrderId: w.id, driver: w.driver, ...delivery }, now);
      });
      run.delivered.push(w.id);
    } catch (e) {
      const error = explain(e);
      if (e instanceof LibvirtStepError && !trail.some((s) => s.step.startsWith('failed:')))
        trail.push(...e.trail.map((s) => ({ ...s, step: `failed: ${s.step}` })));
      const last = task.attempts >= MAX_ATTEMPTS;
      const next = new Date(now.getTime() + backoffMs(task.attempts));
      await db.transaction().execute(async (trx) => {
        await repo.finishTask(trx, w.id, me, {
          status: last ? 'failed' : 'pending',
          next_attempt_at: next,
          last_error: error,
          last_error_at: now,
          trail,
          updated_at: now,
        });
        await writeAudit(
          trx,
          { kind: 'system', id: null, name: `driver:${w.driver}` },
          {
            action: 'libvirt_task.failed',
            objectType: 'work_order',
            objectId: w.id,
            detail: { attempt: task.attempts, error, retryAt: last ? null : next.toISOString() },
          },
        );
      });
      run.failed.push({ workOrderId: w.id, error, willRetryAt: last ? null : next.toISOString() });
    }
  }
  return run;
}

export const libvirtFulfilmentJob: Job<DB> = {
  name: 'provisioning.libvirt',
  // An approved order waits at most this long before its machines are begun (bench:libvirt counts the whole of it).
  // A pass with nothing due is two small reads.
  everyMs: 2_000,
  // every instance runs it: the claims divide the work orders between them
  exclusive: false,
  run: ({ db, now }) => runLibvirtFulfilment(db, now),
};
