import type { Jurisdiction, JurisdictionKind } from '../../api/types';

/** Every kind, in the order the chart shows them; kinds with no jurisdictions are shown as zero. */
export const JURISDICTION_KINDS: readonly JurisdictionKind[] = ['city', 'district', 'dedicated_domain'];

export function countByKind(items: readonly Jurisdiction[]): Record<JurisdictionKind, number> {
  const counts: Record<JurisdictionKind, number> = { city: 0, district: 0, dedicated_domain: 0 };
  for (const item of items) counts[item.kind] += 1;
  return counts;
}
