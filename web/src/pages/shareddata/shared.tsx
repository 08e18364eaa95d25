import { Tag } from 'antd';
import { ApiError, localiseServerText } from '../../api/errors';
import type { Grant } from '../../api/hooks/shared-data';
import { type Language, type MessageKey, useI18n } from '../../i18n';

export const SHARING_COLOR = { unconditional: 'green', conditional: 'blue', not_shared: 'default' } as const;
export const STATUS_COLOR = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  published: 'success',
  superseded: 'default',
  withdrawn: 'error',
} as const;
export const GRANT_COLOR = {
  pending_provider: 'processing',
  pending_ops: 'processing',
  active: 'success',
  expired: 'default',
  refused: 'error',
  withdrawn: 'default',
  revoked: 'error',
  superseded: 'default',
} as const;

export function SharingTag({ type }: { type: keyof typeof SHARING_COLOR }) {
  const { t } = useI18n();
  return <Tag color={SHARING_COLOR[type]}>{t(`sd.sharing.${type}` as MessageKey)}</Tag>;
}

export function StatusTag({ status }: { status: keyof typeof STATUS_COLOR }) {
  const { t } = useI18n();
  return <Tag color={STATUS_COLOR[status]}>{t(`sd.status.${status}` as MessageKey)}</Tag>;
}

/** A grant's state as a person reads it: an active grant past its last day is expired. */
export function GrantTag({ grant }: { grant: Pick<Grant, 'status' | 'expired'> }) {
  const { t } = useI18n();
  const state = grant.expired ? 'expired' : grant.status;
  return <Tag color={GRANT_COLOR[state]}>{t(`sd.grant.${state}` as MessageKey)}</Tag>;
}

/** Field names as their meanings ("姓名、出生日期"); a name whose meaning is not known stays as it is. */
export function meaningsOf(names: readonly string[], meanings: Map<string, string> | undefined): string {
  return names.map((n) => meanings?.get(n) ?? n).join('、');
}

export function failureText(error: unknown, language: Language): string {
  if (error instanceof ApiError) {
    return error.detail ? `${error.title}: ${localiseServerText(error.detail, language)}` : error.title;
  }
  return String(error);
}
