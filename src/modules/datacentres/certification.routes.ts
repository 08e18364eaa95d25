import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment } from '../../platform/spreadsheet.ts';
import * as svc from './certification.service.ts';
import { Answers } from './datacentres.schemas.ts';
import { APPLICATION_STATUSES, ATTACHMENT_PURPOSES, PATHS } from './datacentres.table.ts';
import { precheckOf } from './precheck.ts';

const TAG = ['data-centres'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Upload = Type.Object({
  purpose: Type.Enum(ATTACHMENT_PURPOSES, {
    description:
      'an application: network, technology, scale, operations, security (LZ 13(1)-(5)) or site_survey; a room: closure or mlps_report',
  }),
  fileName: Type.String({ minLength: 1, maxLength: 200 }),
  mediaType: Type.String({ minLength: 3, maxLength: 100 }),
  contentBase64: Type.String({ minLength: 1, description: 'the file, base64; at most 5 MB decoded' }),
});
// 5 MB decoded is 6.7 MB of base64, plus the JSON around it
const UPLOAD_BODY_LIMIT = 7 * 1024 * 1024;
// Files are served as uploaded only for types a browser does not run as a page; anything else is a download.
const INLINE_SAFE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'application/zip']);
const Day = (description?: string) => Type.String({ format: 'date', description });

export const certificationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/data-centres/:id/precheck',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'The measurable criteria of LZ 13 checked against the register, each with its article',
        params: IdParams,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('DataCentrePrecheckItem')),
            failed: Type.Array(Type.Ref('DataCentrePrecheckItem')),
            passed: Type.Boolean(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => precheckOf(trx, auth, request.params.id));
    },
  );

  app.post(
    '/data-centres/:id/applications',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'Draft a certification application (LZ 14(2)) or, for sensitive data, one under LZ 17',
        params: IdParams,
        body: Type.Object({
          path: Type.Enum(PATHS, { default: 'standard' }),
          sensitiveReason: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], { default: null }),
          answers: Answers,
        }),
        response: { 201: Type.Ref('DataCentreApplication'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const out = await withTenant(db, auth, (trx) =>
        svc.createApplication(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(out);
    },
  );

  app.get(
    '/data-centres/applications',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'Certification applications: the unit’s own, or the whole jurisdiction’s',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(APPLICATION_STATUSES)),
          dataCentreId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('DataCentreApplication')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) => svc.listApplications(trx, auth, filter, { limit, offset }, clock.now()));
    },
  );

  app.get(
    '/data-centres/applications/:id',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'One application with its evidence, pre-check, deadlines and decision',
        params: IdParams,
        response: { 200: Type.Ref('DataCentreApplication'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getApplication(trx, auth, request.params.id, clock.now()));
    },
  );

  app.post(
    '/data-centres/applications/:id/attachments',
    {
      config: { permission: 'datacentre:read' },
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: {
        tags: TAG,
        summary: 'Upload evidence: the unit for a criterion while drafting, the ops unit its site survey record',
        params: IdParams,
        body: Upload,
        response: { 201: Type.Ref('DataCentreAttachment'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const out = await withTenant(db, auth, (trx) =>
        svc.uploadApplicationAttachment(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(out);
    },
  );

  app.post(
    '/data-centres/applications/:id/submit',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'Submit: each criterion answered with evidence; the evaluation’s working days start (LZ 14(3))',
        params: IdParams,
        response: { 200: Type.Ref('DataCentreApplication'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.submitApplication(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/data-centres/applications/:id/withdraw',
    {
      config: { permission: 'datacentre:register' },
      schema: {
        tags: TAG,
        summary: 'The unit withdraws an application not yet evaluated',
        params: IdParams,
        response: { 200: Type.Ref('DataCentreApplication'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.withdrawApplication(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/data-centres/applications/:id/evaluation',
    {
      config: { permission: 'datacentre:evaluate' },
      schema: {
        tags: TAG,
        summary: 'The ops unit’s evaluation with its site survey (LZ 14(3), 17); the authority’s days start',
        params: IdParams,
        body: Type.Object({
          siteSurveyOn: Type.Union([Day('the day of the site survey (现场勘查)'), Type.Null()], { default: null }),
          recommendation: Type.Enum(['approve', 'refuse']),
          opinion: Type.String({ minLength: 1, maxLength: 4000, description: '评估意见' }),
        }),
        response: { 200: Type.Ref('DataCentreApplication'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.evaluateApplication(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/data-centres/applications/:id/decision',
    {
      config: { permission: 'datacentre:approve' },
      schema: {
        tags: TAG,
        summary:
          'The authority approves (retained, LZ 14(4)) or refuses (transition period by racks, LZ 15), from today',
        params: IdParams,
        body: Type.Object({
          decision: Type.Enum(['approve', 'refuse']),
          reason: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()], { default: null }),
        }),
        response: {
          200: Type.Object({ application: Type.Ref('DataCentreApplication'), dataCentre: Type.Ref('DataCentre') }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.decideApplication(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.get(
    '/data-centres/attachments/:id',
    {
      config: { permission: 'datacentre:read' },
      schema: {
        tags: TAG,
        summary: 'Download an attachment (the unit that runs the room and jurisdiction-wide roles)',
        params: IdParams,
        response: {
          200: {
            description: 'the file as uploaded',
            content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const a = await withTenant(db, auth, (trx) => svc.downloadAttachment(trx, auth, request.params.id));
      return reply
        .type(INLINE_SAFE.has(a.media_type) ? a.media_type : 'application/octet-stream')
        .header('content-disposition', attachment(`attachment-${a.id.slice(0, 8)}`, a.file_name))
        .header('x-content-type-options', 'nosniff')
        .send(a.content);
    },
  );
};
