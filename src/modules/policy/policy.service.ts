import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import type { Db } from '../../schema.ts';
import { getJurisdiction, type Jurisdiction, setJurisdictionPolicyPack } from '../tenancy/index.ts';
import { PACKS } from './packs/index.ts';
import { applyOverrides, mergedPolicy, overrideValueIssues, resolveOverridePath } from './policy.pack.ts';
import * as repo from './policy.repository.ts';
import type { EffectivePolicy, PolicyPack } from './policy.schemas.ts';
import type { PolicyOverrideRow } from './policy.table.ts';

export interface PolicyPackSummary {
  id: string;
  version: string;
  city: { zh: string; en: string };
  title: string;
  year: number | null;
  documentStatus: PolicyPack['documentStatus'];
}

export interface PolicyOverride {
  path: string;
  value: unknown;
  packValue: unknown;
  reason: string;
  packId: string;
  setBy: string | null;
  setAt: string;
  applied: boolean;
  problem?: string;
}

/** A jurisdiction's policy: the pack it runs on merged with its overrides, and the overrides themselves. */
export interface JurisdictionPolicy {
  jurisdiction: string;
  packId: string;
  packVersion: string;
  policy: EffectivePolicy;
  overrides: PolicyOverride[];
}

export function listPacks(): PolicyPackSummary[] {
  return [...PACKS.values()].map((p) => ({
    id: p.id,
    version: p.version,
    city: p.city,
    title: p.title,
    year: p.year,
    documentStatus: p.documentStatus,
    sources: p.sources.map((x) => ({ prefix: x.prefix, title: x.title })),
  }));
}

export function getPack(id: string): PolicyPack {
  const pack = PACKS.get(id);
  if (!pack)
    throw notFound(
      `policy pack "${id}" does not exist / 政策包 "${id}" 不存在; packs: ${[...PACKS.keys()].join(', ')}`,
    );
  return pack;
}

/** The pack a jurisdiction row names; a name no pack answers to is a broken installation, not a client error. */
function packOf(jurisdiction: Jurisdiction): PolicyPack {
  const pack = PACKS.get(jurisdiction.policyPack);
  if (!pack) {
    throw new AppError(
      'internal_error',
      `jurisdiction "${jurisdiction.code}" runs on policy pack "${jurisdiction.policyPack}", which this version does not have`,
    );
  }
  return pack;
}

function merge(jurisdiction: Jurisdiction, pack: PolicyPack, rows: PolicyOverrideRow[]): JurisdictionPolicy {
  // Overrides set against another pack stay stored (and listed) but never apply.
  const current = rows.filter((r) => r.pack_id === pack.id);
  const { policy, outcomes } = mergedPolicy(
    pack,
    current.map((r) => ({ path: r.path, value: r.value, reason: r.reason })),
  );
  const outcomeOf = new Map(outcomes.map((o) => [o.path, o]));
  return {
    jurisdiction: jurisdiction.code,
    packId: pack.id,
    packVersion: pack.version,
    policy,
    overrides: rows.map((r) => {
      const outcome = outcomeOf.get(r.path);
      const entry: PolicyOverride = {
        path: r.path,
        value: r.value,
        packValue: outcome?.packValue ?? null,
        reason: r.reason,
        packId: r.pack_id,
        setBy: r.set_by_name,
        setAt: r.set_at.toISOString(),
        applied: outcome?.applied ?? false,
      };
      const problem = outcome ? outcome.problem : `set against pack ${r.pack_id}; the jurisdiction runs on ${pack.id}`;
      if (problem) entry.problem = problem;
      return entry;
    }),
  };
}

async function jurisdictionPolicyOf(db: Db, jurisdiction: Jurisdiction): Promise<JurisdictionPolicy> {
  return merge(jurisdiction, packOf(jurisdiction), await repo.listOverrides(db, jurisdiction.id));
}

/** The effective policy of a jurisdiction by code, with its overrides listed. */
export async function jurisdictionPolicy(db: Db, jurisdictionCode: string): Promise<JurisdictionPolicy> {
  return jurisdictionPolicyOf(db, await getJurisdiction(db, jurisdictionCode));
}

/**
 * The rules a jurisdiction runs on: its pack merged with its overrides. Later modules (orders, quotas,
 * monitoring, settlement) read every rule from here, never from constants; a null value means the
 * regulation gives no number, and nothing may be made up in its place.
 */
export async function effectivePolicy(db: Db, jurisdictionCode: string): Promise<EffectivePolicy> {
  return (await jurisdictionPolicy(db, jurisdictionCode)).policy;
}

/** Policy changes need a jurisdiction-wide role over that very jurisdiction; any other looks like a missing one. */
async function scopedJurisdiction(db: Db, auth: AuthContext, code: string): Promise<Jurisdiction> {
  const jurisdiction = await getJurisdiction(db, code);
  const v = auth.visibility;
  if (v.kind !== 'jurisdiction' || !v.jurisdictions.includes(jurisdiction.id)) {
    throw notFound(`jurisdiction "${code}" does not exist / 辖区 "${code}" 不存在`);
  }
  await repo.lockJurisdictionPolicy(db, jurisdiction.id);
  // Re-read under the lock: a concurrent change of pack must not be missed.
  return getJurisdiction(db, code);
}

function validationFailed(fields: FieldError[]): AppError {
  return new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
}

const overrideSummary = (r: PolicyOverrideRow) => ({
  path: r.path,
  value: r.value,
  reason: r.reason,
  packId: r.pack_id,
});

/**
 * Selects the jurisdiction's pack. Its overrides were set against the previous pack's rules, so they are
 * removed (and listed in the audit entry). Selecting the pack already selected changes nothing.
 */
export async function selectPack(
  db: Db,
  auth: AuthContext,
  actor: Actor,
  code: string,
  packId: string,
  now: Date,
): Promise<JurisdictionPolicy> {
  const pack = PACKS.get(packId);
  if (!pack) {
    throw validationFailed([
      { field: 'body.packId', message: `no policy pack "${packId}"; packs: ${[...PACKS.keys()].join(', ')}` },
    ]);
  }
  const jurisdiction = await scopedJurisdiction(db, auth, code);
  if (jurisdiction.policyPack === pack.id) return jurisdictionPolicyOf(db, jurisdiction);
  const cleared = await repo.listOverrides(db, jurisdiction.id);
  await repo.deleteAllOverrides(db, jurisdiction.id);
  await setJurisdictionPolicyPack(db, jurisdiction.id, pack.id, now);
  await writeAudit(db, actor, {
    action: 'policy.pack_selected',
    objectType: 'jurisdiction',
    objectId: jurisdiction.id,
    detail: {
      code,
      from: jurisdiction.policyPack,
      to: pack.id,
      version: pack.version,
      clearedOverrides: cleared.map(overrideSummary),
    },
  });
  return jurisdictionPolicyOf(db, { ...jurisdiction, policyPack: pack.id });
}

export interface OverrideInput {
  path: string;
  value: unknown;
  reason: string;
}

/**
 * Sets (or replaces) one override. The path must name a cited value or a deadline of the jurisdiction's pack,
 * the value must fit it, and the merged policy must still hold together (an order type enabled without steps
 * does not); otherwise 400 validation_failed naming body.path or body.value, and nothing is stored.
 */
export async function setOverride(
  db: Db,
  auth: AuthContext,
  actor: Actor,
  code: string,
  input: OverrideInput,
  now: Date,
): Promise<JurisdictionPolicy> {
  const jurisdiction = await scopedJurisdiction(db, auth, code);
  const pack = packOf(jurisdiction);
  const target = resolveOverridePath(pack, input.path);
  if (typeof target === 'string') throw validationFailed([{ field: 'body.path', message: target }]);
  const valueIssues = overrideValueIssues(target, input.value);
  if (valueIssues.length > 0) {
    throw validationFailed(
      valueIssues.map((i) => ({ field: i.path ? `body.value.${i.path}` : 'body.value', message: i.message })),
    );
  }
  const rows = (await repo.listOverrides(db, jurisdiction.id)).filter((r) => r.pack_id === pack.id);
  const others = rows.filter((r) => r.path !== input.path);
  const { policy: withoutThis } = applyOverrides(
    pack,
    others.map((r) => ({ path: r.path, value: r.value, reason: r.reason })),
  );
  const { outcomes } = applyOverrides(withoutThis, [input]);
  const outcome = outcomes[0];
  if (!outcome?.applied) {
    throw validationFailed([{ field: 'body.value', message: outcome?.problem ?? 'does not fit the pack' }]);
  }
  const previous = rows.find((r) => r.path === input.path);
  await repo.upsertOverride(db, {
    jurisdiction_id: jurisdiction.id,
    path: input.path,
    pack_id: pack.id,
    value: input.value,
    reason: input.reason,
    set_by_id: actor.id,
    set_by_name: actor.name ?? null,
    set_at: now,
  });
  await writeAudit(db, actor, {
    action: 'policy.override_set',
    objectType: 'jurisdiction',
    objectId: jurisdiction.id,
    detail: {
      code,
      packId: pack.id,
      packVersion: pack.version,
      path: input.path,
      value: input.value,
      packValue: outcome.packValue,
      previous: previous ? overrideSummary(previous) : null,
      reason: input.reason,
    },
  });
  return jurisdictionPolicyOf(db, jurisdiction);
}

/** Removes one override: the pack's own value applies again. */
export async function removeOverride(
  db: Db,
  auth: AuthContext,
  actor: Actor,
  code: string,
  path: string,
): Promise<JurisdictionPolicy> {
  const jurisdiction = await scopedJurisdiction(db, auth, code);
  const existing = await repo.findOverride(db, jurisdiction.id, path);
  if (!existing) throw notFound(`jurisdiction "${code}" has no override at ${path} / 该辖区没有此项覆盖`);
  await repo.deleteOverride(db, jurisdiction.id, path);
  await writeAudit(db, actor, {
    action: 'policy.override_removed',
    objectType: 'jurisdiction',
    objectId: jurisdiction.id,
    detail: { code, ...overrideSummary(existing) },
  });
  return jurisdictionPolicyOf(db, jurisdiction);
}

/** How an override taken from a city's policy baseline is marked (its reason starts with this and the version). */
export const BASELINE_MARK = '市级政策基线';

export interface PolicyBaselineInput {
  version: string;
  packId: string;
  packVersion: string;
  overrides: { path: string; value: unknown; reason: string }[];
}

/**
 * A district installation takes its city's policy baseline into its own derivation (SH 15; issue 22): the
 * jurisdiction runs on the city's pack (switching packs clears the overrides set against the old one, as
 * selecting a pack does), the overrides of an earlier baseline are replaced by this one's, and the district's
 * own overrides stay on top. Each taken value is checked as `setOverride` checks it; one that does not fit
 * refuses the whole baseline (validation_failed naming it) and nothing changes.
 */
export async function adoptBaseline(
  db: Db,
  actor: Actor,
  code: string,
  baseline: PolicyBaselineInput,
  now: Date,
): Promise<JurisdictionPolicy> {
  const pack = PACKS.get(baseline.packId);
  if (!pack || pack.version !== baseline.packVersion) {
    throw new AppError(
      'conflict',
      `the city's baseline runs on policy pack ${baseline.packId} ${baseline.packVersion}; this installation has ${
        pack ? `version ${pack.version}` : 'no such pack'
      } / 本平台没有市级基线所用的政策包版本`,
    );
  }
  let jurisdiction = await getJurisdiction(db, code);
  await repo.lockJurisdictionPolicy(db, jurisdiction.id);
  jurisdiction = await getJurisdiction(db, code);
  const cleared = jurisdiction.policyPack === pack.id ? [] : await repo.listOverrides(db, jurisdiction.id);
  if (jurisdiction.policyPack !== pack.id) {
    await repo.deleteAllOverrides(db, jurisdiction.id);
    await setJurisdictionPolicyPack(db, jurisdiction.id, pack.id, now);
  }
  const existing = await repo.listOverrides(db, jurisdiction.id);
  const own = existing.filter((r) => r.pack_id === pack.id && !r.reason.startsWith(BASELINE_MARK));
  const ownPaths = new Set(own.map((r) => r.path));
  const taken = baseline.overrides.filter((o) => !ownPaths.has(o.path));
  const problems: FieldError[] = [];
  for (const [i, o] of taken.entries()) {
    const target = resolveOverridePath(pack, o.path);
    if (typeof target === 'string') problems.push({ field: `content.overrides.${i}.path`, message: target });
    else
      for (const issue of overrideValueIssues(target, o.value))
        problems.push({ field: `content.overrides.${i}.value`, message: `${o.path}: ${issue.message}` });
  }
  const merged = [...taken, ...own.map((r) => ({ path: r.path, value: r.value, reason: r.reason }))];
  if (problems.length === 0) {
    for (const outcome of applyOverrides(pack, merged).outcomes) {
      if (!outcome.applied)
        problems.push({ field: 'content.overrides', message: `${outcome.path}: ${outcome.problem}` });
    }
  }
  if (problems.length > 0) throw validationFailed(problems);
  for (const r of existing) {
    if (r.reason.startsWith(BASELINE_MARK) && !taken.some((o) => o.path === r.path)) {
      await repo.deleteOverride(db, jurisdiction.id, r.path);
    }
  }
  for (const o of taken) {
    await repo.upsertOverride(db, {
      jurisdiction_id: jurisdiction.id,
      path: o.path,
      pack_id: pack.id,
      value: o.value,
      reason: `${BASELINE_MARK} ${baseline.version}：${o.reason}`,
      set_by_id: actor.id,
      set_by_name: actor.name ?? null,
      set_at: now,
    });
  }
  await writeAudit(db, actor, {
    action: 'policy.baseline_adopted',
    objectType: 'jurisdiction',
    objectId: jurisdiction.id,
    detail: {
      code,
      version: baseline.version,
      packId: pack.id,
      packVersion: pack.version,
      taken: taken.map((o) => ({ path: o.path, value: o.value })),
      keptOwn: own.map(overrideSummary),
      clearedOverrides: cleared.map(overrideSummary),
    },
  });
  return jurisdictionPolicyOf(db, { ...jurisdiction, policyPack: pack.id });
}
