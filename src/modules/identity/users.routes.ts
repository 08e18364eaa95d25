import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { isApproval } from './approval-request.ts';
import * as users from './users.service.ts';

/** An action on another admin's account answers 202 with the approval it waits for. */
const Deferred = { 202: Type.Ref('AdminApproval') };

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    mobile: Type.Union([Type.String(), Type.Null()]),
    disabled: Type.Boolean(),
    locked: Type.Boolean(),
    totpEnabled: Type.Boolean(),
    mustChangePassword: Type.Boolean(),
    lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    roles: Type.Array(
      Type.Object({ organisationId: Type.String(), organisationName: Type.String(), role: Type.String() }),
    ),
  },
  { $id: 'User', title: 'User' },
);

const SecurityPolicySchema = Type.Object(
  {
    passwordMinLength: Type.Integer({ minimum: 10, maximum: 128 }),
    passwordHistory: Type.Integer({ minimum: 5, maximum: 24 }),
    lockoutThreshold: Type.Integer({ minimum: 3, maximum: 10 }),
    lockoutMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    sessionIdleMinutes: Type.Integer({ minimum: 1, maximum: 480 }),
    auditRetentionDays: Type.Integer({ minimum: 180, maximum: 3650 }),
  },
  { $id: 'SecurityPolicy', title: 'SecurityPolicy' },
);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Assignments = Type.Object({
  assignments: Type.Array(Type.Object({ organisationId: Type.String({ format: 'uuid' }), role: Type.String() }), {
    maxItems: 50,
  }),
});

export const userRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.addSchema(SecurityPolicySchema);

  app.get(
    '/users',
    {
      config: { permission: 'user:read' },
      schema: {
        tags: ['identity'],
        summary: 'Accounts holding roles in the caller’s jurisdictions',
        querystring: Type.Object({ search: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('User')) }), ...problemResponses },
      },
    },
    async (request) => ({ items: await users.listUsers(db, authOf(request), request.query.search) }),
  );

  app.get(
    '/users/:id',
    {
      config: { permission: 'user:read' },
      schema: {
        tags: ['identity'],
        summary: 'One account',
        params: IdParams,
        response: { 200: Type.Ref('User'), ...problemResponses },
      },
    },
    async (request) => users.getUser(db, authOf(request), request.params.id),
  );

  app.post(
    '/users',
    {
      config: { permission: 'user:manage' },
      schema: {
        tags: ['identity'],
        summary: 'Create an account with business roles; the temporary password is shown once',
        body: Type.Object({
          username: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$' }),
          displayName: Type.String({ minLength: 1, maxLength: 100 }),
          email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
          mobile: Type.Optional(Type.String({ pattern: '^[0-9+ -]{5,20}$' })),
          organisationId: Type.String({ format: 'uuid' }),
          roles: Type.Array(Type.String(), { minItems: 1, maxItems: 10 }),
        }),
        response: {
          201: Type.Object({
            user: Type.Ref('User'),
            temporaryPassword: Type.Optional(Type.String()),
            passwordDelivery: Type.Union([Type.Literal('shown'), Type.Literal('mail')]),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const result = await db
        .transaction()
        .execute((trx) => users.createUser(trx, authOf(request), actorOf(request), request.body, clock.now()));
      return reply.code(201).send(result);
    },
  );

  app.patch(
    '/users/:id',
    {
      config: { permission: 'user:manage' },
      schema: {
        tags: ['identity'],
        summary:
          'Change an account’s name, contact details, or disable it (another admin’s account: 202, the third admin approves)',
        params: IdParams,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 200 }), Type.Null()])),
            mobile: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9+ -]{5,20}$' }), Type.Null()])),
            disabled: Type.Optional(Type.Boolean()),
          },
          { minProperties: 1 },
        ),
        response: { 200: Type.Ref('User'), ...Deferred, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await db
        .transaction()
        .execute((trx) =>
          users.updateUser(trx, authOf(request), actorOf(request), request.params.id, request.body, clock.now()),
        );
      return reply.code(isApproval(result) ? 202 : 200).send(result);
    },
  );

  app.put(
    '/users/:id/roles',
    {
      config: { permission: 'user:manage' },
      schema: {
        tags: ['identity'],
        summary: 'Replace an account’s business roles (admin roles are the security admin’s)',
        params: IdParams,
        body: Assignments,
        response: { 200: Type.Ref('User'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          users.setRoles(
            trx,
            authOf(request),
            actorOf(request),
            request.params.id,
            'business',
            request.body.assignments,
            clock.now(),
          ),
        ),
  );

  app.put(
    '/users/:id/admin-roles',
    {
      config: { permission: 'admin-role:grant' },
      schema: {
        tags: ['identity'],
        summary:
          'Grant or revoke the three separated admin roles (三员分立): held alone, never to oneself; 202 until the third admin approves',
        params: IdParams,
        body: Assignments,
        response: { 200: Type.Ref('User'), ...Deferred, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await db
        .transaction()
        .execute((trx) =>
          users.setRoles(
            trx,
            authOf(request),
            actorOf(request),
            request.params.id,
            'admin',
            request.body.assignments,
            clock.now(),
          ),
        );
      return reply.code(isApproval(result) ? 202 : 200).send(result);
    },
  );

  for (const action of ['unlock', 'reset-password', 'reset-totp', 'revoke-sessions'] as const) {
    app.post(
      `/users/:id/${action}`,
      {
        config: { permission: 'account-security:manage' },
        schema: {
          tags: ['identity'],
          summary: {
            unlock: 'Unlock an account locked after failed logins',
            'reset-password': 'Reset a password: a temporary one, shown once, to be changed at next login',
            'reset-totp': 'Remove an account’s second factor so it can be set up again',
            'revoke-sessions': 'End every session of an account',
          }[action],
          params: IdParams,
          response: {
            200: Type.Object({
              temporaryPassword: Type.Optional(Type.String()),
              passwordDelivery: Type.Optional(Type.Union([Type.Literal('shown'), Type.Literal('mail')])),
            }),
            ...Deferred,
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const result = await db
          .transaction()
          .execute((trx) =>
            users.securityAction(trx, authOf(request), actorOf(request), request.params.id, action, clock.now()),
          );
        return reply.code(isApproval(result) ? 202 : 200).send(result);
      },
    );
  }

  app.get(
    '/security/policy',
    {
      config: { permission: 'security-policy:manage' },
      schema: {
        tags: ['identity'],
        summary: 'The security policy',
        response: { 200: Type.Ref('SecurityPolicy'), ...problemResponses },
      },
    },
    async () => users.getSecurityPolicy(db),
  );

  app.patch(
    '/security/policy',
    {
      config: { permission: 'security-policy:manage' },
      schema: {
        tags: ['identity'],
        summary: 'Change the security policy (password rules, lockout, idle timeout, audit retention)',
        body: Type.Partial(SecurityPolicySchema, { minProperties: 1 }),
        response: { 200: Type.Ref('SecurityPolicy'), ...problemResponses },
      },
    },
    async (request) =>
      db.transaction().execute((trx) => users.updateSecurityPolicy(trx, actorOf(request), request.body, clock.now())),
  );
};
