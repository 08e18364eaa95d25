import type { ApiToken } from '../../api/types';

export type TokenStatus = 'active' | 'revoked' | 'expired';

export function tokenStatus(token: ApiToken, now: number = Date.now()): TokenStatus {
  if (token.revoked) return 'revoked';
  return new Date(token.expiresAt).getTime() <= now ? 'expired' : 'active';
}
