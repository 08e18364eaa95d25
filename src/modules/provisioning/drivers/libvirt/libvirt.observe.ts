import type { Job } from '../../../../platform/jobs/jobs.ts';
import type { DB, Db } from '../../../../schema.ts';
import { type IngestSeries, readSetting, storeSamples } from '../../../monitoring/index.ts';
import { type ReportedItem, reconcileInventory } from '../../provisioning.reconcile.ts';
import { virshOf } from './libvirt.connections.ts';
import { type DomainCounters, domainCounters, listDomains } from './libvirt.ops.ts';
import type { ConnectionWithProvider } from './libvirt.repository.ts';
import * as repo from './libvirt.repository.ts';

// What the driver reads from libvirt on a schedule: the zone's inventory for reconciliation, and domain
// statistics for utilisation, without an agent in the guest.

const NIL = '00000000-0000-0000-0000-000000000000';

const groupByZone = (connections: ConnectionWithProvider[]) => {
  const zones = new Map<string, ConnectionWithProvider[]>();
  for (const c of connections) {
    const key = `${c.provider_id}|${c.zone}`;
    zones.set(key, [...(zones.get(key) ?? []), c]);
  }
  return [...zones.values()];
};

/**
 * Reconciliation from libvirt: every domain of a zone's connections (running or not) is reported as a full
 * snapshot of that zone, through the same reconciliation as a provider's pushed report: a domain no order
 * explains is an unknown resource, an ordered one libvirt no longer has is missing, a vCPU or memory size that
 * differs from the receipt is a size mismatch. Domains of this driver's own work orders not yet confirmed by
 * the unit are left out (they are on their way into the inventory), and so are the resources it is reclaiming or
 * has reclaimed without the unit's confirmation yet (on their way out). A zone with a connection that cannot be
 * read is not reconciled this time (a missing answer is not a missing machine).
 */
export async function reconcileLibvirt(db: Db, now: Date) {
  const out: { zone: string; providerId: string; items: number; findingsRaised: number; error?: string }[] = [];
  for (const group of groupByZone(await repo.listConnections(db, { enabledOnly: true }))) {
    const first = group[0] as ConnectionWithProvider;
    const items: ReportedItem[] = [];
    let error: string | undefined;
    for (const c of group) {
      try {
        for (const d of await listDomains(virshOf(c))) {
          items.push({
            externalId: d.uuid,
            name: d.name,
            specification: { vcpu: d.vcpu, memoryGb: d.memoryMiB / 1024 },
          });
        }
      } catch (e) {
        error = `${c.name}: ${(e as Error).message}`;
        await repo.markConnection(db, c.id, { last_error: error });
      }
    }
    if (error) {
      out.push({ zone: first.zone, providerId: first.provider_id, items: 0, findingsRaised: 0, error });
      continue;
    }
    const inFlight = await repo.inFlightWorkOrders(db, first.provider_id);
    const own = (name: string | undefined) => inFlight.some((w) => name?.startsWith(`yg-${w.id}-`));
    // a domain this driver reclaimed is gone before the unit confirms the receipt: that is no missing machine
    const leaving = new Set(await repo.leavingResources(db, first.provider_id));
    const report = { mode: 'full' as const, items: items.filter((i) => !own(i.name)) };
    const r = await db.transaction().execute(async (trx) => {
      const result = await reconcileInventory(
        trx,
        {
          providerId: first.provider_id,
          jurisdictionId: first.jurisdiction_id,
          reporter: 'driver:libvirt',
          zone: first.zone,
          leaving,
        },
        { kind: 'system', id: null, name: 'driver:libvirt' },
        report,
        now,
      );
      for (const c of group) await repo.markConnection(trx, c.id, { reconciled_at: now, last_error: null });
      return result;
    });
    out.push({
      zone: first.zone,
      providerId: first.provider_id,
      items: report.items.length,
      findingsRaised: r.findingsRaised,
    });
  }
  return out;
}

/**
 * Utilisation from two samples of libvirt's counters: CPU percent of the domain's vCPUs (CPU time over wall
 * time), memory percent in use by the guest (balloon: available - unused; without the guest's balloon figures,
 * the resident size of the process), disk and network bytes per second.
 */
export function utilisation(prev: DomainCounters, now: DomainCounters, seconds: number) {
  const rate = (a: number, b: number) => Math.max(0, (b - a) / seconds);
  const memory =
    now.memUnusedKiB !== null && now.memAvailableKiB > 0
      ? (100 * (now.memAvailableKiB - now.memUnusedKiB)) / now.memAvailableKiB
      : now.memRssKiB !== null && now.memAvailableKiB > 0
        ? (100 * now.memRssKiB) / now.memAvailableKiB
        : null;
  return {
    cpu: Math.min(100, (100 * Math.max(0, now.cpuNs - prev.cpuNs)) / (seconds * 1e9 * Math.max(1, now.vcpus))),
    memory: memory === null ? null : Math.min(100, Math.max(0, memory)),
    disk_io: rate(prev.blockBytes, now.blockBytes),
    network_in: rate(prev.netRxBytes, now.netRxBytes),
    network_out: rate(prev.netTxBytes, now.netTxBytes),
  };
}

/**
 * Samples every running domain's statistics and stores the utilisation into the monitoring rollups through the
 * same path as pull mode (`storeSamples`: resources by external identifier, the domain UUID), with a heartbeat
 * for each running domain. The first sample of a domain only sets its counters (a rate needs two).
 */
export async function sampleLibvirt(db: Db, now: Date) {
  const out: { connection: string; domains: number; accepted: number; error?: string }[] = [];
  for (const c of await repo.listConnections(db, { enabledOnly: true })) {
    let counters: Map<string, DomainCounters>;
    try {
      counters = await domainCounters(virshOf(c));
    } catch (e) {
      await repo.markConnection(db, c.id, { last_error: (e as Error).message });
      out.push({ connection: c.name, domains: 0, accepted: 0, error: (e as Error).message });
      continue;
    }
    const previous = new Map((await repo.previousSamples(db, c.id)).map((p) => [p.domain_uuid, p]));
    const series: IngestSeries[] = [];
    const at = now.getTime();
    for (const [uuid, cur] of counters) {
      series.push({
        name: 'libvirt:heartbeat',
        metric: 'heartbeat',
        key: uuid,
        samples: [{ timestamp: at, value: 1 }],
      });
      const p = previous.get(uuid);
      const seconds = p ? (at - p.sampled_at.getTime()) / 1000 : 0;
      if (!p || seconds <= 0) continue;
      const u = utilisation(p.counters as unknown as DomainCounters, cur, seconds);
      for (const [metric, value] of Object.entries(u)) {
        if (value === null) continue;
        series.push({
          name: `libvirt:${metric}`,
          metric: metric as IngestSeries['metric'],
          key: uuid,
          samples: [{ timestamp: at, value }],
        });
      }
    }
    const accepted = await db.transaction().execute(async (trx) => {
      const setting = await readSetting(trx, c.jurisdiction_id);
      const r = await storeSamples(trx, NIL, c.jurisdiction_id, setting.mappingLabel, series, now, c.jurisdiction_id);
      for (const [uuid, cur] of counters) await repo.putSample(trx, c.id, uuid, now, { ...cur });
      await repo.markConnection(trx, c.id, { sampled_at: now, last_error: null });
      return r.accepted;
    });
    out.push({ connection: c.name, domains: counters.size, accepted });
  }
  return out;
}

export const libvirtReconcileJob: Job<DB> = {
  name: 'provisioning.libvirt.reconcile',
  everyMs: 5 * 60_000,
  run: ({ db, now }) => reconcileLibvirt(db, now),
};

export const libvirtSampleJob: Job<DB> = {
  name: 'provisioning.libvirt.sample',
  everyMs: 60_000,
  run: ({ db, now }) => sampleLibvirt(db, now),
};
