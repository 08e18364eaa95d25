import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest, encodeWriteRequest, snappyDecode, snappyEncode, WireError } from './monitoring.wire.ts';

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
