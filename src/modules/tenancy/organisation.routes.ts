import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as organisations from './organisation.service.ts';
import { ORGANISATION_TYPES } from './tenancy.table.ts';

const OrganisationType = Type.Union(ORGANISATION_TYPES.map((t) => Type.Literal(t)));
const CreditCode = Type.String({ pattern: '^[0-9A-HJ-NPQRTUWXY]{18}$', description: '统一社会信用代码' });

export const OrganisationSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    nameEn: Type.Union([Type.String(), Type.Null()]),
    type: OrganisationType,
    jurisdictionId: Type.String(),
    parentId: Type.Union([Type.String(), Type.Null()]),
    creditCode: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Organisation', title: 'Organisation' },
);

export const ContactSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('information_officer'), Type.Literal('emergency')]),
    name: Type.String(),
    position: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    mobile: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    validFrom: Type.String({ format: 'date-time' }),
    validTo: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    changedBy: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Contact', title: 'Contact' },
);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Phone = Type.String({ pattern: '^[0-9+() -]{5,30}$' });

export const organisationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/organisations',
    {
      config: { permission: 'organisation:read' },
      schema: {
        tags: ['tenancy'],
        summary:
          'Organisations the caller may see: its own unit and sub-units (or its jurisdictions), and the directory',
        querystring: Type.Object({
          type: Type.Optional(OrganisationType),
          search: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Organisation')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return { items: await withTenant(db, auth, (trx) => organisations.listOrganisations(trx, auth, request.query)) };
    },
  );

  app.get(
    '/organisations/:id',
    {
      config: { permission: 'organisation:read' },
      schema: {
        tags: ['tenancy'],
        summary: 'One organisation',
        params: IdParams,
        response: { 200: Type.Ref('Organisation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => organisations.getOrganisation(trx, auth, request.params.id));
    },
  );

  app.post(
    '/organisations',
    {
      config: { permission: 'organisation:manage' },
      schema: {
        tags: ['tenancy'],
        summary: 'Create an organisation (system admin) or a sub-unit of one’s unit (unit administrator)',
        body: Type.Object({
          code: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
          name: Type.String({ minLength: 1, maxLength: 200 }),
          nameEn: Type.Optional(Type.String({ maxLength: 200 })),
          type: OrganisationType,
          jurisdictionId: Type.Optional(Type.String({ format: 'uuid' })),
          parentId: Type.Optional(Type.String({ format: 'uuid' })),
          creditCode: Type.Optional(CreditCode),
        }),
        response: { 201: Type.Ref('Organisation'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const created = await withTenant(db, auth, (trx) =>
        organisations.createOrganisation(trx, auth, actorOf(request), request.body),
      );
      return reply.code(201).send(created);
    },
  );

  app.patch(
    '/organisations/:id',
    {
      config: { permission: 'organisation:manage' },
      schema: {
        tags: ['tenancy'],
        summary: 'Rename an organisation or correct its credit code',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            nameEn: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
            creditCode: Type.Optional(Type.Union([CreditCode, Type.Null()])),
          },
          { minProperties: 1 },
        ),
        response: { 200: Type.Ref('Organisation'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        organisations.updateOrganisation(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.get(
    '/organisations/:id/contacts',
    {
      config: { permission: 'organisation:read' },
      schema: {
        tags: ['tenancy'],
        summary: 'The organisation’s information officer and emergency contacts (JQ 26)',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Contact')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return {
        items: await withTenant(db, auth, (trx) => organisations.currentContacts(trx, auth, request.params.id)),
      };
    },
  );

  app.put(
    '/organisations/:id/contacts',
    {
      config: { permission: 'contact:manage' },
      schema: {
        tags: ['tenancy'],
        summary: 'Replace the contacts; the previous ones are kept as history',
        params: IdParams,
        body: Type.Object({
          contacts: Type.Array(
            Type.Object({
              kind: Type.Union([Type.Literal('information_officer'), Type.Literal('emergency')]),
              name: Type.String({ minLength: 1, maxLength: 100 }),
              position: Type.Optional(Type.String({ maxLength: 100 })),
              phone: Type.Optional(Phone),
              mobile: Type.Optional(Phone),
              email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
            }),
            { maxItems: 20 },
          ),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Contact')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return {
        items: await withTenant(db, auth, (trx) =>
          organisations.replaceContacts(
            trx,
            auth,
            actorOf(request),
            request.params.id,
            request.body.contacts,
            clock.now(),
          ),
        ),
      };
    },
  );

  app.get(
    '/organisations/:id/contacts/history',
    {
      config: { permission: 'organisation:read' },
      schema: {
        tags: ['tenancy'],
        summary: 'Every contact the organisation has had, newest first',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Contact')) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return { items: await withTenant(db, auth, (trx) => organisations.contactHistory(trx, auth, request.params.id)) };
    },
  );
};
