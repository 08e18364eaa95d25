import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import * as auth from './auth.service.ts';
import { OIDC_COOKIE, OidcRelyingParty } from './oidc.ts';
import { getSecurityPolicy } from './users.service.ts';

export const MeSchema = Type.Object(
  {
    user: Type.Object({
      id: Type.String(),
      username: Type.String(),
      displayName: Type.String(),
      totpEnabled: Type.Boolean(),
      mustChangePassword: Type.Boolean(),
    }),
    organisation: Type.Object({
      id: Type.String(),
      code: Type.String(),
      name: Type.String(),
      nameEn: Type.Union([Type.String(), Type.Null()]),
      type: Type.String(),
    }),
    roles: Type.Array(Type.String()),
    permissions: Type.Array(Type.String()),
    organisations: Type.Array(
      Type.Object({
        id: Type.String(),
        code: Type.String(),
        name: Type.String(),
        nameEn: Type.Union([Type.String(), Type.Null()]),
        type: Type.String(),
        roles: Type.Array(Type.String()),
      }),
    ),
    csrfToken: Type.Union([Type.String(), Type.Null()]),
    restriction: Type.Union([Type.Literal('password_change'), Type.Literal('totp_enrolment'), Type.Null()]),
  },
  { $id: 'Me', title: 'Me' },
);

export const origin = (request: FastifyRequest): auth.Origin => ({
  sourceIp: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
  requestId: String(request.id),
});

export function setSessionCookie(reply: FastifyReply, secret: string, secure: boolean): void {
  reply.setCookie(auth.SESSION_COOKIE, secret, { path: '/', httpOnly: true, sameSite: 'lax', secure });
}

const Ok = Type.Object({ ok: Type.Literal(true) });

export const authRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, config, clock }) => {
  const secure = config.env === 'production';
  const sso = config.oidc ? new OidcRelyingParty(config.oidc) : undefined;
  const attemptCookie = { path: '/api/v1/auth/oidc', httpOnly: true, sameSite: 'lax' as const, secure };

  app.get(
    '/auth/oidc/login',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['identity'],
        summary: 'Single sign-on: redirects the browser to the unified identity platform (统一身份认证)',
        querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 500 })) }),
        response: { 302: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!sso) throw new AppError('sso_not_configured');
      const { url, cookie, maxAge } = await sso.start(request.query.next ?? '/');
      reply.setCookie(OIDC_COOKIE, cookie, { ...attemptCookie, maxAge });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/auth/oidc/callback',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['identity'],
        summary: 'Where the identity platform sends the browser back; opens a session and redirects into the console',
        response: { 302: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      if (!sso) throw new AppError('sso_not_configured');
      const query = request.url.split('?')[1] ?? '';
      reply.clearCookie(OIDC_COOKIE, attemptCookie);
      try {
        const { secret, next } = await sso.finish(
          db,
          query,
          request.cookies[OIDC_COOKIE],
          origin(request),
          clock.now(),
        );
        setSessionCookie(reply, secret, secure);
        return reply.redirect(next, 302);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // A browser arrives here: send it to the login page, which explains; the reason is in the audit trail.
        return reply.redirect(`/login?sso_error=${error.code}`, 302);
      }
    },
  );

  app.post(
    '/auth/login',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['identity'],
        summary: 'Sign in with user name and password (and the TOTP code when the account has one)',
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
          totp: Type.Optional(Type.String({ maxLength: 6 })),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
        }),
        response: { 200: Type.Ref('Me'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { secret } = await auth.login(db, request.body, origin(request), clock.now());
      setSessionCookie(reply, secret, secure);
      const context = await auth.authenticateSession(db, secret);
      if (!context) throw new Error('a session just created could not be read back');
      return auth.me(db, context);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { permission: 'authenticated', allowRestricted: true },
      schema: { tags: ['identity'], summary: 'Sign out: the session ends', response: { 200: Ok, ...problemResponses } },
    },
    async (request, reply) => {
      await db.transaction().execute((trx) => auth.logout(trx, authOf(request), actorOf(request), clock.now()));
      reply.clearCookie(auth.SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/me',
    {
      config: { permission: 'authenticated', allowRestricted: true },
      schema: {
        tags: ['identity'],
        summary: 'The signed-in user, acting organisation, roles, the organisations to switch to, and the CSRF token',
        response: { 200: Type.Ref('Me'), ...problemResponses },
      },
    },
    async (request) => auth.me(db, authOf(request)),
  );

  app.post(
    '/auth/switch-organisation',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary: 'Act for another organisation the user holds a role in',
        body: Type.Object({ organisationId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Ref('Me'), ...problemResponses },
      },
    },
    async (request) => {
      const caller = authOf(request);
      await db
        .transaction()
        .execute((trx) => auth.switchOrganisation(trx, caller, actorOf(request), request.body.organisationId));
      const secret = request.cookies[auth.SESSION_COOKIE];
      const context = secret ? await auth.authenticateSession(db, secret) : null;
      return auth.me(db, context ?? caller);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { permission: 'authenticated', allowRestricted: true },
      schema: {
        tags: ['identity'],
        summary: 'Change one’s own password (required at first login and after an admin reset)',
        body: Type.Object({
          currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
          newPassword: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: { 200: Ok, ...problemResponses },
      },
    },
    async (request) => {
      await auth.changeOwnPassword(db, authOf(request), actorOf(request), request.body, clock.now());
      return { ok: true as const };
    },
  );

  app.get(
    '/auth/password-policy',
    {
      config: { permission: 'authenticated', allowRestricted: true },
      schema: {
        tags: ['identity'],
        summary: 'The password rules in force, for the change-password form',
        response: {
          200: Type.Object({ minLength: Type.Integer(), characterClasses: Type.Integer(), history: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async () => {
      const policy = await getSecurityPolicy(db);
      return { minLength: policy.passwordMinLength, characterClasses: 3, history: policy.passwordHistory };
    },
  );

  app.post(
    '/auth/totp/enrolment',
    {
      config: { permission: 'authenticated', allowRestricted: true },
      schema: {
        tags: ['identity'],
        summary: 'Start setting up the second factor: returns the secret and its otpauth:// URI (for the QR code)',
        response: { 200: Type.Object({ secret: Type.String(), uri: Type.String() }), ...problemResponses },
      },
    },
    async (request) =>
      db.transaction().execute((trx) => auth.startTotpEnrolment(trx, authOf(request), actorOf(request), clock.now())),
  );

  app.post(
    '/auth/totp/enrolment/confirm',
    {
      config: { permission: 'authenticated', allowRestricted: true },
      schema: {
        tags: ['identity'],
        summary: 'Finish setting up the second factor with a code from the authenticator app',
        body: Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }),
        response: { 200: Ok, ...problemResponses },
      },
    },
    async (request) => {
      await db
        .transaction()
        .execute((trx) =>
          auth.confirmTotpEnrolment(trx, authOf(request), actorOf(request), request.body.code, clock.now()),
        );
      return { ok: true as const };
    },
  );
};
