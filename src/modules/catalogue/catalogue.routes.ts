import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { isCalendarDay, parseMoment, startOfShanghaiDay } from '../../platform/time/time.ts';
import { defaultJurisdiction } from '../tenancy/index.ts';
import * as catalogue from './catalogue.service.ts';

const Layer = Type.Union([Type.Literal('IaaS'), Type.Literal('PaaS'), Type.Literal('SaaS')]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (Asia/Shanghai)' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const SpecAttributeSchema = Type.Object({
  key: Type.String({ pattern: '^[a-z][a-zA-Z0-9_]{0,31}$' }),
  label: Type.String({ minLength: 1, maxLength: 50 }),
  labelEn: Type.String({ minLength: 1, maxLength: 50 }),
  type: Type.Union([Type.Literal('integer'), Type.Literal('string'), Type.Literal('enum'), Type.Literal('boolean')]),
  unit: Type.Optional(Type.String({ maxLength: 20 })),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  options: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 50 })),
  required: Type.Boolean(),
});

const PriceSchema = Type.Object({
  dimension: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'e.g. vcpu, memory_gb, instance' }),
  unit: Type.String({ minLength: 1, maxLength: 30, description: 'e.g. 元/vCPU·月' }),
  unitPrice: Type.String({ pattern: '^\\d{1,10}(\\.\\d{1,4})?$', description: 'yuan, exact decimal (up to 4 places)' }),
});

export const CatalogueItemSchema = Type.Object(
  {
    code: Type.String(),
    position: Type.Integer(),
    name: Type.String(),
    nameEn: Type.String(),
    layer: Layer,
    category: Type.String(),
    description: Nullable(Type.String()),
    specification: Type.Array(SpecAttributeSchema),
    providerId: Nullable(Type.String()),
    prices: Type.Array(PriceSchema),
  },
  { $id: 'CatalogueItem', title: 'CatalogueItem' },
);

export const CatalogueVersionSchema = Type.Object(
  {
    id: Type.String(),
    jurisdictionCode: Type.String(),
    versionNo: Type.Integer(),
    status: Type.Union([Type.Literal('draft'), Type.Literal('submitted'), Type.Literal('approved')]),
    effectiveFrom: Day,
    basedOnId: Nullable(Type.String()),
    note: Nullable(Type.String()),
    rejectionNote: Nullable(Type.String()),
    createdBy: Nullable(Type.String()),
    submittedAt: Nullable(Type.String({ format: 'date-time' })),
    approvedAt: Nullable(Type.String({ format: 'date-time' })),
    confirmations: Type.Optional(
      Type.Array(Type.Object({ role: Type.String(), by: Type.String(), at: Type.String({ format: 'date-time' }) }), {
        description: 'the confirmations (核定) given, each by its role (SH 15)',
      }),
    ),
    confirmationsPending: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'roles that still have to confirm before the version takes effect (policy catalogue.versionConfirmedBy)',
      }),
    ),
  },
  { $id: 'CatalogueVersion', title: 'CatalogueVersion' },
);

const VersionWithItems = Type.Intersect([
  Type.Ref('CatalogueVersion'),
  Type.Object({ items: Type.Array(Type.Ref('CatalogueItem')) }),
]);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ItemParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
});

export const catalogueRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  const jurisdictionOr404 = async (code: string | undefined) => {
    if (code) return code;
    const fallback = await defaultJurisdiction(db);
    if (!fallback) throw new AppError('not_found', 'no jurisdiction is set up / 尚未设置辖区');
    return fallback.code;
  };

  app.get(
    '/catalogue',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'The service catalogue in force (published: SH 15): for a jurisdiction, at a moment (default now)',
        querystring: Type.Object({
          jurisdiction: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' })),
          at: Type.Optional(Type.String({ description: 'ISO 8601 moment or YYYY-MM-DD' })),
        }),
        response: {
          200: Type.Object({
            jurisdictionCode: Type.String(),
            sourceJurisdictionCode: Type.String(),
            at: Day,
            version: Type.Ref('CatalogueVersion'),
            items: Type.Array(Type.Ref('CatalogueItem')),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      let at = clock.now();
      if (request.query.at) {
        const parsed = isCalendarDay(request.query.at)
          ? startOfShanghaiDay(request.query.at)
          : parseMoment(request.query.at);
        if (!parsed)
          throw new AppError('validation_failed', 'query.at: not an ISO 8601 moment', [
            { field: 'query.at', message: '应为 ISO 8601 时间 / must be ISO 8601' },
          ]);
        at = parsed;
      }
      return catalogue.catalogueInForce(db, await jurisdictionOr404(request.query.jurisdiction), at);
    },
  );

  app.get(
    '/catalogue/versions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['catalogue'],
        summary:
          'Catalogue versions of a jurisdiction, newest first (drafts only for the operations unit and the authority)',
        querystring: Type.Object({ jurisdiction: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' })) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('CatalogueVersion')) }), ...problemResponses },
      },
    },
    async (request) => ({
      items: await catalogue.listVersions(db, authOf(request), await jurisdictionOr404(request.query.jurisdiction)),
    }),
  );

  app.get(
    '/catalogue/versions/:id',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['catalogue'],
        summary: 'One catalogue version with its items and prices',
        params: IdParams,
        response: { 200: VersionWithItems, ...problemResponses },
      },
    },
    async (request) => catalogue.getVersion(db, authOf(request), request.params.id),
  );

  app.post(
    '/catalogue/versions',
    {
      config: { permission: 'catalogue:draft' },
      schema: {
        tags: ['catalogue'],
        summary: 'Open a draft (a copy of the version in force, or of `basedOnId`, e.g. the city’s for a district)',
        body: Type.Object({
          jurisdictionCode: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }),
          effectiveFrom: Day,
          note: Type.Optional(Type.String({ maxLength: 1000 })),
          basedOnId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 201: Type.Ref('CatalogueVersion'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await db
        .transaction()
        .execute((trx) => catalogue.createDraft(trx, authOf(request), actorOf(request), request.body, clock.now()));
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/catalogue/versions/:id',
    {
      config: { permission: 'catalogue:draft' },
      schema: {
        tags: ['catalogue'],
        summary: 'Change a draft’s effective date or note',
        params: IdParams,
        body: Type.Object(
          { effectiveFrom: Type.Optional(Day), note: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))) },
          { minProperties: 1 },
        ),
        response: { 200: Type.Ref('CatalogueVersion'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          catalogue.updateDraft(trx, authOf(request), actorOf(request), request.params.id, request.body, clock.now()),
        ),
  );

  app.put(
    '/catalogue/versions/:id/items/:code',
    {
      config: { permission: 'catalogue:draft' },
      schema: {
        tags: ['catalogue'],
        summary: 'Add or change an item of a draft: specification attributes, provider, prices',
        params: ItemParams,
        body: Type.Object({
          position: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          nameEn: Type.String({ minLength: 1, maxLength: 100 }),
          layer: Layer,
          category: Type.String({ minLength: 1, maxLength: 50 }),
          description: Nullable(Type.String({ maxLength: 2000 })),
          specification: Type.Array(SpecAttributeSchema, { maxItems: 50 }),
          providerId: Nullable(Type.String({ format: 'uuid' })),
          prices: Type.Array(PriceSchema, { minItems: 1, maxItems: 20 }),
        }),
        response: { 200: Type.Ref('CatalogueItem'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          catalogue.putItem(
            trx,
            authOf(request),
            actorOf(request),
            request.params.id,
            request.params.code,
            request.body,
          ),
        ),
  );

  app.delete(
    '/catalogue/versions/:id/items/:code',
    {
      config: { permission: 'catalogue:draft' },
      schema: {
        tags: ['catalogue'],
        summary: 'Remove an item from a draft',
        params: ItemParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await db
        .transaction()
        .execute((trx) =>
          catalogue.removeItem(trx, authOf(request), actorOf(request), request.params.id, request.params.code),
        );
      return reply.code(204).send(null);
    },
  );

  for (const [action, permission, summary, transition] of [
    ['submit', 'catalogue:draft', 'The operations unit submits the draft to the competent authority', catalogue.submit],
    [
      'approve',
      'catalogue:approve',
      'A confirming body confirms (核定, SH 15: the competent authority and the economy & IT authority, as the pack says); with the last confirmation the version is in force from its effective date, never rewritten',
      catalogue.approve,
    ],
  ] as const) {
    app.post(
      `/catalogue/versions/:id/${action}`,
      {
        config: { permission },
        schema: {
          tags: ['catalogue'],
          summary,
          params: IdParams,
          response: { 200: Type.Ref('CatalogueVersion'), ...problemResponses },
        },
      },
      async (request) =>
        db
          .transaction()
          .execute((trx) => transition(trx, authOf(request), actorOf(request), request.params.id, clock.now())),
    );
  }

  app.post(
    '/catalogue/versions/:id/reject',
    {
      config: { permission: 'catalogue:approve' },
      schema: {
        tags: ['catalogue'],
        summary: 'The competent authority sends a submission back, with its reasons',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }),
        response: { 200: Type.Ref('CatalogueVersion'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          catalogue.reject(trx, authOf(request), actorOf(request), request.params.id, request.body.reason, clock.now()),
        ),
  );
};
