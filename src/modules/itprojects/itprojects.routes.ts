import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { catalogueInForce } from '../catalogue/index.ts';
import { budgetView, budgetWorkbook, projectBudgetView, setBudget } from './itprojects.budget.ts';
import * as decl from './itprojects.declarations.ts';
import * as delivery from './itprojects.delivery.ts';
import { FORM_TITLE, readForm, writeForm } from './itprojects.form.ts';
import * as repo from './itprojects.repository.ts';
import { ChecklistAnswerSchema, DeploymentLineSchema, SharingLineSchema } from './itprojects.schemas.ts';
import { DECLARATION_STATUSES } from './itprojects.table.ts';

const TAG = ['it-projects'];
const UPLOAD_LIMIT = 10 * 1024 * 1024;
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const XlsxFile = {
  description: 'an Excel workbook (.xlsx)',
  content: { [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) } },
};
const UploadBody = Type.Unsafe<Buffer>({ description: 'the .xlsx file, as the request body' });
const YuanIn = (description: string) => Type.String({ minLength: 1, maxLength: 20, description });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Declaration = { 200: Type.Ref('ItDeclaration'), ...problemResponses };

const DeclarationBody = Type.Object({
  projectId: Type.String({ format: 'uuid' }),
  roundId: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
  urgent: Type.Optional(Type.Boolean({ description: 'outside the annual plan (JQ-proj 8)' })),
  urgentReason: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  feasibilitySummary: Text(5000),
  investment: YuanIn('investment estimate, yuan'),
  fundingSource: Text(1000),
  deploymentPlan: Type.Array(DeploymentLineSchema, { maxItems: 500 }),
  dataSharingPlan: Type.Array(SharingLineSchema, { maxItems: 500 }),
});

export const itProjectRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.addContentTypeParser(
    [XLSX_MEDIA_TYPE, 'application/octet-stream'],
    { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT },
    (_request, body, done) => done(null, body),
  );

  // ---- rounds ----
  app.get(
    '/it-projects/rounds',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'Declaration rounds in the caller’s jurisdictions',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('ItDeclarationRound')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return { items: await withTenant(db, auth, (trx) => decl.listRounds(trx, auth)) };
    },
  );

  app.post(
    '/it-projects/rounds',
    {
      config: { permission: 'project:approve' },
      schema: {
        tags: TAG,
        summary: 'Open the declaration round of next year’s projects (JQ-proj 7(1): in September)',
        description: 'The deadline is the last working day of the month in the jurisdiction’s calendar.',
        body: Type.Object({
          jurisdiction: Type.String({ minLength: 1, maxLength: 40 }),
          planYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
          investmentCeiling: YuanIn('the year’s investment ceiling (政府投资控制规模), yuan'),
        }),
        response: { 201: Type.Ref('ItDeclarationRound'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const round = await withTenant(db, auth, (trx) =>
        decl.openRound(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(round);
    },
  );

  app.post(
    '/it-projects/rounds/:id/plan',
    {
      config: { permission: 'project:approve' },
      schema: {
        tags: TAG,
        summary: 'Set the annual plan from passed declarations, within the investment ceiling (JQ-proj 7(3))',
        params: IdParams,
        body: Type.Object({ declarationIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 2000 }) }),
        response: { 200: Type.Ref('ItDeclarationRound'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        decl.assemblePlan(trx, auth, actorOf(request), request.params.id, request.body.declarationIds, clock.now()),
      );
    },
  );

  // ---- declarations ----
  app.get(
    '/it-projects/declarations',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'Declarations the caller may see (a unit its own)',
        querystring: Type.Object({
          roundId: Type.Optional(Type.String({ format: 'uuid' })),
          status: Type.Optional(Type.Enum(DECLARATION_STATUSES)),
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('ItDeclaration')) }), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => decl.listDeclarations(trx, request.query)),
  );

  app.post(
    '/it-projects/declarations',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Declare a project: deployment plan priced at the catalogue in force, data-sharing plan (NB 17)',
        body: DeclarationBody,
        response: { 201: Type.Ref('ItDeclaration'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const d = await withTenant(db, auth, (trx) =>
        decl.createDeclaration(trx, auth, actorOf(request), request.body, clock.now()),
      );
      return reply.code(201).send(d);
    },
  );

  app.get(
    '/it-projects/declarations/:id',
    {
      config: { permission: 'project:read' },
      schema: { tags: TAG, summary: 'One declaration', params: IdParams, response: Declaration },
    },
    async (request) => withTenant(db, authOf(request), (trx) => decl.readDeclaration(trx, request.params.id)),
  );

  app.post(
    '/it-projects/declarations/:id/submit',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'File the declaration before the round’s deadline',
        params: IdParams,
        response: Declaration,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        decl.submitDeclaration(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/it-projects/declarations/:id/review',
    {
      config: { permission: 'project:review' },
      schema: {
        tags: TAG,
        summary: 'Preliminary review: every checklist item of the pack answered with a note (JQ-proj 7(2), NB 17)',
        params: IdParams,
        body: Type.Object({ answers: Type.Array(ChecklistAnswerSchema, { maxItems: 20 }) }),
        response: Declaration,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        decl.reviewDeclaration(trx, auth, actorOf(request), request.params.id, request.body.answers, clock.now()),
      );
    },
  );

  app.post(
    '/it-projects/declarations/:id/approve',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'Approve the project (立项) — by the role the pack names (projects.approvalRole; JQ-proj 7(4))',
        params: IdParams,
        body: Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: Declaration,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        decl.approveDeclaration(
          trx,
          auth,
          actorOf(request),
          request.params.id,
          request.body.comment ?? null,
          clock.now(),
        ),
      );
    },
  );

  app.post(
    '/it-projects/declarations/:id/design-review',
    {
      config: { permission: 'project:approve' },
      schema: {
        tags: TAG,
        summary: 'Design and budget review (JQ-proj 7(6))',
        params: IdParams,
        body: Type.Object({ passed: Type.Boolean(), note: Text(2000) }),
        response: Declaration,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        decl.reviewDesign(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  // ---- the declaration form as Excel ----
  app.get(
    '/it-projects/declaration-form/template',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'The blank declaration form (JQ-proj annex 1) as .xlsx',
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const items = await withTenant(
        db,
        auth,
        async (trx) =>
          (await catalogueInForce(trx, await repo.jurisdictionCodeById(trx, auth.jurisdictionId), clock.now())).items,
      );
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('declaration-form.xlsx', `${FORM_TITLE}.xlsx`))
        .send(await writeForm(null, items));
    },
  );

  app.get(
    '/it-projects/declarations/:id/form',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'A declaration as the filled-in form (.xlsx)',
        params: IdParams,
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { d, items } = await withTenant(db, auth, async (trx) => {
        const d = await decl.readDeclaration(trx, request.params.id);
        const code = await repo.jurisdictionCodeById(trx, auth.jurisdictionId);
        return { d, items: (await catalogueInForce(trx, code, clock.now())).items };
      });
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header('content-disposition', attachment('declaration.xlsx', `${FORM_TITLE}-${d.projectName}.xlsx`))
        .send(await writeForm(d, items));
    },
  );

  app.post(
    '/it-projects/declarations/import',
    {
      config: { permission: 'project:manage' },
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags: TAG,
        summary: 'Import a filled-in declaration form as a draft; any bad cell refuses the file, naming row and column',
        consumes: [XLSX_MEDIA_TYPE, 'application/octet-stream'],
        body: UploadBody,
        querystring: Type.Object({
          projectId: Type.String({ format: 'uuid' }),
          roundId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 201: Type.Ref('ItDeclaration'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('unsupported_media_type', `send the .xlsx itself as the body, as ${XLSX_MEDIA_TYPE}`);
      }
      const body = request.body;
      const d = await withTenant(db, auth, async (trx) => {
        const code = await repo.jurisdictionCodeById(trx, auth.jurisdictionId);
        const form = await readForm(body, (await catalogueInForce(trx, code, clock.now())).items);
        return decl.createDeclaration(
          trx,
          auth,
          actorOf(request),
          {
            ...form,
            projectId: request.query.projectId,
            roundId: form.urgent ? null : (request.query.roundId ?? null),
          },
          clock.now(),
        );
      });
      return reply.code(201).send(d);
    },
  );

  // ---- during and after construction ----
  app.get(
    '/it-projects/projects/:id',
    {
      config: { permission: 'project:read' },
      schema: {
        tags: TAG,
        summary: 'A project’s lifecycle: declaration, changes, acceptances, warranty, evaluation',
        params: IdParams,
        response: { 200: Type.Ref('ItProjectLifecycle'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => delivery.projectLifecycle(trx, auth, request.params.id));
    },
  );

  app.post(
    '/it-projects/projects/:id/changes',
    {
      config: { permission: 'project:manage' },
      schema: {
        tags: TAG,
        summary: 'Record a new investment estimate; above the pack’s threshold it goes to the authority (JQ-proj 12)',
        params: IdParams,
        body: Type.Object({ investment: YuanIn('the new investment estimate, yuan'), reason: Text(2000) }),
        response: { 201: Type.Ref('ItProjectChange'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const c = await withTenant(db, auth, (trx) =>
        delivery.requestChange(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(c);
    },
  );

  app.post(
    '/it-projects/changes/:id/decision',
    {
      config: { permission: 'project:approve' },
      schema: {
        tags: TAG,
        summary: 'The authority decides a change above the threshold (JQ-proj 12)',
        params: IdParams,
        body: Type.Object({ approve: Type.Boolean(), comment: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: { 200: Type.Ref('ItProjectChange'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        delivery.decideChange(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/it-projects/projects/:id/acceptances',
    {
      config: { permission: 'project:approve' },
      schema: {
        tags: TAG,
        summary:
          'Record an acceptance (验收, JQ-proj 14-16): passed with the warranty, or failed with a rectification deadline',
        params: IdParams,
        body: Type.Object({
          result: Type.Enum(['passed', 'failed'] as const),
          acceptedOn: Type.String({ format: 'date' }),
          opinion: Text(5000),
          rectificationDue: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
          warrantyYears: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 50 }), Type.Null()])),
        }),
        response: { 201: Type.Ref('ItAcceptance'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const a = await withTenant(db, auth, (trx) =>
        delivery.recordAcceptance(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(a);
    },
  );

  // ---- budget ----
  const YearQuery = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) });
  app.get(
    '/it-projects/budget',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: TAG,
        summary:
          'Per unit and year: planned cloud cost, budget, settled fees by month, forecast (JQ 30-31, SH 27, TZ 19)',
        querystring: YearQuery,
        response: { 200: Type.Ref('ItBudget'), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => budgetView(trx, request.query.year, clock.now())),
  );

  app.get(
    '/it-projects/budget/projects',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: TAG,
        summary: 'Per project and year: planned cloud cost, settled fees by month, forecast (SH 18, JQ 30)',
        description: 'What the economy & IT authority weighs when setting a project’s quota.',
        querystring: YearQuery,
        response: { 200: Type.Ref('ItProjectBudget'), ...problemResponses },
      },
    },
    async (request) =>
      withTenant(db, authOf(request), (trx) => projectBudgetView(trx, request.query.year, clock.now())),
  );

  app.get(
    '/it-projects/budget/export',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: TAG,
        summary: 'The budget view as .xlsx',
        querystring: YearQuery,
        response: { 200: XlsxFile, ...problemResponses },
      },
    },
    async (request, reply) => {
      const view = await withTenant(db, authOf(request), (trx) => budgetView(trx, request.query.year, clock.now()));
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header(
          'content-disposition',
          attachment(`cloud-budget-${view.year}.xlsx`, `${view.year}年度云资源预算执行.xlsx`),
        )
        .send(await budgetWorkbook(view));
    },
  );

  app.put(
    '/it-projects/budget/:id',
    {
      config: { permission: 'budget:set' },
      schema: {
        tags: TAG,
        summary: 'Set a unit’s cloud budget for a year (finance)',
        params: IdParams,
        body: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }), budget: YuanIn('yuan') }),
        response: {
          200: Type.Object({ organisationId: Type.String(), year: Type.Integer(), budget: Type.String() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        setBudget(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );
};
