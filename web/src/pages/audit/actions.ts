import type { MessageKey, Translate } from '../../i18n';
import { zhCN } from '../../i18n/messages/zh-CN';

/** The actions the console names, for the filter (every action the server records: src/**: writeAudit). */
export const AUDIT_ACTIONS: readonly string[] = Object.keys(zhCN)
  .filter((key) => key.startsWith('auditAction.'))
  .map((key) => key.slice('auditAction.'.length));

/** The key of an action's label, when the console names it (zh-CN.ts and audit.zh-CN.ts). */
function actionKey(action: string, t: Translate): MessageKey | undefined {
  const key = `auditAction.${action}` as MessageKey;
  // an unknown key has no text (the dictionaries are typed; the action comes from the server)
  return (t(key) as string | undefined) ? key : undefined;
}

/** The action's label, or undefined for an action this console does not know yet. */
export function actionLabel(action: string, t: Translate): string | undefined {
  const key = actionKey(action, t);
  return key ? t(key) : undefined;
}

/** What kind of object an entry is about, in words ("申请", "用户"). */
export function objectTypeLabel(type: string, t: Translate): string {
  const key = `auditObject.${type}` as MessageKey;
  return (t(key) as string | undefined) ?? t('auditObject.other');
}

/**
 * The action in words, always: its label, or for an action this console does not know yet the kind of object
 * it is about ("其他操作：申请"), never its code.
 */
export function actionInWords(action: string, objectType: string, t: Translate): string {
  return actionLabel(action, t) ?? `${t('audit.otherAction')}：${objectTypeLabel(objectType, t)}`;
}
