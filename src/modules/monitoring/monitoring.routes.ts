import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { detect } from './monitoring.detect.ts';
import { foldStaged, mappedPositions } from './monitoring.fold.ts';
import { isMetric, readSetting, type Setting } from './monitoring.ingest.ts';
import { SamplesBody, SettingBody } from './monitoring.schemas.ts';
import * as svc from './monitoring.service.ts';
import { callerOf, requestDigest, SampleBatch, stageBatch, WIRE_METRICS, WIRE_NAMES } from './monitoring.staging.ts';
import { METRICS, type Metric, RULES } from './monitoring.table.ts';
import { scanWriteRequest, snappyDecode, WireError } from './monitoring.wire.ts';
import * as rect from './rectification.service.ts';

const PROTOBUF = 'application/x-protobuf';
const BODY_LIMIT = 32 * 1024 * 1024;
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Page = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
const Tags = ['monitoring'];
const Any = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });
/** Set on the answer to a resent request (the samples of one accepted within the window): nothing staged again. */
const DUPLICATE_HEADER = 'x-yunguan-duplicate';
/** What the ingest routes say about order, the window and resends (the same for both). */
const ORDER_RULES =
  'Order: samples may arrive in any order, within a request and across requests (rollups are sums, maxima and ' +
  'counts); "out of order" means only a sample older than the jurisdiction’s accepted window ' +
  '(outOfOrderMinutes, default 120) before the server’s clock, or more than 10 minutes ahead of it: such a ' +
  'sample refuses the whole request with 400 sample_out_of_window and nothing is stored. Resends: a request ' +
  'carrying exactly the samples (series, times, values, in order) of one accepted from the same caller within that ' +
  'window, such as Prometheus retrying a remote-write whose answer was lost, is answered as accepted and counted ' +
  'once (header x-yunguan-duplicate: true). A sample sent again inside a different request is counted again.';

export const monitoringRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  // The settings each jurisdiction's last pushed request was built with: a request is built with them and staged
  // only if they are still the jurisdiction's (checked in the staging statement); otherwise, and for the first
  // request, the settings are read and the request built again. Saves a statement per remote-write request.
  const remembered = new Map<string, Setting>();
  /** Builds a request's batch and stages it: 'empty' when there was nothing to stage. */
  const stageRequest = async (
    jurisdictionId: string,
    caller: ReturnType<typeof callerOf>,
    now: Date,
    build: (setting: Setting) => SampleBatch,
  ): Promise<'staged' | 'duplicate' | 'empty'> => {
    const known = remembered.get(jurisdictionId);
    if (known) {
      let batch: SampleBatch | undefined;
      try {
        batch = build(known);
      } catch (err) {
        // refused with the remembered settings: decided again with the current ones below
        if (!(err instanceof AppError)) throw err;
      }
      if (batch && !batch.empty) {
        const digest = requestDigest(caller, known.mappingLabel, batch);
        const outcome = await stageBatch(db, caller, batch, known, now, digest, true);
        if (outcome !== 'stale') return outcome;
      }
    }
    const setting = await readSetting(db, jurisdictionId);
    remembered.set(jurisdictionId, setting);
    const batch = build(setting);
    if (batch.empty) return 'empty';
    const digest = requestDigest(caller, setting.mappingLabel, batch);
    const outcome = await stageBatch(db, caller, batch, setting, now, digest, false);
    return outcome === 'stale' ? 'staged' : outcome;
  };

  app.addContentTypeParser(PROTOBUF, { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    '/monitoring/remote-write',
    {
      config: { permission: 'monitoring:ingest' },
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: Tags,
        summary: 'Prometheus remote-write 1.0 receiver (protobuf WriteRequest, snappy block compression)',
        description:
          'Point Prometheus, vmagent or any remote-write agent here with a Bearer API token holding monitoring:ingest. ' +
          'Series named yunguan_cpu_utilisation_percent, yunguan_memory_utilisation_percent, yunguan_disk_io_bytes_per_second, ' +
          'yunguan_network_receive_bytes_per_second, yunguan_network_transmit_bytes_per_second and `up` are rolled up ' +
          'hourly for the resource whose external id is the mapping label (default instance_id); other series are counted ' +
          'as unsupported, unknown label values as unmapped (GET /monitoring/unmapped). A malformed body or a sample ' +
          'outside the accepted window refuses the whole request with 400 and stores nothing. An accepted request is ' +
          'stored durably before the 204; the fold job adds it to the hourly rollups within YUNGUAN_MONITORING_FOLD_SECONDS ' +
          `(default 300 s), and a detection run folds first. ${ORDER_RULES}`,
        consumes: [PROTOBUF],
        body: Type.Unsafe<Buffer>({ description: 'snappy-compressed prometheus.WriteRequest' }),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('unsupported_media_type', `send a snappy-compressed WriteRequest as ${PROTOBUF}`);
      }
      const encoding = request.headers['content-encoding'];
      if (encoding !== undefined && encoding !== 'snappy') {
        throw new AppError('unsupported_media_type', `Content-Encoding ${encoding}: only snappy is accepted`);
      }
      const now = clock.now();
      const body = request.body;
      const build = (setting: Setting) => {
        const batch = new SampleBatch('wire', setting, now);
        try {
          scanWriteRequest(
            snappyDecode(body),
            [setting.mappingLabel],
            (s) =>
              batch.add(
                s.name ?? '',
                s.known >= 0 ? (WIRE_METRICS[s.known] as Metric) : null,
                s.kept[0],
                s.values,
                s.timestamps,
                s.count,
              ),
            WIRE_NAMES,
          );
        } catch (err) {
          if (err instanceof WireError) {
            throw new AppError(
              'payload_malformed',
              `${err.kind}: ${err.message}; nothing was stored / 数据格式错误，未写入任何数据`,
            );
          }
          throw err;
        }
        batch.assertInWindow();
        return batch;
      };
      // staged in one statement (unless it is a resend); the fold job rolls it up (monitoring.fold.ts)
      if ((await stageRequest(auth.jurisdictionId, callerOf(auth), now, build)) === 'duplicate') {
        reply.header(DUPLICATE_HEADER, 'true');
      }
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/monitoring/samples',
    {
      config: { permission: 'monitoring:ingest' },
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: Tags,
        summary: 'JSON batch of samples: all stored, or none (400 naming the bad series)',
        description:
          `metric: one of ${METRICS.join(', ')} (cpu and memory in percent, disk_io and network in bytes/s, heartbeat 0/1). ` +
          'resource: the value of the jurisdiction’s mapping label (resource external id); an unknown one is listed ' +
          `under GET /monitoring/unmapped as metric{label="value"}. ${ORDER_RULES}`,
        body: SamplesBody,
        response: { 200: Type.Ref('MonitoringIngestResult'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const now = clock.now();
      const setting = await readSetting(db, auth.jurisdictionId);
      const batch = new SampleBatch('json', setting, now);
      request.body.series.forEach((s, i) => {
        if (!isMetric(s.metric)) {
          throw new AppError('validation_failed', `body.series.${i}.metric: unknown metric "${s.metric}"`, [
            {
              field: `body.series.${i}.metric`,
              message: `unknown metric "${s.metric}"; metrics: ${METRICS.join(', ')}`,
            },
          ]);
        }
        const timestamps = s.samples.map(([t]) => t);
        const values = s.samples.map(([, v]) => v);
        batch.add(s.metric, s.metric, s.resource, values, timestamps, s.samples.length);
      });
      batch.assertInWindow();
      const caller = callerOf(auth);
      const answer = batch.answer(await mappedPositions(db, batch.keyList, caller));
      if (!batch.empty) {
        const digest = requestDigest(caller, setting.mappingLabel, batch);
        if ((await stageBatch(db, caller, batch, setting, now, digest, false)) === 'duplicate') {
          reply.header(DUPLICATE_HEADER, 'true');
        }
      }
      return answer;
    },
  );

  app.get(
    '/monitoring/unmapped',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Series that mapped to no resource (or are no Yunguan metric), with their sample counts',
        description:
          'items: the listed series (a page), total: how many are listed. A fold or pull lists at most 10,000 series ' +
          'one by one; the rest are counted per caller: notListed { series, samples } (a series left out by several ' +
          'folds counts once per fold). samples: every unmapped sample, listed or not. quarantined { batches, ' +
          'samples, lastAt, lastError }: accepted requests the fold could not read or write, set aside with the error.',
        querystring: Type.Object(Page),
        response: { 200: Any, ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => svc.listUnmapped(trx, request.query)),
  );

  app.get(
    '/monitoring/settings',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary:
          'The caller’s jurisdiction’s monitoring settings and effective thresholds (with where each comes from)',
        response: { 200: Type.Ref('MonitoringSetting'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.settingView(trx, auth.jurisdictionId));
    },
  );

  app.put(
    '/monitoring/settings',
    {
      config: { permission: 'monitoring:manage' },
      schema: {
        tags: Tags,
        summary: 'Change the mapping label, threshold overrides, retention, accepted window, deadline, pull URL',
        description:
          'The pull URL (a Prometheus whose HTTP API Yunguan queries every 5 minutes) must pass the jurisdiction’s ' +
          'egress policy, set by the system administrator (PUT /webhooks/egress-policy): otherwise 422 ' +
          'pull_target_refused naming body.pullUrl. Every pull is checked again, redirects included.',
        body: SettingBody,
        response: { 200: Type.Ref('MonitoringSetting'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.updateSetting(trx, auth, actorOf(request), request.body, clock.now()));
    },
  );

  app.post(
    '/monitoring/detection-runs',
    {
      config: { permission: 'monitoring:manage' },
      schema: {
        tags: Tags,
        summary: 'Run detection now over the caller’s jurisdiction (the hourly job does the same)',
        response: { 200: Any, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      // what was staged up to now counts (a silent agent whose samples wait for the fold is not silent)
      await foldStaged(db, { now: clock.now() });
      return withTenant(db, auth, (trx) => detect(trx, actorOf(request), auth.jurisdictionId, clock.now()));
    },
  );

  app.get(
    '/monitoring/findings',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Findings (low utilisation, zombie, silent agent) the caller may see, newest first',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union(['open', 'cleared', 'in_rectification', 'resolved', 'escalated'].map((s) => Type.Literal(s))),
          ),
          rule: Type.Optional(Type.Union(RULES.map((r) => Type.Literal(r)))),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
          ...Page,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('MonitoringFinding')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      withTenant(db, authOf(request), (trx) =>
        svc.listFindings(trx, request.query as Parameters<typeof svc.listFindings>[1]),
      ),
  );

  app.get(
    '/monitoring/findings/:id',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'One finding with its evidence',
        params: IdParams,
        response: { 200: Type.Ref('MonitoringFinding'), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => svc.getFinding(trx, request.params.id)),
  );

  app.get(
    '/monitoring/resources/:id/series',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Hourly rollups of one resource’s metric (trend chart)',
        params: IdParams,
        querystring: Type.Object({
          metric: Type.Union(
            METRICS.map((m) => Type.Literal(m)),
            { default: 'cpu' },
          ),
          from: Type.String({ format: 'date-time' }),
          to: Type.String({ format: 'date-time' }),
        }),
        response: { 200: Any, ...problemResponses },
      },
    },
    async (request) =>
      withTenant(db, authOf(request), (trx) =>
        svc.resourceSeries(trx, request.params.id, {
          metric: request.query.metric,
          from: new Date(request.query.from),
          to: new Date(request.query.to),
        }),
      ),
  );

  // ------------------------------------------------------------------------------ rectification

  app.post(
    '/monitoring/findings/:id/rectifications',
    {
      config: { permission: 'monitoring:manage' },
      schema: {
        tags: Tags,
        summary: 'Propose a warning for an open finding; the authority approves it before the unit is warned (SH 25)',
        params: IdParams,
        body: Type.Object({
          reason: Type.String({ minLength: 1, maxLength: 2000 }),
          workingDays: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 60, description: 'default: the jurisdiction’s setting (10)' }),
          ),
        }),
        response: { 201: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await withTenant(db, auth, (trx) =>
        rect.propose(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/monitoring/rectifications',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Rectifications the caller may see, newest first, with unit, resource, rule and overdue flag',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union(
              [
                'proposed',
                'warned',
                'responded',
                'accepted',
                'consent_requested',
                'declined',
                'escalated',
                'reversed',
                'withdrawn',
              ].map((s) => Type.Literal(s)),
            ),
          ),
          organisationId: Type.Optional(Type.String({ format: 'uuid', description: 'the warned unit' })),
          findingId: Type.Optional(Type.String({ format: 'uuid' })),
          ...Page,
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('RectificationListItem')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        rect.listRectifications(trx, auth.visibility, request.query as rect.RectificationFilter, clock.now()),
      );
    },
  );

  app.get(
    '/monitoring/rectifications/:id',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'One rectification',
        params: IdParams,
        response: { 200: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => rect.getRectification(trx, request.params.id)),
  );

  app.post(
    '/monitoring/rectifications/:id/decision',
    {
      config: { permission: 'rectification:approve' },
      schema: {
        tags: Tags,
        summary: 'The authority approves the warning (it goes out with its working-day deadline) or refuses it',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('approve'), Type.Literal('refuse')]),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        rect.decide(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/monitoring/rectifications/:id/response',
    {
      config: { permission: 'rectification:respond' },
      schema: {
        tags: Tags,
        summary: 'The unit answers the warning before its deadline: justify, downsize or release',
        params: IdParams,
        body: Type.Object({
          action: Type.Union([Type.Literal('justify'), Type.Literal('downsize'), Type.Literal('release')]),
          comment: Type.Optional(Type.String({ maxLength: 4000 })),
        }),
        response: { 200: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        rect.respond(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/monitoring/rectifications/:id/review',
    {
      config: { permission: 'monitoring:manage' },
      schema: {
        tags: Tags,
        summary: 'Ops accepts the unit’s answer (resolved) or rejects it (the warning and its deadline stand)',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('accept'), Type.Literal('reject')]),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        rect.review(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/monitoring/rectifications/:id/consent',
    {
      config: { permission: 'rectification:approve' },
      schema: {
        tags: Tags,
        summary:
          'The competent authority consents to stopping the unit’s allocations and reclaiming the resource, or declines (SH 25 经政务云主管部门同意)',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('consent'), Type.Literal('decline')]),
          comment: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        rect.consent(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/monitoring/rectifications/:id/reversal',
    {
      config: { permission: 'rectification:approve' },
      schema: {
        tags: Tags,
        summary: 'The authority reverses an escalation: the unit’s allocations resume',
        params: IdParams,
        body: Type.Object({ comment: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: Type.Ref('Rectification'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        rect.reverse(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  // ------------------------------------------------------------------------------ reports

  app.get(
    '/monitoring/reports/utilisation',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Weekly or monthly utilisation per unit and city-wide (TZ 12); format=xlsx exports it (audited)',
        querystring: Type.Object({
          period: Type.Union([Type.Literal('week'), Type.Literal('month')]),
          start: Type.String({ description: 'first day (week) or any day of the month, YYYY-MM-DD' }),
          format: Type.Union([Type.Literal('json'), Type.Literal('xlsx')], { default: 'json' }),
        }),
        response: {
          200: {
            description: 'the report',
            content: {
              'application/json': { schema: Type.Ref('UtilisationReport') },
              [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { period, start, format } = request.query;
      // the answer is sent only after the transaction (and with it the export's audit entry) has committed
      const result = await withTenant(db, auth, async (trx) => {
        const report = await svc.utilisationReport(trx, period, start);
        if (format !== 'xlsx') return { report };
        return { report, body: await svc.utilisationWorkbook(trx, actorOf(request), report) };
      });
      if (!result.body) return reply.type('application/json').send(result.report);
      const name = `utilisation-${period}-${result.report.from}.xlsx`;
      return reply.type(XLSX_MEDIA_TYPE).header('content-disposition', attachment(name)).send(result.body);
    },
  );

  app.get(
    '/monitoring/reports/heatmap',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Average CPU of each unit per day (ECharts heat map data)',
        querystring: Type.Object({ from: Type.String(), days: Type.Integer({ minimum: 1, maximum: 92, default: 30 }) }),
        response: { 200: Any, ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => svc.heatmap(trx, request.query)),
  );

  app.get(
    '/monitoring/reports/analysis',
    {
      config: { permission: 'monitoring:read' },
      schema: {
        tags: Tags,
        summary: 'Monthly analysis with right-sizing suggestions (TZ 12(5))',
        querystring: Type.Object({ month: Type.String({ description: 'YYYY-MM' }) }),
        response: { 200: Type.Ref('MonthlyAnalysis'), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => svc.monthlyAnalysis(trx, request.query.month)),
  );
};
