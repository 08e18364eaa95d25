import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';

// Issue 18's reports: the most idle resources of a period, from the hourly rollups monitoring already keeps (the
// same CPU figures as the utilisation report and the monthly analysis), for the operations reports.

export interface IdleResource {
  resourceId: string;
  resourceName: string;
  organisationId: string;
  organisationName: string | null;
  providerId: string;
  vcpu: number | null;
  /** hours of the period with CPU samples */
  hours: number;
  cpuAvg: number;
  cpuMax: number;
}

const round2 = (v: unknown) => Math.round(Number(v) * 100) / 100;

/** Resources with CPU samples in [from, to), least average CPU first; a provider's only when `providerId` is set. */
export async function idleResources(
  trx: Trx,
  q: { from: Date; to: Date; providerId: string | null; limit: number },
): Promise<IdleResource[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select r.id, r.name, r.organisation_id, o.name as organisation_name, m.provider_id,
      r.quantities->>'vcpu' as vcpu, count(*) as hours,
      sum(m.sum) / nullif(sum(m.count), 0) as cpu_avg, max(m.max) as cpu_max
    from monitoring_rollup m join resource r on r.id = m.resource_id left join organisation o on o.id = r.organisation_id
    where m.metric = 'cpu' and m.hour >= ${q.from} and m.hour < ${q.to}
      and (${q.providerId}::uuid is null or m.provider_id = ${q.providerId}::uuid)
    group by r.id, r.name, r.organisation_id, o.name, m.provider_id, r.quantities
    order by cpu_avg asc, r.name, r.id
    limit ${q.limit}`.execute(trx);
  return rows.map((r) => ({
    resourceId: r.id as string,
    resourceName: r.name as string,
    organisationId: r.organisation_id as string,
    organisationName: (r.organisation_name as string | null) ?? null,
    providerId: r.provider_id as string,
    vcpu: r.vcpu === null || r.vcpu === undefined ? null : Number(r.vcpu),
    hours: Number(r.hours),
    cpuAvg: round2(r.cpu_avg),
    cpuMax: round2(r.cpu_max),
  }));
}
