import type { Trx } from '../../schema.ts';
import * as repo from './incidents.repository.ts';

// Availability and incidents per provider for the efficiency evaluation (issue 17; TZ 20(3) 服务质量, SH 33
// 运行维护): the same merged unplanned incident windows the availability report uses (`availability`), over the
// evaluation's window, in whole seconds; never typed in.

export interface ProviderAvailabilityFacts {
  providerId: string;
  /** the measured window in whole seconds */
  periodSeconds: number;
  /** unplanned incident time in the window, overlapping incidents merged, whole seconds */
  downSeconds: number;
  /** incidents that started in the window, of them major, and reports not filed by their deadline */
  incidents: number;
  major: number;
  reportsLate: number;
}

export async function providerAvailability(
  trx: Trx,
  jurisdictionId: string,
  from: Date,
  to: Date,
): Promise<ProviderAvailabilityFacts[]> {
  const periodSeconds = Math.floor((to.getTime() - from.getTime()) / 1000);
  const down = await repo.downtime(trx, { kind: 'jurisdiction', jurisdictions: [jurisdictionId] }, from, to);
  const counts = await repo.incidentCounts(trx, jurisdictionId, from, to);
  const ids = new Set([
    ...down.filter((d) => d.dimension === 'provider').map((d) => d.key),
    ...counts.map((c) => c.provider_id),
  ]);
  return [...ids].sort().map((providerId) => {
    const d = down.find((x) => x.dimension === 'provider' && x.key === providerId);
    const c = counts.find((x) => x.provider_id === providerId);
    return {
      providerId,
      periodSeconds,
      downSeconds: d ? Math.round(Number(d.seconds)) : 0,
      incidents: c?.incidents ?? 0,
      major: c?.major ?? 0,
      reportsLate: c?.reports_late ?? 0,
    };
  });
}
