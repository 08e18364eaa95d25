import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { ORDER_TYPES } from '../policy/index.ts';
import { estimateFor, orderFacts, orderTypesFor } from './orders.facts.ts';
import { findOrdersByText } from './orders.lookup.repository.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Decimal = Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'exact decimal string' });
const Yuan = Type.String({ pattern: '^-?[0-9]+\\.[0-9]{2}$', description: 'yuan, exact, 2 places' });
const tags = ['orders'];

const EstimateLineBody = Type.Object(
  {
    itemCode: Type.String({ minLength: 1, maxLength: 64 }),
    specification: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
  },
  { additionalProperties: false },
);

export const CostEstimateSchema = Type.Object(
  {
    catalogueVersionNo: Type.Integer(),
    catalogueEffectiveFrom: Type.String({ description: 'the day the catalogue version came into force' }),
    total: Yuan,
    lines: Type.Array(
      Type.Object({
        lineNo: Type.Integer(),
        itemCode: Type.String(),
        itemName: Type.String(),
        itemNameEn: Type.String(),
        quantity: Type.Integer(),
        monthly: Nullable(Yuan),
        prices: Type.Array(
          Type.Object({ dimension: Type.String(), unit: Type.String(), unitPrice: Decimal, quantity: Decimal }),
        ),
      }),
    ),
  },
  { $id: 'CostEstimate', title: 'CostEstimate' },
);

export const OrderFactsSchema = Type.Object(
  {
    orderId: Type.String(),
    unit: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
    project: Nullable(
      Type.Object({ id: Type.String(), name: Type.String(), approvalNo: Type.String(), status: Type.String() }),
    ),
    system: Nullable(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        mlpsLevel: Type.Integer(),
        classified: Type.Boolean(),
        filingStatus: Type.String(),
        commitmentLetterOnFile: Type.Boolean(),
      }),
    ),
    quota: Type.Array(
      Type.Object({
        dimension: Type.String(),
        quota: Decimal,
        usedBefore: Decimal,
        thisOrder: Decimal,
        usedAfter: Decimal,
        leftBefore: Decimal,
        leftAfter: Decimal,
        overQuota: Decimal,
      }),
      { description: "the project's quota per dimension: in use or reserved without this order, and with it" },
    ),
    band: Nullable(
      Type.Object(
        {
          ratio: Type.String({ description: 'the band above the projects’ total quota, e.g. "0.2"' }),
          article: Nullable(Type.String()),
          dimensions: Type.Array(
            Type.Object({
              dimension: Type.String(),
              unitQuota: Decimal,
              bandLimit: Decimal,
              unitUsedAfter: Decimal,
              overBand: Decimal,
            }),
          ),
        },
        { description: 'SH 20: the unit’s total with this order against its projects’ total quota and the band' },
      ),
    ),
    cost: Nullable(Type.Ref('CostEstimate')),
    currentStep: Nullable(
      Type.Object({
        key: Type.String(),
        role: Type.String(),
        holders: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), organisation: Type.String() })),
      }),
    ),
    people: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), {
      description: 'display names of the people on the order’s steps and timeline, by user id',
    }),
  },
  { $id: 'OrderFacts', title: 'OrderFacts' },
);

export const ORDER_FACTS_SCHEMAS = [CostEstimateSchema, OrderFactsSchema];

/** The facts a reviewer decides from, and the order form's live cost estimate. */
export const orderFactsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/orders/:id/facts',
    {
      config: { permission: 'order:read' },
      schema: {
        tags,
        summary: 'What a reviewer needs beside an order: unit, project, system, quota before/after, cost, holders',
        description:
          'The project quota per dimension without and with this order, the unit’s position against the SH 20 band, ' +
          'the monthly cost estimate priced from the catalogue in force now (coefficient 1), who holds the open step, ' +
          'and the display names of the people on the timeline.',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Ref('OrderFacts'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => orderFacts(trx, auth, request.params.id, clock.now()));
    },
  );

  app.get(
    '/orders/lookup',
    {
      config: { permission: 'order:read' },
      schema: {
        tags,
        summary: 'Orders in the caller’s scope whose number or title contains the text (the header’s search)',
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 100 }),
          limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ id: Type.String(), number: Type.String(), title: Type.String(), status: Type.String() }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      withTenant(db, authOf(request), async (trx) => ({
        items: await findOrdersByText(trx, request.query.q.trim(), request.query.limit),
      })),
  );

  app.get(
    '/orders/types',
    {
      config: { permission: 'order:place' },
      schema: {
        tags,
        summary: 'The order types the caller’s policy pack provides (the order form offers only these)',
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                type: Type.Enum(ORDER_TYPES),
                enabled: Type.Boolean(),
                article: Nullable(Type.String()),
                note: Nullable(Type.String()),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, async (trx) => ({ items: await orderTypesFor(trx, auth) }));
    },
  );

  app.post(
    '/orders/estimate',
    {
      config: { permission: 'order:place' },
      schema: {
        tags,
        summary: 'The monthly cost of lines not yet ordered, priced from the caller’s catalogue in force',
        body: Type.Object({ lines: Type.Array(EstimateLineBody, { maxItems: 5000 }) }, { additionalProperties: false }),
        response: { 200: Type.Ref('CostEstimate'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const lines = request.body.lines.map((l) => ({
        itemCode: l.itemCode,
        specification: l.specification ?? {},
        quantity: l.quantity ?? 1,
      }));
      return withTenant(db, auth, (trx) => estimateFor(trx, auth, lines, clock.now()));
    },
  );
};
