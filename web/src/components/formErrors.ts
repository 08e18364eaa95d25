import type { FormInstance } from 'antd';
import { useCallback, useState } from 'react';
import { ApiError, localiseServerText } from '../api/errors';
import { type Language, useI18n } from '../i18n';

type NamePath = (string | number)[];

/** `body.contacts.0.name` → ['contacts', 0, 'name']; only body fields belong to a form. */
function formPath(field: string): NamePath | undefined {
  const [context, ...rest] = field.split('.');
  if (context !== 'body' || rest.length === 0) return undefined;
  return rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

const samePath = (a: readonly (string | number)[], b: readonly (string | number)[]) =>
  a.length === b.length && a.every((part, index) => part === b[index]);

/**
 * Puts the server's field errors (problem `errors[]`) on the form's fields: `body.newPassword` on the field
 * `newPassword`, `body.roles.0` on `roles` when there is no field of its own. Returns whether every field error
 * found its field, i.e. whether the form already says everything (the alert above it can then be short).
 */
export function showFieldErrors(form: FormInstance, error: unknown, language: Language): boolean {
  if (!(error instanceof ApiError) || error.fields.length === 0) return false;
  const registered = form.getFieldsError().map(({ name }) => name);
  const byField = new Map<string, { name: NamePath; errors: string[] }>();
  let allPlaced = true;
  for (const { field, message } of error.fields) {
    const path = formPath(field);
    let name: NamePath | undefined;
    for (let length = path?.length ?? 0; path && length > 0 && !name; length--) {
      const candidate = path.slice(0, length);
      if (registered.some((known) => samePath(known, candidate))) name = candidate;
    }
    if (!name) {
      allPlaced = false;
      continue;
    }
    const key = JSON.stringify(name);
    const entry = byField.get(key) ?? { name, errors: [] };
    entry.errors.push(localiseServerText(message, language));
    byField.set(key, entry);
  }
  form.setFields([...byField.values()]);
  return allPlaced;
}

export interface ServerErrors {
  /** the last failure, for an ApiErrorAlert above the form */
  error: unknown;
  /** whether the form shows all of it next to the fields (pass as ApiErrorAlert `compact`) */
  compact: boolean;
  /** mutation `onError`: marks the fields and remembers the failure */
  onError: (error: unknown) => void;
  /** forget the failure (on a new submit, or when the form closes) */
  clear: () => void;
}

/** A form's server-side failure: field errors on their fields, the rest in an alert. */
export function useServerErrors(form: FormInstance): ServerErrors {
  const { language } = useI18n();
  const [state, setState] = useState<{ error: unknown; compact: boolean }>({ error: null, compact: false });
  const onError = useCallback(
    (error: unknown) => setState({ error, compact: showFieldErrors(form, error, language) }),
    [form, language],
  );
  const clear = useCallback(() => setState({ error: null, compact: false }), []);
  return { ...state, onError, clear };
}
