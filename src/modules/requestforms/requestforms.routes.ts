import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { FORM_TITLE } from './requestforms.format.ts';
import * as forms from './requestforms.service.ts';

/** The largest upload: a 5,000-row form is well under 1 MB. */
const UPLOAD_LIMIT = 10 * 1024 * 1024;

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const XlsxFile = {
  description: 'the form as an Excel workbook (.xlsx)',
  content: { [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
};
// The uploaded workbook is raw bytes (a Buffer), which a JSON Schema cannot describe: the body schema
// only documents it and accepts anything; the form's own rules are checked cell by cell by the service.
const UploadBody = Type.Unsafe<Buffer>({ description: 'the .xlsx file, as the request body' });

export const requestFormRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db }) => {
  // Only this plugin's routes take a spreadsheet as their body.
  app.addContentTypeParser(
    [XLSX_MEDIA_TYPE, 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.get(
    '/request-forms/template',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['request-forms'],
        summary: 'The blank resource request form (云资源使用需求表, LZ annex 3) as .xlsx',
        description:
          'Title, contact line, the annex’s 17 headers (required ones in red), drop-down lists for 服务器类型 and ' +
          '集群部署, a frozen header and a second sheet with the annex’s notes and the import rules.',
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (_request, reply) =>
      reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('request-form-template.xlsx', `${FORM_TITLE}.xlsx`))
        .send(await forms.template()),
  );

  app.post(
    '/request-forms/import',
    {
      config: { permission: 'request-form:manage' },
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: ['request-forms'],
        summary: 'Import a filled-in form as a draft of the caller’s unit; any bad cell refuses the whole file',
        description:
          'The body is the .xlsx itself (Content-Type: ' +
          `${XLSX_MEDIA_TYPE} or application/octet-stream). Every row is checked; on any error nothing is stored ` +
          'and the 400 answer lists each bad cell as `row 12, 内存GB (K12)` with a Chinese and English message.',
        consumes: [XLSX_MEDIA_TYPE, 'application/octet-stream'],
        body: UploadBody,
        querystring: Type.Object({
          title: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'default: the system name' })),
          filename: Type.Optional(
            Type.String({ minLength: 1, maxLength: 255, description: 'the uploaded file’s name' }),
          ),
        }),
        response: { 201: Type.Ref('RequestForm'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('unsupported_media_type', `send the .xlsx itself as the body, as ${XLSX_MEDIA_TYPE}`);
      }
      const upload = await forms.readUpload(request.body);
      const stored = await withTenant(db, auth, (trx) =>
        forms.storeImport(trx, auth, actorOf(request), upload, request.query),
      );
      return reply.code(201).send(stored);
    },
  );

  app.get(
    '/request-forms',
    {
      config: { permission: 'request-form:manage' },
      schema: {
        tags: ['request-forms'],
        summary: 'The request forms of the caller’s unit (and its sub-units), newest first',
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('RequestFormSummary')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => forms.listForms(trx, auth, request.query));
    },
  );

  app.get(
    '/request-forms/:id',
    {
      config: { permission: 'request-form:manage' },
      schema: {
        tags: ['request-forms'],
        summary: 'One request form with its rows',
        params: IdParams,
        response: { 200: Type.Ref('RequestForm'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => forms.getForm(trx, auth, request.params.id));
    },
  );

  app.get(
    '/request-forms/:id/export',
    {
      config: { permission: 'request-form:manage' },
      schema: {
        tags: ['request-forms'],
        summary: 'The form back as the annex’s .xlsx (imports again unchanged); audited',
        description: 'Text that a spreadsheet would take for a formula (= + - @) is written with a leading apostrophe.',
        params: IdParams,
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const form = await withTenant(db, auth, (trx) => forms.getForm(trx, auth, request.params.id));
      // Built outside the transaction (the slow part), then audited.
      const body = await forms.renderForm(form);
      await withTenant(db, auth, (trx) => forms.recordExport(trx, actorOf(request), form, body.length));
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header(
          'content-disposition',
          attachment(`request-form-${form.id.slice(0, 8)}.xlsx`, `${FORM_TITLE}-${form.systemName}.xlsx`),
        )
        .send(body);
    },
  );

  app.delete(
    '/request-forms/:id',
    {
      config: { permission: 'request-form:manage' },
      schema: {
        tags: ['request-forms'],
        summary: 'Delete a draft form and its rows',
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await withTenant(db, auth, (trx) => forms.deleteForm(trx, auth, actorOf(request), request.params.id));
      return reply.code(204).send(null);
    },
  );
};
