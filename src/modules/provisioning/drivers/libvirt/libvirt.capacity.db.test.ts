import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../../../test/helpers.ts';
import { as, login, type Session } from '../../../../../test/sessions.ts';
import { ManualClock } from '../../../../platform/time/clock.ts';
import { seedDemo } from '../../../../seed.ts';
import { project, reviewedForProvider, withSystem } from '../../../orders/orders.fixtures.ts';
import { registerFulfilment } from '../../index.ts';
import { closeSessions, runLibvirtFulfilment, unregisterLibvirtDrivers } from './index.ts';
import { testNodeXml } from './libvirt.test-driver.fixtures.ts';

// The capacity flag at order review (issue 23), through the public API against libvirt's built-in test driver
// (`test:///<node.xml>`: a host of 32 CPUs and 64 GiB made by this file): an order whose lines do not fit the
// free vCPUs and memory of its libvirt zone's hosts is flagged to the ops reviewer while it is reviewed.

const VIRSH = spawnSync('virsh', ['--version']).status === 0;
if (!VIRSH)
  console.warn('SKIPPED: virsh is absent (apt-get install libvirt-clients) — the libvirt capacity tests did not run');

const clock = new ManualClock('2026-10-12T02:00:00Z');
const ZONE = '政务外网区';
let t: TestApp;
let edu: Session;
let reviewer: Session;
let dir: string;
let uri: string;
let projectId: string;
const org: Record<string, string> = {};

const spec = (vcpu: number, memoryGb: number, zone = ZONE) => ({
  vcpu,
  memoryGb,
  systemDiskGb: 40,
  dataDiskGb: 0,
  os: 'CentOS 7.9',
  networkZone: zone,
});

async function placed(lines: Record<string, unknown>[], title: string) {
  const res = await as(t.app, edu, {
    method: 'POST',
    url: '/api/v1/orders',
    payload: withSystem({ type: 'new_resources', title, projectId, lines }),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; currentStep: { role: string } | null };
}

const check = async (s: Session, orderId: string) =>
  as(t.app, s, { url: `/api/v1/libvirt/orders/${orderId}/capacity` });

describe.skipIf(!VIRSH)('the capacity flag at order review (libvirt’s test driver)', () => {
  beforeAll(async () => {
    registerFulfilment();
    dir = mkdtempSync(path.join(tmpdir(), 'yunguan-libvirt-capacity-'));
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
    const res = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/libvirt/connections',
      payload: {
        providerId: org['demo-provider-a'],
        zone: ZONE,
        name: 'host-01',
        uri,
        pool: 'yg-pool',
        baseVolume: 'base-os.qcow2',
        network: 'yg-net',
        domainType: 'qemu',
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    projectId = await project(t.database.db, 'demo-education', { vcpu: 256, memory_gb: 1024, storage_gb: 8000 });
  }, 180_000);
  afterAll(async () => {
    unregisterLibvirtDrivers();
    closeSessions();
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('an order that fits its zone’s host is marked so; one that does not is flagged to the reviewer, in Chinese, before anything is created', async () => {
    const small = await placed([{ itemCode: 'cloud-vm', specification: spec(4, 8), quantity: 1 }], '小规格');
    expect(small.currentStep).toMatchObject({ role: 'ops_reviewer' });
    const ok = await check(reviewer, small.id);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      orderId: small.id,
      fits: true,
      flagged: false,
      zones: [
        {
          zone: ZONE,
          need: { vcpu: 4, memoryGb: 8 },
          waiting: { vcpu: 0, memoryGb: 0 },
          hosts: [{ name: 'host-01', freeVcpus: 32, freeMemoryGb: 64, error: null }],
          verdict: 'fits',
          message: expect.stringContaining('容量充足：本单需 4 核、8 GB 内存'),
        },
      ],
    });

    // two machines of 16 vCPUs and 40 GB: 80 GB on a host of 64
    const big = await placed([{ itemCode: 'cloud-vm', specification: spec(16, 40), quantity: 2 }], '大规格');
    const flagged = (await check(reviewer, big.id)).json();
    expect(flagged).toMatchObject({ fits: false, flagged: true, zones: [{ verdict: 'short' }] });
    expect(flagged.zones[0].message).toBe(
      '示范政务云服务商甲「政务外网区」容量不足：本单需 32 核、80 GB 内存，单台主机最多可用 32 核、64 GB',
    );
    // nothing was created nor attempted: the flag is advice to the reviewer
    expect(await runLibvirtFulfilment(t.database.db, clock.now())).toMatchObject({ claimed: 0 });
  });

  it('the zone’s approved work orders not yet created count against it, then the domains libvirt runs', async () => {
    clock.set('2026-10-13T02:00:00Z');
    const first = await placed([{ itemCode: 'cloud-vm', specification: spec(8, 20), quantity: 1 }], '先批');
    const ready = await reviewedForProvider(t.app, reviewer, first);
    expect(ready.currentStep).toMatchObject({ fulfilmentAction: 'open_test' });
    // 48 GB alone would fit the host of 64; after the 20 GB approved before it, it does not
    const second = await placed([{ itemCode: 'cloud-vm', specification: spec(8, 48), quantity: 1 }], '后审');
    const waiting = (await check(reviewer, second.id)).json();
    expect(waiting.zones[0]).toMatchObject({
      verdict: 'short',
      waiting: { vcpu: 8, memoryGb: 20 },
      message: expect.stringContaining('（另有待创建工单占用 8 核、20 GB）'),
    });
    // the first is created: libvirt now reports its domain's memory as used, and it waits no longer
    expect((await runLibvirtFulfilment(t.database.db, clock.now())).delivered).toHaveLength(1);
    const after = (await check(reviewer, second.id)).json();
    expect(after.zones[0]).toMatchObject({
      verdict: 'short',
      waiting: { vcpu: 0, memoryGb: 0 },
      hosts: [{ freeVcpus: 24, freeMemoryGb: 44 }],
    });
  });

  it('a zone not on libvirt is not checked; an unreadable host is flagged as unknown; only the ops unit asks', async () => {
    const manual = await placed(
      [{ itemCode: 'cloud-vm', specification: spec(64, 512, '互联网区'), quantity: 1 }],
      '手工区域',
    );
    expect((await check(reviewer, manual.id)).json()).toMatchObject({ fits: true, flagged: false, zones: [] });

    const down = await as(t.app, reviewer, {
      method: 'PUT',
      url: '/api/v1/libvirt/connections',
      payload: {
        providerId: org['demo-provider-a'],
        zone: '互联网区',
        name: 'host-02',
        uri: 'qemu+tcp://127.0.0.1:1/system',
        pool: 'yg-pool',
        baseVolume: 'base-os.qcow2',
        network: 'yg-net',
        domainType: 'qemu',
      },
    });
    expect(down.statusCode, down.body).toBe(200);
    const unknown = (await check(reviewer, manual.id)).json();
    expect(unknown).toMatchObject({
      fits: false,
      flagged: true,
      zones: [{ zone: '互联网区', verdict: 'unknown', hosts: [{ name: 'host-02', freeVcpus: null }] }],
    });
    expect(unknown.zones[0].message).toContain('无法读取虚拟化平台容量');

    expect((await check(edu, manual.id)).statusCode).toBe(403);
    expect((await check(reviewer, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});
