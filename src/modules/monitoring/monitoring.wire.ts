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
      out.set(input.subarray(pos, pos + len), o);
      pos += len;
      o += len;
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
    if (offset >= len) {
      out.copyWithin(o, o - offset, o - offset + len);
      o += len;
    } else {
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

const textDecoder = new TextDecoder('utf-8', { fatal: true });

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.end) throw new WireError('protobuf', 'truncated varint');
      const b = this.buf[this.pos++] as number;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
    }
    throw new WireError('protobuf', 'varint longer than 10 bytes');
  }
  /** a signed int64 varint as a number (timestamps in ms fit well within 2^53) */
  int64(): number {
    const lo = this.varint();
    return lo >= 2 ** 63 ? lo - 2 ** 64 : lo;
  }
  length(): number {
    const len = this.varint();
    if (this.pos + len > this.end) throw new WireError('protobuf', 'length-delimited field runs past its message');
    return len;
  }
  double(): number {
    if (this.pos + 8 > this.end) throw new WireError('protobuf', 'truncated double');
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8);
    this.pos += 8;
    return view.getFloat64(0, true);
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.advance(8);
    else if (wireType === 2) this.advance(this.length());
    else if (wireType === 5) this.advance(4);
    else throw new WireError('protobuf', `unsupported wire type ${wireType}`);
  }
  advance(n: number): void {
    if (this.pos + n > this.end) throw new WireError('protobuf', 'field runs past its message');
    this.pos += n;
  }
  string(len: number): string {
    // ASCII (nearly every label) without a decoder call
    if (len <= 64) {
      let ascii = true;
      for (let i = this.pos; i < this.pos + len; i++) {
        if ((this.buf[i] as number) >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        const text = String.fromCharCode.apply(
          null,
          this.buf.subarray(this.pos, this.pos + len) as unknown as number[],
        );
        this.pos += len;
        return text;
      }
    }
    try {
      return textDecoder.decode(this.buf.subarray(this.pos, this.pos + len));
    } catch {
      throw new WireError('protobuf', 'a label is not valid UTF-8');
    } finally {
      this.pos += len;
    }
  }
}

function key(r: Reader): [number, number] {
  const k = r.varint();
  const field = Math.floor(k / 8);
  if (field === 0) throw new WireError('protobuf', 'field number 0');
  return [field, k & 7];
}

function expect(wireType: number, wanted: number, what: string): void {
  if (wireType !== wanted) throw new WireError('protobuf', `${what} has wire type ${wireType}, expected ${wanted}`);
}

/** Decodes a (decompressed) WriteRequest, keeping `__name__` and the labels named in `keep`. */
export function decodeWriteRequest(buf: Uint8Array, keep: ReadonlySet<string>): WireSeries[] {
  const r = new Reader(buf, 0, buf.length);
  const series: WireSeries[] = [];
  while (r.pos < r.end) {
    const [field, wt] = key(r);
    if (field !== 1) {
      r.skip(wt);
      continue;
    }
    expect(wt, 2, 'WriteRequest.timeseries');
    const len = r.length();
    series.push(decodeSeries(new Reader(buf, r.pos, r.pos + len), keep));
    r.pos += len;
  }
  return series;
}

function decodeSeries(r: Reader, keep: ReadonlySet<string>): WireSeries {
  const labels: Record<string, string> = {};
  const samples: WireSample[] = [];
  while (r.pos < r.end) {
    const [field, wt] = key(r);
    if (field === 1) {
      expect(wt, 2, 'TimeSeries.labels');
      const len = r.length();
      const end = r.pos + len;
      const lr = new Reader(r.buf, r.pos, end);
      let name: string | undefined;
      let value = '';
      while (lr.pos < lr.end) {
        const [f, w] = key(lr);
        if (f === 1) {
          expect(w, 2, 'Label.name');
          name = lr.string(lr.length());
        } else if (f === 2) {
          expect(w, 2, 'Label.value');
          const len = lr.length();
          // Label names come first (Prometheus writes name then value); a value whose name is not wanted is
          // only checked, not turned into a string.
          if (name === undefined || name === '__name__' || keep.has(name)) value = lr.string(len);
          else lr.advance(len);
        } else lr.skip(w);
      }
      if (name === undefined) throw new WireError('protobuf', 'a label has no name');
      if (name === '__name__' || keep.has(name)) labels[name] = value;
      r.pos = end;
    } else if (field === 2) {
      expect(wt, 2, 'TimeSeries.samples');
      const len = r.length();
      const end = r.pos + len;
      const sr = new Reader(r.buf, r.pos, end);
      let value = 0;
      let timestamp = 0;
      while (sr.pos < sr.end) {
        const [f, w] = key(sr);
        if (f === 1) {
          expect(w, 1, 'Sample.value');
          value = sr.double();
        } else if (f === 2) {
          expect(w, 0, 'Sample.timestamp');
          timestamp = sr.int64();
        } else sr.skip(w);
      }
      samples.push({ value, timestamp });
      r.pos = end;
    } else {
      r.skip(wt);
    }
  }
  return { labels, samples };
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
