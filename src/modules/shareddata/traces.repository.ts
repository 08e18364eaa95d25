import { type SelectQueryBuilder, sql } from 'kysely';
import type { DB, Trx } from '../../schema.ts';
import type { CallOutcome, DataCallTraceRow } from './shareddata.table.ts';

// Reading the gateway's traces (writing is the gateway's, gateway.repository.ts).

export interface TraceFilter {
  consumers?: readonly string[];
  providers?: readonly string[];
  jurisdictions?: readonly string[];
  resourceId?: string;
  consumerOrganisationId?: string;
  outcome?: CallOutcome;
  refusedOnly?: boolean;
  from?: Date;
  to?: Date;
}

function filtered<O>(q: SelectQueryBuilder<DB, 'data_call_trace', O>, f: TraceFilter) {
  let out = q;
  if (f.consumers) out = out.where('consumer_organisation_id', 'in', f.consumers);
  if (f.providers) out = out.where('provider_organisation_id', 'in', f.providers);
  if (f.jurisdictions) {
    const js = f.jurisdictions as string[];
    out = out.where((eb) => eb.or([eb('jurisdiction_id', 'in', js), eb('consumer_jurisdiction_id', 'in', js)]));
  }
  if (f.resourceId) out = out.where('resource_id', '=', f.resourceId);
  if (f.consumerOrganisationId) out = out.where('consumer_organisation_id', '=', f.consumerOrganisationId);
  if (f.outcome) out = out.where('outcome', '=', f.outcome);
  if (f.refusedOnly) out = out.where('outcome', '<>', 'ok');
  if (f.from) out = out.where('occurred_at', '>=', f.from);
  if (f.to) out = out.where('occurred_at', '<', f.to);
  return out;
}

export async function listTraces(
  trx: Trx,
  f: TraceFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: DataCallTraceRow[]; total: number }> {
  const rows = await filtered(trx.selectFrom('data_call_trace').selectAll(), f)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const count = await filtered(
    trx.selectFrom('data_call_trace').select(sql<string>`count(*)`.as('n')),
    f,
  ).executeTakeFirst();
  return { rows, total: Number(count?.n ?? 0) };
}

export async function usage(trx: Trx, f: TraceFilter) {
  return filtered(
    trx
      .selectFrom('data_call_trace')
      .select([
        'resource_id',
        'consumer_organisation_id',
        sql<string | null>`max(resource_name)`.as('resource_name'),
        sql<string | null>`max(provider_name)`.as('provider_name'),
        sql<string>`max(consumer_name)`.as('consumer_name'),
        sql<string>`count(*)`.as('calls'),
        sql<string>`count(*) filter (where outcome = 'ok')`.as('succeeded'),
        sql<string>`coalesce(sum(record_count), 0)`.as('records'),
        sql<Date>`min(occurred_at)`.as('first_call_at'),
        sql<Date>`max(occurred_at)`.as('last_call_at'),
      ]),
    f,
  )
    .groupBy(['resource_id', 'consumer_organisation_id'])
    .orderBy(sql`max(occurred_at)`, 'desc')
    .limit(1000)
    .execute();
}
