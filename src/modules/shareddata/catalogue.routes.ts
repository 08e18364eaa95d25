import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { writeCatalogue } from './catalogue.excel.ts';
import { importCatalogue } from './catalogue.import.ts';
import * as svc from './catalogue.service.ts';
import { FORMATS, SHARING_TYPES, UPDATE_SCHEDULES } from './shareddata.table.ts';

const TAG = ['shared-data'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const paging = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
};
const filters = {
  q: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'part of a name, summary, unit, system or field' }),
  ),
  sharingType: Type.Optional(Type.Enum(SHARING_TYPES)),
  organisationId: Type.Optional(Type.String({ format: 'uuid', description: 'the providing unit' })),
  format: Type.Optional(Type.Enum(FORMATS)),
  updateSchedule: Type.Optional(Type.Enum(UPDATE_SCHEDULES)),
};
const View = Type.Enum(['catalogue', 'mine', 'review'], {
  default: 'catalogue',
  description:
    'catalogue: published entries; mine: the caller’s unit’s entries in any state; review: awaiting the ops unit',
});
const XlsxFile = {
  description: 'the catalogue workbook (.xlsx): sheets 共享数据目录 and 信息项',
  content: { [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
};
const UPLOAD_LIMIT = 10 * 1024 * 1024;

export const catalogueRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.addContentTypeParser(
    [XLSX_MEDIA_TYPE, 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.get(
    '/shared-data/guide',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary:
          'The service guide’s figures: the jurisdiction’s shared-data rules (NB 13-15) and the catalogue’s size',
        response: { 200: Type.Ref('SharedDataGuide'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.guide(trx, auth));
    },
  );

  app.get(
    '/shared-data/resources',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'Search the shared-data catalogue (NB 15), the caller’s own entries, or the ops unit’s review queue',
        querystring: Type.Object({ view: View, ...filters, ...paging }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('DataResourceSummary')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { view, limit, offset, ...filter } = request.query;
      return withTenant(db, auth, (trx) => svc.listResources(trx, auth, view, filter, { limit, offset }));
    },
  );

  app.get(
    '/shared-data/resources/template',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'The blank catalogue workbook (sheets 共享数据目录, 信息项, 填写说明) with drop-down lists',
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (_request, reply) =>
      reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('shared-data-catalogue-template.xlsx', '共享数据目录模板.xlsx'))
        .send(await writeCatalogue([], false)),
  );

  app.get(
    '/shared-data/resources/export',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'The catalogue (or the caller’s own entries) as the catalogue workbook; formula-safe, audited',
        description:
          'view=catalogue exports published entries without their endpoint addresses; view=mine exports the unit’s ' +
          'newest versions with their addresses, so the file imports back unchanged.',
        querystring: Type.Object({ view: Type.Enum(['catalogue', 'mine'], { default: 'catalogue' }), ...filters }),
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { view, ...filter } = request.query;
      const versions = await withTenant(db, auth, async (trx) => {
        const { items } = await svc.listResources(trx, auth, view, filter, { limit: 500, offset: 0 });
        const out: svc.ResourceVersion[] = [];
        for (const item of items) {
          const version =
            view === 'mine'
              ? (item.openVersion?.version ?? item.publishedVersion ?? 1)
              : (item.publishedVersion as number);
          out.push(await svc.getVersion(trx, auth, item.id, version));
        }
        return out;
      });
      const body = await writeCatalogue(versions, view === 'mine');
      await withTenant(db, auth, (trx) => svc.recordExport(trx, actorOf(request), view, versions.length, body.length));
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('shared-data-catalogue.xlsx', '共享数据目录.xlsx'))
        .send(body);
    },
  );

  app.post(
    '/shared-data/resources/import',
    {
      config: { permission: 'shared-data:register' },
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: TAG,
        summary:
          'Import catalogue entries of the caller’s unit from the workbook, as drafts; any error refuses the file',
        description:
          `The body is the .xlsx itself (${XLSX_MEDIA_TYPE}). On any error nothing is stored and the 400 answer names ` +
          'each cell as `共享数据目录 第 5 行，共享类型（G5）`. An entry named like one of the unit’s resources becomes its next draft.',
        consumes: [XLSX_MEDIA_TYPE, 'application/octet-stream'],
        body: Type.Unsafe<Buffer>({ description: 'the .xlsx file' }),
        response: {
          201: Type.Object({
            created: Type.Integer(),
            updated: Type.Integer(),
            resources: Type.Array(
              Type.Object({ id: Type.String(), name: Type.String(), version: Type.Integer(), created: Type.Boolean() }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      if (!Buffer.isBuffer(request.body))
        throw new AppError('unsupported_media_type', `send the .xlsx itself as the body, as ${XLSX_MEDIA_TYPE}`);
      const body = request.body;
      const result = await withTenant(db, auth, (trx) =>
        importCatalogue(trx, auth, actorOf(request), body, clock.now()),
      );
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/shared-data/resources',
    {
      config: { permission: 'shared-data:register' },
      schema: {
        tags: TAG,
        summary: 'Register a data resource of the caller’s unit (a draft, version 1)',
        description:
          'Conditional sharing needs its condition, not shared its reason; the endpoint or file address is required unless ' +
          'not shared (http/https, no credentials). 422 shared_data_not_provided when the jurisdiction’s policy has no shared data.',
        body: Type.Ref('DataResourceInput'),
        response: { 201: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const created = await withTenant(db, auth, (trx) =>
        svc.createResource(trx, auth, actorOf(request), request.body as svc.ResourceInput, clock.now()),
      );
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/shared-data/resources/:id',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary:
          'A catalogue entry: the published version, the one being prepared (provider, ops), versions, the caller’s grant',
        params: IdParams,
        response: { 200: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getResource(trx, auth, request.params.id, clock.now()));
    },
  );

  app.get(
    '/shared-data/resources/:id/versions/:version',
    {
      config: { permission: 'shared-data:read' },
      schema: {
        tags: TAG,
        summary: 'One version of an entry (published versions for everyone; others for the provider and the ops unit)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), version: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Ref('DataResourceVersion'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => svc.getVersion(trx, auth, request.params.id, request.params.version));
    },
  );

  app.put(
    '/shared-data/resources/:id/draft',
    {
      config: { permission: 'shared-data:register' },
      schema: {
        tags: TAG,
        summary: 'Save the version being prepared (or start the next version of a published entry)',
        params: IdParams,
        body: Type.Ref('DataResourceInput'),
        response: { 200: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.saveDraft(trx, auth, actorOf(request), request.params.id, request.body as svc.ResourceInput, clock.now()),
      );
    },
  );

  app.post(
    '/shared-data/resources/:id/submit',
    {
      config: { permission: 'shared-data:register' },
      schema: {
        tags: TAG,
        summary: 'Submit the draft to the ops unit for review and publication',
        params: IdParams,
        response: { 200: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.submitResource(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/shared-data/resources/:id/review',
    {
      config: { permission: 'shared-data:review' },
      schema: {
        tags: TAG,
        summary: 'The ops unit publishes the submitted version, or returns it with a comment',
        description:
          'Publishing approves the endpoint address: it must pass the jurisdiction’s egress policy (allowed host; no loopback ' +
          'or private address unless that network is explicitly allowed), else 422 data_endpoint_refused.',
        params: IdParams,
        body: Type.Object({
          decision: Type.Enum(['publish', 'return']),
          comment: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], { default: null }),
        }),
        response: { 200: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.reviewResource(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/shared-data/resources/:id/withdraw',
    {
      config: { permission: 'shared-data:register' },
      schema: {
        tags: TAG,
        summary: 'Take the entry off the catalogue (the providing unit); grants stop on the next call',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }),
        response: { 200: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.withdrawResource(trx, auth, actorOf(request), request.params.id, request.body.reason, clock.now()),
      );
    },
  );

  app.put(
    '/shared-data/resources/:id/credential',
    {
      config: { permission: 'shared-data:authorise' },
      schema: {
        tags: TAG,
        summary: 'Set the credential the gateway sends to the providing system (sealed with SM4, never shown again)',
        params: IdParams,
        body: Type.Object({
          headerName: Type.String({
            pattern: '^[A-Za-z][A-Za-z0-9-]{0,63}$',
            description: 'e.g. Authorization or X-Api-Key',
          }),
          value: Type.String({ minLength: 1, maxLength: 4000, pattern: '^[^\\r\\n]*$' }),
        }),
        response: { 200: Type.Ref('DataResource'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.setCredential(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );
};
