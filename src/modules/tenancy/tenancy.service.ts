import { notFound } from '../../platform/errors.ts';
import type { Db } from '../../schema.ts';
import * as repo from './tenancy.repository.ts';
import type { JurisdictionKind, JurisdictionRow } from './tenancy.table.ts';

export interface Jurisdiction {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  kind: JurisdictionKind;
  parentCode: string | null;
  policyPack: string;
  createdAt: string;
}

function toJurisdiction(row: JurisdictionRow & { parent_code: string | null }): Jurisdiction {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    nameEn: row.name_en,
    kind: row.kind,
    parentCode: row.parent_code,
    policyPack: row.policy_pack,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listJurisdictions(db: Db): Promise<Jurisdiction[]> {
  return (await repo.listJurisdictions(db)).map(toJurisdiction);
}

export async function getJurisdiction(db: Db, code: string): Promise<Jurisdiction> {
  const memo = memos.get(db);
  const known = memo?.get(code);
  if (known) return known;
  const row = await repo.findJurisdictionByCode(db, code);
  if (!row) throw notFound(`jurisdiction "${code}" does not exist / 辖区 "${code}" 不存在`);
  const jurisdiction = toJurisdiction(row);
  memo?.set(code, Object.freeze(jurisdiction));
  return jurisdiction;
}

const memos = new WeakMap<Db, Map<string, Jurisdiction>>();

/**
 * Within this transaction, until the answered function is called, `getJurisdiction` reads each code once
 * (an order's placement asked for its jurisdiction three times: catalogue, policy, calendar; docs/decisions.md,
 * issue 24, lane orders27). Only for work that neither locks nor changes jurisdictions meanwhile: a re-read
 * under a lock must not use it.
 */
export function memoiseJurisdictions(db: Db): () => void {
  memos.set(db, new Map());
  return () => memos.delete(db);
}

/** The city cloud at the top of the tree: the platform's default jurisdiction. */
export async function defaultJurisdiction(db: Db): Promise<Jurisdiction | null> {
  const all = await listJurisdictions(db);
  return all.find((j) => j.kind === 'city') ?? null;
}

/** Records which policy pack a jurisdiction runs on (the policy module validates the id and audits). */
export async function setJurisdictionPolicyPack(db: Db, id: string, policyPack: string, now: Date): Promise<void> {
  await repo.updatePolicyPack(db, id, policyPack, now);
  memos.get(db)?.clear();
}
