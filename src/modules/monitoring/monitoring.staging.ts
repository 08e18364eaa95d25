// The staged form of one accepted ingest request (remote-write or JSON): what the request handler stores in ONE
// insert into `monitoring_staged`, and what the fold (monitoring.fold.ts) reads back and rolls up. See
// docs/decisions.md (usage monitoring: staged ingest, issue 8).
//
// Layout (little-endian), version 1:
//   0  u8 version, u8 source (0 remote-write, 1 JSON), u16 0
//   4  u32 keys, u32 samples, u32 gaps
//   16 f64 base: the server's clock when the request was accepted (ms since the epoch)
//   24 per sample: varint (key index * 16 + metric index * 2 + small), varint zigzag(timestamp - previous timestamp,
//      the first against base), then the value: a zigzag varint when `small` (an integer below 2^31, e.g. `up`),
//      else its 8 bytes (f64)
//   then per key: u32 byte length, UTF-8 bytes (the mapping label's values, in first-seen order)
//   then per gap: u8 reason (0 no_label, 1 unsupported_metric), u32 samples, u32 byte length, UTF-8 series name
// A scrape's series share their timestamp, so most samples take 2 + 1 + 8 bytes. PGlite's protocol layer costs
// ~20 ns per parameter byte, so the size is worth the varints (docs/decisions.md). NaN samples (stale markers)
// are kept: the fold skips them for the rollups but counts them for unmapped series, as the per-request path did.

import { createHash, type Hash } from 'node:crypto';
import { sql } from 'kysely';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { prepared } from '../../platform/db/prepared.ts';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../schema.ts';
import {
  DEFAULT_MAPPING_LABEL,
  DEFAULT_OUT_OF_ORDER_MINUTES,
  FUTURE_TOLERANCE_MS,
  type IngestResult,
  type Setting,
} from './monitoring.ingest.ts';
import { PUSHED_SERIES } from './monitoring.metrics.ts';
import { METRICS, type Metric } from './monitoring.table.ts';

const VERSION = 1;
const HEADER = 24;
export type Source = 'wire' | 'json';
export type GapReason = 'no_label' | 'unsupported_metric';

const HOUR = 3_600_000;
export const METRIC_INDEX = Object.fromEntries(METRICS.map((m, i) => [m, i])) as Record<Metric, number>;
/** The remote-write series Yunguan rolls up, and the metric of each (recognised by their bytes when decoding). */
export const WIRE_NAMES: readonly string[] = Object.keys(PUSHED_SERIES);
export const WIRE_METRICS: readonly Metric[] = Object.values(PUSHED_SERIES);
/** The remote-write series name of each metric (PUSHED_SERIES is one to one). */
const WIRE_NAME = Object.fromEntries(Object.entries(PUSHED_SERIES).map(([name, m]) => [m, name])) as Record<
  Metric,
  string
>;

/** The series name an unmapped series is listed under: as sent (remote-write) or the JSON metric. */
export function seriesName(source: Source, metric: number): string {
  const m = METRICS[metric] as Metric;
  return source === 'wire' ? WIRE_NAME[m] : m;
}

/** Builds the staged form of one request while its series are decoded; checks the accepted window on the way. */
export class SampleBatch {
  readonly keys = new Map<string, number>();
  readonly keyList: string[] = [];
  /** series per key (the JSON answer counts unmapped series) */
  private readonly keySeries: number[] = [];
  readonly gaps = new Map<string, { reason: GapReason; samples: number }>();
  /** what the request carried, for the JSON answer */
  series = 0;
  samples = 0;
  unsupportedSeries = 0;
  noLabelSeries = 0;
  n = 0;
  values = new Float64Array(4096);
  refs = new Uint32Array(4096);
  offsets = new Int32Array(4096);
  /** the key of the last series added with one, and its index */
  private lastKey: string | undefined;
  private lastIndex = -1;
  private readonly oldest: number;
  private readonly newest: number;
  private outside = 0;
  private example = '';

  constructor(
    readonly source: Source,
    private readonly setting: Setting,
    private readonly now: Date,
  ) {
    this.oldest = now.getTime() - setting.outOfOrderMinutes * 60_000;
    this.newest = now.getTime() + FUTURE_TOLERANCE_MS;
  }

  add(
    name: string,
    metric: Metric | null,
    key: string | undefined,
    values: ArrayLike<number>,
    timestamps: ArrayLike<number>,
    count: number,
  ): void {
    this.series++;
    this.samples += count;
    // PostgreSQL text cannot hold NUL: such a key or name would fail the fold for everything staged with it
    // (the previous series' key was checked already: a target's series come together, with the same string)
    if ((key !== this.lastKey && key?.includes('\0')) || (metric === null && name.includes('\0'))) {
      throw new AppError(
        'payload_malformed',
        `a series name or ${this.setting.mappingLabel} value contains a NUL character; nothing was stored / ` +
          '序列名称或标签值含有 NUL 字符，未写入任何数据',
      );
    }
    if (metric === null) {
      this.unsupportedSeries++;
      this.gap(name || '(no __name__)', 'unsupported_metric', count);
      return;
    }
    const base = this.now.getTime();
    for (let i = 0; i < count; i++) {
      const t = timestamps[i] as number;
      if (t < this.oldest || t > this.newest) {
        if (this.outside++ === 0) this.example = `${name}{${key ?? ''}} at ${new Date(t).toISOString()}`;
      }
    }
    if (key === undefined) {
      this.noLabelSeries++;
      this.gap(`${name}{${this.setting.mappingLabel}=""}`, 'no_label', count);
      return;
    }
    let k = key === this.lastKey ? this.lastIndex : this.keys.get(key);
    if (k === undefined) {
      k = this.keyList.length;
      this.keys.set(key, k);
      this.keyList.push(key);
      this.keySeries.push(0);
    }
    this.lastKey = key;
    this.lastIndex = k;
    this.keySeries[k] = (this.keySeries[k] as number) + 1;
    if (this.n + count > this.values.length) this.grow(this.n + count);
    const ref = (k << 3) | METRIC_INDEX[metric];
    for (let i = 0; i < count; i++) {
      this.values[this.n] = values[i] as number;
      this.refs[this.n] = ref;
      // out-of-window samples refuse the request (assertInWindow) before anything is stored
      this.offsets[this.n] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, (timestamps[i] as number) - base));
      this.n++;
    }
  }

  /** Refuses the whole request when any sample of a Yunguan metric lies outside [now - window, now + tolerance]. */
  assertInWindow(): void {
    if (this.outside === 0) return;
    const { outOfOrderMinutes } = this.setting;
    throw new AppError(
      'sample_out_of_window',
      `${this.outside} sample(s) lie outside the accepted window (${outOfOrderMinutes} minutes back, ` +
        `${FUTURE_TOLERANCE_MS / 60_000} ahead of ${this.now.toISOString()}), e.g. ${this.example}; nothing was stored / ` +
        `${this.outside} 个样本超出可接受的时间窗口，本次请求未写入任何数据`,
    );
  }

  /** The JSON route's answer, given which keys (0-based) map to a resource now. */
  answer(mapped: ReadonlySet<number>): IngestResult {
    let accepted = 0;
    let skipped = 0;
    const buckets = new Set<string>();
    const base = this.now.getTime();
    for (let i = 0; i < this.n; i++) {
      const ref = this.refs[i] as number;
      if (!mapped.has(ref >>> 3)) continue;
      if (!Number.isFinite(this.values[i])) {
        skipped++;
        continue;
      }
      accepted++;
      const hour = Math.floor((base + (this.offsets[i] as number)) / HOUR);
      buckets.add(`${ref}:${hour}`);
    }
    let unmappedSeries = this.noLabelSeries;
    this.keySeries.forEach((n, k) => {
      if (!mapped.has(k)) unmappedSeries += n;
    });
    return {
      series: this.series,
      samples: this.samples,
      accepted,
      skipped,
      unmappedSeries,
      unsupportedSeries: this.unsupportedSeries,
      rollups: buckets.size,
    };
  }

  get empty(): boolean {
    return this.n === 0 && this.gaps.size === 0;
  }

  /** Feeds the request's content to `hash`: sample by sample (key, metric, absolute time, value bits), keys, gaps. */
  digestInto(hash: Hash): void {
    const n = this.n;
    const times = new Float64Array(n);
    const base = this.now.getTime();
    for (let i = 0; i < n; i++) times[i] = base + (this.offsets[i] as number);
    const counts = new Uint32Array([n, this.keyList.length, this.gaps.size]);
    hash.update(new Uint8Array(counts.buffer));
    hash.update(new Uint8Array(this.refs.buffer, 0, n * 4));
    hash.update(new Uint8Array(times.buffer));
    hash.update(new Uint8Array(this.values.buffer, 0, n * 8));
    hash.update(this.keyList.join('\0'));
    for (const [series, g] of this.gaps) hash.update(`\0${g.reason}\0${g.samples}\0${series}`);
  }

  /**
   * How long after `now` an identical request could still be accepted: its samples lie at most the future
   * tolerance ahead of `now`, and a resend is accepted only while they are within the window back.
   */
  get resendableMs(): number {
    return this.setting.outOfOrderMinutes * 60_000 + FUTURE_TOLERANCE_MS;
  }

  encode(): Buffer {
    const keyBytes = this.keyList.map((k) => Buffer.from(k, 'utf8'));
    const gapBytes = [...this.gaps].map(([s, g]) => [Buffer.from(s, 'utf8'), g] as const);
    const size =
      HEADER +
      this.n * 22 +
      keyBytes.reduce((a, b) => a + 4 + b.length, 0) +
      gapBytes.reduce((a, [b]) => a + 9 + b.length, 0);
    const out = Buffer.allocUnsafe(size);
    out.writeUInt8(VERSION, 0);
    out.writeUInt8(this.source === 'wire' ? 0 : 1, 1);
    out.writeUInt16LE(0, 2);
    out.writeUInt32LE(keyBytes.length, 4);
    out.writeUInt32LE(this.n, 8);
    out.writeUInt32LE(gapBytes.length, 12);
    out.writeDoubleLE(this.now.getTime(), 16);
    let o = HEADER;
    let previous = 0;
    for (let i = 0; i < this.n; i++) {
      const ref = this.refs[i] as number;
      const v = this.values[i] as number;
      const small = Number.isInteger(v) && v > -SMALL && v < SMALL && !Object.is(v, -0);
      o = varint(out, o, (ref >>> 3) * 16 + (ref & 7) * 2 + (small ? 1 : 0));
      const offset = this.offsets[i] as number;
      o = varint(out, o, zigzag(offset - previous));
      previous = offset;
      if (small) o = varint(out, o, zigzag(v));
      else o = out.writeDoubleLE(v, o);
    }
    for (const b of keyBytes) {
      out.writeUInt32LE(b.length, o);
      b.copy(out, o + 4);
      o += 4 + b.length;
    }
    for (const [b, g] of gapBytes) {
      out.writeUInt8(g.reason === 'no_label' ? 0 : 1, o);
      out.writeUInt32LE(g.samples, o + 1);
      out.writeUInt32LE(b.length, o + 5);
      b.copy(out, o + 9);
      o += 9 + b.length;
    }
    return out.subarray(0, o);
  }

  private gap(series: string, reason: GapReason, samples: number): void {
    const g = this.gaps.get(series);
    if (g) g.samples += samples;
    else this.gaps.set(series, { reason, samples });
  }

  private grow(needed: number): void {
    let size = this.values.length;
    while (size < needed) size *= 2;
    const values = new Float64Array(size);
    values.set(this.values.subarray(0, this.n));
    const refs = new Uint32Array(size);
    refs.set(this.refs.subarray(0, this.n));
    const offsets = new Int32Array(size);
    offsets.set(this.offsets.subarray(0, this.n));
    this.values = values;
    this.refs = refs;
    this.offsets = offsets;
  }
}

/** A staged batch read back. */
export interface StagedBatch {
  source: Source;
  /** the server's clock when the request was accepted (the row's received_at) */
  base: number;
  n: number;
  /** per sample: key index * 8 + metric index */
  refs: Uint32Array;
  /** per sample: ms since the epoch */
  times: Float64Array;
  values: Float64Array;
  keys: string[];
  gaps: { series: string; reason: GapReason; samples: number }[];
}

/**
 * Reads a staged batch back; throws on anything that is not a well-formed batch of this version (the fold then
 * quarantines it instead of rolling up garbage): counts beyond the buffer, a key or metric index out of range, a
 * time further from the batch's base than encode() writes, a truncated or overlong buffer.
 */
export function readBatch(buf: Buffer): StagedBatch {
  if (buf.length < HEADER || buf.readUInt8(0) !== VERSION) {
    throw new Error(`staged batch of version ${buf.length ? buf.readUInt8(0) : 'none'}: this build reads ${VERSION}`);
  }
  const sourceByte = buf.readUInt8(1);
  if (sourceByte > 1) throw new Error(`staged batch: unknown source ${sourceByte}`);
  const nKeys = buf.readUInt32LE(4);
  const n = buf.readUInt32LE(8);
  const nGaps = buf.readUInt32LE(12);
  const base = buf.readDoubleLE(16);
  // every sample takes at least 3 bytes, every key 4, every gap 9: larger counts are corruption (and must not
  // allocate gigabytes)
  if (n * 3 + nKeys * 4 + nGaps * 9 > buf.length - HEADER || !Number.isFinite(base)) {
    throw new Error(
      `staged batch: header (${n} samples, ${nKeys} keys, ${nGaps} gaps) does not fit ${buf.length} bytes`,
    );
  }
  const refs = new Uint32Array(n);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  const r = { at: HEADER };
  let t = base;
  for (let i = 0; i < n; i++) {
    const head = readVarint(buf, r);
    const key = Math.floor(head / 16);
    const metric = Math.floor(head / 2) % 8;
    if (key >= nKeys || metric >= METRICS.length) {
      throw new Error(`staged batch: sample ${i} names key ${key} of ${nKeys}, metric ${metric} of ${METRICS.length}`);
    }
    refs[i] = key * 8 + metric;
    t += unzigzag(readVarint(buf, r));
    // encode() keeps every offset within 2^31 ms of the base
    if (!(Math.abs(t - base) <= 2 ** 31)) throw new Error(`staged batch: sample ${i} is ${t - base} ms off its base`);
    times[i] = t;
    if (head & 1) values[i] = unzigzag(readVarint(buf, r));
    else {
      values[i] = buf.readDoubleLE(r.at);
      r.at += 8;
    }
  }
  let o = r.at;
  const keys: string[] = new Array(nKeys);
  for (let i = 0; i < nKeys; i++) {
    const len = buf.readUInt32LE(o);
    keys[i] = buf.toString('utf8', o + 4, o + 4 + len);
    o += 4 + len;
  }
  const gaps: StagedBatch['gaps'] = [];
  for (let i = 0; i < nGaps; i++) {
    const code = buf.readUInt8(o);
    if (code > 1) throw new Error(`staged batch: unknown gap reason ${code}`);
    const reason: GapReason = code === 0 ? 'no_label' : 'unsupported_metric';
    const samples = buf.readUInt32LE(o + 1);
    const len = buf.readUInt32LE(o + 5);
    gaps.push({ series: buf.toString('utf8', o + 9, o + 9 + len), reason, samples });
    o += 9 + len;
  }
  if (o !== buf.length) throw new Error(`staged batch: ${buf.length - o} bytes left over`);
  return { source: sourceByte === 0 ? 'wire' : 'json', base, n, refs, times, values, keys, gaps };
}

/** Values below this (in magnitude) that are whole numbers are stored as varints. */
const SMALL = 2 ** 31;

/** Unsigned LEB128 of a non-negative integer below 2^53, written at `o`; returns the next offset. */
function varint(buf: Buffer, o: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    buf[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[o++] = v;
  return o;
}

function readVarint(buf: Buffer, r: { at: number }): number {
  let b = buf[r.at++] as number;
  if (b < 0x80) return b;
  let value = b & 0x7f;
  let scale = 0x80;
  for (;;) {
    b = buf[r.at++] as number;
    if (b === undefined) throw new Error('staged batch: truncated varint');
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 0x80;
  }
}

function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Whose resources a batch may roll up into: the caller's visibility when the request was accepted. */
export interface Scope {
  scope: 'organisation' | 'jurisdiction';
  visible: readonly string[];
}

/** The caller as a staged batch records it. */
export function callerOf(auth: AuthContext): { organisationId: string; jurisdictionId: string } & Scope {
  const v = auth.visibility;
  return {
    organisationId: auth.organisationId,
    jurisdictionId: auth.jurisdictionId,
    scope: v.kind,
    visible: v.kind === 'organisation' ? v.organisations : v.jurisdictions,
  };
}

/**
 * The digest of one push request: what it would add (every sample's key, metric, time and value bits, in order,
 * and the unmapped series with their counts) and for whom (source, organisation, jurisdiction, visibility, mapping
 * label). A resent request has the same digest however it was compressed or laid out; so does any request that
 * would add exactly the same samples for the same caller, which is a duplicate too.
 */
export function requestDigest(
  caller: { organisationId: string; jurisdictionId: string } & Scope,
  mappingLabel: string,
  batch: SampleBatch,
): Buffer {
  const hash = createHash('sha256');
  hash.update(
    `yunguan-ingest/1\0${batch.source}\0${caller.organisationId}\0${caller.jurisdictionId}\0${caller.scope}\0` +
      `${[...caller.visible].sort().join(',')}\0${mappingLabel}\0`,
  );
  batch.digestInto(hash);
  return hash.digest();
}

/**
 * Stores one accepted request: ONE statement, no row-level-security context (the row carries only the caller's
 * own organisation, jurisdiction and visibility, all from its credentials; which resources its samples reach is
 * decided by the fold with exactly the visibility stored here). The request's digest is recorded in the same
 * statement and kept while an identical request could still be accepted (`batch.resendableMs`): a resent request
 * (Prometheus retries a remote-write whose answer it did not get) stages nothing and answers 'duplicate'.
 * With `check`, the batch was built with settings remembered from an earlier request: the statement stages it only
 * while the jurisdiction's mapping label and accepted window are still those, and answers 'stale' (nothing
 * stored) when they changed; the caller then reads the settings and builds the batch again. Prepared by name:
 * it runs for every pushed request.
 */
export async function stageBatch(
  db: Db,
  caller: { organisationId: string; jurisdictionId: string } & Scope,
  batch: SampleBatch,
  setting: Pick<Setting, 'mappingLabel' | 'outOfOrderMinutes'>,
  now: Date,
  digest: Buffer,
  check: boolean,
): Promise<'staged' | 'duplicate' | 'stale'> {
  const { rows } = await sql<{ current: boolean; staged: boolean }>`${prepared}
    with s as (
      select not ${check}::boolean or (coalesce(m.mapping_label, ${DEFAULT_MAPPING_LABEL}::text) = ${setting.mappingLabel}::text
        and coalesce(m.out_of_order_minutes, ${DEFAULT_OUT_OF_ORDER_MINUTES}::int) = ${setting.outOfOrderMinutes}::int) as current
      from (select 1) one left join monitoring_setting m on m.jurisdiction_id = ${caller.jurisdictionId}::uuid),
    d as (
      insert into monitoring_ingest_digest (digest, jurisdiction_id, organisation_id, received_at, expires_at)
      select ${digest}::bytea, ${caller.jurisdictionId}::uuid, ${caller.organisationId}::uuid,
        ${now.toISOString()}::timestamptz, ${new Date(now.getTime() + batch.resendableMs).toISOString()}::timestamptz
      from s where s.current
      on conflict (digest) do update set received_at = excluded.received_at, expires_at = excluded.expires_at
        where monitoring_ingest_digest.expires_at < excluded.received_at
      returning 1),
    st as (
      insert into monitoring_staged (jurisdiction_id, organisation_id, scope, visible, mapping_label, received_at, samples, data)
      select ${caller.jurisdictionId}::uuid, ${caller.organisationId}::uuid, ${caller.scope}::text,
        ${`{${caller.visible.join(',')}}`}::uuid[], ${setting.mappingLabel}::text, ${now.toISOString()}::timestamptz,
        ${batch.n}::int, ${batch.encode()}::bytea
      where exists (select 1 from d)
      returning 1)
    select (select current from s) as current, exists (select 1 from st) as staged`.execute(db);
  const row = rows[0];
  return !row?.current ? 'stale' : row.staged ? 'staged' : 'duplicate';
}

/** Forgets the digests of requests that could no longer be accepted again (the fold job, every run). */
export async function purgeDigests(db: Db, now: Date): Promise<number> {
  const r = await db.deleteFrom('monitoring_ingest_digest').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
