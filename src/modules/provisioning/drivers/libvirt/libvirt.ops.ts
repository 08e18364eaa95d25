import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  domainXml,
  lines,
  parseDomain,
  parseDomIfAddr,
  parseDomStats,
  parseNodeInfo,
  parsePool,
  parseVolume,
  volumeList,
  volumeXml,
} from './libvirt.xml.ts';
import { VirshError, type VirshSession } from './virsh.ts';

// What the driver does on a libvirt connection, as named steps each with its undo (STYLE: steps that carry their
// own undo). Nothing here touches the database: the service records what these answer.

export interface ConnectionConfig {
  pool: string;
  baseVolume: string;
  network: string;
  domainType: 'kvm' | 'qemu';
  /** live scale-up headroom (0: none) */
  maxVcpu: number;
  maxMemoryGb: number;
  /** vCPUs a host CPU may carry (1: none) */
  vcpuOvercommit?: number;
  /** direct kernel boot (files on the host) instead of the base image's boot loader */
  boot?: { kernel: string; initrd: string | null; cmdline: string | null } | null;
}

export interface VmSize {
  vcpu: number;
  memoryGb: number;
  systemDiskGb: number;
  dataDiskGb: number;
}

export interface StepRecord {
  step: string;
  ok: boolean;
  detail?: string;
}

/** A failed operation: what failed, how libvirt put it, and what was undone. */
export class LibvirtStepError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: VirshError | Error,
    readonly trail: StepRecord[],
  ) {
    super(`${step}: ${cause.message}`);
    this.name = 'LibvirtStepError';
  }
  get kind() {
    return this.cause instanceof VirshError ? this.cause.kind : 'failed';
  }
}

/** A numeric field of an ordered specification (`vcpu`, `memoryGb`, ...), 0 when absent. */
export function sizeOf(spec: Record<string, unknown>): VmSize {
  const n = (k: string) => {
    const v = Number(spec[k] ?? 0);
    return Number.isFinite(v) && v > 0 ? v : 0;
  };
  return { vcpu: n('vcpu'), memoryGb: n('memoryGb'), systemDiskGb: n('systemDiskGb'), dataDiskGb: n('dataDiskGb') };
}

async function withXmlFile<T>(xml: string, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-libvirt-xml-'));
  const file = path.join(dir, 'definition.xml');
  writeFileSync(file, xml, { mode: 0o600 });
  try {
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ignore = (kinds: VirshError['kind'][]) => (e: unknown) => {
  if (e instanceof VirshError && kinds.includes(e.kind)) return undefined;
  // libvirt says "domain is not running" as a plain failure
  if (e instanceof VirshError && /not running|not active|domain is not/.test(e.stderr)) return undefined;
  throw e;
};

/** Volumes of a domain this driver named (`<name>-system.qcow2`, `<name>-data.qcow2`). */
const volumeNames = (name: string) => ({ system: `${name}-system.qcow2`, data: `${name}-data.qcow2` });

/**
 * Removes domains and volumes by the names the driver gives them, if they exist: what a crashed earlier
 * attempt may have left. Only the given names (of this work order) are touched; the domains and the pool's
 * volumes are listed once for all of them.
 */
export async function removeLeftovers(
  virsh: VirshSession,
  c: ConnectionConfig,
  names: string | readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  const wanted = typeof names === 'string' ? [names] : names;
  const domains = new Set(lines(await virsh.run(['list', '--all', '--name'])));
  for (const name of wanted) {
    if (domains.has(name)) {
      await virsh.run(['destroy', name]).catch(ignore(['not_found']));
      await virsh.run(['undefine', name]);
      removed.push(`domain ${name}`);
    }
  }
  // a daemon killed while creating a volume leaves a file its restarted self has not listed yet
  await virsh.run(['pool-refresh', c.pool]);
  const volumes = new Set(volumeList(await virsh.run(['vol-list', '--pool', c.pool])));
  for (const name of wanted) {
    for (const v of Object.values(volumeNames(name))) {
      if (volumes.has(v)) {
        await virsh.run(['vol-delete', v, '--pool', c.pool]);
        removed.push(`volume ${v}`);
      }
    }
  }
  return removed;
}

/**
 * A runner that lets one call through at a time, in the order they come (a failing call lets the next one go).
 * The driver starts a work order's machines through one: the host's own `start` latency then paces the guests
 * (docs/decisions.md: start pacing).
 */
export function oneAtATime(): <T>(run: () => Promise<T>) => Promise<T> {
  let turn: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>) => {
    const mine = turn.then(run);
    turn = mine.catch(() => undefined);
    return mine;
  };
}

export interface CreatedVm {
  name: string;
  uuid: string;
  macs: string[];
  addresses: string[];
  volumes: string[];
  trail: StepRecord[];
}

/**
 * A new virtual machine: its system volume from the base image (a qcow2 overlay whose backing file is the base),
 * a data volume when ordered, the domain with the ordered vCPUs and memory on the zone's network, started; then
 * its UUID, MACs and the addresses the network's DHCP server leased. Any step failing undoes the ones before,
 * in reverse: a failed create leaves no volume and no domain.
 */
export async function createVm(
  virsh: VirshSession,
  c: ConnectionConfig,
  name: string,
  title: string,
  size: VmSize,
  options: {
    leaseWaitMs?: number;
    pollMs?: number;
    /** runs the `start` (the driver's: one start at a time per work order, `oneAtATime`) */
    startTurn?: <T>(run: () => Promise<T>) => Promise<T>;
  } = {},
): Promise<CreatedVm> {
  const trail: StepRecord[] = [];
  const undo: { step: string; run: () => Promise<unknown> }[] = [];
  const step = async <T>(label: string, run: () => Promise<T>, undoIt?: () => Promise<unknown>): Promise<T> => {
    try {
      const out = await run();
      trail.push({ step: label, ok: true });
      if (undoIt) undo.push({ step: label, run: undoIt });
      return out;
    } catch (e) {
      trail.push({ step: label, ok: false, detail: (e as Error).message });
      for (const u of undo.reverse()) {
        try {
          await u.run();
          trail.push({ step: `undo ${u.step}`, ok: true });
        } catch (ue) {
          trail.push({ step: `undo ${u.step}`, ok: false, detail: (ue as Error).message });
        }
      }
      throw new LibvirtStepError(label, e as Error, trail);
    }
  };
  const vols = volumeNames(name);
  const base = await step('base image', async () =>
    parseVolume(await virsh.run(['vol-dumpxml', c.baseVolume, '--pool', c.pool])),
  );
  const systemGb = Math.max(size.systemDiskGb, base.capacityGb);
  await step(
    'system volume',
    () =>
      withXmlFile(volumeXml(vols.system, systemGb, base.path, base.format), (f) =>
        virsh.run(['vol-create', c.pool, f]),
      ),
    () => virsh.run(['vol-delete', vols.system, '--pool', c.pool]),
  );
  const volumes = [vols.system];
  if (size.dataDiskGb > 0) {
    await step(
      'data volume',
      () =>
        withXmlFile(
          `<volume><name>${vols.data}</name><capacity unit='GiB'>${size.dataDiskGb}</capacity><target><format type='qcow2'/></target></volume>`,
          (f) => virsh.run(['vol-create', c.pool, f]),
        ),
      () => virsh.run(['vol-delete', vols.data, '--pool', c.pool]),
    );
    volumes.push(vols.data);
  }
  const xml = domainXml({
    name,
    title,
    type: c.domainType,
    vcpu: size.vcpu,
    maxVcpu: c.maxVcpu,
    memoryMiB: size.memoryGb * 1024,
    maxMemoryMiB: c.maxMemoryGb * 1024,
    pool: c.pool,
    volumes,
    network: c.network,
    boot: c.boot ?? null,
  });
  await step(
    'define domain',
    () => withXmlFile(xml, (f) => virsh.run(['define', f])),
    () => virsh.run(['undefine', name]),
  );
  await step(
    'start domain',
    () => (options.startTurn ? options.startTurn(() => virsh.run(['start', name])) : virsh.run(['start', name])),
    () => virsh.run(['destroy', name]).catch(ignore(['not_found'])),
  );
  const info = await step('read domain', async () => parseDomain(await virsh.run(['dumpxml', name])));
  const macs = info.interfaces.map((i) => i.mac).filter((m): m is string => !!m);
  const vm: CreatedVm = { name, uuid: info.uuid, macs, addresses: [], volumes, trail };
  if (options.leaseWaitMs !== 0) await awaitLeases(virsh, [vm], options);
  return vm;
}

/**
 * The guests ask for their addresses once booted: waits (for all of them together, so the machines of a work
 * order boot side by side) until each has its lease from the network's DHCP server, or the wait is over; a
 * machine without a lease yet is delivered without an address (the receipt says so).
 */
export async function awaitLeases(
  virsh: VirshSession,
  vms: CreatedVm[],
  options: { leaseWaitMs?: number; pollMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.leaseWaitMs ?? 120_000);
  for (;;) {
    for (const vm of vms) {
      if (vm.addresses.length) continue;
      const leased = parseDomIfAddr(await virsh.run(['domifaddr', vm.name, '--source', 'lease']).catch(() => ''));
      vm.addresses = leased.filter((l) => vm.macs.includes(l.mac)).map((l) => l.address);
    }
    if (vms.every((vm) => vm.addresses.length) || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000));
  }
  for (const vm of vms)
    vm.trail.push({ step: 'address', ok: vm.addresses.length > 0, detail: vm.addresses.join(', ') || 'no lease yet' });
}

/** The domain's name from its UUID (the resource's external identifier). */
export const domainName = async (virsh: VirshSession, uuid: string) => (await virsh.run(['domname', uuid])).trim();

const running = async (virsh: VirshSession, name: string) =>
  (await virsh.run(['domstate', name])).trim().startsWith('running');

export interface Resized {
  /** what changed now, and what waits for the next restart (the unit agrees to it) */
  live: string[];
  atRestart: string[];
}

/**
 * Scale-up and change: vCPUs and memory live when within the domain's maximum (the zone's headroom), otherwise
 * in its persistent definition, taking effect at the next restart; volumes only grow (`vol-resize`).
 */
export async function resizeVm(virsh: VirshSession, c: ConnectionConfig, uuid: string, size: VmSize): Promise<Resized> {
  const name = await domainName(virsh, uuid);
  const info = parseDomain(await virsh.run(['dumpxml', name, '--inactive']));
  const up = await running(virsh, name);
  const out: Resized = { live: [], atRestart: [] };
  if (size.vcpu && size.vcpu !== info.vcpu) {
    if (size.vcpu > info.maxVcpu) {
      await virsh.run(['setvcpus', name, String(size.vcpu), '--maximum', '--config']);
      await virsh.run(['setvcpus', name, String(size.vcpu), '--config']);
      (up ? out.atRestart : out.live).push(`vCPU ${info.vcpu} → ${size.vcpu} 核`);
    } else {
      await virsh.run(['setvcpus', name, String(size.vcpu), ...(up ? ['--live', '--config'] : ['--config'])]);
      out.live.push(`vCPU ${info.vcpu} → ${size.vcpu} 核`);
    }
  }
  const mem = size.memoryGb * 1024;
  if (mem && mem !== info.memoryMiB) {
    if (mem > info.maxMemoryMiB) {
      await virsh.run(['setmaxmem', name, `${mem}M`, '--config']);
      await virsh.run(['setmem', name, `${mem}M`, '--config']);
      (up ? out.atRestart : out.live).push(`内存 ${info.memoryMiB / 1024} → ${size.memoryGb} GB`);
    } else {
      // libvirt takes --live and --config one at a time for memory
      if (up) await virsh.run(['setmem', name, `${mem}M`, '--live']);
      await virsh.run(['setmem', name, `${mem}M`, '--config']);
      out.live.push(`内存 ${info.memoryMiB / 1024} → ${size.memoryGb} GB`);
    }
  }
  // the receipt says these to people: in words, not keys or volume names (the task's steps keep the names)
  const wanted: [string, number, string][] = [
    [volumeNames(name).system, size.systemDiskGb, '系统盘'],
    [volumeNames(name).data, size.dataDiskGb, '数据盘'],
  ];
  for (const [vol, gb, label] of wanted) {
    const disk = info.disks.find((d) => d.volume === vol);
    if (!disk || !gb) continue;
    const now = parseVolume(await virsh.run(['vol-dumpxml', vol, '--pool', disk.pool ?? c.pool]));
    if (gb > now.capacityGb) {
      await virsh.run(['vol-resize', vol, `${gb}G`, '--pool', disk.pool ?? c.pool]);
      out.live.push(`${label} ${now.capacityGb} → ${gb} GiB`);
    }
  }
  return out;
}

export interface Erasure {
  volume: string;
  capacityGb: number;
  algorithm: string;
}

/**
 * Reclaim: the domain is shut down, every volume of it is wiped (`vol-wipe`, zeros) and only then deleted, and
 * the domain undefined. The erasure is done and recorded (LZ 26), never assumed: when libvirt cannot wipe a
 * volume the reclaim stops there, with the domain shut down and nothing deleted, and says so.
 */
export async function reclaimVm(
  virsh: VirshSession,
  c: ConnectionConfig,
  uuid: string,
  algorithm = 'zero',
): Promise<{ name: string; erased: Erasure[] }> {
  const name = await domainName(virsh, uuid);
  const info = parseDomain(await virsh.run(['dumpxml', name, '--inactive']));
  await virsh.run(['destroy', name]).catch(ignore(['not_found']));
  const erased: Erasure[] = [];
  const targets = info.disks
    .filter((d) => d.volume)
    .map((d) => ({ volume: d.volume as string, pool: d.pool ?? c.pool }));
  for (const t of targets) {
    const vol = parseVolume(await virsh.run(['vol-dumpxml', t.volume, '--pool', t.pool]));
    try {
      await virsh.run(['vol-wipe', t.volume, '--pool', t.pool, '--algorithm', algorithm]);
    } catch (e) {
      throw new LibvirtStepError(`erase volume ${t.volume}`, e as Error, [
        ...erased.map((x) => ({ step: `erase volume ${x.volume}`, ok: true })),
        { step: `erase volume ${t.volume}`, ok: false, detail: (e as Error).message },
      ]);
    }
    erased.push({ volume: t.volume, capacityGb: vol.capacityGb, algorithm });
  }
  for (const t of targets) await virsh.run(['vol-delete', t.volume, '--pool', t.pool]);
  await virsh.run(['undefine', name]);
  return { name, erased };
}

export const suspendVm = async (virsh: VirshSession, uuid: string) => {
  await virsh.run(['suspend', await domainName(virsh, uuid)]);
};
export const resumeVm = async (virsh: VirshSession, uuid: string) => {
  await virsh.run(['resume', await domainName(virsh, uuid)]);
};

/** Every domain of the connection (running or not), as libvirt describes it. */
export async function listDomains(virsh: VirshSession) {
  const out = [];
  for (const name of lines(await virsh.run(['list', '--all', '--name']))) {
    const info = parseDomain(await virsh.run(['dumpxml', name]));
    out.push({ ...info, state: (await virsh.run(['domstate', name])).trim() });
  }
  return out;
}

/** Counters of one running domain: CPU time (ns), balloon memory (KiB), block and network bytes, vCPUs. */
export interface DomainCounters {
  cpuNs: number;
  vcpus: number;
  memAvailableKiB: number;
  memUnusedKiB: number | null;
  memRssKiB: number | null;
  blockBytes: number;
  netRxBytes: number;
  netTxBytes: number;
}

const sumOf = (stats: Map<string, string>, pattern: RegExp) => {
  let total = 0;
  for (const [k, v] of stats) if (pattern.test(k)) total += Number(v) || 0;
  return total;
};

/**
 * Statistics of the running domains (by UUID): one `domstats` for all of them (CPU time, balloon, block and
 * interface groups). A driver that answers `domstats` without those groups (libvirt's test driver) is asked
 * per domain through `cpu-stats`, `dommemstat`, `domblkstat` and `domifstat`, the same counters.
 */
export async function domainCounters(virsh: VirshSession): Promise<Map<string, DomainCounters>> {
  const stats = parseDomStats(
    await virsh.run([
      'domstats',
      '--list-active',
      '--raw',
      '--cpu-total',
      '--balloon',
      '--vcpu',
      '--block',
      '--interface',
    ]),
  );
  const out = new Map<string, DomainCounters>();
  for (const [name, s] of stats) {
    const info = parseDomain(await virsh.run(['dumpxml', name]));
    if (s.has('cpu.time')) {
      out.set(info.uuid, {
        cpuNs: Number(s.get('cpu.time')),
        vcpus: Number(s.get('vcpu.current') ?? info.vcpu),
        memAvailableKiB: Number(s.get('balloon.available') ?? s.get('balloon.current') ?? info.memoryMiB * 1024),
        memUnusedKiB: s.has('balloon.unused') ? Number(s.get('balloon.unused')) : null,
        memRssKiB: s.has('balloon.rss') ? Number(s.get('balloon.rss')) : null,
        blockBytes: sumOf(s, /^block\.\d+\.(rd|wr)\.bytes$/),
        netRxBytes: sumOf(s, /^net\.\d+\.rx\.bytes$/),
        netTxBytes: sumOf(s, /^net\.\d+\.tx\.bytes$/),
      });
      continue;
    }
    const cpu = /cpu_time\s+([\d.]+)\s+seconds/.exec(await virsh.run(['cpu-stats', name, '--total']));
    const mem = new Map(
      lines(await virsh.run(['dommemstat', name]).catch(() => '')).map((l) => l.split(/\s+/) as [string, string]),
    );
    let blockBytes = 0;
    for (const d of info.disks) {
      if (!d.target) continue;
      for (const l of lines(await virsh.run(['domblkstat', name, d.target]).catch(() => ''))) {
        const [, key, value] = l.split(/\s+/);
        if (key === 'rd_bytes' || key === 'wr_bytes') blockBytes += Number(value) || 0;
      }
    }
    let netRxBytes = 0;
    let netTxBytes = 0;
    for (const i of info.interfaces) {
      if (!i.target) continue;
      for (const l of lines(await virsh.run(['domifstat', name, i.target]).catch(() => ''))) {
        const [, key, value] = l.split(/\s+/);
        if (key === 'rx_bytes') netRxBytes += Number(value) || 0;
        if (key === 'tx_bytes') netTxBytes += Number(value) || 0;
      }
    }
    out.set(info.uuid, {
      cpuNs: Math.round(Number(cpu?.[1] ?? 0) * 1e9),
      vcpus: info.vcpu,
      memAvailableKiB: Number(mem.get('available') ?? mem.get('actual') ?? info.memoryMiB * 1024),
      memUnusedKiB: mem.has('unused') ? Number(mem.get('unused')) : null,
      memRssKiB: mem.has('rss') ? Number(mem.get('rss')) : null,
      blockBytes,
      netRxBytes,
      netTxBytes,
    });
  }
  return out;
}

/** The host's CPUs and memory, what the defined domains take of them, and the pool's free space. */
export async function capacity(virsh: VirshSession, c: ConnectionConfig) {
  const node = parseNodeInfo(await virsh.run(['nodeinfo']));
  const domains = await listDomains(virsh);
  const active = domains.filter((d) => d.state.startsWith('running') || d.state.startsWith('paused'));
  const pool = parsePool(await virsh.run(['pool-dumpxml', c.pool]));
  return {
    cpus: node.cpus,
    /** the vCPUs the host may carry: its CPUs times the zone's overcommit */
    vcpuCapacity: node.cpus * Math.max(1, c.vcpuOvercommit ?? 1),
    memoryGb: Math.floor(node.memoryKiB / 1024 / 1024),
    usedVcpus: active.reduce((a, d) => a + d.vcpu, 0),
    usedMemoryGb: Math.ceil(active.reduce((a, d) => a + d.memoryMiB, 0) / 1024),
    poolFreeGb: Math.floor(pool.available / 1024 ** 3),
    domains: domains.length,
  };
}
