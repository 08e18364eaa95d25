import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Setting } from './monitoring.ingest.ts';
import { readBatch, SampleBatch } from './monitoring.staging.ts';
import { METRICS } from './monitoring.table.ts';

const NOW = new Date('2026-09-28T02:40:00Z');
const SETTING: Setting = {
  jurisdictionId: '00000000-0000-0000-0000-000000000001',
  mappingLabel: 'instance_id',
  thresholds: {},
  retentionDays: 400,
  outOfOrderMinutes: 7 * 24 * 60,
  pullUrl: null,
  pullPulledUntil: null,
};

describe('the staged form of a request', () => {
  it('reads back every sample exactly: key, metric, timestamp and the value bit for bit', () => {
    const sample = fc.record({
      key: fc.oneof(
        fc.constantFrom('vm-1', 'vm-2', '云主机-3'),
        fc.string({ unit: 'binary', maxLength: 20 }).filter((k) => !k.includes('\0')),
      ),
      metric: fc.constantFrom(...METRICS),
      timestamp: fc.integer({ min: NOW.getTime() - 7 * 24 * 3_600_000, max: NOW.getTime() + 600_000 }),
      value: fc.oneof(
        fc.double(),
        fc.integer(),
        fc.constantFrom(0, -0, 1, 2 ** 31 - 1, -(2 ** 31) + 1, 2 ** 31, 2 ** 53, -(2 ** 53), 5e-324, Number.NaN),
      ),
    });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 300 }), (samples) => {
        const batch = new SampleBatch('wire', SETTING, NOW);
        for (const s of samples) batch.add('x', s.metric, s.key, [s.value], [s.timestamp], 1);
        batch.assertInWindow();
        const read = readBatch(batch.encode());
        expect(read.n).toBe(samples.length);
        samples.forEach((s, i) => {
          const ref = read.refs[i] as number;
          expect(read.keys[ref >>> 3]).toBe(s.key);
          expect(METRICS[ref & 7]).toBe(s.metric);
          expect(read.times[i]).toBe(s.timestamp);
          expect(Object.is(read.values[i], s.value)).toBe(true);
        });
      }),
    );
  });

  it('keeps unmapped and unsupported series by name, with their sample counts', () => {
    const batch = new SampleBatch('json', SETTING, NOW);
    batch.add('node_load1', null, 'vm-1', [1, 2], [NOW.getTime(), NOW.getTime()], 2);
    batch.add('cpu', 'cpu', undefined, [1], [NOW.getTime()], 1);
    const read = readBatch(batch.encode());
    expect(read).toMatchObject({
      source: 'json',
      n: 0,
      gaps: [
        { series: 'node_load1', reason: 'unsupported_metric', samples: 2 },
        { series: 'cpu{instance_id=""}', reason: 'no_label', samples: 1 },
      ],
    });
  });

  it('refuses a NUL in a key or an unsupported series name (text cannot hold it)', () => {
    const batch = new SampleBatch('wire', SETTING, NOW);
    expect(() => batch.add('up', 'heartbeat', 'vm\0', [1], [NOW.getTime()], 1)).toThrow(/NUL/);
    expect(() => batch.add('a\0b', null, 'vm-1', [1], [NOW.getTime()], 1)).toThrow(/NUL/);
  });

  it('refuses the whole request when one sample lies outside the window', () => {
    const batch = new SampleBatch('wire', { ...SETTING, outOfOrderMinutes: 120 }, NOW);
    batch.add('up', 'heartbeat', 'vm-1', [1, 1], [NOW.getTime(), NOW.getTime() - 3 * 3_600_000], 2);
    expect(() => batch.assertInWindow()).toThrow(/1 sample\(s\) lie outside the accepted window/);
  });
});

describe('reading a damaged staged batch', () => {
  const good = () => {
    const batch = new SampleBatch('wire', SETTING, NOW);
    batch.add('up', 'heartbeat', 'vm-1', [1, 0.5], [NOW.getTime(), NOW.getTime() - 1000], 2);
    batch.add('cpu', 'cpu', 'vm-2', [42.25], [NOW.getTime()], 1);
    batch.add('node_load1', null, 'vm-1', [1], [NOW.getTime()], 1);
    return batch.encode();
  };

  it('throws on a cut-off, overlong or mis-counted buffer instead of reading garbage', () => {
    const buf = good();
    for (let cut = 0; cut < buf.length; cut++) expect(() => readBatch(buf.subarray(0, cut))).toThrow();
    expect(() => readBatch(Buffer.concat([buf, Buffer.from([0])]))).toThrow(/left over/);
    const huge = Buffer.from(buf);
    huge.writeUInt32LE(0xffffffff, 8); // 4 billion samples claimed
    expect(() => readBatch(huge)).toThrow(/does not fit/);
  });

  it('either throws or reads samples whose key and metric exist, near the base, whatever byte is damaged', () => {
    const buf = good();
    fc.assert(
      fc.property(fc.nat({ max: buf.length - 1 }), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const damaged = Buffer.from(buf);
        damaged[at] = byte;
        let read: ReturnType<typeof readBatch>;
        try {
          read = readBatch(damaged);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          return;
        }
        for (let i = 0; i < read.n; i++) {
          const ref = read.refs[i] as number;
          expect(ref >>> 3).toBeLessThan(read.keys.length);
          expect(ref & 7).toBeLessThan(METRICS.length);
          expect(Math.abs((read.times[i] as number) - read.base)).toBeLessThanOrEqual(2 ** 31);
        }
      }),
    );
  });
});
