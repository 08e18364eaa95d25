import { ApiError } from '../../api/errors';
import type { Translate } from '../../i18n';

/** The lock's length, when the server says it ("locked for 15 minutes / 锁定 15 分钟"). */
function lockMinutes(detail: string | undefined): number | undefined {
  const match = detail ? /(\d+)\s*(?:minutes|分钟)/.exec(detail) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * What to tell someone whose sign-in failed, in plain words, per problem code. Undefined: the generic alert
 * (server title and request id) says it best.
 */
export function loginErrorMessage(error: unknown, t: Translate): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  switch (error.code) {
    case 'invalid_credentials':
      return t('login.error.invalidCredentials');
    case 'invalid_totp':
      return t('login.error.invalidTotp');
    case 'account_locked': {
      const minutes = lockMinutes(error.detail);
      return minutes ? t('login.error.lockedFor', { minutes }) : t('login.error.locked');
    }
    case 'forbidden':
      return t('login.error.noRole');
    case 'rate_limited':
      return t('login.error.rateLimited');
    case 'validation_failed':
      return t('login.error.incomplete');
    default:
      return undefined;
  }
}
