import { sql } from 'kysely';
import { SYSTEM_ACTOR } from '../../platform/audit/audit.ts';
import { type EgressPolicy, EgressRefused, egressRequest, type Resolver } from '../../platform/http/egress.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import type { DB, Db } from '../../schema.ts';
import { VERSION } from '../../version.ts';
import { egressPolicyOf } from '../notifications/index.ts';
import { detect } from './monitoring.detect.ts';
import { foldStaged } from './monitoring.fold.ts';
import { type IngestSeries, readSetting, storeSamples } from './monitoring.ingest.ts';
import { pullQueries } from './monitoring.metrics.ts';
import { METRICS } from './monitoring.table.ts';
import { markConsentOverdue, proposeReclaimDue } from './rectification.service.ts';

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
    // staged samples first: an agent whose samples wait for the fold is not silent
    await foldStaged(db, { now });
    const results = [];
    for (const j of await jurisdictions(db)) {
      const r = await db.transaction().execute((trx) => detect(trx, SYSTEM_ACTOR, j, now));
      if (r.created || r.cleared) log.info({ ...r }, 'monitoring detection');
      results.push(r);
    }
    return results;
  },
};

/**
 * Warnings past their deadline: the stop and reclaim are proposed to the competent authority, whose consent alone
 * carries them out (SH 25); a proposal past the authority's own deadline is marked overdue and escalated.
 */
export const rectificationDeadlineJob: Job<DB> = {
  name: 'monitoring.rectification-deadlines',
  everyMs: 15 * 60_000,
  async run({ db, now, log }) {
    const r = {
      ...(await proposeReclaimDue(db, SYSTEM_ACTOR, now)),
      ...(await markConsentOverdue(db, SYSTEM_ACTOR, now)),
    };
    if (r.proposed.length) log.info({ proposed: r.proposed }, 'reclaims proposed to the authority');
    if (r.consentOverdue.length) log.info({ consentOverdue: r.consentOverdue }, 'authority consents overdue');
    return r;
  },
};

/**
 * Drops rollups, unmapped-series rows (listed and counted) and quarantined batches older than each jurisdiction's
 * retention (default 400 days).
 */
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
      await db
        .deleteFrom('monitoring_unmapped_overflow')
        .where('jurisdiction_id', '=', id)
        .where('last_seen_at', '<', before)
        .execute();
      await db
        .deleteFrom('monitoring_staged_quarantine')
        .where('jurisdiction_id', '=', id)
        .where('quarantined_at', '<', before)
        .execute();
      deleted += Number(r.numDeletedRows);
    }
    return { deleted };
  },
};

const NIL = '00000000-0000-0000-0000-000000000000';
/** The most of one query_range answer that is read; a longer one halves the pull's window (see pullOnce). */
export const PULL_MAX_ANSWER_BYTES = 128 * 1024 * 1024;

interface RangeAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

export interface PullOptions {
  /** DNS for the pull host (tests substitute one); the system resolver otherwise */
  resolve?: Resolver;
  timeoutMs?: number;
  /** PULL_MAX_ANSWER_BYTES unless a test sets it */
  maxAnswerBytes?: number;
  /** unmapped series listed one by one per pull (MAX_UNMAPPED_LISTED unless a test sets it); the rest counted */
  maxUnmappedSeries?: number;
}

class AnswerTooLarge extends Error {}

/** One query_range through the SSRF guard; AnswerTooLarge when the answer exceeds the limit. */
async function queryRange(
  pullUrl: string,
  query: string,
  start: Date,
  end: Date,
  policy: EgressPolicy,
  options: PullOptions,
): Promise<NonNullable<RangeAnswer['data']>['result']> {
  const url = new URL('api/v1/query_range', pullUrl.endsWith('/') ? pullUrl : `${pullUrl}/`);
  url.searchParams.set('query', query);
  url.searchParams.set('start', String(start.getTime() / 1000));
  url.searchParams.set('end', String(end.getTime() / 1000));
  url.searchParams.set('step', '60');
  const limit = options.maxAnswerBytes ?? PULL_MAX_ANSWER_BYTES;
  const res = await egressRequest({
    url: url.toString(),
    method: 'GET',
    headers: { accept: 'application/json', 'user-agent': `Yunguan/${VERSION}` },
    policy,
    resolve: options.resolve,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBodyBytes: limit,
  });
  const where = new URL(res.url).host;
  if (res.truncated) throw new AnswerTooLarge(`Prometheus ${where} answered more than ${limit} bytes`);
  let body: RangeAnswer | undefined;
  try {
    body = JSON.parse(res.body) as RangeAnswer;
  } catch {
    body = undefined;
  }
  if (res.status < 200 || res.status >= 300 || body?.status !== 'success' || !body.data) {
    const why = body?.error ?? (body ? 'no data' : `not JSON: ${res.body.slice(0, 200)}`);
    throw new Error(`Prometheus ${where} answered ${res.status}: ${why}`);
  }
  return body.data.result;
}

/**
 * Pull mode: for each jurisdiction with a Prometheus URL, query_range from where the last pull ended (at most
 * the last hour on a first run, at most 6 hours per run) to a minute ago, step 60 s, and store the points like
 * pushed samples. The cursor moves in the same transaction as the rollups, so a failed pull is simply redone.
 * Every request goes through the SSRF guard with the jurisdiction's egress policy (the one webhooks use): a
 * host not on its allow-list, or one resolving to a loopback/private/link-local address outside the networks
 * it explicitly allows, is refused (EgressRefused), here and after every redirect. An answer over the size
 * limit halves the window (down to 5 minutes) instead of failing every run: catching up takes more runs.
 */
export async function pullOnce(
  db: Db,
  jurisdictionId: string,
  now: Date,
  options: PullOptions = {},
): Promise<{ series: number; accepted: number; until: string } | null> {
  const s = await readSetting(db, jurisdictionId);
  if (!s.pullUrl) return null;
  const pullUrl = s.pullUrl;
  let end = new Date(Math.floor((now.getTime() - 60_000) / 60_000) * 60_000);
  let start = s.pullPulledUntil ? new Date(s.pullPulledUntil.getTime() + 60_000) : new Date(end.getTime() - HOUR);
  if (end.getTime() - start.getTime() > 6 * HOUR) start = new Date(end.getTime() - 6 * HOUR);
  if (start > end) return { series: 0, accepted: 0, until: s.pullPulledUntil?.toISOString() ?? end.toISOString() };
  const policy = await egressPolicyOf(db, jurisdictionId);
  const queries = pullQueries(s.mappingLabel);
  let series: IngestSeries[] = [];
  for (;;) {
    try {
      series = [];
      for (const metric of METRICS) {
        for (const r of await queryRange(pullUrl, queries[metric], start, end, policy, options)) {
          series.push({
            name: `pull:${metric}`,
            metric,
            key: r.metric[s.mappingLabel],
            samples: r.values.map(([t, v]) => ({ timestamp: Math.round(t * 1000), value: Number(v) })),
          });
        }
      }
      break;
    } catch (error) {
      const span = end.getTime() - start.getTime();
      if (!(error instanceof AnswerTooLarge) || span <= 5 * 60_000) throw error;
      end = new Date(start.getTime() + Math.floor(span / 2 / 60_000) * 60_000);
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
    const r = await storeSamples(trx, NIL, jurisdictionId, s.mappingLabel, series, now, jurisdictionId, {
      maxUnmappedSeries: options.maxUnmappedSeries,
    });
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
        const refused = err instanceof EgressRefused ? err.reason : undefined;
        log.warn(
          { err, jurisdictionId: jurisdiction_id, refused },
          refused ? 'monitoring pull refused by the egress policy' : 'monitoring pull failed',
        );
        out.push({ jurisdictionId: jurisdiction_id, error: (err as Error).message, refused });
      }
    }
    return out;
  },
};

export const MONITORING_JOBS: Job<DB>[] = [detectionJob, rectificationDeadlineJob, retentionJob, pullJob];
