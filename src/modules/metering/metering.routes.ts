import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { statementCsv, statementHtml, statementXlsx } from './metering.export.ts';
import { Month } from './metering.schemas.ts';
import * as metering from './metering.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Run = Type.Ref('SettlementRun');
const Money = Type.String();

export const meteringRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.post(
    '/settlement/runs',
    {
      config: { permission: 'settlement:run' },
      schema: {
        tags: ['settlement'],
        summary: 'Compute (or recompute) a city’s statements for an ended month; one transaction, idempotent',
        description:
          'Rates every resource and pricing dimension from the lifecycle events (quantity x seconds x the catalogue ' +
          'price in force, coefficient, half-up to the fen once per line) and writes one statement per unit, with ' +
          'adjustment lines for late events of closed months. A closed month is refused (409). Recomputing with ' +
          'the same inputs gives identical statements (same content hash); a changed result returns a reviewed run to draft.',
        body: Type.Object({
          month: Month,
          jurisdiction: Type.Optional(Type.String({ description: 'the city; default demo-city' })),
        }),
        response: {
          200: Type.Object({
            run: Run,
            adjustments: Type.Integer(),
            changed: Type.Boolean({ description: 'false when the recompute gave the identical statements' }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const jurisdiction =
        request.body.jurisdiction ??
        (
          await db
            .selectFrom('jurisdiction')
            .select('code')
            .where('id', '=', auth.jurisdictionId)
            .executeTakeFirstOrThrow()
        ).code;
      const target = await db
        .selectFrom('jurisdiction')
        .select('id')
        .where('code', '=', jurisdiction)
        .executeTakeFirst();
      if (!target || auth.visibility.kind !== 'jurisdiction' || !auth.visibility.jurisdictions.includes(target.id)) {
        throw new AppError('forbidden', `jurisdiction ${jurisdiction} is outside the caller's scope`);
      }
      const result = await metering.settle(db, actorOf(request), {
        jurisdiction,
        month: request.body.month,
        now: clock.now(),
      });
      return {
        run: await metering.getRun(db, auth, result.runId),
        adjustments: result.adjustments,
        changed: result.changed,
      };
    },
  );

  app.get(
    '/settlement/runs',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'Settlement runs of the caller’s jurisdictions (jurisdiction-wide roles), newest month first',
        querystring: Type.Object({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })) }),
        response: { 200: Type.Object({ items: Type.Array(Run) }), ...problemResponses },
      },
    },
    async (request) => metering.listRuns(db, authOf(request), request.query),
  );

  app.get(
    '/settlement/runs/:id',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'The city-wide summary of a run: per unit, per provider, per catalogue item, districts rolled up',
        params: IdParams,
        response: { 200: Type.Ref('SettlementSummary'), ...problemResponses },
      },
    },
    async (request) => metering.summary(db, authOf(request), request.params.id),
  );

  app.post(
    '/settlement/runs/:id/review',
    {
      config: { permission: 'settlement:run' },
      schema: {
        tags: ['settlement'],
        summary: 'The operations unit’s review: draft -> reviewed; audited',
        params: IdParams,
        response: { 200: Run, ...problemResponses },
      },
    },
    async (request) => metering.review(db, authOf(request), actorOf(request), request.params.id, clock.now()),
  );

  app.post(
    '/settlement/runs/:id/confirm',
    {
      config: { permission: 'settlement:confirm' },
      schema: {
        tags: ['settlement'],
        summary: 'Confirmation (核定) by the economy & IT authority: reviewed -> closed; the month never changes again',
        params: IdParams,
        response: { 200: Run, ...problemResponses },
      },
    },
    async (request) => metering.confirm(db, authOf(request), actorOf(request), request.params.id, clock.now()),
  );

  app.get(
    '/settlement/statements',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'Statements the caller may see (a unit: its own; finance, authorities, operations: all)',
        querystring: Type.Object({
          month: Type.Optional(Month),
          year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2999 })),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('StatementSummary')) }), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => metering.listStatements(trx, request.query)),
  );

  app.get(
    '/settlement/statements/:id',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'One statement with its lines (project, system, resource, item, dimension) for drill-down',
        params: IdParams,
        response: { 200: Type.Ref('Statement'), ...problemResponses },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => metering.getStatement(trx, request.params.id)),
  );

  app.get(
    '/settlement/statements/:id/lines/:lineNo',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'How a line came about: its priced pieces (event, quantity, from, to, seconds, price, version)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), lineNo: Type.Integer({ minimum: 1 }) }),
        response: {
          200: Type.Object({
            line: Type.Ref('StatementLine'),
            month: Type.String(),
            monthSeconds: Type.Integer(),
            asOf: Type.String(),
            rule: Type.String(),
            pieces: Type.Array(
              Type.Object({
                eventId: Type.String(),
                quantity: Type.String(),
                from: Type.String(),
                to: Type.String(),
                seconds: Type.String(),
                unitPrice: Type.String(),
                versionId: Type.String(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      withTenant(db, authOf(request), (trx) => metering.explainLine(trx, request.params.id, request.params.lineNo)),
  );

  app.get(
    '/settlement/statements/:id/export',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'The statement as .xlsx or .csv (formula-safe); audited',
        params: IdParams,
        querystring: Type.Object({
          format: Type.Union([Type.Literal('xlsx'), Type.Literal('csv')], { default: 'xlsx' }),
        }),
        response: {
          200: {
            description: 'the statement file',
            content: {
              [XLSX_MEDIA_TYPE]: { schema: Type.String({ format: 'binary' }) },
              'text/csv': { schema: Type.String() },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const s = await withTenant(db, auth, (trx) => metering.getStatement(trx, request.params.id));
      const csv = request.query.format === 'csv';
      const body = csv ? statementCsv(s) : await statementXlsx(s);
      await withTenant(db, auth, (trx) =>
        metering.recordExport(trx, actorOf(request), {
          objectType: 'statement',
          objectId: s.id,
          format: request.query.format,
          rows: s.lines.length,
        }),
      );
      const name = `statement-${s.month}-${s.organisationCode}.${csv ? 'csv' : 'xlsx'}`;
      return reply
        .type(csv ? 'text/csv; charset=utf-8' : XLSX_MEDIA_TYPE)
        .header(
          'content-disposition',
          attachment(name, `结算单-${s.month}-${s.organisationName}.${csv ? 'csv' : 'xlsx'}`),
        )
        .send(body);
    },
  );

  app.get(
    '/settlement/statements/:id/print',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'A printable HTML view of the statement',
        params: IdParams,
        response: {
          200: { description: 'HTML', content: { 'text/html': { schema: Type.String() } } },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const s = await withTenant(db, authOf(request), (trx) => metering.getStatement(trx, request.params.id));
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(statementHtml(s));
    },
  );

  app.get(
    '/settlement/annual',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'Annual view per unit for finance: each month’s total, the year’s total and its confirmed part',
        querystring: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2999 }) }),
        response: {
          200: Type.Object({
            year: Type.Integer(),
            items: Type.Array(
              Type.Object({
                organisationId: Type.String(),
                code: Type.String(),
                name: Type.String(),
                outsideCityBudget: Type.Boolean({ description: 'the mark of the unit’s latest statement of the year' }),
                monthsFen: Type.Array(Money, { description: 'January..December, fen' }),
                totalFen: Money,
                total: Money,
                confirmedFen: Money,
                cityBudgetFen: Type.String({ description: 'the months billed to the city budget, fen' }),
                billedToUnitFen: Type.String({
                  description: 'the months the unit was outside the city budget (billed to itself), fen',
                }),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => metering.annual(trx, request.query.year)),
  );

  app.get(
    '/settlement/trends',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'Monthly totals of the statements the caller may see, for charts',
        querystring: Type.Object({ from: Month, to: Month }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                month: Type.String(),
                usageFen: Money,
                adjustmentFen: Money,
                cityBudgetFen: Money,
                billedToUnitsFen: Money,
                totalFen: Money,
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => metering.trends(trx, request.query)),
  );

  const Coefficient = Type.Object({
    organisationId: Type.String(),
    month: Type.String(),
    coefficient: Type.String(),
    note: Type.Union([Type.String(), Type.Null()]),
  });

  app.put(
    '/settlement/coefficients/:organisationId/:month',
    {
      config: { permission: 'coefficient:set' },
      schema: {
        tags: ['settlement'],
        summary:
          'Set a unit’s efficiency coefficient for a month (default 1); refused once the month is closed; audited',
        params: Type.Object({ organisationId: Type.String({ format: 'uuid' }), month: Month }),
        body: Type.Object({
          coefficient: Type.String({ description: 'decimal 0..10, up to 4 places, e.g. "0.9"' }),
          note: Type.Optional(
            Type.String({
              maxLength: 500,
              description: 'the reason of the override (required: evaluations set coefficients)',
            }),
          ),
        }),
        response: { 200: Coefficient, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        metering.setCoefficient(trx, auth, actorOf(request), {
          organisationId: request.params.organisationId,
          month: request.params.month,
          coefficient: request.body.coefficient,
          note: request.body.note,
          now: clock.now(),
        }),
      );
    },
  );

  app.get(
    '/settlement/coefficients',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary: 'The efficiency coefficients set for a month (units without one have 1)',
        querystring: Type.Object({ month: Month }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                organisationId: Type.String(),
                organisationCode: Type.String(),
                organisationName: Type.String(),
                month: Type.String(),
                coefficient: Type.String(),
                note: Type.Union([Type.String(), Type.Null()]),
                setBy: Type.String(),
                setAt: Type.String(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => metering.listCoefficients(trx, request.query.month)),
  );

  app.get(
    '/settlement/units',
    {
      config: { permission: 'settlement:read' },
      schema: {
        tags: ['settlement'],
        summary:
          'The using units the caller may see, with their budget mark, the month’s efficiency coefficient and the ' +
          'status of the month’s run (for the coefficient and budget forms)',
        querystring: Type.Object({ month: Month }),
        response: {
          200: Type.Object({
            month: Type.String(),
            items: Type.Array(
              Type.Object({
                organisationId: Type.String(),
                code: Type.String(),
                name: Type.String(),
                jurisdiction: Type.String(),
                outsideCityBudget: Type.Boolean(),
                coefficient: Type.String({ description: '1 when none is set' }),
                coefficientSet: Type.Boolean(),
                note: Type.Union([Type.String(), Type.Null()]),
                setBy: Type.Union([Type.String(), Type.Null()]),
                setByName: Type.Union([Type.String(), Type.Null()], { description: 'a person’s display name' }),
                setAt: Type.Union([Type.String(), Type.Null()]),
                runStatus: Type.Union([
                  Type.Literal('draft'),
                  Type.Literal('reviewed'),
                  Type.Literal('closed'),
                  Type.Null(),
                ]),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => withTenant(db, authOf(request), (trx) => metering.unitsOfMonth(trx, request.query.month)),
  );

  app.put(
    '/settlement/budget/:organisationId',
    {
      config: { permission: 'budget:set' },
      schema: {
        tags: ['settlement'],
        summary: 'Mark a unit as outside the city budget (it pays its own fees), or back; audited',
        params: Type.Object({ organisationId: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ outsideCityBudget: Type.Boolean() }),
        response: {
          200: Type.Object({ organisationId: Type.String(), outsideCityBudget: Type.Boolean() }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      withTenant(db, authOf(request), (trx) =>
        metering.setOutsideBudget(trx, actorOf(request), request.params.organisationId, request.body.outsideCityBudget),
      ),
  );
};
