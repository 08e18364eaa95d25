import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../../../test/helpers.ts';
import { as, login, type Session } from '../../../../../test/sessions.ts';
import { ManualClock } from '../../../../platform/time/clock.ts';
import { seedDemo } from '../../../../seed.ts';
import { project, reviewedForProvider, withSystem } from '../../../orders/orders.fixtures.ts';
import { registerFulfilment } from '../../index.ts';
import { closeSessions, runLibvirtFulfilment, unregisterLibvirtDrivers } from './index.ts';
import {
  libvirtdPid,
  makeQemuZone,
  type QemuZone,
  qemuConnection,
  qemuUnavailable,
  startLibvirtd,
  virshSystem,
} from './libvirt.qemu.fixtures.ts';

// The libvirt driver on a real libvirt daemon (qemu:///system), through the public API: QEMU/TCG guests (the
// zone's domain type `qemu`) booting the host's kernel with a busybox initramfs this file builds, on a network
// and a pool of unique names that are removed afterwards. What the test driver cannot show: libvirtd killed
// mid-creation, a real DHCP lease, and `vol-wipe` erasure on a real pool. Without a reachable daemon (a machine
// with only Node.js) the file says why and skips; CI installs the daemon (.ci/run).

const UNAVAILABLE = qemuUnavailable();
if (UNAVAILABLE) console.warn(`SKIPPED: the libvirt driver's real-daemon tests did not run: ${UNAVAILABLE}`);

const clock = new ManualClock('2026-11-02T02:00:00Z');
const ZONE = '政务外网区';
let t: TestApp;
let edu: Session;
let reviewer: Session;
let zone: QemuZone;
const org: Record<string, string> = {};

const spec = { vcpu: 1, memoryGb: 1, systemDiskGb: 40, dataDiskGb: 1, os: 'CentOS 7.9', networkZone: ZONE };
const workOrders = async (orderId: string) =>
  (await as(t.app, edu, { url: `/api/v1/work-orders?orderId=${orderId}` })).json().items as { id: string }[];
const domainsOf = (prefix: string) =>
  (virshSystem('list', '--all', '--name').stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((n) => n.startsWith(prefix));
const poolFiles = () => readdirSync(zone.poolDir).sort();

describe.skipIf(UNAVAILABLE !== null)('the libvirt driver on a real libvirt daemon (QEMU/TCG)', () => {
  beforeAll(async () => {
    registerFulfilment();
    zone = makeQemuZone();
    t = await testApp({ clock });
    await seedDemo(t.database.db);
    for (const code of ['demo-provider-a']) {
      org[code] = (
        await t.database.db.selectFrom('organisation').select('id').where('code', '=', code).executeTakeFirstOrThrow()
      ).id;
    }
    [edu, reviewer] = (await Promise.all(['edu', 'reviewer'].map((u) => login(t.app, u)))) as [Session, Session];
    const res = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/libvirt/connections',
      payload: qemuConnection(zone, org['demo-provider-a'] as string, ZONE),
    });
    expect(res.statusCode, res.body).toBe(200);
  }, 180_000);
  afterAll(async () => {
    unregisterLibvirtDrivers();
    closeSessions();
    if (!libvirtdPid()) await startLibvirtd();
    zone?.remove();
    await t?.close();
  }, 120_000);

  let resourceId: string;
  let domain: string;

  it('libvirtd killed mid-creation: the work order fails cleanly, nothing is left behind, and the retry after libvirtd is back runs the guest with its DHCP lease', async () => {
    const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
    const placed = await as(t.app, edu, {
      method: 'POST',
      url: '/api/v1/orders',
      payload: withSystem({
        type: 'new_resources',
        title: '真实守护进程',
        projectId,
        lines: [{ itemCode: 'cloud-vm', specification: spec, quantity: 1 }],
      }),
    });
    expect(placed.statusCode, placed.body).toBe(201);
    await reviewedForProvider(t.app, reviewer, placed.json());
    const [w] = await workOrders(placed.json().id);
    const name = `yg-${w!.id}-1-1`;

    // the driver is creating: once the system volume exists, libvirtd is killed (and, as its supervisor would,
    // started again a second later)
    let killed = false;
    const watcher = setInterval(() => {
      if (killed || !existsSync(`${zone.poolDir}/${name}-system.qcow2`)) return;
      killed = true;
      const pid = libvirtdPid();
      if (pid) process.kill(pid, 'SIGKILL');
      setTimeout(() => void startLibvirtd(), 1000);
    }, 20);
    const first = await runLibvirtFulfilment(t.database.db, clock.now()).finally(() => clearInterval(watcher));
    expect(killed).toBe(true);
    expect(first.failed).toEqual([
      expect.objectContaining({ workOrderId: w!.id, error: expect.stringContaining('无法连接虚拟化平台（libvirt）') }),
    ]);
    await startLibvirtd();
    const [task] = (await as(t.app, reviewer, { url: `/api/v1/libvirt/tasks?workOrderId=${w!.id}` })).json().items;
    // nothing half-made: no domain and no volume of the work order, only the base image in the pool
    expect(domainsOf(name)).toEqual([]);
    expect(poolFiles()).toEqual(['base.qcow2']);
    expect(task).toMatchObject({ status: 'pending', attempts: 1 });
    // the step that met the dead daemon, its own undo failing then, and the undo once libvirtd answered again
    expect(task.steps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ok: false, detail: expect.stringContaining('Connection refused') }),
        expect.objectContaining({ step: `undo volume ${name}-system.qcow2`, ok: true }),
      ]),
    );
    expect((await as(t.app, edu, { url: `/api/v1/work-orders/${w!.id}` })).json()).toMatchObject({
      status: 'open',
      receipts: [],
    });

    // the retry after the back-off creates it; the guest boots and takes a lease from the network's DHCP server
    clock.advance(31_000);
    const retry = await runLibvirtFulfilment(t.database.db, clock.now());
    expect(retry.failed).toEqual([]);
    expect(retry.delivered).toEqual([w!.id]);
    const detail = (await as(t.app, edu, { url: `/api/v1/work-orders/${w!.id}` })).json();
    const [line] = detail.receipts[0].lines;
    domain = line.name;
    expect(domain).toBe(name);
    expect(line.addresses).toEqual([
      expect.stringMatching(new RegExp(`^${zone.subnet.replace(/\./g, '\\.')}\\.\\d+$`)),
    ]);
    const info = virshSystem('dominfo', name).stdout;
    expect(info).toMatch(/State:\s+running/);
    expect(info).toMatch(/CPU\(s\):\s+1\n/);
    expect(info).toMatch(/Used memory:\s+1048576 KiB/);
    expect(poolFiles()).toEqual(['base.qcow2', `${name}-data.qcow2`, `${name}-system.qcow2`]);
    const confirmed = await as(t.app, edu, { method: 'POST', url: `/api/v1/work-orders/${w!.id}/receipts/confirm` });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    resourceId = confirmed.json().receipts[0].lines[0].resourceId;
  });

  it('reclaim on a real pool: every volume is wiped (vol-wipe) before it is deleted, and the erasure is in the receipt', async () => {
    clock.advance(86_400_000);
    const r = (await as(t.app, edu, { url: `/api/v1/inventory/resources/${resourceId}` })).json();
    const placed = await as(t.app, edu, {
      method: 'POST',
      url: '/api/v1/orders',
      payload: withSystem({ type: 'reclaim', title: '回收', projectId: r.projectId, resourceIds: [resourceId] }),
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const back = await reviewedForProvider(t.app, reviewer, placed.json());
    expect(back.currentStep).toMatchObject({ fulfilmentAction: 'reclaim' });
    const [w] = await workOrders(back.id);
    const backedUp = await as(t.app, edu, { method: 'POST', url: `/api/v1/work-orders/${w!.id}/backup-confirmation` });
    expect(backedUp.statusCode, backedUp.body).toBe(200);
    const run = await runLibvirtFulfilment(t.database.db, clock.now());
    expect(run.failed).toEqual([]);
    expect(run.delivered).toEqual([w!.id]);
    const detail = (await as(t.app, edu, { url: `/api/v1/work-orders/${w!.id}` })).json();
    const receipt = detail.receipts[0];
    expect(receipt.dataErased).toBe(true);
    expect(receipt.notes).toContain(`${domain}-system.qcow2（40 GiB，zero 覆写）`);
    expect(receipt.notes).toContain(`${domain}-data.qcow2（1 GiB，zero 覆写）`);
    // the domain and its volumes are gone; the base image stays
    expect(domainsOf(domain)).toEqual([]);
    expect(poolFiles()).toEqual(['base.qcow2']);
  });
});
