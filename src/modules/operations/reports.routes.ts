import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { PDF_MEDIA_TYPE } from '../../platform/pdf.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { reportPdf } from './reports.pdf.ts';
import * as reports from './reports.service.ts';

const TAGS = ['operations'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Any = Type.Any({ description: 'the report’s figures: inventory, utilisation, settlement, tickets, maintenance' });
const Period = Type.Union([Type.Literal('week'), Type.Literal('month')]);
const Start = Type.String({ format: 'date', description: 'first day (week) or any day of the month, YYYY-MM-DD' });
const ReportMeta = Type.Object({
  id: Type.String({ format: 'uuid' }),
  scope: Type.Union([Type.Literal('city'), Type.Literal('provider')]),
  provider: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  period: Period,
  from: Type.String(),
  to: Type.String(),
  contentHash: Type.String({ description: 'SM3 of the archived workbook' }),
  generatedBy: Type.String(),
  generatedAt: Type.String({ format: 'date-time' }),
});

export const reportRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/operations/reports/preview',
    {
      config: { permission: 'ops-report:read' },
      schema: {
        tags: TAGS,
        summary: 'The figures of a weekly or monthly operations report (TZ 12), not archived',
        querystring: Type.Object({
          period: Period,
          start: Start,
          providerId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 200: Any, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => reports.reportFigures(trx, auth, request.query, clock.now()));
    },
  );

  app.post(
    '/operations/reports',
    {
      config: { permission: 'ops-report:generate' },
      schema: {
        tags: TAGS,
        summary: 'Generate and archive a weekly or monthly report (.xlsx with its SM3 content hash)',
        description: 'A provider’s report is its own; the ops unit generates the city-wide one or any provider’s.',
        body: Type.Object({
          period: Period,
          start: Start,
          providerId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
        }),
        response: {
          201: Type.Object({ id: Type.String({ format: 'uuid' }), contentHash: Type.String(), figures: Any }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await withTenant(db, auth, (trx) =>
        reports.generateReport(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/operations/reports',
    {
      config: { permission: 'ops-report:read' },
      schema: {
        tags: TAGS,
        summary: 'The archive of reports the caller may see, newest first',
        response: { 200: Type.Object({ items: Type.Array(ReportMeta) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => reports.listReports(trx, auth));
    },
  );

  app.get(
    '/operations/reports/:id',
    {
      config: { permission: 'ops-report:read' },
      schema: {
        tags: TAGS,
        summary: 'An archived report with its figures',
        params: IdParams,
        response: { 200: Type.Object({ ...ReportMeta.properties, figures: Any }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => reports.getReport(trx, auth, request.params.id));
    },
  );

  app.get(
    '/operations/reports/:id/workbook',
    {
      config: { permission: 'ops-report:read' },
      schema: {
        tags: TAGS,
        summary: 'The archived workbook, byte for byte (its SM3 is the report’s content hash); audited',
        params: IdParams,
        response: {
          200: {
            description: 'the workbook',
            content: { [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await withTenant(db, auth, (trx) =>
        reports.downloadReport(trx, auth, actorOf(request), request.params.id),
      );
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment(r.name))
        .header('x-content-sm3', r.hash)
        .send(r.body);
    },
  );

  app.get(
    '/operations/reports/:id/pdf',
    {
      config: { permission: 'ops-report:read' },
      schema: {
        tags: TAGS,
        summary: 'The archived report as a printable PDF (Chinese font embedded); audited',
        description:
          '503 pdf_font_unavailable when the server has no Chinese font (fonts-noto-cjk); the workbook stays.',
        params: IdParams,
        response: {
          200: {
            description: 'the PDF',
            content: { [PDF_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const r = await withTenant(db, auth, (trx) => reportPdf(trx, auth, actorOf(request), request.params.id));
      return reply.type(PDF_MEDIA_TYPE).header('content-disposition', attachment(r.name)).send(r.body);
    },
  );
};
