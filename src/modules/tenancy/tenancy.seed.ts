import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { insertJurisdictionIfAbsent } from './tenancy.repository.ts';

/** Demo data only: a city cloud with two district clouds. Idempotent. */
export const DEMO_JURISDICTIONS = [
  { code: 'demo-city', name: '示范市政务云', name_en: 'Demo City Government Cloud', kind: 'city', parent: null },
  {
    code: 'demo-east',
    name: '示范市东城区政务云',
    name_en: 'Demo City East District Cloud',
    kind: 'district',
    parent: 'demo-city',
  },
  {
    code: 'demo-west',
    name: '示范市西城区政务云',
    name_en: 'Demo City West District Cloud',
    kind: 'district',
    parent: 'demo-city',
  },
] as const;

export async function seedDemoJurisdictions(trx: Trx, actor: Actor): Promise<number> {
  const ids = new Map<string, string>();
  let created = 0;
  for (const j of DEMO_JURISDICTIONS) {
    const parentId = j.parent ? ids.get(j.parent) : undefined;
    const result = await insertJurisdictionIfAbsent(trx, {
      code: j.code,
      name: j.name,
      name_en: j.name_en,
      kind: j.kind,
      parent_id: parentId ?? null,
    });
    ids.set(j.code, result.id);
    if (result.created) {
      created++;
      await writeAudit(trx, actor, {
        action: 'jurisdiction.created',
        objectType: 'jurisdiction',
        objectId: result.id,
        detail: { code: j.code, source: 'demo-seed' },
      });
    }
  }
  return created;
}
