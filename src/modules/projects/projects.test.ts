import { describe, expect, it } from 'vitest';
import { assertSystemMayGoLive, assertSystemMayUseCloud, dimensionsOfLine, isDimension } from './projects.rules.ts';

describe('dimensionsOfLine', () => {
  it('maps a cloud VM to vcpu, memory and system + data disk, times the quantity', () => {
    expect(
      dimensionsOfLine(
        { code: 'cloud-vm' },
        { vcpu: 4, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' },
        3,
      ),
    ).toEqual({ vcpu: '12', memory_gb: '24', storage_gb: '420' });
    expect(dimensionsOfLine('cloud-vm', { vcpu: 2, memoryGb: 4, systemDiskGb: 40 })).toEqual({
      vcpu: '2',
      memory_gb: '4',
      storage_gb: '40',
    });
  });

  it('maps a database server, a load balancer, and every other item to item:<code>', () => {
    expect(
      dimensionsOfLine('database-server', { engine: '达梦 DM8', vcpu: 8, memoryGb: 32, storageGb: 500 }, '2'),
    ).toEqual({ vcpu: '16', memory_gb: '64', storage_gb: '1000' });
    expect(dimensionsOfLine('load-balancer', { bandwidthMbps: 100 }, 1)).toEqual({ bandwidth_mbps: '100' });
    expect(dimensionsOfLine('bastion-host', { assets: 50 }, 2)).toEqual({ 'item:bastion-host': '2' });
    expect(dimensionsOfLine('cloud-firewall', { bandwidthMbps: 200 }, 1)).toEqual({ 'item:cloud-firewall': '1' });
  });

  it('refuses a specification value that is not a non-negative number, naming it', () => {
    expect(() => dimensionsOfLine('cloud-vm', { vcpu: -1, memoryGb: 4, systemDiskGb: 40 })).toThrow(
      /specification.vcpu/,
    );
  });
});

describe('dimensions', () => {
  it('knows the dimensions', () => {
    expect(isDimension('vcpu')).toBe(true);
    expect(isDimension('item:time-source')).toBe(true);
    expect(isDimension('cpu')).toBe(false);
    expect(isDimension('item:')).toBe(false);
  });
});

describe('cloud rules', () => {
  it('allows level 3 and below, non-classified; cites SH 2, 7 otherwise', () => {
    expect(() => assertSystemMayUseCloud({ mlpsLevel: 3, classified: false })).not.toThrow();
    expect(() => assertSystemMayUseCloud({ mlpsLevel: 4, classified: false })).toThrow(/SH 2, SH 7/);
    expect(() => assertSystemMayUseCloud({ mlpsLevel: 2, classified: true })).toThrow(/classified/);
  });

  it('go-live needs the MLPS filing and the commitment letter (SH 30, TZ 11)', () => {
    expect(() =>
      assertSystemMayGoLive({ mlpsLevel: 3, classified: false, filingStatus: 'filed', commitmentLetterOnFile: false }),
    ).toThrow(/commitment letter.*SH 30, TZ 11/);
    expect(() =>
      assertSystemMayGoLive({ mlpsLevel: 3, classified: false, filingStatus: 'filed', commitmentLetterOnFile: true }),
    ).not.toThrow();
  });
});
