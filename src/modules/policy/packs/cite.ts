import type { DeadlineUnit, FulfilmentAction, Step } from '../policy.schemas.ts';

// Small constructors that keep the pack files readable. They build plain data; the packs are validated
// against the schema when PACKS loads.

/** A value the regulation states, with its article. */
export function cite<const T extends number | string | boolean>(value: T, article: string, note?: string) {
  return note === undefined ? { value, article } : { value, article, note };
}

/** The regulation addresses the matter in `article` but gives no number (or no rule): null, with why. */
export function unstated(article: string, note: string) {
  return { value: null, article, note };
}

/** The regulation says nothing about the matter. */
export function silent(note: string) {
  return { value: null, article: null, note };
}

export function deadline(value: number, unit: DeadlineUnit, article: string, note?: string): Step['deadline'] {
  return note === undefined ? { value, unit, article } : { value, unit, article, note };
}

/** The steps with the one named `id` made a fulfilment step asking the provider for `fulfilment`. */
export function fulfils<S extends { id: string }>(steps: readonly S[], id: string, fulfilment: FulfilmentAction) {
  return steps.map((s) => (s.id === id ? { ...s, fulfilment } : s));
}

/** No statutory deadline for the step. */
export function noDeadline(article: string, note: string): Step['deadline'] {
  return { value: null, unit: null, article, note };
}

/** An order type the regulation does not provide for: disabled, no steps. */
export function notProvided(note: string, article: string | null = null) {
  return { enabled: { value: false, article, note }, steps: [] };
}

/** Roles the regulation names, all of whom must act (e.g. the two confirmations of a catalogue version, SH 15). */
export function citeRoles(roles: Step['role'][], article: string, note: string) {
  return { value: roles, article, note };
}
