import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../../../test/helpers.ts';
import { as, login, type Session } from '../../../../../test/sessions.ts';
import { verifyAuditChain } from '../../../../platform/audit/audit.ts';
import { ManualClock } from '../../../../platform/time/clock.ts';
import { seedDemo } from '../../../../seed.ts';
import { project, reviewedForProvider, withSystem } from '../../../orders/orders.fixtures.ts';
import { registerFulfilment } from '../../index.ts';
import { closeSessions, runLibvirtFulfilment, unregisterLibvirtDrivers } from './index.ts';
import { reconcileLibvirt, sampleLibvirt } from './libvirt.observe.ts';
import { testNodeXml } from './libvirt.test-driver.fixtures.ts';
import { parseDomain, volumeList } from './libvirt.xml.ts';
import { sessionFor, type VirshSession } from './virsh.ts';

// The libvirt driver through the public API against libvirt itself: `virsh` on libvirt's built-in test driver
// (`test:///<node.xml>`: a host of 32 CPUs and 64 GiB with its own pool, base image and network, made by this
// file), no hypervisor needed. What the test driver does not do, and so is not exercised here: DHCP leases
// (the test driver answers `domifaddr --source lease` with an address of its own making, which the driver reads
// the same way), `vol-wipe` and `vol-resize` (not supported: the reclaim is shown failing cleanly, and erasure
// is never assumed), and real domain statistics (constant counters: a guest that does nothing).

// virsh comes with Debian's libvirt-clients (.ci/run installs it); without it this file says so and skips, so the
// README's `npm ci && npm test` holds on a machine that has only Node.js.
const VIRSH = spawnSync('virsh', ['--version']).status === 0;
if (!VIRSH)
  console.warn('SKIPPED: virsh is absent (apt-get install libvirt-clients) — the libvirt driver tests did not run');

const clock = new ManualClock('2026-10-12T02:00:00Z');
const ZONE = '政务外网区';
let t: TestApp;
let edu: Session;
let reviewer: Session;
let providerA: Session;
let dir: string;
let uri: string;
let connectionId: string;
let virsh: VirshSession;
const org: Record<string, string> = {};

const spec = (vcpu: number, memoryGb: number, dataDiskGb = 10) => ({
  vcpu,
  memoryGb,
  systemDiskGb: 40,
  dataDiskGb,
  os: 'CentOS 7.9',
  networkZone: ZONE,
});

const workOrders = async (s: Session, orderId: string) =>
  (await as(t.app, s, { url: `/api/v1/work-orders?orderId=${orderId}` })).json().items as {
    id: string;
    driver: string;
    status: string;
  }[];
const workOrder = async (s: Session, id: string) => (await as(t.app, s, { url: `/api/v1/work-orders/${id}` })).json();
const tasks = async (s: Session, id: string) =>
  (await as(t.app, s, { url: `/api/v1/libvirt/tasks?workOrderId=${id}` })).json().items;
const dominfo = async (name: string) => {
  const out = await virsh.run(['dominfo', name]);
  return {
    state: /State:\s+(.*)/.exec(out)?.[1]?.trim(),
    cpus: Number(/CPU\(s\):\s+(\d+)/.exec(out)?.[1]),
    usedMemoryKiB: Number(/Used memory:\s+(\d+)/.exec(out)?.[1]),
  };
};
const domains = async () =>
  (await virsh.run(['list', '--all', '--name']))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const volumes = async () => volumeList(await virsh.run(['vol-list', '--pool', 'yg-pool']));

async function place(s: Session, body: Record<string, unknown>) {
  const res = await as(t.app, s, { method: 'POST', url: '/api/v1/orders', payload: withSystem(body) });
  expect(res.statusCode, res.body).toBe(201);
  return reviewedForProvider(t.app, reviewer, res.json());
}

describe.skipIf(!VIRSH)('the libvirt driver on libvirt’s test driver', () => {
  beforeAll(async () => {
    registerFulfilment();
    dir = mkdtempSync(path.join(tmpdir(), 'yunguan-libvirt-test-'));
    writeFileSync(path.join(dir, 'node.xml'), testNodeXml());
    uri = `test://${path.join(dir, 'node.xml')}`;
    t = await testApp({ clock });
    await seedDemo(t.database.db);
    for (const code of ['demo-provider-a', 'demo-education']) {
      org[code] = (
        await t.database.db.selectFrom('organisation').select('id').where('code', '=', code).executeTakeFirstOrThrow()
      ).id;
    }
    [edu, reviewer] = (await Promise.all(['edu', 'reviewer'].map((u) => login(t.app, u)))) as [Session, Session];
    providerA = await login(t.app, 'provider', { organisationId: org['demo-provider-a'] });
  }, 180_000);
  afterAll(async () => {
    unregisterLibvirtDrivers();
    closeSessions();
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  const connection = (over: Record<string, unknown> = {}) => ({
    providerId: org['demo-provider-a'],
    zone: ZONE,
    name: 'host-01',
    uri,
    username: 'yunguan',
    password: 'S3cret-libvirt!',
    pool: 'yg-pool',
    baseVolume: 'base-os.qcow2',
    network: 'yg-net',
    domainType: 'qemu',
    maxVcpu: 8,
    maxMemoryGb: 32,
    ...over,
  });

  describe('a provider zone bound to libvirt', () => {
    it('the ops unit configures it; credentials are sealed with SM4 and never shown; bad input names its field', async () => {
      const bad = await as(t.app, reviewer, {
        method: 'PUT',
        url: '/api/v1/libvirt/connections',
        payload: connection({ uri: 'http://host/system' }),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'body.uri' })]);
      const notProvider = await as(t.app, reviewer, {
        method: 'PUT',
        url: '/api/v1/libvirt/connections',
        payload: connection({ providerId: org['demo-education'] }),
      });
      expect(notProvider.statusCode).toBe(400);
      expect(notProvider.json().errors).toEqual([expect.objectContaining({ field: 'body.providerId' })]);
      // the provider itself cannot bind its zone (the ops unit's permission)
      const byProvider = await as(t.app, providerA, {
        method: 'PUT',
        url: '/api/v1/libvirt/connections',
        payload: connection(),
      });
      expect(byProvider.statusCode).toBe(403);
      expect(await t.database.db.selectFrom('libvirt_connection').select('id').execute()).toEqual([]);

      const res = await as(t.app, reviewer, {
        method: 'PUT',
        url: '/api/v1/libvirt/connections',
        payload: connection(),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ zone: ZONE, uri, hasCredentials: true, domainType: 'qemu' });
      expect(res.body).not.toContain('S3cret');
      connectionId = res.json().id;
      const stored = await t.database.db
        .selectFrom('libvirt_connection')
        .select('sealed_credentials')
        .executeTakeFirstOrThrow();
      expect(stored.sealed_credentials).toMatch(/^sm4:[0-9a-f]{32}:/);
      expect(stored.sealed_credentials).not.toContain('S3cret');
      const listed = await as(t.app, reviewer, { url: '/api/v1/libvirt/connections' });
      expect(listed.json().items).toEqual([expect.objectContaining({ id: connectionId, hasCredentials: true })]);
      expect(listed.body).not.toContain('S3cret');
      // the same session as the driver's: libvirt's test driver keeps its state per connection
      virsh = sessionFor(connectionId, uri, { username: 'yunguan', password: 'S3cret-libvirt!' });

      const room = await as(t.app, reviewer, { url: `/api/v1/libvirt/connections/${connectionId}/capacity` });
      expect(room.statusCode, room.body).toBe(200);
      expect(room.json()).toMatchObject({ cpus: 32, memoryGb: 64, usedVcpus: 0, freeMemoryGb: 64, domains: 0 });
    });
  });

  describe('fulfilment on libvirt', () => {
    let orderId: string;
    let workOrderId: string;
    let resourceId: string;
    let uuid: string;
    let domain: string;

    it('an approved order ends in a running domain with the ordered vCPUs and memory; the receipt has its UUID, MAC and address', async () => {
      clock.set('2026-10-12T02:00:00Z');
      const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
      const order = await place(edu, {
        type: 'new_resources',
        title: '招生系统 应用服务器',
        projectId,
        lines: [{ itemCode: 'cloud-vm', specification: spec(4, 8), quantity: 1 }],
      });
      orderId = order.id;
      expect(order.currentStep).toMatchObject({ fulfilmentAction: 'open_test' });
      const [w] = await workOrders(edu, order.id);
      expect(w).toMatchObject({ driver: `libvirt:demo-provider-a/${ZONE}`, status: 'open' });
      workOrderId = w!.id;

      // two API instances at once: the work order is claimed once, one domain is made
      const runs = await Promise.all([
        runLibvirtFulfilment(t.database.db, clock.now(), 'instance-1'),
        runLibvirtFulfilment(t.database.db, clock.now(), 'instance-2'),
      ]);
      expect(runs.map((r) => r.claimed).sort()).toEqual([0, 1]);
      expect(runs.flatMap((r) => r.delivered)).toEqual([workOrderId]);
      expect(runs.flatMap((r) => r.failed)).toEqual([]);
      const detail = await workOrder(edu, workOrderId);
      expect(detail.status).toBe('submitted');
      const [line] = detail.receipts[0].lines;
      expect(detail.receipts[0]).toMatchObject({ submittedBy: `driver:libvirt:demo-provider-a/${ZONE}` });
      // the resource is named for people by the order's number; the domain by the work order (a retry finds it)
      expect(line.name).toBe(`${order.number}-test-1-1`);
      domain = `yg-${workOrderId}-1-1`;
      uuid = line.externalId;
      const xml = parseDomain(await virsh.run(['dumpxml', domain]));
      expect(xml.uuid).toBe(uuid);
      expect(line.addresses).toEqual([expect.stringMatching(/^10\.77\.0\.\d+$/)]);
      expect(line.notes).toBe(`MAC ${xml.interfaces[0]!.mac}；系统盘、数据盘`);
      expect(xml.interfaces[0]).toMatchObject({ network: 'yg-net' });
      expect(xml.disks.map((d) => d.volume)).toEqual([`${domain}-system.qcow2`, `${domain}-data.qcow2`]);
      expect((await virsh.run(['list', '--name'])).trim()).toBe(domain);
      expect(await dominfo(domain)).toEqual({ state: 'running', cpus: 4, usedMemoryKiB: 8 * 1024 * 1024 });
      // the system volume is a qcow2 overlay of the zone's base image, sized as ordered
      const vol = await virsh.run(['vol-dumpxml', `${domain}-system.qcow2`, '--pool', 'yg-pool']);
      expect(vol).toContain('<path>/var/lib/yunguan-test/pool/base-os.qcow2</path>');
      expect(vol).toContain(`<capacity unit='bytes'>${40 * 1024 ** 3}</capacity>`);

      // the unit confirms as today: the resource is in the inventory with its address
      const confirmed = await as(t.app, edu, {
        method: 'POST',
        url: `/api/v1/work-orders/${workOrderId}/receipts/confirm`,
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      resourceId = confirmed.json().receipts[0].lines[0].resourceId;
      const r = (await as(t.app, edu, { url: `/api/v1/inventory/resources/${resourceId}` })).json();
      expect(r).toMatchObject({ externalId: uuid, addresses: line.addresses, zone: ZONE, state: 'active' });

      // a second pass finds nothing to do: the work order was claimed and carried out once
      expect(await runLibvirtFulfilment(t.database.db, clock.now(), 'instance-2')).toMatchObject({ claimed: 0 });
      expect(await domains()).toEqual([domain]);
    });

    it('a scale-up changes the running domain live within the zone’s headroom (virsh dominfo)', async () => {
      clock.set('2026-10-14T02:00:00Z');
      const up = await place(edu, {
        type: 'scale_up',
        title: '招生系统 扩容',
        projectId: (await as(t.app, edu, { url: `/api/v1/orders/${orderId}` })).json().projectId,
        parentOrderId: orderId,
        lines: [{ itemCode: 'cloud-vm', specification: spec(8, 16), quantity: 1, targetResourceId: resourceId }],
      });
      const approved = (
        await as(t.app, reviewer, {
          method: 'POST',
          url: `/api/v1/orders/${up.id}/act`,
          payload: { decision: 'approve' },
        })
      ).json();
      const ready = await reviewedForProvider(t.app, reviewer, approved);
      expect(ready.currentStep).toMatchObject({ fulfilmentAction: 'scale_up' });
      const [w] = await workOrders(edu, up.id);
      expect(w!.driver).toBe(`libvirt:demo-provider-a/${ZONE}`);
      // SH 26: nothing happens before the unit confirms its backup
      expect(await runLibvirtFulfilment(t.database.db, clock.now())).toMatchObject({ claimed: 0 });
      expect(await dominfo(domain)).toMatchObject({ cpus: 4 });
      const backedUp = await as(t.app, edu, {
        method: 'POST',
        url: `/api/v1/work-orders/${w!.id}/backup-confirmation`,
      });
      expect(backedUp.statusCode, backedUp.body).toBe(200);

      expect(await runLibvirtFulfilment(t.database.db, clock.now())).toMatchObject({ delivered: [w!.id] });
      expect(await dominfo(domain)).toEqual({ state: 'running', cpus: 8, usedMemoryKiB: 16 * 1024 * 1024 });
      const detail = await workOrder(edu, w!.id);
      expect(detail.receipts[0].notes).toContain('即时生效：vCPU 4 → 8 核，内存 8 → 16 GB');
      const confirmed = await as(t.app, edu, { method: 'POST', url: `/api/v1/work-orders/${w!.id}/receipts/confirm` });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
    });

    it('suspend and resume through the provider', async () => {
      const s = await as(t.app, providerA, { method: 'POST', url: `/api/v1/libvirt/resources/${resourceId}/suspend` });
      expect(s.statusCode, s.body).toBe(204);
      expect((await virsh.run(['domstate', domain])).trim()).toBe('paused');
      const r = await as(t.app, providerA, { method: 'POST', url: `/api/v1/libvirt/resources/${resourceId}/resume` });
      expect(r.statusCode, r.body).toBe(204);
      expect((await virsh.run(['domstate', domain])).trim()).toBe('running');
      // a unit cannot
      expect(
        (await as(t.app, edu, { method: 'POST', url: `/api/v1/libvirt/resources/${resourceId}/suspend` })).statusCode,
      ).toBe(403);
    });

    it('reconciliation from libvirt: a domain defined by hand is unknown, a size changed by hand differs', async () => {
      clock.set('2026-10-15T02:00:00Z');
      expect(await reconcileLibvirt(t.database.db, clock.now())).toEqual([
        expect.objectContaining({ zone: ZONE, items: 1, findingsRaised: 0 }),
      ]);
      // by hand, beside Yunguan: a domain nobody ordered, and the ordered one shrunk
      const xmlDir = mkdtempSync(path.join(tmpdir(), 'yunguan-hand-'));
      writeFileSync(
        path.join(xmlDir, 'd.xml'),
        `<domain type='qemu'><name>hand-made</name><memory unit='GiB'>2</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os></domain>`,
      );
      await virsh.run(['define', path.join(xmlDir, 'd.xml')]);
      rmSync(xmlDir, { recursive: true, force: true });
      await virsh.run(['setvcpus', domain, '2', '--live', '--config']);
      expect(await reconcileLibvirt(t.database.db, clock.now())).toEqual([
        expect.objectContaining({ items: 2, findingsRaised: 2 }),
      ]);
      const findings = (await as(t.app, reviewer, { url: '/api/v1/inventory/findings?status=open' })).json().items;
      const handUuid = parseDomain(await virsh.run(['dumpxml', 'hand-made'])).uuid;
      expect(findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'unknown_resource', externalId: handUuid }),
          expect.objectContaining({
            kind: 'size_mismatch',
            externalId: uuid,
            detail: expect.objectContaining({ differences: { vcpu: { expected: 8, reported: 2 } } }),
          }),
        ]),
      );
      // the same inventory again raises nothing new
      expect(await reconcileLibvirt(t.database.db, clock.now())).toEqual([
        expect.objectContaining({ findingsRaised: 0 }),
      ]);
      await virsh.run(['setvcpus', domain, '8', '--live', '--config']);
      await virsh.run(['undefine', 'hand-made']);
    });
  });

  describe('utilisation from libvirt statistics, no agent in the guest', () => {
    it('a guest left idle for the (shortened) window becomes a low-utilisation finding', async () => {
      // the policy override shortens the window to one day (SH 25's number is the pack's; the test's is its own)
      const approver = await login(t.app, 'approver');
      const set = await as(t.app, approver, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy/overrides',
        payload: { path: 'monitoring.lowUtilisationDays', value: 1, reason: '测试：检测窗口缩短为 1 天' },
      });
      expect(set.statusCode, set.body).toBe(200);
      // hourly samples for a day and an hour: libvirt's test driver reports constant CPU time (a guest doing nothing)
      for (let h = 0; h <= 25; h++) {
        clock.set(new Date(Date.parse('2026-10-15T03:00:00Z') + h * 3_600_000).toISOString());
        const [r] = await sampleLibvirt(t.database.db, clock.now());
        expect(r).toMatchObject({ connection: 'host-01', domains: 1 });
        if (h > 0) expect(r!.accepted).toBeGreaterThanOrEqual(6);
      }
      const run = await as(t.app, reviewer, { method: 'POST', url: '/api/v1/monitoring/detection-runs' });
      expect(run.statusCode, run.body).toBe(200);
      const findings = (
        await as(t.app, reviewer, { url: '/api/v1/monitoring/findings?rule=low_utilisation&status=open&limit=500' })
      ).json().items as { resourceId: string; evidence: Record<string, unknown> }[];
      const resource = await t.database.db
        .selectFrom('resource')
        .select('id')
        .where('zone', '=', ZONE)
        .where('state', '=', 'active')
        .executeTakeFirstOrThrow();
      expect(findings.map((f) => f.resourceId)).toContain(resource.id);
      const removed = await as(t.app, approver, {
        method: 'DELETE',
        url: '/api/v1/jurisdictions/demo-city/policy/overrides?path=monitoring.lowUtilisationDays',
      });
      expect(removed.statusCode, removed.body).toBe(200);
    });
  });

  describe('failures leave nothing half-created', () => {
    it('no room in the pool: the data volume fails after the system volume was made, which is removed again', async () => {
      clock.set('2026-10-16T06:00:00Z');
      const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 40000 });
      const order = await place(edu, {
        type: 'new_resources',
        title: '超出容量',
        projectId,
        lines: [{ itemCode: 'cloud-vm', specification: spec(2, 4, 500), quantity: 1 }],
      });
      const [w] = await workOrders(edu, order.id);
      const beforeDomains = await domains();
      const beforeVolumes = await volumes();
      const run = await runLibvirtFulfilment(t.database.db, clock.now());
      expect(run.failed).toEqual([
        expect.objectContaining({ workOrderId: w!.id, error: expect.stringContaining('资源容量不足') }),
      ]);
      expect(await domains()).toEqual(beforeDomains);
      expect(await volumes()).toEqual(beforeVolumes);
      const [task] = await tasks(providerA, w!.id);
      expect(task.steps).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ step: expect.stringContaining('undo system volume'), ok: true }),
        ]),
      );
      expect((await workOrder(edu, w!.id)).status).toBe('open');
    });

    it('the base image missing: the work order shows the error, retries after a back-off, and succeeds once it is back', async () => {
      clock.set('2026-10-19T02:00:00Z');
      const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
      const order = await place(edu, {
        type: 'new_resources',
        title: '失败重试',
        projectId,
        lines: [{ itemCode: 'cloud-vm', specification: spec(2, 4, 0), quantity: 1 }],
      });
      const [w] = await workOrders(edu, order.id);
      const beforeDomains = await domains();
      await virsh.run(['vol-delete', 'base-os.qcow2', '--pool', 'yg-pool']);
      const before = await volumes();
      const first = await runLibvirtFulfilment(t.database.db, clock.now());
      expect(first.failed.filter((f) => f.workOrderId === w!.id)).toEqual([
        {
          workOrderId: w!.id,
          error: expect.stringContaining('基础镜像不存在'),
          willRetryAt: '2026-10-19T02:00:30.000Z',
        },
      ]);
      const [task] = await tasks(providerA, w!.id);
      expect(task).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-10-19T02:00:30.000Z' });
      expect(task.lastError).toContain('基础镜像不存在');
      expect(await volumes()).toEqual(before);
      expect(await domains()).toEqual(beforeDomains);
      expect((await workOrder(edu, w!.id)).status).toBe('open');
      // not before the back-off
      clock.set('2026-10-19T02:00:10Z');
      expect((await runLibvirtFulfilment(t.database.db, clock.now())).failed).toEqual([]);
      expect((await tasks(providerA, w!.id))[0]).toMatchObject({ attempts: 1 });

      const xmlDir = mkdtempSync(path.join(tmpdir(), 'yunguan-base-'));
      writeFileSync(
        path.join(xmlDir, 'base.xml'),
        `<volume><name>base-os.qcow2</name><capacity unit='GiB'>1</capacity><target><format type='qcow2'/></target></volume>`,
      );
      await virsh.run(['vol-create', 'yg-pool', path.join(xmlDir, 'base.xml')]);
      rmSync(xmlDir, { recursive: true, force: true });
      clock.set('2026-10-19T02:01:00Z');
      const second = await runLibvirtFulfilment(t.database.db, clock.now());
      expect(second.delivered).toEqual([w!.id]);
      expect((await tasks(providerA, w!.id))[0]).toMatchObject({ status: 'delivered', attempts: 2, lastError: null });
      expect((await domains()).sort()).toEqual([...beforeDomains, `yg-${w!.id}-1-1`].sort());
      const confirmed = await as(t.app, edu, { method: 'POST', url: `/api/v1/work-orders/${w!.id}/receipts/confirm` });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      const uuid = confirmed.json().receipts[0].lines[0].externalId;

      // destroyed by hand with virsh, beside Yunguan: reconciliation finds it missing
      await virsh.run(['destroy', `yg-${w!.id}-1-1`]);
      await virsh.run(['undefine', `yg-${w!.id}-1-1`]);
      await reconcileLibvirt(t.database.db, clock.now());
      const findings = (
        await as(t.app, reviewer, { url: '/api/v1/inventory/findings?status=open&kind=missing_resource' })
      ).json().items;
      expect(findings).toEqual([expect.objectContaining({ kind: 'missing_resource', externalId: uuid })]);
    });
  });

  describe('reclaim', () => {
    it('erasure is done and recorded, never assumed: where libvirt cannot wipe, nothing is deleted and the work order says so', async () => {
      clock.set('2026-10-26T02:00:00Z');
      const res = await t.database.db
        .selectFrom('resource')
        .selectAll()
        .where('zone', '=', ZONE)
        .where('state', '=', 'active')
        .orderBy('created_at')
        .executeTakeFirstOrThrow();
      const id = res.id;
      const back = await place(edu, { type: 'reclaim', title: '回收', projectId: res.project_id, resourceIds: [id] });
      expect(back.currentStep).toMatchObject({ fulfilmentAction: 'reclaim' });
      const [w] = await workOrders(edu, back.id);
      expect(w!.driver).toBe(`libvirt:demo-provider-a/${ZONE}`);
      // SH 26: not before the unit confirms its backup
      const early = await runLibvirtFulfilment(t.database.db, clock.now());
      expect([...early.delivered, ...early.failed.map((f) => f.workOrderId)]).not.toContain(w!.id);
      expect(await tasks(providerA, w!.id)).toEqual([]);
      const backedUp = await as(t.app, edu, {
        method: 'POST',
        url: `/api/v1/work-orders/${w!.id}/backup-confirmation`,
      });
      expect(backedUp.statusCode, backedUp.body).toBe(200);
      const name = (await virsh.run(['domname', res.external_id as string])).trim();
      const beforeVolumes = await volumes();
      const run = await runLibvirtFulfilment(t.database.db, clock.now());
      // libvirt's test driver has no vol-wipe: the reclaim stops, the domain is shut down and nothing is deleted
      expect(run.failed).toEqual([
        expect.objectContaining({
          workOrderId: w!.id,
          error: expect.stringContaining('虚拟化平台不支持该操作（步骤：erase volume'),
        }),
      ]);
      expect(await domains()).toContain(name);
      expect((await virsh.run(['domstate', name])).trim()).toBe('shut off');
      expect(await volumes()).toEqual(beforeVolumes);
      const detail = await workOrder(edu, w!.id);
      expect(detail).toMatchObject({ status: 'open', receipts: [] });
      expect(await verifyAuditChain(t.database.db)).toMatchObject({ intact: true });
    });
  });

  describe('the hypervisor unreachable', () => {
    it('connection refused: the work order fails cleanly and says so; once the host answers, the retry creates the machine', async () => {
      clock.set('2026-10-27T02:00:00Z');
      // a second zone whose host does not answer (nothing listens on port 1)
      const down = await as(t.app, reviewer, {
        method: 'PUT',
        url: '/api/v1/libvirt/connections',
        payload: connection({ zone: '互联网区', name: 'host-02', uri: 'qemu+tcp://127.0.0.1:1/system' }),
      });
      expect(down.statusCode, down.body).toBe(200);
      const projectId = await project(t.database.db, 'demo-education', { vcpu: 64, memory_gb: 256, storage_gb: 4000 });
      const order = await place(edu, {
        type: 'new_resources',
        title: '互联网区门户',
        projectId,
        lines: [{ itemCode: 'cloud-vm', specification: { ...spec(2, 4, 0), networkZone: '互联网区' }, quantity: 1 }],
      });
      const [w] = await workOrders(edu, order.id);
      expect(w!.driver).toBe('libvirt:demo-provider-a/互联网区');
      const run = await runLibvirtFulfilment(t.database.db, clock.now());
      expect(run.failed.filter((f) => f.workOrderId === w!.id)).toEqual([
        expect.objectContaining({ error: expect.stringContaining('无法连接虚拟化平台（libvirt）') }),
      ]);
      expect((await tasks(providerA, w!.id))[0].lastError).toContain('Connection refused');
      expect((await workOrder(edu, w!.id)).status).toBe('open');

      // the host is back (here: the connection now reaches a host that answers)
      const up = await as(t.app, reviewer, {
        method: 'PUT',
        url: '/api/v1/libvirt/connections',
        payload: connection({ zone: '互联网区', name: 'host-02' }),
      });
      expect(up.statusCode, up.body).toBe(200);
      clock.set('2026-10-27T02:01:00Z');
      const retry = await runLibvirtFulfilment(t.database.db, clock.now());
      expect(retry.delivered).toContain(w!.id);
      expect((await tasks(providerA, w!.id))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    });
  });
});
