import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import type { DB, Db } from '../../schema.ts';
import { detect } from './monitoring.detect.ts';
import { type IngestSeries, readSetting, storeSamples } from './monitoring.ingest.ts';
import { pullQueries } from './monitoring.metrics.ts';
import { METRICS } from './monitoring.table.ts';
import { escalateDue } from './rectification.service.ts';

const HOUR = 3_600_000;

/** Jurisdictions that have resources to watch. */
async function jurisdictions(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('resource')
    .select('jurisdiction_id')
    .distinct()
    .where('state', '=', 'active')
    .execute();
  return rows.map((r) => r.jurisdiction_id);
}

/** Detection over every jurisdiction, once an hour; one transaction per jurisdiction. */
export const detectionJob: Job<DB> = {
  name: 'monitoring.detect',
  everyMs: HOUR,
  async run({ db, now, log }) {
    const results = [];
    for (const j of await jurisdictions(db)) {
      const r = await db.transaction().execute((trx) => detect(trx, SYSTEM_ACTOR, j, now));
      if (r.created || r.cleared) log.info({ ...r }, 'monitoring detection');
      results.push(r);
    }
    return results;
  },
};

/** Warnings past their deadline: stop allocations, open the reclaim order (SH 25). */
export const rectificationDeadlineJob: Job<DB> = {
  name: 'monitoring.rectification-deadlines',
  everyMs: 15 * 60_000,
  async run({ db, now, log }) {
    const r = await escalateDue(db, SYSTEM_ACTOR, now);
    if (r.escalated.length) log.info({ escalated: r.escalated }, 'rectifications escalated');
    return r;
  },
};

/** Drops rollups and unmapped-series rows older than each jurisdiction's retention (default 400 days). */
export const retentionJob: Job<DB> = {
  name: 'monitoring.retention',
  everyMs: 6 * HOUR,
  async run({ db, now }) {
    const ids = await db.selectFrom('jurisdiction').select('id').execute();
    let deleted = 0;
    for (const { id } of ids) {
      const s = await readSetting(db, id);
      const before = new Date(now.getTime() - s.retentionDays * 86_400_000);
      const r = await db
        .deleteFrom('monitoring_rollup')
        .where('jurisdiction_id', '=', id)
        .where('hour', '<', before)
        .executeTakeFirst();
      await db
        .deleteFrom('monitoring_unmapped')
        .where('jurisdiction_id', '=', id)
        .where('last_seen_at', '<', before)
        .execute();
      deleted += Number(r.numDeletedRows);
    }
    return { deleted };
  },
};

const NIL = '00000000-0000-0000-0000-000000000000';

interface RangeAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/**
 * Pull mode: for each jurisdiction with a Prometheus URL, query_range from where the last pull ended (at most
 * the last hour on a first run, at most 6 hours per run) to a minute ago, step 60 s, and store the points like
 * pushed samples. The cursor moves in the same transaction as the rollups, so a failed pull is simply redone.
 */
export async function pullOnce(
  db: Db,
  jurisdictionId: string,
  now: Date,
  fetchImpl: typeof fetch = fetch,
): Promise<{ series: number; accepted: number; until: string } | null> {
  const s = await readSetting(db, jurisdictionId);
  if (!s.pullUrl) return null;
  const end = new Date(Math.floor((now.getTime() - 60_000) / 60_000) * 60_000);
  let start = s.pullPulledUntil ? new Date(s.pullPulledUntil.getTime() + 60_000) : new Date(end.getTime() - HOUR);
  if (end.getTime() - start.getTime() > 6 * HOUR) start = new Date(end.getTime() - 6 * HOUR);
  if (start > end) return { series: 0, accepted: 0, until: s.pullPulledUntil?.toISOString() ?? end.toISOString() };
  const queries = pullQueries(s.mappingLabel);
  const series: IngestSeries[] = [];
  for (const metric of METRICS) {
    const url = new URL('api/v1/query_range', s.pullUrl.endsWith('/') ? s.pullUrl : `${s.pullUrl}/`);
    url.searchParams.set('query', queries[metric]);
    url.searchParams.set('start', String(start.getTime() / 1000));
    url.searchParams.set('end', String(end.getTime() / 1000));
    url.searchParams.set('step', '60');
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(30_000), redirect: 'error' });
    const body = (await res.json()) as RangeAnswer;
    if (!res.ok || body.status !== 'success' || !body.data) {
      throw new Error(`Prometheus ${url.host} answered ${res.status}: ${body.error ?? 'no data'}`);
    }
    for (const r of body.data.result) {
      series.push({
        name: `pull:${metric}`,
        metric,
        key: r.metric[s.mappingLabel],
        samples: r.values.map(([t, v]) => ({ timestamp: Math.round(t * 1000), value: Number(v) })),
      });
    }
  }
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ pull_pulled_until: Date | null }>`
      select pull_pulled_until from monitoring_setting where jurisdiction_id = ${jurisdictionId} for update`.execute(
      trx,
    );
    const cursor = locked.rows[0]?.pull_pulled_until ?? null;
    if (cursor && s.pullPulledUntil && cursor.getTime() !== s.pullPulledUntil.getTime()) {
      return { series: 0, accepted: 0, until: cursor.toISOString() }; // another instance pulled meanwhile
    }
    const r = await storeSamples(trx, NIL, jurisdictionId, s.mappingLabel, series, now, jurisdictionId);
    await trx
      .updateTable('monitoring_setting')
      .set({ pull_pulled_until: end })
      .where('jurisdiction_id', '=', jurisdictionId)
      .execute();
    return { series: r.series, accepted: r.accepted, until: end.toISOString() };
  });
}

export const pullJob: Job<DB> = {
  name: 'monitoring.pull',
  everyMs: 5 * 60_000,
  async run({ db, now, log }) {
    const rows = await db
      .selectFrom('monitoring_setting')
      .select('jurisdiction_id')
      .where('pull_url', 'is not', null)
      .execute();
    const out = [];
    for (const { jurisdiction_id } of rows) {
      try {
        out.push(await pullOnce(db, jurisdiction_id, now));
      } catch (err) {
        log.warn({ err, jurisdictionId: jurisdiction_id }, 'monitoring pull failed');
      }
    }
    return out;
  },
};

export const MONITORING_JOBS: Job<DB>[] = [detectionJob, rectificationDeadlineJob, retentionJob, pullJob];
