import { describe, expect, it } from 'vitest';
import { utilisation } from './libvirt.observe.ts';
import {
  domainXml,
  parseDomain,
  parseDomIfAddr,
  parseDomStats,
  parseNodeInfo,
  parseVolume,
  volumeList,
  volumeXml,
} from './libvirt.xml.ts';
import { classify, quote } from './virsh.ts';

// libvirt's own output, as virsh 9.0 printed it on this machine (test driver) or as libvirt documents it for
// QEMU/KVM where the test driver cannot produce it (DHCP leases of dnsmasq, `domstats` of a running guest).

const DUMPXML = `<domain type='qemu' id='2'>
  <name>vm1</name>
  <uuid>546f6ba8-b115-4f86-93bd-8c0e5530048a</uuid>
  <title>工单 1 第 1 行</title>
  <memory unit='KiB'>33554432</memory>
  <currentMemory unit='KiB'>8388608</currentMemory>
  <vcpu placement='static' current='4'>8</vcpu>
  <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source pool='yg-pool' volume='vm1-system.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'><target dev='sda' bus='sata'/></disk>
    <interface type='network'>
      <mac address='52:54:00:84:55:70'/>
      <source network='yg-net'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
    </interface>
  </devices>
</domain>`;

describe('libvirt XML', () => {
  it('reads a domain: UUID, current and maximum vCPUs and memory, its volumes (not the CD-ROM), MAC and network', () => {
    expect(parseDomain(DUMPXML)).toEqual({
      name: 'vm1',
      uuid: '546f6ba8-b115-4f86-93bd-8c0e5530048a',
      title: '工单 1 第 1 行',
      vcpu: 4,
      maxVcpu: 8,
      memoryMiB: 8192,
      maxMemoryMiB: 32768,
      disks: [{ pool: 'yg-pool', volume: 'vm1-system.qcow2', file: null, target: 'vda' }],
      interfaces: [{ mac: '52:54:00:84:55:70', network: 'yg-net', target: 'vnet0' }],
    });
  });

  it('writes a domain and a qcow2 overlay that parse back to what was asked, names escaped', () => {
    const xml = domainXml({
      name: 'yg-a&b',
      type: 'kvm',
      vcpu: 2,
      maxVcpu: 0,
      memoryMiB: 4096,
      maxMemoryMiB: 0,
      pool: 'yg-pool',
      volumes: ['a-system.qcow2', 'a-data.qcow2'],
      network: 'yg-net',
      title: '<申请> "单位"',
    });
    // a serial console whose output the host keeps (virtlogd), for `virsh console` and a boot that went wrong
    expect(xml).toContain(`<log file='/var/log/libvirt/qemu/yg-a&amp;b-console.log' append='off'/>`);
    const back = parseDomain(xml);
    expect(back).toMatchObject({
      name: 'yg-a&b',
      title: '<申请> "单位"',
      vcpu: 2,
      maxVcpu: 2,
      memoryMiB: 4096,
      maxMemoryMiB: 4096,
    });
    expect(back.disks.map((d) => [d.volume, d.target])).toEqual([
      ['a-system.qcow2', 'vda'],
      ['a-data.qcow2', 'vdb'],
    ]);
    const vol = parseVolume(volumeXml('a-system.qcow2', 40, '/pool/base.qcow2', 'qcow2'));
    expect(vol).toMatchObject({
      name: 'a-system.qcow2',
      format: 'qcow2',
      capacityGb: 40,
      backingPath: '/pool/base.qcow2',
    });
  });

  it('reads vol-dumpxml in bytes as virsh prints it', () => {
    expect(
      parseVolume(`<volume type='file'>
  <name>base-os.qcow2</name>
  <key>/var/lib/yunguan-test/pool/base-os.qcow2</key>
  <capacity unit='bytes'>21474836480</capacity>
  <allocation unit='bytes'>21474836480</allocation>
  <target><path>/var/lib/yunguan-test/pool/base-os.qcow2</path><format type='qcow2'/></target>
</volume>`),
    ).toEqual({
      name: 'base-os.qcow2',
      path: '/var/lib/yunguan-test/pool/base-os.qcow2',
      format: 'qcow2',
      capacityGb: 20,
      backingPath: null,
    });
  });
});

describe('virsh tables', () => {
  it('domifaddr --source lease: addresses per MAC, a second address of the same interface on a continuation row', () => {
    const out = ` vnet0      52:54:00:84:55:70    ipv4         192.168.122.23/24
 -          -                    ipv6         fd00::5054:ff:fe84:5570/64
 vnet1      52:54:00:aa:bb:cc    ipv4         10.77.0.41/24
`;
    expect(parseDomIfAddr(out)).toEqual([
      { mac: '52:54:00:84:55:70', address: '192.168.122.23' },
      { mac: '52:54:00:84:55:70', address: 'fd00::5054:ff:fe84:5570' },
      { mac: '52:54:00:aa:bb:cc', address: '10.77.0.41' },
    ]);
    expect(parseDomIfAddr('')).toEqual([]);
  });

  it('domstats --raw of QEMU/KVM guests: fields per domain', () => {
    const stats = parseDomStats(`Domain: 'yg-1'
  state.state=1
  cpu.time=1234567890123
  balloon.current=8388608
  balloon.available=8147652
  balloon.unused=7340032
  vcpu.current=4
  net.0.rx.bytes=1048576
  net.0.tx.bytes=524288
  block.0.rd.bytes=4096
  block.0.wr.bytes=8192

Domain: 'yg-2'
  state.state=3
`);
    expect([...stats.keys()]).toEqual(['yg-1', 'yg-2']);
    expect(stats.get('yg-1')?.get('cpu.time')).toBe('1234567890123');
    expect(stats.get('yg-2')?.get('cpu.time')).toBeUndefined();
  });

  it('nodeinfo and vol-list (quiet) as virsh 9.0 prints them', () => {
    expect(
      parseNodeInfo(`CPU model:           x86_64
CPU(s):              32
CPU frequency:       2400 MHz
Memory size:         67108864 KiB`),
    ).toEqual({ cpus: 32, memoryKiB: 67108864 });
    expect(volumeList(' base-os.qcow2   /var/lib/yunguan-test/pool/base-os.qcow2\n a.qcow2 /p/a.qcow2\n')).toEqual([
      'base-os.qcow2',
      'a.qcow2',
    ]);
  });

  it('tells libvirt’s errors apart: connection, missing, no room, unsupported', () => {
    expect(classify('failed to connect to the hypervisor; Failed to connect socket: Connection refused')).toBe(
      'connection',
    );
    expect(classify("Storage volume not found: no storage vol with matching name 'base-os.qcow2'")).toBe('not_found');
    expect(
      classify("Failed to create vol from /tmp/x.xml; Not enough free space in pool for volume 'a-data.qcow2'"),
    ).toBe('no_space');
    expect(classify('this function is not supported by the connection driver: virStorageVolWipe')).toBe('unsupported');
    expect(quote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('utilisation from two samples of the counters', () => {
  it('CPU percent of the vCPUs over the interval, memory in use from the balloon, bytes per second', () => {
    const before = {
      cpuNs: 0,
      vcpus: 4,
      memAvailableKiB: 8_000_000,
      memUnusedKiB: 6_000_000,
      memRssKiB: null,
      blockBytes: 0,
      netRxBytes: 0,
      netTxBytes: 0,
    };
    // 60 s, 4 vCPUs: 24 s of CPU time is 10 %
    const after = { ...before, cpuNs: 24e9, blockBytes: 6_000_000, netRxBytes: 600, netTxBytes: 60 };
    expect(utilisation(before, after, 60)).toEqual({
      cpu: 10,
      memory: 25,
      disk_io: 100_000,
      network_in: 10,
      network_out: 1,
    });
    // a counter that went back (the domain restarted) is no negative rate
    expect(utilisation(after, before, 60)).toMatchObject({ cpu: 0, disk_io: 0 });
  });
});
