import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  type ScannedSeries,
  scanWriteRequest,
  snappyDecode,
  snappyEncode,
  WireError,
} from './monitoring.wire.ts';

describe('snappy block format', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 3 }), (bytes, repeat) => {
        const input = Buffer.concat(Array.from({ length: repeat + 1 }, () => Buffer.from(bytes)));
        expect(Buffer.from(snappyDecode(snappyEncode(input)))).toEqual(input);
      }),
    );
  });

  it('decodes the reference encoder’s copy elements (1-, 2- and 4-byte offsets)', () => {
    // "abcdabcdabcd..." : literal "abcd" then copy-1 (len 8, offset 4); then a copy-4 of len 4 offset 12
    const bytes = Uint8Array.from([16, 0x0c, 97, 98, 99, 100, ((8 - 4) << 2) | 1, 4, ((4 - 1) << 2) | 3, 12, 0, 0, 0]);
    expect(Buffer.from(snappyDecode(bytes)).toString()).toBe('abcdabcdabcdabcd');
  });

  it('refuses corrupt input', () => {
    const good = snappyEncode(Buffer.from('hello hello hello hello'));
    expect(() => snappyDecode(good.subarray(0, good.length - 3))).toThrow(WireError);
    expect(() => snappyDecode(Uint8Array.from([10, (3 << 2) | 1, 200]))).toThrow(/offset/);
    expect(() => snappyDecode(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x7f]))).toThrow(/exceeds/);
    expect(() => snappyDecode(Uint8Array.from([]))).toThrow(/preamble/);
  });
});

describe('remote-write WriteRequest', () => {
  it('round-trips series, keeps only the asked labels, and skips unknown fields', () => {
    const series: { labels: Record<string, string>; samples: { value: number; timestamp: number }[] }[] = [
      {
        labels: { __name__: 'up', instance_id: 'vm-1', job: 'node' },
        samples: [{ value: 1, timestamp: 1_790_000_000_000 }],
      },
      {
        labels: { __name__: 'yunguan_cpu_utilisation_percent', instance_id: '云-2' },
        samples: [
          { value: 12.5, timestamp: 1 },
          { value: Number.NaN, timestamp: 2 },
        ],
      },
    ];
    const raw = encodeWriteRequest(series);
    // append field 3 (metadata, length-delimited) that the decoder must skip
    const withMeta = Buffer.concat([Buffer.from(raw), Buffer.from([0x1a, 2, 0x08, 1])]);
    const decoded = decodeWriteRequest(withMeta, new Set(['instance_id']));
    expect(decoded).toHaveLength(2);
    expect(decoded[0]).toEqual({
      labels: { __name__: 'up', instance_id: 'vm-1' },
      samples: [{ value: 1, timestamp: 1_790_000_000_000 }],
    });
    expect(decoded[1]?.labels.instance_id).toBe('云-2');
    expect(decoded[1]?.samples[1]?.value).toBeNaN();
  });

  it('refuses truncated and mistyped messages', () => {
    const raw = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [{ value: 1, timestamp: 5 }] }]);
    expect(() => decodeWriteRequest(raw.subarray(0, raw.length - 2), new Set())).toThrow(WireError);
    expect(() => decodeWriteRequest(Uint8Array.from([0x08, 1]), new Set())).toThrow(/wire type/);
    expect(() => decodeWriteRequest(Uint8Array.from([0x0b]), new Set())).toThrow(WireError);
    expect(() => decodeWriteRequest(Buffer.from('not a protobuf at all'), new Set())).toThrow(WireError);
  });
});

describe('the scanner behind the receiver', () => {
  const label = fc.oneof(
    fc.constantFrom('__name__', 'instance_id', 'job', 'instance', 'le'),
    fc.string({ minLength: 1 }),
  );
  const series = fc.record({
    labels: fc.dictionary(label, fc.oneof(fc.string(), fc.string({ unit: 'binary' }))),
    samples: fc.array(
      fc.record({
        value: fc.oneof(fc.double(), fc.constant(Number.NaN), fc.integer()),
        timestamp: fc.integer({ min: 0, max: 2 ** 50 }),
      }),
      { maxLength: 5 },
    ),
  });

  it('decodes whatever the encoder wrote: only __name__ and the kept labels, every sample bit for bit', () => {
    fc.assert(
      fc.property(fc.array(series, { maxLength: 20 }), (input) => {
        const decoded = decodeWriteRequest(encodeWriteRequest(input), new Set(['instance_id', 'le']));
        expect(decoded).toHaveLength(input.length);
        input.forEach((s, i) => {
          const wanted = Object.fromEntries(
            Object.entries(s.labels).filter(([k]) => ['__name__', 'instance_id', 'le'].includes(k)),
          );
          expect(decoded[i]?.labels).toEqual(wanted);
          expect(decoded[i]?.samples.map((x) => [Object.is(x.value, -0) ? 0 : x.value, x.timestamp])).toEqual(
            s.samples.map((x) => [Object.is(x.value, -0) ? 0 : x.value, x.timestamp]),
          );
        });
      }),
    );
  });

  it('recognises the listed series names by their bytes and names the others', () => {
    const seen: [string | undefined, number, string | undefined][] = [];
    scanWriteRequest(
      encodeWriteRequest([
        { labels: { __name__: 'up', instance_id: 'a' }, samples: [] },
        { labels: { __name__: 'upx', instance_id: 'b' }, samples: [] },
        { labels: { __name__: 'yunguan_cpu_utilisation_percent' }, samples: [] },
        { labels: { instance_id: 'c' }, samples: [] },
      ]),
      ['instance_id'],
      (s: ScannedSeries) => seen.push([s.name, s.known, s.kept[0]]),
      ['yunguan_cpu_utilisation_percent', 'up'],
    );
    expect(seen).toEqual([
      ['up', 1, 'a'],
      ['upx', -1, 'b'],
      ['yunguan_cpu_utilisation_percent', 0, undefined],
      [undefined, -1, 'c'],
    ]);
  });

  it('takes a label whose value comes before its name, and checks UTF-8 only where it makes a string', () => {
    // Label { value = "vm-1" (field 2), name = "instance_id" (field 1) }, then a skipped label with bad UTF-8
    const labelBytes = (first: [number, Buffer], second: [number, Buffer]) =>
      Buffer.concat([
        Buffer.from([(first[0] << 3) | 2, first[1].length]),
        first[1],
        Buffer.from([(second[0] << 3) | 2, second[1].length]),
        second[1],
      ]);
    const reversed = labelBytes([2, Buffer.from('vm-1')], [1, Buffer.from('instance_id')]);
    const badValue = labelBytes([1, Buffer.from('job')], [2, Buffer.from([0xff, 0xfe])]);
    const ts = Buffer.concat([
      Buffer.from([0x0a, reversed.length]),
      reversed,
      Buffer.from([0x0a, badValue.length]),
      badValue,
    ]);
    const request = Buffer.concat([Buffer.from([0x0a, ts.length]), ts]);
    expect(decodeWriteRequest(request, new Set(['instance_id']))).toEqual([
      { labels: { instance_id: 'vm-1' }, samples: [] },
    ]);
    expect(() => decodeWriteRequest(request, new Set(['job']))).toThrow(/UTF-8/);
  });

  it('answers any corruption with a WireError and nothing else', () => {
    const good = encodeWriteRequest([
      { labels: { __name__: 'up', instance_id: 'vm-1', job: 'node' }, samples: [{ value: 1, timestamp: 1 }] },
      { labels: { __name__: 'up', instance_id: 'vm-2' }, samples: [{ value: 0, timestamp: 2 }] },
    ]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.integer({ min: 0, max: good.length - 1 }).map((n) => good.subarray(0, n)),
          fc
            .tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }))
            .map(([at, byte]) => Uint8Array.from(good, (b, i) => (i === at ? byte : b))),
        ),
        (bytes) => {
          try {
            decodeWriteRequest(bytes, new Set(['instance_id']));
          } catch (err) {
            expect(err).toBeInstanceOf(WireError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
