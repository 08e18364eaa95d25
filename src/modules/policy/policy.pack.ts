import Type, { type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { PLATFORM_DEFAULT } from './packs/defaults.ts';
import { evaluationIssues } from './policy.evaluation.ts';
import {
  type CitedKind,
  type CitedValue,
  DeadlineValueSchema,
  type EffectivePolicy,
  FULFILLED_TYPES,
  type OrderType,
  POLICY_CONTEXT,
  type PolicyPack,
  PolicyPackSchema,
  VALUE_SCHEMAS,
} from './policy.schemas.ts';

// Pure functions over packs: validation (schema and the rules a schema cannot state), override paths,
// and merging a jurisdiction's overrides into its pack. No database here.

/** One thing wrong with a pack, an effective policy or an override, at a dotted path ('quota.developmentShareMax.value'). */
export interface PackIssue {
  path: string;
  message: string;
}

export class InvalidPackError extends Error {
  constructor(
    readonly packId: string,
    readonly issues: PackIssue[],
  ) {
    super(`policy pack ${packId} is invalid: ${issues.map((i) => `${i.path || '(pack)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidPackError';
  }
}

/** The sections a jurisdiction may override; the pack's identity, sources and bodies are the regulation's own. */
export const OVERRIDABLE_SECTIONS = [
  'orderTypes',
  'quota',
  'trial',
  'monitoring',
  'retention',
  'provider',
  'settlement',
  'catalogue',
  'projects',
  'legacyDataCentre',
  'sharedData',
  'defaults',
] as const;

const MARKS = ['overridden', 'overrideReason', 'packValue'] as const;

// ------------------------------------------------------------------------------------------ validation

/** Dotted path of a JSON pointer into a pack, naming steps by their id: orderTypes.reclaim.steps.review.deadline. */
function dotted(root: unknown, pointer: string): string {
  const segments = pointer.split('/').slice(1);
  const out: string[] = [];
  let node: unknown = root;
  for (const raw of segments) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    let name = segment;
    if (Array.isArray(node)) {
      const item = node[Number(segment)] as { id?: unknown } | undefined;
      if (item && typeof item === 'object' && typeof item.id === 'string') name = item.id;
      node = item;
    } else {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
    out.push(name);
  }
  return out.join('.');
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

/** TypeBox's errors, one readable line per offending field (a union with null reports as "... or null"). */
export function schemaIssues(schema: TSchema, value: unknown, root: unknown = value, prefix = ''): PackIssue[] {
  const errors = Value.Errors(POLICY_CONTEXT, schema, value);
  const byPath = new Map<string, typeof errors>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const issues: PackIssue[] = [];
  for (const [pointer, list] of byPath) {
    const path = join(prefix, dotted(root, pointer));
    const orNull = list.some((e) => e.keyword === 'type' && (e.params as { type?: string }).type === 'null');
    const relevant = list.filter(
      (e) =>
        e.keyword !== 'anyOf' &&
        e.keyword !== 'boolean' &&
        !(e.keyword === 'type' && (e.params as { type?: string }).type === 'null'),
    );
    if (relevant.length === 0) {
      // `boolean` alone: a field the schema forbids, named by its parent's additionalProperties error.
      // `anyOf` alone: a deeper error said more, or the value fits none of the alternatives.
      const deeper = errors.some((e) => e.instancePath.startsWith(`${pointer}/`));
      if (!deeper && list.some((e) => e.keyword === 'anyOf')) issues.push({ path, message: 'has the wrong shape' });
      continue;
    }
    for (const e of relevant) {
      if (e.keyword === 'required') {
        for (const p of (e.params as { requiredProperties: string[] }).requiredProperties) {
          issues.push({ path: join(path, p), message: 'is required' });
        }
      } else if (e.keyword === 'additionalProperties') {
        for (const p of (e.params as { additionalProperties: string[] }).additionalProperties) {
          issues.push({ path: join(path, p), message: 'is not a field of a policy pack' });
        }
      } else if (e.keyword === 'enum') {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v));
        issues.push({ path, message: `must be one of ${allowed.join(', ')}${orNull ? ' or null' : ''}` });
      } else {
        issues.push({ path, message: orNull ? `${e.message} or null` : e.message });
      }
    }
  }
  return issues;
}

interface Cited {
  value: unknown;
  article: string | null;
  note?: string;
  unit?: string | null;
  overridden?: true;
}

const isCited = (node: unknown): node is Cited =>
  !!node && typeof node === 'object' && !Array.isArray(node) && 'value' in node && 'article' in node;

/** What the schema cannot say; `pack` has passed the schema. */
function ruleIssues(pack: PolicyPack, effective: boolean): PackIssue[] {
  const issues: PackIssue[] = [];
  const prefixes = new Set(pack.sources.map((s) => s.prefix));
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, join(path, typeof item?.id === 'string' ? item.id : String(i)));
      });
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.article === 'string') {
      const prefix = record.article.split(' ')[0] as string;
      if (!prefixes.has(prefix as never)) {
        issues.push({ path: join(path, 'article'), message: `cites ${prefix}, which is not among the pack's sources` });
      }
    }
    if (isCited(node)) {
      const overridden = node.overridden === true;
      if (!effective) {
        for (const mark of MARKS) {
          if (mark in record)
            issues.push({ path: join(path, mark), message: 'belongs to effective policies, not packs' });
        }
      }
      // An override's reason stands in for the note and the article it does not have.
      if (node.value === null && node.note === undefined && !overridden) {
        issues.push({ path: join(path, 'note'), message: 'a value the regulation does not give (null) needs a note' });
      }
      if (node.article === null && node.note === undefined && !overridden) {
        issues.push({ path: join(path, 'note'), message: 'a value without an article needs a note saying why' });
      }
      const platformChosen = path.startsWith('defaults.');
      if (platformChosen && (node.article !== null || !node.note?.startsWith(PLATFORM_DEFAULT))) {
        issues.push({
          path: join(path, 'note'),
          message: `a platform default cites no article and its note starts with "${PLATFORM_DEFAULT}"`,
        });
      }
      if (node.article === null && node.value !== null && node.value !== false && !overridden && !platformChosen) {
        issues.push({ path: join(path, 'article'), message: 'a value from a regulation needs its article' });
      }
      if ('unit' in record && (node.value === null) !== (node.unit === null)) {
        issues.push({ path: join(path, 'unit'), message: 'a deadline has both a value and a unit, or neither' });
      }
    }
    for (const [key, child] of Object.entries(record)) {
      if (key !== 'packValue') walk(child, join(path, key));
    }
  };
  walk(pack, '');
  issues.push(...evaluationIssues(pack.evaluation));
  // A unit can always release what it no longer needs: without a reclaim, resources would run (and bill) forever.
  if (
    pack.orderTypes.reclaim.enabled.value !== true ||
    !pack.orderTypes.reclaim.steps.some((s) => s.fulfilment === 'reclaim')
  ) {
    issues.push({
      path: 'orderTypes.reclaim.enabled',
      message:
        'every pack lets a unit release what it no longer needs: reclaim is enabled and ends in the provider’s reclaim',
    });
  }
  for (const [type, order] of Object.entries(pack.orderTypes)) {
    if (order.enabled.value === true && order.steps.length === 0) {
      issues.push({ path: `orderTypes.${type}.enabled`, message: 'an enabled order type needs at least one step' });
    }
    // Every order type that delivers, changes or ends resources ends in the step that asks the provider to
    // (the engine has no table of its own: a pack without one would complete orders nobody fulfilled).
    const last = order.steps.filter((s) => s.when === undefined).at(-1);
    if (order.enabled.value === true && FULFILLED_TYPES.includes(type as OrderType) && !last?.fulfilment) {
      issues.push({
        path: `orderTypes.${type}.steps${last ? `.${last.id}.fulfilment` : ''}`,
        message: 'an enabled order type that delivers, changes or ends resources ends in a fulfilment step',
      });
    }
    const seen = new Set<string>();
    for (const step of order.steps) {
      if (seen.has(step.id)) issues.push({ path: `orderTypes.${type}.steps.${step.id}`, message: 'duplicate step id' });
      seen.add(step.id);
    }
  }
  return issues;
}

/** Everything wrong with a candidate pack (or, `effective`, a merged policy); empty when it is valid. */
export function packIssues(candidate: unknown, options: { effective?: boolean } = {}): PackIssue[] {
  if (!Value.Check(POLICY_CONTEXT, PolicyPackSchema, candidate)) return schemaIssues(PolicyPackSchema, candidate);
  return ruleIssues(candidate as PolicyPack, options.effective ?? false);
}

/** The pack, checked; throws InvalidPackError naming every offending path. */
export function validatePack(candidate: unknown): PolicyPack {
  const issues = packIssues(candidate);
  if (issues.length > 0) {
    const id = (candidate as { id?: unknown } | null)?.id;
    throw new InvalidPackError(typeof id === 'string' ? id : '(no id)', issues);
  }
  return candidate as PolicyPack;
}

/** Validates every pack (at start-up: a malformed pack stops the app) and indexes them by id. */
export function loadPacks(candidates: readonly unknown[]): ReadonlyMap<string, PolicyPack> {
  const packs = new Map<string, PolicyPack>();
  for (const candidate of candidates) {
    const pack = validatePack(candidate);
    if (packs.has(pack.id)) throw new InvalidPackError(pack.id, [{ path: 'id', message: 'two packs share this id' }]);
    packs.set(pack.id, deepFreeze(structuredClone(pack)));
  }
  return packs;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// ------------------------------------------------------------------------------------------ overrides

export const OVERRIDE_PATH_PATTERN = '^[a-z][A-Za-z0-9_]*(\\.[a-z][A-Za-z0-9_]*){1,5}$';

export interface OverrideTarget {
  /** the cited value or deadline at the path */
  node: CitedValue & { unit?: string | null };
  kind: CitedKind | 'Deadline';
  /** what an override value must fit: the value kind (or a deadline's {value, unit}), or null */
  valueSchema: TSchema;
}

/**
 * The overridable value at a dotted path of a pack: a cited value or a step's deadline, inside one of the
 * OVERRIDABLE_SECTIONS; steps are named by id (orderTypes.scale_up.steps.review.deadline). A string says why not.
 */
export function resolveOverridePath(pack: PolicyPack, path: string): OverrideTarget | string {
  const segments = path.split('.');
  if (!(OVERRIDABLE_SECTIONS as readonly string[]).includes(segments[0] as string)) {
    return `${path} cannot be overridden: only values in ${OVERRIDABLE_SECTIONS.join(', ')} can`;
  }
  if (!new RegExp(OVERRIDE_PATH_PATTERN).test(path)) {
    return `${path} is not a dotted path to one value, like quota.developmentShareMax`;
  }
  let node: unknown = pack;
  let schema: TSchema | undefined = PolicyPackSchema;
  let kind: string | undefined;
  for (const segment of segments) {
    const s = schema as { properties?: Record<string, TSchema>; items?: TSchema } | undefined;
    if (Array.isArray(node)) {
      node = node.find((item: { id?: unknown }) => item?.id === segment);
      schema = s?.items;
    } else if (node && typeof node === 'object' && !isCited(node) && Object.hasOwn(node, segment)) {
      node = (node as Record<string, unknown>)[segment];
      schema = s?.properties?.[segment];
    } else {
      node = undefined;
    }
    if (node === undefined || schema === undefined) return `pack ${pack.id} has no rule at ${path}`;
    // Named schemas are referenced by $id: follow the reference, remember its name.
    kind = (schema as { $ref?: string }).$ref;
    if (kind !== undefined) schema = (POLICY_CONTEXT as Record<string, TSchema>)[kind];
  }
  if (!isCited(node)) {
    return node && typeof node === 'object'
      ? `${path} is a group of rules, not one value: name one of them`
      : `${path} cannot be overridden: only cited values and deadlines can`;
  }
  if (kind === 'PolicyDeadline') {
    return { node: node as OverrideTarget['node'], kind: 'Deadline', valueSchema: DeadlineValueSchema };
  }
  if (kind && Object.hasOwn(VALUE_SCHEMAS, kind)) {
    const cited = kind as CitedKind;
    return {
      node: node as OverrideTarget['node'],
      kind: cited,
      valueSchema: Type.Union([VALUE_SCHEMAS[cited], Type.Null()]),
    };
  }
  return `${path} cannot be overridden`;
}

const KIND_HINTS: Record<OverrideTarget['kind'], string> = {
  CitedInteger: 'a whole number ≥ 0, or null',
  CitedRatio: 'a decimal string such as "0.15", or null',
  CitedBoolean: 'true, false or null',
  CitedRole: 'a role name, or null',
  CitedRoles: 'a list of role names, or null',
  CitedMonth: 'a month 1-12, or null',
  Deadline: '{"value": n, "unit": "working_days" | "calendar_days" | "months"}, or null',
};

/** Why `value` cannot override the target (field-relative paths: '' is the value itself), or [] when it can. */
export function overrideValueIssues(target: OverrideTarget, value: unknown): PackIssue[] {
  if (value === undefined) return [{ path: '', message: `is required: ${KIND_HINTS[target.kind]}` }];
  if (Value.Check(target.valueSchema, value)) return [];
  const issues = schemaIssues(target.valueSchema, value);
  return issues.length > 0
    ? issues.map((i) => ({ path: i.path, message: `${i.message} (expected ${KIND_HINTS[target.kind]})` }))
    : [{ path: '', message: `must be ${KIND_HINTS[target.kind]}` }];
}

export interface StoredOverride {
  path: string;
  value: unknown;
  reason: string;
}

export interface OverrideOutcome {
  path: string;
  applied: boolean;
  /** the pack's own value at the path (a deadline: {value, unit} or null) */
  packValue: unknown;
  problem?: string;
}

function currentValue(target: OverrideTarget): unknown {
  const n = target.node;
  if (target.kind !== 'Deadline') return n.value;
  return n.value === null ? null : { value: n.value, unit: n.unit };
}

/**
 * The pack with the overrides applied in order. Each overridden value keeps its article and note and says
 * `overridden: true`, the reason and the pack's value. An override that does not fit (the path or the
 * value no longer matches the pack, or the result breaks a rule) is left out and reported, never fatal.
 */
/**
 * `applyOverrides`, memoised by pack and overrides (docs/decisions.md, issue 24, lane orders27): the same
 * jurisdiction's policy is merged once, not cloned per request. The answer is deeply frozen (it is shared);
 * at most MERGED_LIMIT merges per pack are kept, the oldest dropped first.
 */
export function mergedPolicy(
  pack: PolicyPack,
  overrides: readonly StoredOverride[],
): { policy: EffectivePolicy; outcomes: readonly OverrideOutcome[] } {
  let memo = merged.get(pack);
  if (!memo) {
    memo = new Map();
    merged.set(pack, memo);
  }
  const key = JSON.stringify(overrides.map((o) => [o.path, o.value, o.reason]));
  const hit = memo.get(key);
  if (hit) return hit;
  const result = deepFreeze(applyOverrides(pack, overrides));
  if (memo.size >= MERGED_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, result);
  return result;
}

const MERGED_LIMIT = 256;
const merged = new WeakMap<PolicyPack, Map<string, { policy: EffectivePolicy; outcomes: OverrideOutcome[] }>>();

export function applyOverrides(
  pack: PolicyPack,
  overrides: readonly StoredOverride[],
): { policy: EffectivePolicy; outcomes: OverrideOutcome[] } {
  let policy = structuredClone(pack) as EffectivePolicy;
  const outcomes: OverrideOutcome[] = [];
  for (const override of overrides) {
    const candidate = structuredClone(policy);
    const target = resolveOverridePath(candidate, override.path);
    if (typeof target === 'string') {
      outcomes.push({ path: override.path, applied: false, packValue: null, problem: target });
      continue;
    }
    const packValue = currentValue(target);
    const valueIssues = overrideValueIssues(target, override.value);
    if (valueIssues.length > 0) {
      const problem = valueIssues.map((i) => `value${i.path ? `.${i.path}` : ''} ${i.message}`).join('; ');
      outcomes.push({ path: override.path, applied: false, packValue, problem });
      continue;
    }
    const node = target.node;
    node.packValue = packValue;
    if (target.kind === 'Deadline') {
      const v = override.value as { value: number; unit: string } | null;
      node.value = v === null ? null : v.value;
      node.unit = v === null ? null : v.unit;
    } else {
      node.value = override.value;
    }
    node.overridden = true;
    node.overrideReason = override.reason;
    const issues = packIssues(candidate, { effective: true });
    if (issues.length > 0) {
      const problem = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      outcomes.push({ path: override.path, applied: false, packValue, problem });
      continue;
    }
    policy = candidate;
    outcomes.push({ path: override.path, applied: true, packValue });
  }
  return { policy, outcomes };
}
