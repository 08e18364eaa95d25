/**
 * npm run bench:libvirt — 20 virtual machines (BENCH_VMS) from the ops unit's approval to running, each with its
 * DHCP lease, through Yunguan's libvirt driver, against the same 20 domains created directly with virsh in the
 * same run. Needs the libvirt daemon (qemu:///system) with QEMU, a kernel in /boot and busybox-static (the guests
 * are QEMU/TCG direct-kernel boots of that kernel with a busybox initramfs, limited to 128 MiB; .ci/run's
 * packages); a network and a pool of unique names are made and removed again.
 *   direct  one `virsh` process fed, per machine, `vol-create-as` (a qcow2 overlay of the base image, 40 GiB),
 *           `define` and `start` (the driver's own domain definition), then `net-dhcp-leases` once a second until
 *           every machine has its lease. BENCH_DIRECT_SESSIONS=4: four such processes side by side, the machines
 *           dealt out between them, as the driver creates them over four sessions.
 *   yunguan the database (DATABASE_URL / TEST_DATABASE_URL, a fresh schema; PGlite otherwise) migrated and seeded,
 *           the zone bound through the API, a unit's order of 20 machines placed through the API; timed from the
 *           ops reviewer's approval (HTTP) until the driver's receipt is recorded: the job's run
 *           (`provisioning.libvirt` under the job runner, started just before the approval, so its first pass comes a
 *           whole interval later: the longest an approval waits in production), claim, leftovers check,
 *           capacity, per machine (side by side over up to four sessions) base image, volume, define, then start
 *           (one start at a time, as the direct script does), read back; all leases; the receipt.
 * BENCH_PROFILE=1 prints the driver's virsh commands with their times and, for each side, a timeline from /proc
 * (bench/libvirt-timeline.ts: the cores, each guest's vCPU on a core / waiting / halted, the leases).
 * BENCH_ROUNDS (3) rounds of both sides, one set of guests at a time (each side's domains are removed before the
 * next side runs), the first side of a round alternating (direct then Yunguan, then Yunguan then direct, ...):
 * the same 20 TCG boots vary by 20 % in CPU between runs, so one pair says little; the medians are compared.
 * Last line: one JSON object with both sides' medians, each round's figures and the ratio; goal: at most 1.2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { type FulfilRun, libvirtFulfilmentJob } from '../src/modules/provisioning/drivers/libvirt/index.ts';
import {
  guestConsole,
  makeQemuZone,
  qemuConnection,
  qemuUnavailable,
  SYSTEM_URI,
  virshSystem,
} from '../src/modules/provisioning/drivers/libvirt/libvirt.qemu.fixtures.ts';
import { domainXml } from '../src/modules/provisioning/drivers/libvirt/libvirt.xml.ts';
import { VirshSession } from '../src/modules/provisioning/drivers/libvirt/virsh.ts';
import { closeLibvirtSessions, registerFulfilment } from '../src/modules/provisioning/index.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { startJobs } from '../src/platform/jobs/jobs.ts';
import { systemClock } from '../src/platform/time/clock.ts';
import type { DB } from '../src/schema.ts';
import { seedDemo } from '../src/seed.ts';
import { as, login } from '../test/sessions.ts';
import { openBenchDatabase } from './database.ts';
import { startTimeline } from './libvirt-timeline.ts';

const VMS = Number(process.env.BENCH_VMS ?? 20);
/** virsh processes the direct side runs side by side, the machines dealt out between them (1: one script). */
const DIRECT_SESSIONS = Math.max(1, Number(process.env.BENCH_DIRECT_SESSIONS ?? 1));
/** Rounds of both sides (BENCH_ROUNDS, 1-6: the network's DHCP range holds 240 leases); medians are compared. */
const ROUNDS = Math.min(6, Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3)));
const say = (m: string) => process.stderr.write(`${m}\n`);
const ZONE = '政务外网区';

/**
 * The driver's job as production runs it (the job runner, its interval, from just before the approval: the first
 * pass comes a whole interval later, the longest an approval can wait), resolving with the first pass that claimed
 * a work order.
 */
function jobPasses(db: Kysely<DB>, lock: boolean) {
  let settle: (run: FulfilRun) => void = () => {};
  const next = new Promise<FulfilRun>((resolve) => {
    settle = resolve;
  });
  const job = {
    ...libvirtFulfilmentJob,
    run: async (ctx: Parameters<typeof libvirtFulfilmentJob.run>[0]) => {
      const run = (await libvirtFulfilmentJob.run(ctx)) as FulfilRun;
      if (run.claimed > 0) settle(run);
      return run;
    },
  };
  const log = {
    info: () => {},
    warn: (o: unknown, m?: string) => say(`${m ?? ''} ${JSON.stringify(o)}`),
    error: (o: unknown, m?: string) => say(`${m ?? ''} ${JSON.stringify(o)}`),
  };
  return { next, runner: startJobs(db, [job], systemClock, log as never, { lock }) };
}

/** Runs virsh commands in one process (as an operator's script would), resolving when it ends. */
function virshScript(lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('virsh', ['-q', '-c', SYSTEM_URI], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => {
      err += d;
    });
    p.on('exit', (code) => (code === 0 && !err.trim() ? resolve() : reject(new Error(`virsh: ${code} ${err}`))));
    p.stdin.end(`${lines.join('\n')}\nquit\n`);
  });
}

/** The MAC addresses the network's DHCP server has leased to (busybox's udhcpc sends no host name). */
const leasedMacs = (network: string) =>
  new Set(
    (virshSystem('net-dhcp-leases', network).stdout ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[2] ?? '')
      .filter((mac) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)),
  );

/** The guests' CPU time so far (s, `domstats --cpu-total`), summed: what booting them took of the host. */
const guestCpuSeconds = (names: string[]) =>
  (virshSystem('domstats', '--cpu-total', ...names).stdout ?? '')
    .split('\n')
    .filter((l) => l.trim().startsWith('cpu.time='))
    .reduce((a, l) => a + Number(l.trim().slice('cpu.time='.length)) / 1e9, 0);

/** A domain's MAC addresses (`virsh domiflist`). */
const macsOf = (name: string) =>
  (virshSystem('domiflist', name).stdout ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[4] ?? '')
    .filter((mac) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac));

/**
 * BENCH_PROFILE=1: every virsh command of the driver with its start (ms after the approval) and duration, printed
 * to stderr after Yunguan's run, grouped by command (count, total ms, first start, last end).
 */
const PROFILE = process.env.BENCH_PROFILE === '1';
const profile: { cmd: string; at: number; ms: number }[] = [];
let profileT0 = 0;
if (PROFILE) {
  const run = VirshSession.prototype.run;
  VirshSession.prototype.run = function (this: VirshSession, args: readonly string[]) {
    const at = performance.now();
    const p = run.call(this, args);
    const done = () => profile.push({ cmd: args[0] ?? '', at: at - profileT0, ms: performance.now() - at });
    p.then(done, done);
    return p;
  };
}

function printProfile() {
  const by = new Map<string, { n: number; total: number; first: number; last: number }>();
  for (const e of profile) {
    const g = by.get(e.cmd) ?? { n: 0, total: 0, first: Number.POSITIVE_INFINITY, last: 0 };
    g.n++;
    g.total += e.ms;
    g.first = Math.min(g.first, e.at);
    g.last = Math.max(g.last, e.at + e.ms);
    by.set(e.cmd, g);
  }
  say('profile (virsh command: count, total ms, first start, last end, ms after approval):');
  for (const [cmd, g] of [...by].sort((a, b) => a[1].first - b[1].first))
    say(
      `  ${cmd.padEnd(16)} ${String(g.n).padStart(4)} ${String(Math.round(g.total)).padStart(7)} ${String(Math.round(g.first)).padStart(7)} ${String(Math.round(g.last)).padStart(7)}`,
    );
  if (process.env.BENCH_PROFILE_ALL === '1')
    for (const e of profile) say(`  ${Math.round(e.at)} +${Math.round(e.ms)} ${e.cmd}`);
}

type Zone = ReturnType<typeof makeQemuZone>;
type Side = { ms: number; startedMs: number; guestCpuS: number; load: number };

/** The direct side once: the 20 domains with virsh, timed until every lease is in; then removed. */
async function directRound(zone: Zone, round: number): Promise<Side> {
  const dir = mkdtempSync(path.join(tmpdir(), 'yunguan-bench-libvirt-'));
  const names = Array.from({ length: VMS }, (_, i) => `ygb-${zone.id}-r${round}-${i + 1}`);
  const scripts: string[][] = Array.from({ length: DIRECT_SESSIONS }, () => []);
  for (const [i, name] of names.entries()) {
    const file = path.join(dir, `${name}.xml`);
    writeFileSync(
      file,
      domainXml({
        name,
        title: 'bench direct',
        type: 'qemu',
        vcpu: 1,
        maxVcpu: 0,
        memoryMiB: 1024,
        maxMemoryMiB: 0,
        pool: zone.pool,
        volumes: [`${name}-system.qcow2`],
        network: zone.network,
        boot: zone.boot,
      }),
    );
    (scripts[i % DIRECT_SESSIONS] as string[]).push(
      `vol-create-as ${zone.pool} ${name}-system.qcow2 40G --format qcow2 --backing-vol ${zone.baseVolume} --backing-vol-format qcow2`,
      `define ${file}`,
      `start ${name}`,
    );
  }
  say(`round ${round}, direct: ${VMS} domains with virsh ...`);
  const timeline = PROFILE ? startTimeline(zone.network, `ygb${zone.id}`) : null;
  const d0 = performance.now();
  await Promise.all(scripts.filter((x) => x.length).map(virshScript));
  const startedMs = performance.now() - d0;
  const macs = names.flatMap(macsOf);
  for (;;) {
    const leased = leasedMacs(zone.network);
    if (macs.every((m) => leased.has(m))) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const ms = performance.now() - d0;
  timeline?.stop();
  const side = { ms, startedMs, guestCpuS: guestCpuSeconds(names), load: loadavg()[0] as number };
  rmSync(dir, { recursive: true, force: true });
  removeDomains(zone, names);
  say(`round ${round}, direct: ${Math.round(ms)} ms (all started after ${Math.round(startedMs)} ms)`);
  timeline?.report('direct', say);
  return side;
}

/** Destroys and undefines the domains and deletes their volumes (the next round starts from an idle host). */
function removeDomains(zone: Zone, names: string[]) {
  for (const name of names) {
    virshSystem('destroy', name);
    virshSystem('undefine', name);
    for (const v of [`${name}-system.qcow2`, `${name}-data.qcow2`]) virshSystem('vol-delete', v, '--pool', zone.pool);
  }
}

/** Yunguan's side, set up once: the database migrated and seeded, the zone bound, a project with quota. */
async function yunguanSetup(zone: Zone) {
  const { database, kind, cleanup } = await openBenchDatabase();
  const app = await buildApp({
    config: loadConfig({ YUNGUAN_MAX_EVENT_LOOP_DELAY_MS: '0', YUNGUAN_DATA_DIR: '/tmp/yunguan-bench-unused' }),
    database,
    clock: systemClock,
  });
  say(`yunguan: migrating and seeding (${kind}) ...`);
  await migrateToLatest(database.db);
  await seedDemo(database.db);
  registerFulfilment();
  const signIn = async (username: string) => {
    const session = await login(app, username);
    return (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
      as(app, session, { method, url, payload: payload as Record<string, unknown> });
  };
  const reviewer = await signIn('reviewer');
  const edu = await signIn('edu');
  const ids = await sql<{ provider: string; unit: string; jurisdiction: string }>`
    select (select id from organisation where code = 'demo-provider-a') as provider,
           o.id as unit, o.jurisdiction_id as jurisdiction
      from organisation o where o.code = 'demo-education'`.execute(database.db);
  const { provider, unit, jurisdiction } = ids.rows[0] as { provider: string; unit: string; jurisdiction: string };
  const bound = await reviewer('PUT', '/api/v1/libvirt/connections', qemuConnection(zone, provider, ZONE));
  if (bound.statusCode !== 200) throw new Error(`zone: ${bound.body}`);
  // an approved project (preliminary review passed) with ample quota and a filed system it builds
  const made = await sql<{ project: string; system: string }>`
    with p as (
      insert into project (organisation_id, jurisdiction_id, approval_no, name, year, status, created_by, review_passed_at)
      values (${unit}, ${jurisdiction}, 'bench-libvirt', '压测项目', 2026, 'approved', 'bench', now()) returning id),
    s as (
      insert into information_system (organisation_id, jurisdiction_id, name, mlps_level, filing_status,
        commitment_letter_on_file, created_by)
      values (${unit}, ${jurisdiction}, '压测系统', 2, 'filed', true, 'bench') returning id),
    l as (
      insert into project_system (project_id, system_id, organisation_id, jurisdiction_id)
      select p.id, s.id, ${unit}, ${jurisdiction} from p, s),
    q as (
      insert into project_quota (project_id, organisation_id, jurisdiction_id, dimension, quantity, set_by, set_at)
      select p.id, ${unit}, ${jurisdiction}, d, 100000000, 'bench', now()
        from p, unnest(array['vcpu', 'memory_gb', 'storage_gb']) as d)
    select p.id as project, s.id as system from p, s`.execute(database.db);
  const { project, system } = made.rows[0] as { project: string; system: string };
  return { app, database, kind, cleanup, reviewer, edu, project, system };
}

/** Yunguan's side once: an order of 20 machines placed, then timed from the approval to the receipt; removed. */
async function yunguanRound(zone: Zone, y: Awaited<ReturnType<typeof yunguanSetup>>, round: number) {
  const placed = await y.edu('POST', '/api/v1/orders', {
    type: 'new_resources',
    title: `压测：${VMS} 台虚拟机（第 ${round} 轮）`,
    projectId: y.project,
    systemId: y.system,
    lines: [
      {
        itemCode: 'cloud-vm',
        specification: { vcpu: 1, memoryGb: 1, systemDiskGb: 40, dataDiskGb: 0, os: 'CentOS 7.9', networkZone: ZONE },
        quantity: VMS,
      },
    ],
  });
  if (placed.statusCode !== 201) throw new Error(`order: ${placed.body}`);
  const orderId = placed.json().id as string;
  say(`round ${round}, yunguan: approving and running the driver ...`);
  profile.length = 0;
  const y0 = performance.now();
  const cpu0 = process.cpuUsage();
  profileT0 = y0;
  const timeline = PROFILE ? startTimeline(zone.network, `ygb${zone.id}`) : null;
  const passes = jobPasses(y.database.db, y.kind === 'postgres');
  let current = placed.json();
  while (current.currentStep?.role === 'ops_reviewer' && !current.currentStep.handledByProvisioning) {
    const acted = await y.reviewer('POST', `/api/v1/orders/${orderId}/act`, {
      decision: 'approve',
      stepKey: current.currentStep.key,
    });
    if (acted.statusCode !== 200) throw new Error(`approve: ${acted.body}`);
    current = acted.json();
  }
  const approvedMs = performance.now() - y0;
  const run = await passes.next;
  await passes.runner.stop();
  if (run.delivered.length !== 1) throw new Error(`driver: ${JSON.stringify(run)}`);
  const ms = performance.now() - y0;
  timeline?.stop();
  const cpu1 = process.cpuUsage(cpu0);
  const load = loadavg()[0] as number;
  const [w] = (await y.edu('GET', `/api/v1/work-orders?orderId=${orderId}`)).json().items;
  const names = (virshSystem('list', '--name').stdout ?? '').split('\n').filter((n) => n.startsWith(`yg-${w.id}-`));
  const guestCpuS = guestCpuSeconds(names);
  const receipt = (await y.edu('GET', `/api/v1/work-orders/${w.id}`)).json().receipts[0];
  const leased = receipt.lines.filter((l: { addresses: string[] }) => l.addresses.length > 0).length;
  say(`round ${round}, yunguan: ${Math.round(ms)} ms (approved after ${Math.round(approvedMs)} ms), ${leased} leases`);
  if (PROFILE) printProfile();
  timeline?.report('yunguan', say);
  if (leased !== VMS) {
    for (const l of receipt.lines.filter((x: { addresses: string[] }) => !x.addresses.length)) {
      const domain = (virshSystem('domname', l.externalId).stdout ?? '').trim();
      say(`no lease: ${domain} (${l.name}), its console:\n${guestConsole(domain)}`);
    }
    throw new Error(`only ${leased} of ${VMS} machines have their lease`);
  }
  removeDomains(zone, names);
  return {
    side: { ms, startedMs: approvedMs, guestCpuS, load } satisfies Side,
    processCpuS: (cpu1.user + cpu1.system) / 1e6,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main() {
  const why = qemuUnavailable();
  if (why) {
    say(`bench:libvirt needs the libvirt daemon: ${why}`);
    process.exit(2);
  }
  const zone = makeQemuZone();
  const loadBefore = loadavg()[0] as number;
  let y: Awaited<ReturnType<typeof yunguanSetup>> | null = null;
  try {
    y = await yunguanSetup(zone);
    const direct: Side[] = [];
    const yunguan: Side[] = [];
    const processCpu: number[] = [];
    // the sides take turns, the first of a round alternating (D Y, Y D, ...): neither always runs on the host
    // the other has just warmed or loaded
    for (let round = 1; round <= ROUNDS; round++) {
      const runYunguan = async () => {
        const r = await yunguanRound(zone, y as NonNullable<typeof y>, round);
        yunguan.push(r.side);
        processCpu.push(r.processCpuS);
      };
      if (round % 2 === 1) {
        direct.push(await directRound(zone, round));
        await runYunguan();
      } else {
        await runYunguan();
        direct.push(await directRound(zone, round));
      }
    }
    const directMs = median(direct.map((d) => d.ms));
    const yunguanMs = median(yunguan.map((d) => d.ms));
    const result = {
      bench: 'libvirt',
      vms: VMS,
      rounds: ROUNDS,
      database: y.kind,
      guest: 'QEMU/TCG, direct kernel boot, busybox initramfs, mem=128M (1 GiB ordered), 1 vCPU',
      // medians over the rounds; each round's own figures beside them
      directMs: Math.round(directMs),
      yunguanMs: Math.round(yunguanMs),
      directSessions: DIRECT_SESSIONS,
      perRound: direct.map((d, i) => {
        const g = yunguan[i] as Side;
        return {
          directMs: Math.round(d.ms),
          directAllStartedMs: Math.round(d.startedMs),
          yunguanMs: Math.round(g.ms),
          yunguanApprovalMs: Math.round(g.startedMs),
          ratio: Number((g.ms / d.ms).toFixed(3)),
          // CPU seconds the guests took (booting) by the time the last lease was in
          guestCpuS: { direct: Number(d.guestCpuS.toFixed(1)), yunguan: Number(g.guestCpuS.toFixed(1)) },
          load1: { afterDirect: d.load, afterYunguan: g.load },
        };
      }),
      // the bench process's CPU in Yunguan's rounds (the API, the driver, the database when PGlite)
      yunguanProcessCpuS: Number(median(processCpu).toFixed(2)),
      ratio: Number((yunguanMs / directMs).toFixed(3)),
      goal: 1.2,
      load1Before: loadBefore,
      cpus: spawnSync('nproc', { encoding: 'utf8' }).stdout.trim(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    closeLibvirtSessions();
    zone.remove();
    if (y) {
      await y.app.close();
      await y.cleanup();
    }
  }
}

main().catch((e) => {
  say(String(e?.stack ?? e));
  process.exit(1);
});
