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
  const row = await repo.findJurisdictionByCode(db, code);
  if (!row) throw notFound(`jurisdiction "${code}" does not exist / 辖区 "${code}" 不存在`);
  return toJurisdiction(row);
}

/** The city cloud at the top of the tree: the platform's default jurisdiction. */
export async function defaultJurisdiction(db: Db): Promise<Jurisdiction | null> {
  const all = await listJurisdictions(db);
  return all.find((j) => j.kind === 'city') ?? null;
}

/** Records which policy pack a jurisdiction runs on (the policy module validates the id and audits). */
export async function setJurisdictionPolicyPack(db: Db, id: string, policyPack: string, now: Date): Promise<void> {
  await repo.updatePolicyPack(db, id, policyPack, now);
}
