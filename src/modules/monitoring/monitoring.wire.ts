// The Prometheus remote-write 1.0 wire format, by hand: the snappy block format (no framing) and the four
// protobuf messages of `prometheus.WriteRequest` (WriteRequest, TimeSeries, Label, Sample). Other fields
// (metadata, exemplars, native histograms) are skipped by wire type. Every length and offset is checked:
// a malformed body throws WireError and nothing else. See docs/decisions.md (usage monitoring).

export class WireError extends Error {
  constructor(
    readonly kind: 'snappy' | 'protobuf',
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

/** The largest decompressed body accepted (Prometheus sends a few MB at most). */
export const MAX_UNCOMPRESSED = 64 * 1024 * 1024;

// ------------------------------------------------------------------------------------------ snappy

export function snappyDecode(input: Uint8Array, limit = MAX_UNCOMPRESSED): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length) throw new WireError('snappy', 'truncated length preamble');
    if (shift > 28) throw new WireError('snappy', 'length preamble too long');
    const b = input[pos++] as number;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > limit) throw new WireError('snappy', `decompressed length ${length} exceeds ${limit}`);
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < input.length) {
    const tag = input[pos++] as number;
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (pos + bytes > input.length) throw new WireError('snappy', 'truncated literal length');
        len = 0;
        for (let i = 0; i < bytes; i++) len += (input[pos + i] as number) * 2 ** (8 * i);
        pos += bytes;
      }
      len += 1;
      if (pos + len > input.length) throw new WireError('snappy', 'literal runs past the input');
      if (o + len > length) throw new WireError('snappy', 'literal runs past the declared length');
      if (len > 32) {
        out.set(input.subarray(pos, pos + len), o);
        pos += len;
        o += len;
      } else for (let i = 0; i < len; i++) out[o++] = input[pos++] as number;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (pos >= input.length) throw new WireError('snappy', 'truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | (input[pos++] as number);
    } else if (type === 2) {
      if (pos + 2 > input.length) throw new WireError('snappy', 'truncated copy');
      len = (tag >>> 2) + 1;
      offset = (input[pos] as number) | ((input[pos + 1] as number) << 8);
      pos += 2;
    } else {
      if (pos + 4 > input.length) throw new WireError('snappy', 'truncated copy');
      len = (tag >>> 2) + 1;
      offset =
        ((input[pos] as number) |
          ((input[pos + 1] as number) << 8) |
          ((input[pos + 2] as number) << 16) |
          ((input[pos + 3] as number) << 24)) >>>
        0;
      pos += 4;
    }
    if (offset === 0 || offset > o) throw new WireError('snappy', `copy offset ${offset} out of range`);
    if (o + len > length) throw new WireError('snappy', 'copy runs past the declared length');
    if (offset >= len && len > 32) {
      out.copyWithin(o, o - offset, o - offset + len);
      o += len;
    } else {
      // short copies (most of them) byte by byte: cheaper than a call into the runtime; overlapping ones must be
      for (let i = 0; i < len; i++, o++) out[o] = out[o - offset] as number;
    }
  }
  if (o !== length) throw new WireError('snappy', `decompressed ${o} bytes, the preamble says ${length}`);
  return out;
}

/** Snappy block compression (greedy, 4-byte hash matches); for tests, the bench and pull-mode fixtures. */
export function snappyEncode(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = input.length;
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  const chunks: Uint8Array[] = [Uint8Array.from(out)];
  const buf: number[] = [];
  const table = new Int32Array(1 << 14).fill(-1);
  const hash = (i: number) =>
    (Math.imul(
      (input[i] as number) |
        ((input[i + 1] as number) << 8) |
        ((input[i + 2] as number) << 16) |
        ((input[i + 3] as number) << 24),
      0x1e35a7bd,
    ) >>>
      18) &
    0x3fff;
  const literal = (from: number, to: number) => {
    while (from < to) {
      const len = Math.min(to - from, 65536);
      if (len <= 60) buf.push((len - 1) << 2);
      else if (len <= 256) buf.push(60 << 2, len - 1);
      else buf.push(61 << 2, (len - 1) & 0xff, (len - 1) >>> 8);
      for (let i = from; i < from + len; i++) buf.push(input[i] as number);
      from += len;
    }
  };
  let anchor = 0;
  let i = 0;
  while (i + 4 <= input.length) {
    const h = hash(i);
    const candidate = table[h] as number;
    table[h] = i;
    if (
      candidate >= 0 &&
      i - candidate < 65536 &&
      input[candidate] === input[i] &&
      input[candidate + 1] === input[i + 1] &&
      input[candidate + 2] === input[i + 2] &&
      input[candidate + 3] === input[i + 3]
    ) {
      literal(anchor, i);
      let len = 4;
      while (i + len < input.length && input[candidate + len] === input[i + len]) len++;
      const offset = i - candidate;
      let rest = len;
      while (rest > 0) {
        const l = Math.min(rest, 64);
        if (rest - l > 0 && rest - l < 4) {
          const l2 = rest - 4;
          buf.push(((l2 - 1) << 2) | 2, offset & 0xff, offset >>> 8);
          rest -= l2;
          continue;
        }
        buf.push(((l - 1) << 2) | 2, offset & 0xff, offset >>> 8);
        rest -= l;
      }
      i += len;
      anchor = i;
    } else {
      i++;
    }
    if (buf.length > 1 << 20) {
      chunks.push(Uint8Array.from(buf));
      buf.length = 0;
    }
  }
  literal(anchor, input.length);
  chunks.push(Uint8Array.from(buf));
  return Buffer.concat(chunks);
}

// ------------------------------------------------------------------------------------------ protobuf

export interface WireSample {
  value: number;
  /** milliseconds since the epoch */
  timestamp: number;
}

export interface WireSeries {
  /** only the labels asked for (and __name__) */
  labels: Record<string, string>;
  samples: WireSample[];
}

/**
 * One TimeSeries as the scanner hands it over. The object and its arrays are reused for the next series:
 * copy what you keep. `kept[i]` is the value of `keep[i]` (undefined when the series lacks that label).
 */
export interface ScannedSeries {
  /** `__name__`, undefined when the series has none */
  name: string | undefined;
  /** the position of `__name__` in the scanner's `names`, -1 when it is none of them */
  known: number;
  kept: (string | undefined)[];
  /** the first `count` entries are the samples, in the order sent */
  values: Float64Array;
  timestamps: Float64Array;
  count: number;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const NAME_LABEL = new TextEncoder().encode('__name__');

// The scanner keeps its read position in this module variable instead of a reader object per message: it runs
// synchronously from start to end, and the per-series objects and [field, type] pairs the first decoder
// allocated were most of its cost (1.7 µs per series before, see docs/decisions.md).
let P = 0;

function varint(buf: Uint8Array, end: number): number {
  if (P >= end) throw new WireError('protobuf', 'truncated varint');
  let b = buf[P++] as number;
  if (b < 0x80) return b;
  let result = b & 0x7f;
  let scale = 128;
  for (let i = 1; i < 10; i++) {
    if (P >= end) throw new WireError('protobuf', 'truncated varint');
    b = buf[P++] as number;
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 128;
  }
  throw new WireError('protobuf', 'varint longer than 10 bytes');
}

/** the length of a length-delimited field, checked against the end of its message */
function length(buf: Uint8Array, end: number): number {
  const len = varint(buf, end);
  if (P + len > end) throw new WireError('protobuf', 'length-delimited field runs past its message');
  return len;
}

/** `length`, with the one-byte case (labels and samples are shorter than 128 bytes) read first */
function shortLength(buf: Uint8Array, end: number): number {
  const len = buf[P] as number;
  if (len < 0x80 && P + 1 + len <= end) {
    P++;
    return len;
  }
  return length(buf, end);
}

function skip(buf: Uint8Array, wireType: number, end: number): void {
  if (wireType === 0) varint(buf, end);
  else if (wireType === 2) {
    const len = length(buf, end);
    P += len;
  } else if (wireType === 1 || wireType === 5) {
    const n = wireType === 1 ? 8 : 4;
    if (P + n > end) throw new WireError('protobuf', 'field runs past its message');
    P += n;
  } else throw new WireError('protobuf', `unsupported wire type ${wireType}`);
}

/** the field number of a key, refusing 0 */
function fieldOf(key: number): number {
  const field = Math.floor(key / 8);
  if (field === 0) throw new WireError('protobuf', 'field number 0');
  return field;
}

function expect(wireType: number, wanted: number, what: string): void {
  if (wireType !== wanted) throw new WireError('protobuf', `${what} has wire type ${wireType}, expected ${wanted}`);
}

/** Whether buf[start, start + len) equals `wanted` (from `from` on; its whole length when `from` is not given). */
function sameBytes(buf: Uint8Array, start: number, len: number, wanted: Uint8Array, from = -1): boolean {
  if (from < 0) {
    if (len !== wanted.length) return false;
    from = 0;
  }
  for (let i = 0; i < len; i++) if (buf[start + i] !== wanted[from + i]) return false;
  return true;
}

function text(buf: Buffer, start: number, len: number): string {
  const end = start + len;
  for (let i = start; i < end; i++) {
    if ((buf[i] as number) >= 0x80) {
      try {
        return textDecoder.decode(buf.subarray(start, end));
      } catch {
        throw new WireError('protobuf', 'a label is not valid UTF-8');
      }
    }
  }
  return (buf as Latin1Buffer).latin1Slice(start, end);
}

// Buffer's own (undocumented but long-standing) ASCII/latin1 slice: toString('latin1', ...) adds argument
// handling around the same call.
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * Scans a (decompressed) WriteRequest and calls `onSeries` once per TimeSeries. Only `__name__` and the labels
 * in `keep` become strings (label names are compared as bytes); every other field is bounds-checked and skipped
 * by wire type. Throws WireError on any malformed input, before or after some series were handed over.
 */
export function scanWriteRequest(
  input: Uint8Array,
  keep: readonly string[],
  onSeries: (series: ScannedSeries) => void,
  /** series names to recognise by their bytes (`known`) without making a string of them each time */
  names: readonly string[] = [],
): number {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const keepBytes = keep.map((k) => new TextEncoder().encode(k));
  const nameBytes = names.map((k) => new TextEncoder().encode(k));
  const series: ScannedSeries = {
    name: undefined,
    known: -1,
    kept: keep.map(() => undefined),
    values: new Float64Array(16),
    timestamps: new Float64Array(16),
    count: 0,
  };
  // per kept label: where its last value's bytes are, and the string made of them
  const keptAt = keep.map(() => -1);
  const keptLen = keep.map(() => -1);
  const keptText: (string | undefined)[] = keep.map(() => undefined);
  const keptCount = keep.length;
  const end = buf.length;
  let n = 0;
  P = 0;
  while (P < end) {
    const k = varint(buf, end);
    const wt = k & 7;
    if (fieldOf(k) !== 1) {
      skip(buf, wt, end);
      continue;
    }
    expect(wt, 2, 'WriteRequest.timeseries');
    const seriesLength = length(buf, end);
    const seriesEnd = P + seriesLength;
    series.name = undefined;
    series.known = -1;
    for (let i = 0; i < keptCount; i++) series.kept[i] = undefined;
    series.count = 0;
    while (P < seriesEnd) {
      // a one-byte key (every field of these messages has one) without the varint loop
      let sk = buf[P] as number;
      if (sk < 0x80) P++;
      else sk = varint(buf, seriesEnd);
      const sf = fieldOf(sk);
      const swt = sk & 7;
      if (sf === 1) {
        expect(swt, 2, 'TimeSeries.labels');
        const labelLength = shortLength(buf, seriesEnd);
        const labelEnd = P + labelLength;
        let nameAt = -1;
        let nameLen = 0;
        let valueAt = -1;
        let valueLen = 0;
        // the usual encoding (name then value, both shorter than 128 bytes) without the general loop
        const l1 = buf[P + 1] as number;
        const l2 = buf[P + 3 + l1] as number;
        if (
          labelLength >= 4 &&
          buf[P] === 0x0a &&
          l1 < 0x80 &&
          buf[P + 2 + l1] === 0x12 &&
          l2 < 0x80 &&
          P + 4 + l1 + l2 === labelEnd
        ) {
          nameAt = P + 2;
          nameLen = l1;
          valueAt = P + 4 + l1;
          valueLen = l2;
          P = labelEnd;
        }
        while (P < labelEnd) {
          const lk = varint(buf, labelEnd);
          const lf = fieldOf(lk);
          if (lf === 1) {
            expect(lk & 7, 2, 'Label.name');
            nameLen = length(buf, labelEnd);
            nameAt = P;
            P += nameLen;
          } else if (lf === 2) {
            expect(lk & 7, 2, 'Label.value');
            valueLen = length(buf, labelEnd);
            valueAt = P;
            P += valueLen;
          } else skip(buf, lk & 7, labelEnd);
        }
        if (nameAt < 0) throw new WireError('protobuf', 'a label has no name');
        if (sameBytes(buf, nameAt, nameLen, NAME_LABEL)) {
          series.known = -1;
          for (let i = 0; i < nameBytes.length && valueAt >= 0; i++) {
            if (sameBytes(buf, valueAt, valueLen, nameBytes[i] as Uint8Array)) {
              series.known = i;
              break;
            }
          }
          series.name =
            series.known >= 0 ? (names[series.known] as string) : valueAt < 0 ? '' : text(buf, valueAt, valueLen);
        } else {
          for (let i = 0; i < keepBytes.length; i++) {
            if (sameBytes(buf, nameAt, nameLen, keepBytes[i] as Uint8Array)) {
              if (valueAt < 0) series.kept[i] = '';
              else if (valueLen === keptLen[i] && sameBytes(buf, valueAt, valueLen, buf, keptAt[i] as number)) {
                // the same value as this label's previous one (a target's series come together): its string again
                series.kept[i] = keptText[i];
              } else {
                const value = text(buf, valueAt, valueLen);
                series.kept[i] = value;
                keptAt[i] = valueAt;
                keptLen[i] = valueLen;
                keptText[i] = value;
              }
            }
          }
        }
      } else if (sf === 2) {
        expect(swt, 2, 'TimeSeries.samples');
        const sampleLength = shortLength(buf, seriesEnd);
        const sampleEnd = P + sampleLength;
        let value = 0;
        let timestamp = 0;
        // the usual encoding (value, then timestamp) without the general loop
        if (sampleLength >= 11 && buf[P] === 0x09 && buf[P + 9] === 0x10) {
          const at = P;
          value = view.getFloat64(P + 1, true);
          P += 10;
          const t = varint(buf, sampleEnd);
          timestamp = t >= 2 ** 63 ? t - 2 ** 64 : t;
          if (P !== sampleEnd) {
            P = at;
            value = 0;
            timestamp = 0;
          }
        }
        while (P < sampleEnd) {
          const pk = varint(buf, sampleEnd);
          const pf = fieldOf(pk);
          if (pf === 1) {
            expect(pk & 7, 1, 'Sample.value');
            if (P + 8 > sampleEnd) throw new WireError('protobuf', 'truncated double');
            value = view.getFloat64(P, true);
            P += 8;
          } else if (pf === 2) {
            expect(pk & 7, 0, 'Sample.timestamp');
            const t = varint(buf, sampleEnd);
            // a signed int64 as a number (timestamps in ms fit well within 2^53)
            timestamp = t >= 2 ** 63 ? t - 2 ** 64 : t;
          } else skip(buf, pk & 7, sampleEnd);
        }
        if (series.count === series.values.length) {
          const values = new Float64Array(series.count * 2);
          values.set(series.values);
          series.values = values;
          const timestamps = new Float64Array(series.count * 2);
          timestamps.set(series.timestamps);
          series.timestamps = timestamps;
        }
        series.values[series.count] = value;
        series.timestamps[series.count] = timestamp;
        series.count++;
      } else {
        skip(buf, swt, seriesEnd);
      }
    }
    onSeries(series);
    n++;
  }
  return n;
}

/** Decodes a (decompressed) WriteRequest into objects, keeping `__name__` and the labels named in `keep`. */
export function decodeWriteRequest(buf: Uint8Array, keep: ReadonlySet<string>): WireSeries[] {
  const names = [...keep].filter((k) => k !== '__name__');
  const out: WireSeries[] = [];
  scanWriteRequest(buf, names, (s) => {
    const labels: Record<string, string> = {};
    if (s.name !== undefined) labels.__name__ = s.name;
    names.forEach((k, i) => {
      const v = s.kept[i];
      if (v !== undefined) labels[k] = v;
    });
    const samples: WireSample[] = [];
    for (let i = 0; i < s.count; i++) {
      samples.push({ value: s.values[i] as number, timestamp: s.timestamps[i] as number });
    }
    out.push({ labels, samples });
  });
  return out;
}

// The writer: for tests and the bench (a real agent's encoder is Prometheus's own).
class Writer {
  parts: number[] = [];
  varint(n: number): void {
    while (n >= 0x80) {
      this.parts.push((n % 128) | 0x80);
      n = Math.floor(n / 128);
    }
    this.parts.push(n);
  }
  bytes(field: number, data: Uint8Array | number[]): void {
    this.varint(field * 8 + 2);
    this.varint(data.length);
    for (const b of data) this.parts.push(b);
  }
}

export function encodeWriteRequest(series: { labels: Record<string, string>; samples: WireSample[] }[]): Uint8Array {
  const enc = new TextEncoder();
  const w = new Writer();
  const f64 = new DataView(new ArrayBuffer(8));
  for (const s of series) {
    const ts = new Writer();
    for (const [name, value] of Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const l = new Writer();
      l.bytes(1, enc.encode(name));
      l.bytes(2, enc.encode(value));
      ts.bytes(1, l.parts);
    }
    for (const sample of s.samples) {
      const sw = new Writer();
      sw.varint(1 * 8 + 1);
      f64.setFloat64(0, sample.value, true);
      for (let i = 0; i < 8; i++) sw.parts.push(f64.getUint8(i));
      sw.varint(2 * 8 + 0);
      sw.varint(sample.timestamp);
      ts.bytes(2, sw.parts);
    }
    w.bytes(1, ts.parts);
  }
  return Uint8Array.from(w.parts);
}
