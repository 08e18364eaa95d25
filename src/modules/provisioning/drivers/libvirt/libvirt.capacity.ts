import type { AuthContext } from '../../../../platform/auth/auth.ts';
import { AppError } from '../../../../platform/errors.ts';
import { shanghaiDay } from '../../../../platform/time/time.ts';
import type { Trx } from '../../../../schema.ts';
import { getOrder } from '../../../orders/index.ts';
import * as provisioningRepo from '../../provisioning.repository.ts';
import { configOf, driverName, virshOf } from './libvirt.connections.ts';
import { capacity, sizeOf } from './libvirt.ops.ts';
import * as repo from './libvirt.repository.ts';

// The capacity flag at order review (issue 23): an order whose lines would go to a libvirt zone is checked, while
// it is reviewed, against the free vCPUs and memory of that zone's hosts as libvirt reports them now, less what
// the zone's work orders not yet created will take. An order that does not fit is flagged to the ops reviewer
// (a Chinese sentence on the order page), so it is not discovered only when the driver tries to create it.

/** What a work order (or an order's lines for one zone) asks of a host. */
export interface Need {
  vcpu: number;
  memoryGb: number;
}

/** A host's room, as the driver chooses where a work order goes: free vCPUs and free memory both suffice. */
export const fits = (room: { freeVcpus: number; freeMemoryGb: number }, need: Need) =>
  room.freeVcpus >= need.vcpu && room.freeMemoryGb >= need.memoryGb;

/**
 * The free part of a host's capacity (libvirt's figures; what running and paused domains take is used; vCPUs
 * up to the zone's overcommit, memory never overcommitted).
 */
export const freeOf = (room: { vcpuCapacity: number; usedVcpus: number; memoryGb: number; usedMemoryGb: number }) => ({
  freeVcpus: Math.max(0, room.vcpuCapacity - room.usedVcpus),
  freeMemoryGb: Math.max(0, room.memoryGb - room.usedMemoryGb),
});

const add = (a: Need, spec: Record<string, unknown>, times: number): Need => {
  const s = sizeOf(spec);
  return { vcpu: a.vcpu + s.vcpu * times, memoryGb: a.memoryGb + s.memoryGb * times };
};

const zoneOf = (spec: Record<string, unknown>): string | null => {
  const z = spec.networkZone ?? spec.zone;
  return typeof z === 'string' && z ? z : null;
};

export interface ZoneCheck {
  providerName: string;
  zone: string;
  /** what this order asks of the zone: new machines whole, a scale-up by its growth */
  need: Need;
  /** what the zone's work orders not yet created will take first */
  waiting: Need;
  hosts: { name: string; freeVcpus: number | null; freeMemoryGb: number | null; error: string | null }[];
  /** 'fits' | 'short' (no host has room) | 'unknown' (no host could be read) */
  verdict: 'fits' | 'short' | 'unknown';
  message: string;
}

/**
 * The capacity check of an order, for its reviewer (the ops unit): per libvirt zone its lines go to, whether one
 * of the zone's hosts has the free vCPUs and memory (libvirt, now) for them after the zone's waiting work
 * orders. Orders that create nothing on libvirt answer no zones. libvirt is asked outside any transaction.
 */
export async function orderCapacity(plan: CapacityPlan, now: Date) {
  const zones: ZoneCheck[] = [];
  for (const z of plan.zones) {
    const hosts: ZoneCheck['hosts'] = [];
    for (const c of z.connections) {
      try {
        const free = freeOf(await capacity(virshOf(c), configOf(c)));
        hosts.push({ name: c.name, ...free, error: null });
      } catch (e) {
        hosts.push({ name: c.name, freeVcpus: null, freeMemoryGb: null, error: (e as Error).message });
      }
    }
    const read = hosts.filter((h) => h.freeVcpus !== null);
    // the waiting work orders are placed first (the driver takes them in order), on the hosts with most room
    const after = read
      .map((h) => ({ freeVcpus: h.freeVcpus as number, freeMemoryGb: h.freeMemoryGb as number }))
      .sort((a, b) => b.freeMemoryGb - a.freeMemoryGb);
    let waiting = { ...z.waiting };
    for (const h of after) {
      const mem = Math.min(h.freeMemoryGb, waiting.memoryGb);
      const cpu = Math.min(h.freeVcpus, waiting.vcpu);
      h.freeMemoryGb -= mem;
      h.freeVcpus -= cpu;
      waiting = { vcpu: waiting.vcpu - cpu, memoryGb: waiting.memoryGb - mem };
    }
    const verdict: ZoneCheck['verdict'] =
      read.length === 0 ? 'unknown' : after.some((h) => fits(h, z.need)) ? 'fits' : 'short';
    const best = after.reduce(
      (a, h) => (h.freeMemoryGb > a.freeMemoryGb ? h : a),
      after[0] ?? { freeVcpus: 0, freeMemoryGb: 0 },
    );
    const asked = `本单需 ${z.need.vcpu} 核、${z.need.memoryGb} GB 内存`;
    const queued =
      z.waiting.vcpu || z.waiting.memoryGb
        ? `（另有待创建工单占用 ${z.waiting.vcpu} 核、${z.waiting.memoryGb} GB）`
        : '';
    const message =
      verdict === 'unknown'
        ? `${z.providerName}「${z.zone}」：无法读取虚拟化平台容量，请核实后再审批（${hosts.map((h) => h.error).join('；')}）`
        : verdict === 'short'
          ? `${z.providerName}「${z.zone}」容量不足：${asked}，单台主机最多可用 ${best.freeVcpus} 核、${best.freeMemoryGb} GB${queued}`
          : `${z.providerName}「${z.zone}」容量充足：${asked}，主机可用 ${best.freeVcpus} 核、${best.freeMemoryGb} GB${queued}`;
    zones.push({
      providerName: z.providerName,
      zone: z.zone,
      need: z.need,
      waiting: z.waiting,
      hosts,
      verdict,
      message,
    });
  }
  return {
    orderId: plan.orderId,
    checkedAt: now.toISOString(),
    fits: zones.every((z) => z.verdict === 'fits'),
    flagged: zones.some((z) => z.verdict !== 'fits'),
    zones,
  };
}

export type CapacityPlan = Awaited<ReturnType<typeof capacityPlan>>;

/**
 * Which libvirt zones the order's lines go to (as the fulfilment step will group them) and what each asks, read
 * in the caller's tenant transaction (the ops unit only: host capacity is its view).
 */
export async function capacityPlan(trx: Trx, auth: AuthContext, orderId: string, now: Date) {
  if (auth.organisationType !== 'cloud_operations_unit')
    throw new AppError('forbidden', 'only the cloud operations unit sees host capacity / 仅运营单位可查看主机容量');
  const order = await getOrder(trx, orderId, now);
  const day = shanghaiDay(now);
  const targetIds = order.lines.map((l) => l.targetResourceId).filter((x): x is string => !!x);
  const targets = new Map((await provisioningRepo.resourcesByIds(trx, targetIds)).map((r) => [r.id, r]));
  const connections = await repo.listConnections(trx, { enabledOnly: true });
  const zones = new Map<
    string,
    { providerName: string; zone: string; need: Need; waiting: Need; connections: typeof connections }
  >();
  if (order.type === 'reclaim') return { orderId, zones: [] };
  for (const l of order.lines) {
    const spec = l.specification ?? {};
    const target = l.targetResourceId ? targets.get(l.targetResourceId) : undefined;
    const providerId =
      target?.provider_id ?? (await provisioningRepo.providerOfItem(trx, order.jurisdictionId, l.itemCode, day));
    const zone = target?.zone ?? zoneOf(spec);
    const here = connections.filter((c) => c.provider_id === providerId && c.zone === zone);
    const first = here[0];
    if (!first || !zone) continue;
    const name = driverName(first.provider_code, zone);
    const entry = zones.get(name) ?? {
      providerName: first.provider_name,
      zone,
      need: { vcpu: 0, memoryGb: 0 },
      waiting: { vcpu: 0, memoryGb: 0 },
      connections: here,
    };
    if (target) {
      // a scale-up or change asks only for its growth
      const was = sizeOf(target.specification as Record<string, unknown>);
      const will = sizeOf(spec);
      entry.need = {
        vcpu: entry.need.vcpu + Math.max(0, will.vcpu - was.vcpu),
        memoryGb: entry.need.memoryGb + Math.max(0, will.memoryGb - was.memoryGb),
      };
    } else {
      entry.need = add(entry.need, spec, l.quantity);
    }
    zones.set(name, entry);
  }
  for (const w of await repo.waitingLines(trx, [...zones.keys()], orderId)) {
    const entry = zones.get(w.driver);
    if (entry) entry.waiting = add(entry.waiting, w.specification as Record<string, unknown>, w.quantity);
  }
  return { orderId, zones: [...zones.values()] };
}
