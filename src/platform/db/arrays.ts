/**
 * A list bound as ONE parameter: PostgreSQL's array literal (`{"a","b"}`), which pg and PGlite both pass as a
 * single text parameter; the statement casts it, e.g. `where id = any(${sqlArray(ids)}::uuid[])` or
 * `from unnest(${sqlArray(names)}::text[])`. Never `in (${ids...})`: one parameter per row breaks past 65,535
 * (`bind message has N parameter formats but 0 parameters`). Elements are quoted and escaped.
 */
export function sqlArray(values: readonly (string | number | bigint)[]): string {
  return `{${values
    .map((v) => (typeof v === 'string' ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : String(v)))
    .join(',')}}`;
}

/**
 * Rows in slices for multi-row INSERTs, whose parameters are rows x columns: 1,000 rows of up to 60 columns stay
 * under the protocol's 65,535. Prefer one `unnest` of arrays where a statement's shape allows it.
 */
export function chunks<T>(rows: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

// PostgreSQL's binary array format (array_recv): ndim, has-nulls flag, element type, then per dimension its
// length and lower bound, then per element its byte length and its big-endian bytes.
const FLOAT8 = 701;
const INT4 = 23;
const INT8 = 20;

/** The header of a one-dimensional binary array of `n` elements of `width` bytes; elements start at byte 20. */
function binaryArray(n: number, elementType: number, width: 4 | 8): { out: Buffer; view: DataView } {
  const out = Buffer.allocUnsafe(n === 0 ? 12 : 20 + n * (4 + width));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setInt32(0, n === 0 ? 0 : 1);
  view.setInt32(4, 0);
  view.setInt32(8, elementType);
  if (n > 0) {
    view.setInt32(12, n);
    view.setInt32(16, 1);
  }
  return { out, view };
}

/**
 * Numbers bound as ONE binary parameter of type float8[] (the statement casts it `::float8[]`, nothing else):
 * both drivers send bytes as a binary parameter (PGlite through the serializers in database.ts), so the server
 * reads 8 bytes per element instead of parsing a decimal text literal, and nothing is formatted here. Exact for
 * every double, NaN and the infinities included. For arrays of hundreds of thousands of numbers (the monitoring
 * fold); `sqlArray` stays the simple choice for short lists.
 */
export function float8Array(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const { out, view } = binaryArray(n, FLOAT8, 8);
  for (let i = 0, at = 20; i < n; i++, at += 12) {
    view.setInt32(at, 8);
    view.setFloat64(at + 4, values[i] as number);
  }
  return out;
}

/** Whole numbers within int4 as ONE binary parameter of type int4[] (cast `::int[]` or `::int4[]`); see float8Array. */
export function int4Array(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const { out, view } = binaryArray(n, INT4, 4);
  for (let i = 0, at = 20; i < n; i++, at += 8) {
    const v = values[i] as number;
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new RangeError(`${v} is not an int4`);
    view.setInt32(at, 4);
    view.setInt32(at + 4, v);
  }
  return out;
}

/** Safe integers as ONE binary parameter of type int8[] (cast `::int8[]` or `::bigint[]`); see float8Array. */
export function int8Array(values: ArrayLike<number>): Buffer {
  const n = values.length;
  const { out, view } = binaryArray(n, INT8, 8);
  for (let i = 0, at = 20; i < n; i++, at += 12) {
    const v = values[i] as number;
    if (!Number.isSafeInteger(v)) throw new RangeError(`${v} is not a safe integer`);
    const high = Math.floor(v / 2 ** 32);
    view.setInt32(at, 8);
    view.setInt32(at + 4, high);
    view.setUint32(at + 8, v - high * 2 ** 32);
  }
  return out;
}

/**
 * Reads one float8[] in PostgreSQL's binary array format (`array_send`: dimensions, a null flag, the element
 * type; per element a length, -1 for null, then 8 bytes big-endian) at `at` into `slots` (its element i at slot
 * i; a null, missing or past-the-end element as NaN) and returns the offset after it and the null slots as a mask
 * (bit i: slot i; an empty array: all 24 null). For the 24 hours of a day (monitoring's detection reads
 * `array_send` output with it); elements past the slots are skipped.
 */
export function readFloat8Slots(view: DataView, at: number, slots: Float64Array): [number, number] {
  const ndim = view.getInt32(at);
  let pos = at + 12;
  let mask = 0xffffff;
  slots.fill(Number.NaN);
  if (ndim === 0) return [pos, mask];
  if (ndim !== 1) throw new Error(`a float8[] of ${ndim} dimensions`);
  const n = view.getInt32(pos);
  pos += 8;
  for (let i = 0; i < n; i++) {
    const length = view.getInt32(pos);
    pos += 4;
    if (length === -1) continue;
    if (i < 24) {
      slots[i] = view.getFloat64(pos);
      mask &= ~(1 << i);
    }
    pos += length;
  }
  return [pos, mask];
}
