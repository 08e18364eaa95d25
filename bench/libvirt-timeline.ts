/**
 * BENCH_PROFILE=1 in bench:libvirt: a timeline of one side's run, sampled from /proc every 250 ms, so the two sides
 * can be compared on where the host's cores went, not only on their end times.
 *   host     the cores busy (all processes, /proc/stat) and idle
 *   guests   each guest's QEMU process (its pid from libvirt's run directory): its vCPU thread's time on a core, its
 *            time runnable but waiting for one (the run queue, /proc/<pid>/task/<tid>/schedstat) and, the rest, its
 *            time halted (the guest idle: waiting on a timer or a device); the other QEMU threads' time on a core
 *   libvirtd its CPU time
 *   leases   the moment each guest's MAC appears in the network's dnsmasq status file (what `net-dhcp-leases` and
 *            `domifaddr --source lease` read), to 250 ms
 * Nothing here runs virsh: reading a few small files a sample costs both sides the same.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;
const PERIOD_MS = 250;

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** busy and idle jiffies of the whole host */
function hostJiffies() {
  const f = (read('/proc/stat').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, idle };
}

/** a process's CPU seconds (utime + stime) */
function processCpu(pid: number) {
  const s = read(`/proc/${pid}/stat`);
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11] ?? 0) + Number(f[12] ?? 0)) / CLK_TCK;
}

interface GuestSample {
  vcpuRun: number;
  vcpuWait: number;
  otherRun: number;
}

/** The QEMU process's threads: the vCPU thread ("CPU 0/TCG", "CPU 0/KVM") apart from the others, in seconds. */
function guestSample(pid: number): GuestSample | null {
  const dir = `/proc/${pid}/task`;
  if (!existsSync(dir)) return null;
  const out = { vcpuRun: 0, vcpuWait: 0, otherRun: 0 };
  for (const tid of readdirSync(dir)) {
    const [run, wait] = read(`${dir}/${tid}/schedstat`).trim().split(' ').map(Number);
    if (read(`${dir}/${tid}/comm`).startsWith('CPU ')) {
      out.vcpuRun += (run ?? 0) / 1e9;
      out.vcpuWait += (wait ?? 0) / 1e9;
    } else out.otherRun += (run ?? 0) / 1e9;
  }
  return out;
}

const pidOf = (name: string) => {
  const p = Number(read(`/run/libvirt/qemu/${name}.pid`).trim());
  return p > 0 ? p : null;
};
const libvirtdPid = () => Number(read('/run/libvirtd.pid').trim()) || null;

/** MACs in the dnsmasq status file of a network's bridge */
function leasedMacs(bridge: string): string[] {
  try {
    return (JSON.parse(read(`/var/lib/libvirt/dnsmasq/${bridge}.status`) || '[]') as { 'mac-address': string }[]).map(
      (l) => l['mac-address'],
    );
  } catch {
    return [];
  }
}

interface Guest {
  pid: number | null;
  /** seconds after t0 */
  startedAt: number | null;
  leasedAt: number | null;
  last: GuestSample | null;
  atLease: GuestSample | null;
}

interface Row {
  t: number;
  hostBusy: number;
  hostIdle: number;
  vcpuRun: number;
  vcpuWait: number;
  otherRun: number;
  libvirtd: number;
  running: number;
  leased: number;
}

/** The running domains on a network, from libvirt's status files (name -> MAC), cached as they appear. */
function domainsOn(network: string) {
  const seen = new Map<string, string | null>();
  return () => {
    for (const f of readdirSync('/run/libvirt/qemu')) {
      if (!f.endsWith('.xml')) continue;
      const name = f.slice(0, -'.xml'.length);
      if (seen.has(name)) continue;
      const xml = read(`/run/libvirt/qemu/${f}`);
      if (!xml) continue;
      seen.set(name, xml.includes(`network='${network}'`) ? (/<mac address='([^']+)'/.exec(xml)?.[1] ?? null) : null);
    }
    return [...seen].filter((e): e is [string, string] => e[1] !== null);
  };
}

/**
 * Samples from now until `stop` the guests on `network` (its bridge `bridge`), as they appear. `report` prints a
 * row a second and per-guest figures.
 */
export function startTimeline(network: string, bridge: string) {
  const names = domainsOn(network);
  const t0 = performance.now();
  const guests = new Map<string, Guest>();
  const rows: Row[] = [];
  let host = hostJiffies();
  const lvPid = libvirtdPid();
  let lv = lvPid ? processCpu(lvPid) : 0;
  let prev = new Map<string, GuestSample>();
  const sample = () => {
    const t = (performance.now() - t0) / 1000;
    const h = hostJiffies();
    const row: Row = {
      t,
      hostBusy: (h.busy - host.busy) / CLK_TCK,
      hostIdle: (h.idle - host.idle) / CLK_TCK,
      vcpuRun: 0,
      vcpuWait: 0,
      otherRun: 0,
      libvirtd: 0,
      running: 0,
      leased: 0,
    };
    host = h;
    if (lvPid) {
      const c = processCpu(lvPid);
      row.libvirtd = c - lv;
      lv = c;
    }
    const leased = new Set(leasedMacs(bridge));
    const now = new Map<string, GuestSample>();
    for (const [name, mac] of names()) {
      let g = guests.get(name);
      if (!g) {
        g = { pid: null, startedAt: null, leasedAt: null, last: null, atLease: null };
        guests.set(name, g);
      }
      g.pid ??= pidOf(name);
      if (!g.pid) continue;
      const s = guestSample(g.pid);
      if (!s) continue;
      g.startedAt ??= t;
      g.last = s;
      now.set(name, s);
      const p = prev.get(name) ?? { vcpuRun: 0, vcpuWait: 0, otherRun: 0 };
      row.vcpuRun += s.vcpuRun - p.vcpuRun;
      row.vcpuWait += s.vcpuWait - p.vcpuWait;
      row.otherRun += s.otherRun - p.otherRun;
      row.running++;
      if (g.leasedAt === null && leased.has(mac)) {
        g.leasedAt = t;
        g.atLease = s;
      }
      if (g.leasedAt !== null) row.leased++;
    }
    prev = now;
    rows.push(row);
  };
  const timer = setInterval(sample, PERIOD_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
    report(label: string, say: (m: string) => void) {
      say(`timeline ${label} (per second: host cores busy / idle; guests' vCPU threads on a core / waiting for one;`);
      say('  other QEMU threads; libvirtd; guests running; guests leased)');
      const secs = new Map<number, Row>();
      for (const r of rows) {
        const k = Math.floor(r.t - 1e-9);
        const a = secs.get(k) ?? { ...r, hostBusy: 0, hostIdle: 0, vcpuRun: 0, vcpuWait: 0, otherRun: 0, libvirtd: 0 };
        for (const f of ['hostBusy', 'hostIdle', 'vcpuRun', 'vcpuWait', 'otherRun', 'libvirtd'] as const) a[f] += r[f];
        a.running = r.running;
        a.leased = r.leased;
        secs.set(k, a);
      }
      const f = (n: number) => n.toFixed(2).padStart(5);
      for (const [k, r] of secs)
        say(
          `  ${String(k).padStart(4)} host ${f(r.hostBusy)} / ${f(r.hostIdle)}  vcpu ${f(r.vcpuRun)} / ${f(r.vcpuWait)}  other ${f(r.otherRun)}  libvirtd ${f(r.libvirtd)}  ${String(r.running).padStart(2)} up ${String(r.leased).padStart(2)} leased`,
        );
      const total = rows.reduce(
        (a, r) => ({
          busy: a.busy + r.hostBusy,
          idle: a.idle + r.hostIdle,
          run: a.run + r.vcpuRun,
          wait: a.wait + r.vcpuWait,
          other: a.other + r.otherRun,
          lv: a.lv + r.libvirtd,
        }),
        { busy: 0, idle: 0, run: 0, wait: 0, other: 0, lv: 0 },
      );
      say(
        `  total host busy ${total.busy.toFixed(1)} s, idle ${total.idle.toFixed(1)} s; vCPU threads on a core ${total.run.toFixed(1)} s, waiting ${total.wait.toFixed(1)} s; other QEMU threads ${total.other.toFixed(1)} s; libvirtd ${total.lv.toFixed(1)} s`,
      );
      say('  per guest (s after t0): up, leased, boot (leased - up): vCPU on a core / waiting / halted');
      for (const [name, g] of guests) {
        if (g.startedAt === null) continue;
        const a = g.atLease ?? g.last;
        const boot = (g.leasedAt ?? rows.at(-1)?.t ?? 0) - g.startedAt;
        const run = a?.vcpuRun ?? 0;
        const wait = a?.vcpuWait ?? 0;
        say(
          `  ${name.slice(-6).padStart(6)} ${g.startedAt.toFixed(1).padStart(6)} ${g.leasedAt === null ? '     -' : g.leasedAt.toFixed(1).padStart(6)} ${boot.toFixed(1).padStart(5)}: ${run.toFixed(1)} / ${wait.toFixed(1)} / ${(boot - run - wait).toFixed(1)}`,
        );
      }
    },
  };
}
