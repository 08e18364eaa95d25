import { XMLParser } from 'fast-xml-parser';

// libvirt's XML: what the driver writes (a volume backed by the base image, a domain) and reads back (a
// domain's identity, size, disks and interfaces; a pool's room). Parsed with fast-xml-parser (docs/decisions.md).

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['disk', 'interface', 'domain', 'volume', 'ip', 'host'].includes(name),
});

type Node = Record<string, unknown>;
const node = (v: unknown): Node => (v && typeof v === 'object' ? (v as Node) : {});
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : v && typeof v === 'object' && '#text' in v ? String((v as Node)['#text']) : undefined;
const list = (v: unknown): Node[] => (Array.isArray(v) ? v.map(node) : v ? [node(v)] : []);

const UNIT: Record<string, number> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
};
/** A libvirt size element (`<memory unit='KiB'>2097152</memory>`) in bytes; libvirt's default unit is given. */
export function bytesOf(v: unknown, defaultUnit = 'bytes'): number {
  const n = Number(text(v) ?? 0);
  const unit = (String(node(v)['@unit'] ?? defaultUnit) || defaultUnit).toLowerCase();
  return n * (UNIT[unit] ?? 1);
}

const GIB = 1024 ** 3;

/** A new volume of `capacityGb` GiB whose backing file is the zone's base image (qcow2 copy-on-write). */
export function volumeXml(name: string, capacityGb: number, backingPath: string, backingFormat: string): string {
  return `<volume>
  <name>${esc(name)}</name>
  <capacity unit='GiB'>${capacityGb}</capacity>
  <target><format type='qcow2'/></target>
  <backingStore><path>${esc(backingPath)}</path><format type='${esc(backingFormat)}'/></backingStore>
</volume>`;
}

export interface DomainSpec {
  name: string;
  type: 'kvm' | 'qemu';
  vcpu: number;
  maxVcpu: number;
  memoryMiB: number;
  maxMemoryMiB: number;
  pool: string;
  /** system volume first (vda), then data volumes (vdb, ...) */
  volumes: string[];
  network: string;
  /** the resource's description in the domain's metadata (order, unit) */
  title: string;
  /** direct kernel boot (files on the host), or null: boot from the first disk */
  boot?: { kernel: string; initrd: string | null; cmdline: string | null } | null;
}

/**
 * Where the host keeps a domain's serial console (written by virtlogd beside QEMU's own log): what the guest
 * printed while booting, for `virsh console` and for finding why a machine never asked for its address.
 */
export const consoleLogOf = (name: string) => `/var/log/libvirt/qemu/${name}-console.log`;

/** A domain: the ordered vCPUs and memory current, the zone's headroom as maximum, its volume, the network. */
export function domainXml(d: DomainSpec): string {
  return `<domain type='${d.type}'>
  <name>${esc(d.name)}</name>
  <title>${esc(d.title)}</title>
  <memory unit='MiB'>${Math.max(d.maxMemoryMiB, d.memoryMiB)}</memory>
  <currentMemory unit='MiB'>${d.memoryMiB}</currentMemory>
  <vcpu placement='static' current='${d.vcpu}'>${Math.max(d.maxVcpu, d.vcpu)}</vcpu>
  <os><type arch='x86_64'>hvm</type>${
    d.boot
      ? `<kernel>${esc(d.boot.kernel)}</kernel>${d.boot.initrd ? `<initrd>${esc(d.boot.initrd)}</initrd>` : ''}${
          d.boot.cmdline ? `<cmdline>${esc(d.boot.cmdline)}</cmdline>` : ''
        }`
      : `<boot dev='hd'/>`
  }</os>
  <features><acpi/><apic/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
${d.volumes
  .map(
    (v, i) => `    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source pool='${esc(d.pool)}' volume='${esc(v)}'/>
      <target dev='vd${String.fromCharCode(97 + i)}' bus='virtio'/>
    </disk>`,
  )
  .join('\n')}
    <interface type='network'>
      <source network='${esc(d.network)}'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <log file='${esc(consoleLogOf(d.name))}' append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='virtio'><stats period='10'/></memballoon>
  </devices>
</domain>`;
}

export interface DomainInfo {
  name: string;
  uuid: string;
  title: string | null;
  /** vCPUs now (`current`), and the most it may have live */
  vcpu: number;
  maxVcpu: number;
  /** memory now (`currentMemory`) and the most (`memory`), MiB */
  memoryMiB: number;
  maxMemoryMiB: number;
  disks: { pool: string | null; volume: string | null; file: string | null; target: string | null }[];
  interfaces: { mac: string | null; network: string | null; target: string | null }[];
}

/** `virsh dumpxml`: a domain's identity, size, volumes and interfaces. */
export function parseDomain(xml: string): DomainInfo {
  const d = node(parser.parse(xml).domain?.[0]);
  const vcpu = d.vcpu;
  const max = Number(text(vcpu) ?? 0);
  const current = Number(node(vcpu)['@current'] ?? max);
  const devices = node(d.devices);
  return {
    name: text(d.name) ?? '',
    uuid: text(d.uuid) ?? '',
    title: text(d.title) ?? null,
    vcpu: current,
    maxVcpu: max,
    memoryMiB: Math.round(bytesOf(d.currentMemory ?? d.memory, 'KiB') / 1024 ** 2),
    maxMemoryMiB: Math.round(bytesOf(d.memory, 'KiB') / 1024 ** 2),
    disks: list(devices.disk)
      .filter((k) => (k['@device'] ?? 'disk') === 'disk')
      .map((k) => {
        const s = node(k.source);
        return {
          pool: (s['@pool'] as string) ?? null,
          volume: (s['@volume'] as string) ?? null,
          file: (s['@file'] as string) ?? null,
          target: (node(k.target)['@dev'] as string) ?? null,
        };
      }),
    interfaces: list(devices.interface).map((i) => ({
      mac: (node(i.mac)['@address'] as string) ?? null,
      network: (node(i.source)['@network'] as string) ?? null,
      target: (node(i.target)['@dev'] as string) ?? null,
    })),
  };
}

/** `virsh vol-dumpxml`: the volume's path, format, size (GiB, rounded up) and backing file. */
export function parseVolume(xml: string) {
  const v = node(parser.parse(xml).volume?.[0]);
  const target = node(v.target);
  const backing = node(v.backingStore);
  return {
    name: text(v.name) ?? '',
    path: text(target.path) ?? '',
    format: (node(target.format)['@type'] as string) ?? 'raw',
    capacityGb: Math.ceil(bytesOf(v.capacity) / GIB),
    backingPath: text(backing.path) ?? null,
  };
}

/** `virsh pool-dumpxml`: capacity, allocation and what is available, bytes. */
export function parsePool(xml: string) {
  const p = node(parser.parse(xml).pool);
  return {
    name: text(p.name) ?? '',
    capacity: bytesOf(p.capacity),
    available: bytesOf(p.available),
    path: text(node(p.target).path) ?? '',
  };
}

/** `virsh net-dumpxml`: the network's DHCP range (for the report) and its fixed hosts. */
export function parseNetwork(xml: string) {
  const n = node(parser.parse(xml).network);
  const ips = list(n.ip);
  return {
    name: text(n.name) ?? '',
    addresses: ips.map((ip) => `${ip['@address'] ?? ''}`).filter(Boolean),
  };
}

/**
 * `virsh domifaddr <domain> --source lease`: the addresses the network's DHCP server leased, per MAC
 * (` vnet0      52:54:00:84:55:70    ipv4         192.168.122.23/24`). A name-less continuation line is a
 * further address of the interface above it.
 */
export function parseDomIfAddr(out: string): { mac: string; address: string }[] {
  const rows: { mac: string; address: string }[] = [];
  let mac = '';
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 4 && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(cols[1] ?? '')) {
      mac = (cols[1] as string).toLowerCase();
      rows.push({ mac, address: (cols[3] as string).split('/')[0] as string });
    } else if (cols.length >= 3 && cols[0] === '-' && mac) {
      rows.push({ mac, address: (cols[cols.length - 1] as string).split('/')[0] as string });
    }
  }
  return rows;
}

/** `virsh domstats --raw`: per domain (by name) its `key=value` fields. */
export function parseDomStats(out: string): Map<string, Map<string, string>> {
  const all = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const line of out.split('\n')) {
    const head = /^Domain: '(.*)'$/.exec(line.trim());
    if (head) {
      current = new Map();
      all.set(head[1] as string, current);
      continue;
    }
    const kv = /^\s+([\w.]+)=(.*)$/.exec(line);
    if (kv && current) current.set(kv[1] as string, kv[2] as string);
  }
  return all;
}

/** `virsh nodeinfo`: the host's CPUs and memory (KiB). */
export function parseNodeInfo(out: string): { cpus: number; memoryKiB: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return { cpus: field('CPU\\(s\\)'), memoryKiB: field('Memory size') };
}

/** `virsh list --all --uuid` / `--name`: one entry a line. */
export const lines = (out: string): string[] =>
  out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** `virsh -q vol-list --pool <pool>` (libvirt 9 has no `--name` there): the first column of each row. */
export const volumeList = (out: string): string[] =>
  lines(out)
    .filter((l) => !/^Name\s+Path$/.test(l) && !/^-+$/.test(l))
    .map((l) => l.split(/\s+/)[0] as string);
