import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import type { Actor } from '../../platform/audit/audit.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { PDF_MEDIA_TYPE } from '../../platform/pdf.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import type { Db } from '../../schema.ts';
import { openRunMonths, settle } from '../metering/index.ts';
import * as evidence from './evaluation.evidence.ts';
import { writeResults } from './evaluation.export.ts';
import type { Outcomes } from './evaluation.outcomes.ts';
import { evaluationReportPdf } from './evaluation.report.ts';
import * as svc from './evaluation.service.ts';

const TAG = ['evaluation'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const Resettled = Type.Array(Type.String(), {
  description: 'the months whose open settlement runs were recomputed with the new coefficients',
});

/**
 * After the coefficients changed (publication, an upheld appeal): recompute the runs of those months that exist and
 * are not closed, each in the engine's own transaction. Closed months are never touched; months without a run
 * pick the coefficient up when they are computed.
 */
async function resettle(db: Db, actor: Actor, jurisdiction: string, months: string[], now: Date) {
  const open = await openRunMonths(db, jurisdiction, months);
  for (const month of open) await settle(db, actor, { jurisdiction, month, now });
  return open;
}

export const evaluationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/evaluations',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary:
          'Evaluations: all in scope for the ops unit and authorities; the published ones for units and providers',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Evaluation')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.listEvaluations(trx, auth));
    },
  );

  app.post(
    '/evaluations',
    {
      config: { permission: 'evaluation:draft' },
      schema: {
        tags: TAG,
        summary: 'Compute a draft evaluation of the caller’s jurisdiction for a period (inputs snapshotted and hashed)',
        body: Type.Object({
          period: Type.String({ description: '2026 (annual) or 2026-Q3 (quarterly), as the pack says' }),
          effectiveFrom: Type.Optional(Month),
        }),
        response: { 201: Type.Ref('Evaluation'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const e = await withTenant(db, auth, (trx) =>
        svc.createDraft(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(e);
    },
  );

  app.get(
    '/evaluations/:id',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary:
          'An evaluation with the cards the caller may see (a unit its own, a provider its own, authorities all)',
        params: IdParams,
        response: { 200: Type.Ref('Evaluation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getEvaluation(trx, auth, request.params.id));
    },
  );

  app.post(
    '/evaluations/:id/recompute',
    {
      config: { permission: 'evaluation:draft' },
      schema: {
        tags: TAG,
        summary: 'Recompute a draft from the data as it is now; the same data gives the same content hash',
        params: IdParams,
        response: { 200: Type.Ref('Evaluation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.recompute(trx, auth, actorOf(request), request.params.id, clock.now()));
    },
  );

  app.put(
    '/evaluations/:id/scores',
    {
      config: { permission: 'evaluation:draft' },
      schema: {
        tags: TAG,
        summary: 'Enter a score the template has people enter (site inspection, security review) with its evidence',
        params: IdParams,
        body: Type.Object({
          organisationId: Type.String({ format: 'uuid' }),
          indicator: Type.String({ minLength: 1, maxLength: 40 }),
          score: Type.String({ description: '0-100, up to two places' }),
          evidence: Type.String({ minLength: 1, maxLength: 2000, description: 'what the score rests on' }),
        }),
        response: { 200: Type.Ref('Evaluation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.enterManualScore(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/evaluations/:id/review',
    {
      config: { permission: 'evaluation:review' },
      schema: {
        tags: TAG,
        summary:
          'The ops unit reviews the draft it read (its content hash) and passes it to the authority; whoever computed ' +
          'the draft or entered a score on it may not review it (409 duties_not_separated)',
        params: IdParams,
        body: Type.Object({ contentHash: Type.String() }),
        response: { 200: Type.Ref('Evaluation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.review(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/evaluations/:id/approve',
    {
      config: { permission: 'evaluation:approve' },
      schema: {
        tags: TAG,
        summary: 'The competent authority approves a reviewed evaluation (SH 33)',
        params: IdParams,
        response: { 200: Type.Ref('Evaluation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.approve(trx, auth, actorOf(request), request.params.id, clock.now()));
    },
  );

  app.post(
    '/evaluations/:id/publish',
    {
      config: { permission: 'evaluation:approve' },
      schema: {
        tags: TAG,
        summary:
          'The authority publishes (SH 34): the appeal window opens and the units’ coefficients apply from the named ' +
          'month (SH 27); open settlement runs of those months are recomputed, closed months keep theirs',
        params: IdParams,
        body: Type.Object({ effectiveFrom: Type.Optional(Month) }),
        response: {
          200: Type.Object({ evaluation: Type.Ref('Evaluation'), resettled: Resettled }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const actor = actorOf(request);
      const r = await withTenant(db, auth, (trx) =>
        svc.publish(trx, auth, actor, request.params.id, request.body, clock.now()),
      );
      const resettled = await resettle(db, actor, r.jurisdiction, r.changedMonths, clock.now());
      return { evaluation: r.evaluation, resettled };
    },
  );

  app.get(
    '/evaluations/:id/survey',
    {
      config: { permission: 'evaluation:survey' },
      schema: {
        tags: TAG,
        summary: 'The satisfaction survey of the caller’s unit: the providers that served it and its answers',
        params: IdParams,
        response: { 200: Type.Unknown(), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.surveyForm(trx, auth, request.params.id));
    },
  );

  app.put(
    '/evaluations/:id/survey/:providerId',
    {
      config: { permission: 'evaluation:survey' },
      schema: {
        tags: TAG,
        summary:
          'The unit rates a provider that served it (one answer per unit and provider; anonymous to the provider)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), providerId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({
          answers: Type.Record(Type.String(), Type.Integer(), { description: 'question id -> 1..5' }),
          comment: Type.Optional(Type.String({ maxLength: 1000 })),
        }),
        response: { 200: Type.Unknown(), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.submitSurvey(
          trx,
          auth,
          actorOf(request),
          request.params.id,
          { providerId: request.params.providerId, ...request.body },
          clock.now(),
        ),
      );
    },
  );

  app.get(
    '/evaluations/:id/surveys',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary:
          'Survey answers by unit: the authorities all, a unit its own, a provider none (it sees only its totals)',
        params: IdParams,
        response: { 200: Type.Unknown(), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.listSurveys(trx, auth, request.params.id));
    },
  );

  app.get(
    '/evaluations/:id/appeals',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary: 'Appeals: a unit or provider its own, the authorities all',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('EvaluationAppeal')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.listAppeals(trx, auth, request.params.id));
    },
  );

  app.post(
    '/evaluations/:id/appeals',
    {
      config: { permission: 'evaluation:appeal' },
      schema: {
        tags: TAG,
        summary: 'Contest one indicator of the caller’s own card within the appeal window (working days, in the pack)',
        params: IdParams,
        body: Type.Object({
          indicator: Type.String({ minLength: 1, maxLength: 40 }),
          reason: Type.String({ minLength: 1, maxLength: 2000 }),
        }),
        response: { 201: Type.Ref('EvaluationAppeal'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const a = await withTenant(db, auth, (trx) =>
        svc.fileAppeal(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(a);
    },
  );

  app.post(
    '/evaluations/appeals/:id/decision',
    {
      config: { permission: 'evaluation:approve' },
      schema: {
        tags: TAG,
        summary:
          'The authority decides an appeal; upheld with a new score, the card is republished and the coefficients of ' +
          'months not closed follow (their open runs recomputed)',
        params: IdParams,
        body: Type.Object({
          decision: Type.Union([Type.Literal('upheld'), Type.Literal('rejected')]),
          reason: Type.String({ minLength: 1, maxLength: 2000 }),
          score: Type.Optional(Type.String({ description: 'upheld: the indicator’s new score, 0-100' })),
        }),
        response: {
          200: Type.Object({ appeal: Type.Ref('EvaluationAppeal'), resettled: Resettled }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const actor = actorOf(request);
      const r = await withTenant(db, auth, (trx) =>
        svc.decideAppeal(trx, auth, actor, request.params.id, request.body, clock.now()),
      );
      const resettled = await resettle(db, actor, r.jurisdiction, r.changedMonths, clock.now());
      return { appeal: r.appeal, resettled };
    },
  );

  app.get(
    '/evaluations/trend/:organisationId',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary:
          'One unit’s or provider’s published totals over the periods (the caller’s own, or any for authorities)',
        params: Type.Object({ organisationId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Unknown(), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.trendOf(trx, auth, request.params.organisationId));
    },
  );

  app.get(
    '/evaluations/:id/export',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary: 'The published results the caller may see as an Excel workbook (ranked, every indicator); audited',
        params: IdParams,
        response: {
          200: {
            description: 'an Excel workbook (.xlsx)',
            content: { [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { body, period } = await withTenant(db, auth, async (trx) => {
        const e = await svc.getEvaluation(trx, auth, request.params.id);
        if (e.status !== 'published') {
          throw new AppError('conflict', 'only published results are exported / 仅可导出已发布结果');
        }
        const file = await writeResults({ ...e, cards: e.cards ?? [] });
        await writeAudit(trx, actorOf(request), {
          action: 'evaluation.exported',
          objectType: 'evaluation',
          objectId: e.id,
          detail: { cards: e.cards?.length ?? 0, bytes: file.length },
        });
        return { body: file, period: e.period };
      });
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment(`evaluation-${period}.xlsx`, `${period}年度效能评估结果.xlsx`))
        .send(body);
    },
  );
  app.get(
    '/evaluations/:id/outcomes',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary:
          'What publication produced: next year’s allocation advice per unit and project (LZ 30(1), SH 34) and the ' +
          'providers’ fee adjustments (SH 34, where the pack ties the fee to the result); a unit sees its own advice, ' +
          'a provider its own figure, the authorities all',
        params: IdParams,
        response: { 200: Type.Unknown(), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.outcomesOf(trx, auth, request.params.id));
    },
  );

  app.get(
    '/evaluations/:id/report.pdf',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary:
          'The published results the caller may see as a printable PDF report (Chinese font embedded), with the ' +
          'allocation advice and fee adjustments; audited. 503 pdf_font_unavailable without a Chinese font.',
        params: IdParams,
        response: {
          200: {
            description: 'a PDF report',
            content: { [PDF_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { body, period } = await withTenant(db, auth, async (trx) => {
        const e = await svc.getEvaluation(trx, auth, request.params.id);
        if (e.status !== 'published') {
          throw new AppError('conflict', 'only published results are printed / 仅可打印已发布结果');
        }
        const outcomes = (await svc.outcomesOf(trx, auth, e.id)) as unknown as Outcomes;
        const file = await evaluationReportPdf(
          { ...e, cards: e.cards ?? [], outcomes },
          new Date(e.publishedAt ?? e.computedAt),
        );
        await writeAudit(trx, actorOf(request), {
          action: 'evaluation.report_printed',
          objectType: 'evaluation',
          objectId: e.id,
          detail: { cards: e.cards?.length ?? 0, bytes: file.length, revision: e.revision },
        });
        return { body: file, period: e.period };
      });
      return reply
        .type(PDF_MEDIA_TYPE)
        .header('content-disposition', attachment(`evaluation-${period}.pdf`, `${period}年度效能评估报告.pdf`))
        .send(body);
    },
  );

  const Evidence = Type.Object({
    id: Type.String(),
    evaluationId: Type.String(),
    organisationId: Type.String(),
    indicator: Type.String(),
    fileName: Type.String(),
    mediaType: Type.String(),
    sizeBytes: Type.Integer(),
    sha256: Type.String(),
    uploadedBy: Type.String(),
    uploadedAt: Type.String(),
  });

  app.post(
    '/evaluations/:id/evidence',
    {
      config: { permission: 'evaluation:draft' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary:
          'Attach an evidence file (base64, at most 5 MB) to an evaluated organisation’s indicator on a draft; the ' +
          'draft recomputes (the files’ SHA-256 are part of the inputs) and the uploader may not review it',
        params: IdParams,
        body: Type.Object({
          organisationId: Type.String({ format: 'uuid' }),
          indicator: Type.String({ minLength: 1, maxLength: 40 }),
          fileName: Type.String({ minLength: 1, maxLength: 200 }),
          mediaType: Type.String({ minLength: 3, maxLength: 100 }),
          contentBase64: Type.String({ minLength: 1 }),
        }),
        response: {
          201: Type.Object({ attachment: Evidence, evaluation: Type.Ref('Evaluation') }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await withTenant(db, auth, (trx) =>
        evidence.uploadEvidence(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/evaluations/:id/evidence',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary: 'Evidence files of an evaluation: the authorities all, an evaluated unit or provider its own',
        params: IdParams,
        querystring: Type.Object({
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
          indicator: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Evidence) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => evidence.listEvidence(trx, auth, request.params.id, request.query));
    },
  );

  app.get(
    '/evaluations/evidence/:id',
    {
      config: { permission: 'evaluation:read' },
      schema: {
        tags: TAG,
        summary: 'Download one evidence file (whoever may see it in the list)',
        params: IdParams,
        response: {
          200: {
            description: 'the file',
            content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const a = await withTenant(db, auth, (trx) => evidence.downloadEvidence(trx, auth, request.params.id));
      return reply
        .type(a.media_type)
        .header('content-disposition', attachment(`evidence-${a.id.slice(0, 8)}`, a.file_name))
        .send(a.content);
    },
  );
};
