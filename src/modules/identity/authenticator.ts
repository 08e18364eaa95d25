import type { FastifyRequest } from 'fastify';
import type { Authenticator } from '../../platform/auth/auth.ts';
import type { Db } from '../../schema.ts';
import { authenticateSession, authenticateToken, SESSION_COOKIE } from './auth.service.ts';

/** Bearer API tokens for machine clients, the session cookie for people. */
export function identityAuthenticator(db: Db): Authenticator {
  return {
    async authenticate(request: FastifyRequest) {
      const header = request.headers.authorization;
      if (header?.startsWith('Bearer ')) return authenticateToken(db, header.slice(7).trim());
      const cookie = request.cookies?.[SESSION_COOKIE];
      return cookie ? authenticateSession(db, cookie) : null;
    },
  };
}
