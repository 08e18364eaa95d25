// Test fixtures for the libvirt driver on a real libvirt daemon (qemu:///system, QEMU/TCG guests), not used by the
// application: a network and a storage pool of unique names, a tiny base image, and a direct-kernel-boot guest
// (the host's kernel and a busybox initramfs built here: no image downloads), all removed afterwards.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { consoleLogOf } from './libvirt.xml.ts';

export const SYSTEM_URI = 'qemu:///system';

/** The end of what a guest printed on its serial console (its boot, its DHCP client): why it has no address. */
export function guestConsole(name: string, chars = 2_000): string {
  const file = consoleLogOf(name);
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-chars) : `(no console log at ${file})`;
}

const virshSync = (...args: string[]) =>
  spawnSync('virsh', ['-q', '-c', SYSTEM_URI, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });

/** Why the real-daemon tests cannot run here, or null when they can. */
export function qemuUnavailable(): string | null {
  if (spawnSync('virsh', ['--version']).status !== 0) return 'virsh is absent (apt-get install libvirt-clients)';
  if (virshSync('version').status !== 0)
    return `${SYSTEM_URI} is not reachable (apt-get install libvirt-daemon-system qemu-system-x86 qemu-utils; virtlogd -d; libvirtd -d)`;
  if (!existsSync('/bin/busybox') || spawnSync('ldd', ['/bin/busybox'], { encoding: 'utf8' }).status === 0)
    return 'a static busybox is absent (apt-get install busybox-static)';
  if (!kernel()) return 'no kernel in /boot with its modules (apt-get install linux-image-cloud-amd64)';
  if (spawnSync('cpio', ['--version']).status !== 0) return 'cpio is absent (apt-get install cpio)';
  return null;
}

/** The newest kernel in /boot whose modules are installed. */
function kernel(): { image: string; modules: string } | null {
  const versions = existsSync('/boot')
    ? readdirSync('/boot')
        .filter((f) => f.startsWith('vmlinuz-'))
        .map((f) => f.slice('vmlinuz-'.length))
        .filter((v) => existsSync(`/lib/modules/${v}/modules.dep`))
        .sort()
    : [];
  const v = versions.at(-1);
  return v ? { image: `/boot/vmlinuz-${v}`, modules: `/lib/modules/${v}` } : null;
}

// virtio (PCI, network, balloon) in dependency order; built into some kernels, modules in Debian's cloud kernel
const MODULES = [
  'virtio_ring',
  'virtio',
  'virtio_pci_legacy_dev',
  'virtio_pci_modern_dev',
  'virtio_pci',
  'failover',
  'net_failover',
  'virtio_net',
  'virtio_balloon',
];

const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${MODULES.join(' ')}; do [ -f /lib/modules/$m.ko ] && insmod /lib/modules/$m.ko; done
ip link set lo up
ip link set eth0 up
echo yunguan-test-guest-up > /dev/ttyS0
udhcpc -i eth0 -s /bin/true -b -t 30 -T 1
while true; do sleep 3600; done
`;

/** A busybox initramfs whose init loads virtio, brings eth0 up and asks the network's DHCP server for a lease. */
function buildInitramfs(out: string): void {
  const k = kernel();
  if (!k) throw new Error('no kernel');
  const stage = mkdtempSync(path.join(tmpdir(), 'yunguan-initramfs-'));
  try {
    for (const d of ['bin', 'proc', 'sys', 'dev', 'lib/modules']) mkdirSync(path.join(stage, d), { recursive: true });
    copyFileSync('/bin/busybox', path.join(stage, 'bin/busybox'));
    const dep = spawnSync('cat', [`${k.modules}/modules.dep`], { encoding: 'utf8' }).stdout;
    for (const m of MODULES) {
      const line = dep.split('\n').find((l) => l.split(':')[0]?.endsWith(`/${m}.ko`));
      if (line)
        copyFileSync(path.join(k.modules, line.split(':')[0] as string), path.join(stage, `lib/modules/${m}.ko`));
    }
    writeFileSync(path.join(stage, 'init'), INIT, { mode: 0o755 });
    const r = spawnSync('sh', ['-c', `cd '${stage}' && find . | cpio -o -H newc --quiet > '${out}'`]);
    if (r.status !== 0) throw new Error(`cpio: ${r.stderr}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export interface QemuZone {
  id: string;
  network: string;
  pool: string;
  poolDir: string;
  subnet: string;
  baseVolume: string;
  boot: { kernel: string; initrd: string; cmdline: string };
  remove: () => void;
}

/** The body of `PUT /libvirt/connections` that binds a provider's zone to this test zone on the real daemon. */
export function qemuConnection(zone: QemuZone, providerId: string, zoneName: string) {
  return {
    providerId,
    zone: zoneName,
    name: `host-${zone.id}`,
    uri: SYSTEM_URI,
    pool: zone.pool,
    baseVolume: zone.baseVolume,
    network: zone.network,
    domainType: 'qemu',
    vcpuOvercommit: 16,
    bootKernel: zone.boot.kernel,
    bootInitrd: zone.boot.initrd,
    bootCmdline: zone.boot.cmdline,
  };
}

const must = (r: ReturnType<typeof virshSync>, what: string) => {
  if (r.status !== 0) throw new Error(`${what}: ${r.stderr}`);
};

/**
 * A network (NAT, DHCP) and a directory pool of unique names with a 64 MiB qcow2 base image, and the guest's
 * kernel and initramfs under /var/lib/libvirt/boot (where QEMU's user may read them). `remove` takes out every
 * domain on the network, the pool with its volumes, the network and the boot files.
 */
export function makeQemuZone(): QemuZone {
  const id = Math.random().toString(16).slice(2, 8);
  const network = `yg-t-${id}`;
  const pool = `yg-t-${id}`;
  const poolDir = `/var/lib/libvirt/images/${pool}`;
  const bootDir = `/var/lib/libvirt/boot/${pool}`;
  const subnet = `10.${200 + (Number.parseInt(id.slice(0, 2), 16) % 50)}.${Number.parseInt(id.slice(2, 4), 16)}`;
  const remove = () => {
    const names = (virshSync('list', '--all', '--name').stdout ?? '').split('\n').filter(Boolean);
    for (const n of names) {
      if (!(virshSync('dumpxml', n).stdout ?? '').includes(`network='${network}'`)) continue;
      virshSync('destroy', n);
      virshSync('undefine', n);
    }
    for (const v of (virshSync('vol-list', pool).stdout ?? '').split('\n').filter(Boolean)) {
      const name = v.trim().split(/\s+/)[0];
      if (name) virshSync('vol-delete', name, '--pool', pool);
    }
    virshSync('pool-destroy', pool);
    virshSync('pool-delete', pool);
    virshSync('pool-undefine', pool);
    virshSync('net-destroy', network);
    virshSync('net-undefine', network);
    rmSync(poolDir, { recursive: true, force: true });
    rmSync(bootDir, { recursive: true, force: true });
  };
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-qemu-zone-'));
    const netXml = path.join(dir, 'net.xml');
    writeFileSync(
      netXml,
      `<network><name>${network}</name><bridge name='ygb${id}'/><forward mode='nat'/>
  <ip address='${subnet}.1' netmask='255.255.255.0'><dhcp><range start='${subnet}.10' end='${subnet}.250'/></dhcp></ip>
</network>`,
    );
    must(virshSync('net-define', netXml), 'net-define');
    must(virshSync('net-start', network), 'net-start');
    must(virshSync('net-autostart', network), 'net-autostart');
    must(virshSync('pool-define-as', pool, 'dir', '--target', poolDir), 'pool-define-as');
    must(virshSync('pool-build', pool), 'pool-build');
    must(virshSync('pool-start', pool), 'pool-start');
    must(virshSync('pool-autostart', pool), 'pool-autostart');
    must(virshSync('vol-create-as', pool, 'base.qcow2', '64M', '--format', 'qcow2'), 'vol-create-as');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(bootDir, { recursive: true, mode: 0o755 });
    copyFileSync((kernel() as { image: string }).image, path.join(bootDir, 'vmlinuz'));
    buildInitramfs(path.join(bootDir, 'initrd'));
  } catch (e) {
    remove();
    throw e;
  }
  return {
    id,
    network,
    pool,
    poolDir,
    subnet,
    baseVolume: 'base.qcow2',
    // mem=128M: the guest uses 128 MiB of the ordered memory (the catalogue's least is 1 GB), so it stays tiny
    boot: {
      kernel: path.join(bootDir, 'vmlinuz'),
      initrd: path.join(bootDir, 'initrd'),
      cmdline: 'console=ttyS0 mem=128M panic=-1',
    },
    remove,
  };
}

/** The pid of the running libvirtd, if any (not a killed one waiting to be reaped: a container's init may not). */
export function libvirtdPid(): number | null {
  const r = spawnSync('pgrep', ['-x', 'libvirtd'], { encoding: 'utf8' });
  for (const line of (r.stdout ?? '').trim().split('\n')) {
    const pid = Number(line);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout ?? '';
    if (/^\d+ \(.*\) [^Z]/.test(stat)) return pid;
  }
  return null;
}

/** Starts libvirtd (daemonised) and waits until qemu:///system answers. */
export async function startLibvirtd(): Promise<void> {
  if (!libvirtdPid()) {
    await new Promise<void>((resolve, reject) => {
      const p = spawn('libvirtd', ['-d'], { stdio: 'ignore' });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`libvirtd -d: ${code}`))));
    });
  }
  for (let i = 0; i < 100; i++) {
    if (virshSync('version').status === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('libvirtd did not come back');
}

export const virshSystem = virshSync;
