// Folding staged ingest batches into the hourly rollups. An ingest request only stores its samples
// (monitoring.staging.ts); this job maps their series to resources and adds them to `monitoring_rollup` and
// `monitoring_agent`, aggregated per (resource, metric, hour) first, so each rollup row is written once per fold
// however many samples of it were staged. The folded batches are deleted in the same transaction: a sample is
// rolled up exactly once, and a crash before the commit leaves the batches staged for the next fold.
// A batch that cannot be read back, or whose rows the database refuses (a data error), is moved to
// `monitoring_staged_quarantine` with the error and audited, and the others fold: one bad row must not stop every
// later fold while staging grows. Unmapped series beyond a fold's listing limit are counted per caller in
// `monitoring_unmapped_overflow` (series and samples), so the totals stay exact.
// See docs/decisions.md (usage monitoring: staged ingest, issue 8).

import { type RawBuilder, sql } from 'kysely';
import { SYSTEM_ACTOR, writeAudit } from '../../platform/audit/audit.ts';
import { float8Array, int4Array, int8Array } from '../../platform/db/arrays.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import type { DB, Db, Trx } from '../../schema.ts';
import { countUnlisted, MAX_UNMAPPED_LISTED, ROLLUP_LOCK } from './monitoring.ingest.ts';
import {
  purgeDigests,
  readBatch,
  type Scope,
  type Source,
  type StagedBatch,
  seriesName,
} from './monitoring.staging.ts';
import { METRICS } from './monitoring.table.ts';

const HOUR = 3_600_000;
const M = METRICS.length;
/** Batches read per query inside one fold transaction. */
const CHUNK = 200;
export const DEFAULT_FOLD_SECONDS = 300;

export interface FoldResult {
  /** staged batches rolled up */
  batches: number;
  samples: number;
  rollups: number;
  agents: number;
  /** unmapped series listed (monitoring_unmapped) */
  unmapped: number;
  /** unmapped series over the listing limit: counted with their samples, not listed */
  notListed: number;
  /** staged batches that could not be read or written: moved to monitoring_staged_quarantine */
  quarantined: number;
}

export interface FoldOptions {
  /** staged samples per fold transaction (default 20,000,000) */
  maxSamples?: number;
  /** unmapped series listed per fold transaction (default MAX_UNMAPPED_LISTED) */
  maxUnmappedSeries?: number;
  /** when (the quarantine's time stamp); the clock otherwise */
  now?: Date;
}

/**
 * The resources a series key may map to for a caller of `scope`: the same rule as `resource`'s row-level
 * policy (migrations/0008), applied explicitly because the fold runs as the system.
 */
function visibleResource(scope: Scope): RawBuilder<boolean> {
  const ids = sql`${`{${scope.visible.join(',')}}`}::uuid[]`;
  return scope.scope === 'jurisdiction'
    ? sql<boolean>`r.jurisdiction_id = any(${ids})`
    : sql<boolean>`(r.organisation_id = any(${ids}) or r.provider_id = any(${ids}))`;
}

/**
 * Key -> resource for a caller (1-based positions of `keys`), as a `k(i, id, organisation_id, jurisdiction_id,
 * provider_id)` relation: active (not reclaimed) resources the caller sees, the first by id when several match.
 */
function mappedKeys(keys: readonly string[], scope: Scope): RawBuilder<unknown> {
  return sql`select k.i, r.id, r.organisation_id, r.jurisdiction_id, r.provider_id
    from unnest(${pgTextArray(keys)}::text[]) with ordinality as k(key, i)
    cross join lateral (select r.id, r.organisation_id, r.jurisdiction_id, r.provider_id from resource r
      where r.external_id = k.key and r.state <> 'reclaimed' and ${visibleResource(scope)}
      order by r.id limit 1) r`;
}

/** Which of `keys` (0-based) map to a resource for this caller now: the JSON route's answer. */
export async function mappedPositions(db: Db | Trx, keys: readonly string[], scope: Scope): Promise<Set<number>> {
  if (keys.length === 0) return new Set();
  const { rows } = await sql<{ i: string }>`select coalesce(string_agg(m.i::text, ','), '') as i
    from (${mappedKeys(keys, scope)}) m`.execute(db);
  const text = rows[0]?.i ?? '';
  return new Set(text === '' ? [] : text.split(',').map((i) => Number(i) - 1));
}

interface Gap {
  jurisdictionId: string;
  organisationId: string;
  series: string;
  reason: 'no_label' | 'no_resource' | 'unsupported_metric';
  samples: number;
  first: number;
  last: number;
}

interface HourSums {
  sum: Float64Array;
  max: Float64Array;
  count: Int32Array;
}

/** The staged batches of one caller (visibility, organisation, mapping label, source), aggregated. */
class Group {
  readonly keys = new Map<string, number>();
  readonly keyList: string[] = [];
  private cap = 1024;
  /** samples per key and metric, NaN included (for unmapped series) */
  private total = new Int32Array(this.cap * M);
  /** the latest finite sample per key (the agent's last sample) */
  private last = new Float64Array(this.cap).fill(Number.NEGATIVE_INFINITY);
  /** first and last batch (received_at) that carried each key */
  private firstSeen = new Float64Array(this.cap);
  private lastSeen = new Float64Array(this.cap);
  private readonly hours = new Map<number, HourSums>();
  readonly gaps = new Map<string, Gap>();
  /** the staged batches added, and their samples */
  readonly ids: string[] = [];
  samples = 0;

  constructor(
    readonly scope: Scope,
    readonly jurisdictionId: string,
    readonly organisationId: string,
    readonly label: string,
    readonly source: Source,
  ) {}

  add(batch: StagedBatch, receivedAt: number): void {
    const slots = new Int32Array(batch.keys.length);
    for (let i = 0; i < batch.keys.length; i++) {
      const key = batch.keys[i] as string;
      let slot = this.keys.get(key);
      if (slot === undefined) {
        slot = this.keyList.length;
        if (slot === this.cap) this.grow();
        this.keys.set(key, slot);
        this.keyList.push(key);
        this.firstSeen[slot] = receivedAt;
      }
      this.lastSeen[slot] = Math.max(this.lastSeen[slot] as number, receivedAt);
      slots[i] = slot;
    }
    const { refs, times, values, n } = batch;
    let hour = Number.NaN;
    let sums: HourSums | undefined;
    for (let j = 0; j < n; j++) {
      const ref = refs[j] as number;
      const slot = slots[ref >>> 3] as number;
      const idx = slot * M + (ref & 7);
      this.total[idx] = (this.total[idx] as number) + 1;
      const v = values[j] as number;
      if (!Number.isFinite(v)) continue;
      const t = times[j] as number;
      const h = Math.floor(t / HOUR);
      if (h !== hour || !sums) {
        hour = h;
        sums = this.hours.get(h);
        if (!sums) {
          sums = {
            sum: new Float64Array(this.cap * M),
            max: new Float64Array(this.cap * M),
            count: new Int32Array(this.cap * M),
          };
          this.hours.set(h, sums);
        }
      }
      if (sums.count[idx] === 0) {
        sums.sum[idx] = v;
        sums.max[idx] = v;
      } else {
        sums.sum[idx] = (sums.sum[idx] as number) + v;
        if (v > (sums.max[idx] as number)) sums.max[idx] = v;
      }
      sums.count[idx] = (sums.count[idx] as number) + 1;
      if (t > (this.last[slot] as number)) this.last[slot] = t;
    }
    for (const g of batch.gaps) this.gap(g.series, g.reason, g.samples, receivedAt, receivedAt);
  }

  /** Rolls the group up: ONE statement maps the keys, upserts the rollups and the agents; then its unmapped keys. */
  async write(trx: Trx): Promise<{ rollups: number; agents: number }> {
    const km: number[] = [];
    const hi: number[] = [];
    const s: number[] = [];
    const x: number[] = [];
    const c: number[] = [];
    const hours = [...this.hours.keys()];
    hours.forEach((h, i) => {
      const sums = this.hours.get(h) as HourSums;
      const size = this.keyList.length * M;
      for (let idx = 0; idx < size; idx++) {
        const count = sums.count[idx] as number;
        if (count === 0) continue;
        km.push((Math.floor(idx / M) + 1) * 8 + (idx % M));
        hi.push(i + 1);
        s.push(sums.sum[idx] as number);
        x.push(sums.max[idx] as number);
        c.push(count);
      }
    });
    const ak: number[] = [];
    const ams: number[] = [];
    for (let slot = 0; slot < this.keyList.length; slot++) {
      const t = this.last[slot] as number;
      if (t === Number.NEGATIVE_INFINITY) continue;
      ak.push(slot + 1);
      ams.push(t);
    }
    const { rows } = await sql<{ rollups: string; agents: string; missing: string }>`
      with m as materialized (${mappedKeys(this.keyList, this.scope)}),
      roll as (
        insert into monitoring_rollup (resource_id, metric, hour, organisation_id, jurisdiction_id, provider_id, sum, max, count)
        select m.id, (${pgTextArray(METRICS)}::text[])[t.km % 8 + 1], to_timestamp((${int4Array(hours)}::int[])[t.h] * 3600),
          m.organisation_id, m.jurisdiction_id, m.provider_id, t.s, t.x, t.c
        from unnest(${int4Array(km)}::int[], ${int4Array(hi)}::int[], ${float8Array(s)}::float8[], ${float8Array(x)}::float8[],
          ${int4Array(c)}::int[]) as t(km, h, s, x, c)
        join m on m.i = t.km / 8
        on conflict (resource_id, metric, hour) do update set
          sum = monitoring_rollup.sum + excluded.sum,
          max = greatest(monitoring_rollup.max, excluded.max),
          count = monitoring_rollup.count + excluded.count
        returning 1),
      agent as (
        insert into monitoring_agent (resource_id, organisation_id, jurisdiction_id, provider_id, last_sample_at)
        select m.id, m.organisation_id, m.jurisdiction_id, m.provider_id, timestamptz 'epoch' + t.ms * interval '1 millisecond'
        from unnest(${int4Array(ak)}::int[], ${int8Array(ams)}::int8[]) as t(k, ms)
        join m on m.i = t.k
        on conflict (resource_id) do update set
          last_sample_at = greatest(monitoring_agent.last_sample_at, excluded.last_sample_at)
        returning 1)
      select (select count(*) from roll)::text as rollups, (select count(*) from agent)::text as agents,
        (select coalesce(string_agg(k.i::text, ','), '') from generate_series(1, ${this.keyList.length}::int) as k(i)
          where not exists (select 1 from m where m.i = k.i)) as missing`.execute(trx);
    const row = rows[0];
    for (const p of row?.missing ? row.missing.split(',') : []) {
      const slot = Number(p) - 1;
      const key = this.keyList[slot] as string;
      for (let m = 0; m < M; m++) {
        const samples = this.total[slot * M + m] as number;
        if (samples === 0) continue;
        this.gap(
          `${seriesName(this.source, m)}{${this.label}="${key}"}`,
          'no_resource',
          samples,
          this.firstSeen[slot] as number,
          this.lastSeen[slot] as number,
        );
      }
    }
    return { rollups: Number(row?.rollups ?? 0), agents: Number(row?.agents ?? 0) };
  }

  private gap(series: string, reason: Gap['reason'], samples: number, first: number, last: number): void {
    const g = this.gaps.get(series);
    if (g) {
      g.samples += samples;
      g.reason = reason;
      g.first = Math.min(g.first, first);
      g.last = Math.max(g.last, last);
    } else {
      this.gaps.set(series, {
        jurisdictionId: this.jurisdictionId,
        organisationId: this.organisationId,
        series,
        reason,
        samples,
        first,
        last,
      });
    }
  }

  private grow(): void {
    const cap = this.cap * 2;
    const total = new Int32Array(cap * M);
    total.set(this.total);
    this.total = total;
    const last = new Float64Array(cap).fill(Number.NEGATIVE_INFINITY);
    last.set(this.last);
    this.last = last;
    const firstSeen = new Float64Array(cap);
    firstSeen.set(this.firstSeen);
    this.firstSeen = firstSeen;
    const lastSeen = new Float64Array(cap);
    lastSeen.set(this.lastSeen);
    this.lastSeen = lastSeen;
    for (const sums of this.hours.values()) {
      const sum = new Float64Array(cap * M);
      sum.set(sums.sum);
      sums.sum = sum;
      const max = new Float64Array(cap * M);
      max.set(sums.max);
      sums.max = max;
      const count = new Int32Array(cap * M);
      count.set(sums.count);
      sums.count = count;
    }
    this.cap = cap;
  }
}

interface StagedRow {
  id: string;
  jurisdiction_id: string;
  organisation_id: string;
  scope: 'organisation' | 'jurisdiction';
  visible: string;
  mapping_label: string;
  received_at: Date;
  samples: number;
  data: string;
}

async function readStaged(trx: Trx, ids: readonly string[]): Promise<StagedRow[]> {
  const { rows } = await sql<StagedRow>`
    select id::text as id, jurisdiction_id, organisation_id, scope, array_to_string(visible, ',') as visible,
      mapping_label, received_at, samples, encode(data, 'base64') as data
    from monitoring_staged where id = any(${`{${ids.join(',')}}`}::bigint[]) order by id`.execute(trx);
  return rows;
}

/** A staged row read back, or why it cannot be. */
function decode(row: StagedRow): StagedBatch | { error: string } {
  try {
    const batch = readBatch(Buffer.from(row.data, 'base64'));
    if (batch.n !== row.samples) throw new Error(`staged batch: ${batch.n} samples, the row says ${row.samples}`);
    if (batch.base !== row.received_at.getTime()) {
      throw new Error(`staged batch: based at ${batch.base}, the row was received at ${row.received_at.toISOString()}`);
    }
    return batch;
  } catch (error) {
    return { error: messageOf(error) };
  }
}

const groupKey = (row: StagedRow, source: Source) =>
  [row.scope, row.visible, row.jurisdiction_id, row.organisation_id, row.mapping_label, source].join('|');

const newGroup = (row: StagedRow, source: Source) =>
  new Group(
    { scope: row.scope, visible: row.visible === '' ? [] : row.visible.split(',') },
    row.jurisdiction_id,
    row.organisation_id,
    row.mapping_label,
    source,
  );

/**
 * A database error caused by the rows written (SQLSTATE classes 22 data exception, 23 integrity constraint, 54
 * program limit): another batch would not hit it. Anything else (connection, lock, serialisation, resources) fails
 * the fold, which is redone from the start next time.
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (typeof code === 'string' ? `${code}: ${message}` : message).slice(0, 2000);
}

/** Runs `fn` under a savepoint: a data error rolls back what it wrote and is returned; other errors are thrown. */
async function isolated<T>(
  trx: Trx,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  await sql`savepoint monitoring_fold`.execute(trx);
  try {
    const value = await fn();
    await sql`release savepoint monitoring_fold`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    if (!isDataError(error)) throw error;
    await sql`rollback to savepoint monitoring_fold`.execute(trx);
    await sql`release savepoint monitoring_fold`.execute(trx);
    return { ok: false, error: messageOf(error) };
  }
}

/** A group's rollups and agents, then its unmapped series: the first `listable` listed, the rest counted. */
async function writeGroup(
  trx: Trx,
  group: Group,
  listable: number,
): Promise<{ rollups: number; agents: number; listed: number; notListed: number }> {
  const w = await group.write(trx);
  const gaps = [...group.gaps.values()];
  const listed = gaps.slice(0, Math.max(0, listable));
  await writeGaps(trx, listed);
  const rest = gaps.slice(listed.length);
  await writeOverflow(trx, group.jurisdictionId, group.organisationId, rest);
  return { ...w, listed: listed.length, notListed: rest.length };
}

/** Moves a staged batch to the quarantine with the error, audited, in the fold's transaction. */
async function quarantine(trx: Trx, id: string, error: string, now: Date): Promise<void> {
  const { rows } = await sql<{ organisation_id: string; jurisdiction_id: string; samples: number; received_at: Date }>`
    with moved as (delete from monitoring_staged where id = ${id}::bigint
      returning id, jurisdiction_id, organisation_id, scope, visible, mapping_label, received_at, samples, data),
    kept as (
      insert into monitoring_staged_quarantine (id, jurisdiction_id, organisation_id, scope, visible, mapping_label,
        received_at, samples, data, error, quarantined_at)
      select id, jurisdiction_id, organisation_id, scope, visible, mapping_label, received_at, samples, data,
        ${error}::text, ${now.toISOString()}::timestamptz from moved
      on conflict (id) do nothing
      returning 1)
    select organisation_id, jurisdiction_id, samples, received_at from moved where exists (select 1 from kept)`.execute(
    trx,
  );
  const row = rows[0];
  if (!row) return;
  await writeAudit(trx, SYSTEM_ACTOR, {
    action: 'monitoring.batch_quarantined',
    objectType: 'monitoring_staged',
    objectId: id,
    outcome: 'failure',
    detail: {
      error,
      organisationId: row.organisation_id,
      jurisdictionId: row.jurisdiction_id,
      samples: row.samples,
      receivedAt: row.received_at.toISOString(),
    },
  });
}

/**
 * Folds everything staged when it starts (batches staged meanwhile wait for the next fold), in transactions of
 * at most `maxSamples` staged samples each. Each transaction: the fold lock, the batches read in chunks and
 * aggregated per caller, one mapping + rollup + agent statement per caller and its unmapped series (under a
 * savepoint: a data error refolds that caller's batches one by one and quarantines those that fail alone; a
 * batch that cannot be read is quarantined at once), and the batches deleted. Safe to run anywhere at any time
 * (job, detection, several instances): folds queue on the lock.
 */
export async function foldStaged(db: Db, options: FoldOptions = {}): Promise<FoldResult> {
  const maxSamples = options.maxSamples ?? 20_000_000;
  const maxListed = options.maxUnmappedSeries ?? MAX_UNMAPPED_LISTED;
  const now = options.now ?? new Date();
  const result: FoldResult = {
    batches: 0,
    samples: 0,
    rollups: 0,
    agents: 0,
    unmapped: 0,
    notListed: 0,
    quarantined: 0,
  };
  const top = await sql<{ id: string | null }>`select max(id)::text as id from monitoring_staged`.execute(db);
  const until = top.rows[0]?.id;
  if (!until) return result;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK}::bigint)`.execute(trx);
      // the statements join and sort a few hundred thousand rows: in memory rather than in temporary files
      await sql`set local work_mem = '64MB'`.execute(trx);
      const pending = await sql<{ id: string; samples: number }>`
        select id::text as id, samples from monitoring_staged where id <= ${until}::bigint order by id limit 100000`.execute(
        trx,
      );
      const ids: string[] = [];
      let samples = 0;
      for (const p of pending.rows) {
        if (ids.length > 0 && samples + p.samples > maxSamples) break;
        ids.push(p.id);
        samples += p.samples;
      }
      if (ids.length === 0) return true;
      const groups = new Map<string, Group>();
      const bad: { id: string; error: string }[] = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        for (const row of await readStaged(trx, ids.slice(i, i + CHUNK))) {
          const batch = decode(row);
          if ('error' in batch) {
            bad.push({ id: row.id, error: batch.error });
            continue;
          }
          const key = groupKey(row, batch.source);
          let group = groups.get(key);
          if (!group) {
            group = newGroup(row, batch.source);
            groups.set(key, group);
          }
          group.add(batch, row.received_at.getTime());
          group.ids.push(row.id);
          group.samples += row.samples;
        }
      }
      let listable = maxListed;
      const count = (w: { rollups: number; agents: number; listed: number; notListed: number }, g: Group) => {
        result.rollups += w.rollups;
        result.agents += w.agents;
        result.unmapped += w.listed;
        result.notListed += w.notListed;
        result.batches += g.ids.length;
        result.samples += g.samples;
        listable -= w.listed;
      };
      for (const group of groups.values()) {
        const all = await isolated(trx, () => writeGroup(trx, group, listable));
        if (all.ok) {
          count(all.value, group);
          continue;
        }
        // one of the caller's batches carries what the database refuses: each on its own, the bad ones set aside
        for (const id of group.ids) {
          const [row] = await readStaged(trx, [id]);
          const batch = row ? decode(row) : undefined;
          if (!row || !batch || 'error' in batch) continue; // read fine above
          const single = newGroup(row, batch.source);
          single.add(batch, row.received_at.getTime());
          single.ids.push(row.id);
          single.samples += row.samples;
          const one = await isolated(trx, () => writeGroup(trx, single, listable));
          if (one.ok) count(one.value, single);
          else bad.push({ id, error: one.error });
        }
      }
      for (const b of bad) await quarantine(trx, b.id, b.error, now);
      result.quarantined += bad.length;
      await sql`delete from monitoring_staged where id = any(${`{${ids.join(',')}}`}::bigint[])`.execute(trx);
      return ids.length === pending.rows.length;
    });
    if (done) break;
  }
  // Deleted batches leave dead rows (and TOAST chunks) behind; the embedded database has no autovacuum, and a
  // queue this busy should not wait for PostgreSQL's either.
  await sql`vacuum monitoring_staged`.execute(db);
  return result;
}

/** Unmapped series of one caller left out of the listing: counted, with their samples and when they were seen. */
async function writeOverflow(trx: Trx, jurisdictionId: string, organisationId: string, gaps: Gap[]): Promise<void> {
  if (gaps.length === 0) return;
  let samples = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const g of gaps) {
    samples += g.samples;
    first = Math.min(first, g.first);
    last = Math.max(last, g.last);
  }
  await countUnlisted(trx, jurisdictionId, organisationId, {
    series: gaps.length,
    samples,
    firstSeen: new Date(first),
    lastSeen: new Date(last),
  });
}

async function writeGaps(trx: Trx, gaps: Gap[]): Promise<void> {
  if (gaps.length === 0) return;
  await sql`
    insert into monitoring_unmapped (jurisdiction_id, organisation_id, series, reason, samples, first_seen_at, last_seen_at)
    select j, o, s, r, n, timestamptz 'epoch' + f * interval '1 millisecond', timestamptz 'epoch' + l * interval '1 millisecond'
    from unnest(${pgTextArray(gaps.map((g) => g.jurisdictionId))}::uuid[], ${pgTextArray(gaps.map((g) => g.organisationId))}::uuid[],
      ${pgTextArray(gaps.map((g) => g.series))}::text[], ${pgTextArray(gaps.map((g) => g.reason))}::text[],
      ${numArray(gaps.map((g) => g.samples))}::bigint[], ${numArray(gaps.map((g) => g.first))}::int8[],
      ${numArray(gaps.map((g) => g.last))}::int8[]) as t(j, o, s, r, n, f, l)
    on conflict (jurisdiction_id, organisation_id, series) do update set
      samples = monitoring_unmapped.samples + excluded.samples, reason = excluded.reason,
      last_seen_at = greatest(monitoring_unmapped.last_seen_at, excluded.last_seen_at)`.execute(trx);
}

/** Numbers as an array literal (float8 reads Infinity and NaN as JavaScript writes them). */
function numArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** Strings as an array literal, quoted and escaped. */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** Folds staged ingest batches into rollups every `everyMs` (YUNGUAN_MONITORING_FOLD_SECONDS, default 300 s). */
export const foldJob: Job<DB> = {
  name: 'monitoring.fold',
  everyMs: DEFAULT_FOLD_SECONDS * 1000,
  async run({ db, now, log }) {
    const r = await foldStaged(db, { now });
    if (r.quarantined) log.warn({ ...r }, 'monitoring fold quarantined staged batches (monitoring_staged_quarantine)');
    else if (r.batches) log.info({ ...r }, 'monitoring fold');
    // digests of requests that could no longer be accepted again (monitoring.staging.ts, stageBatch)
    await purgeDigests(db, now);
    return r;
  },
};

/** Sets the fold job's interval (buildApp, from the configuration, before the jobs start). */
export function configureFold(seconds: number): void {
  foldJob.everyMs = seconds * 1000;
}
