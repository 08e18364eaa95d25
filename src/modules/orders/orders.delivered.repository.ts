import type { Trx } from '../../schema.ts';

// Issue 18's reports: the changes delivered in a period, i.e. change and scale-up orders completed (closed with
// status completed) in [from, to), as the caller may see them.

export const CHANGE_ORDER_TYPES = ['change', 'scale_up'] as const;

export interface DeliveredChange {
  id: string;
  number: string;
  type: (typeof CHANGE_ORDER_TYPES)[number];
  title: string;
  organisationId: string;
  unitName: string | null;
  closedAt: string;
}

export async function changesDelivered(trx: Trx, q: { from: Date; to: Date }): Promise<DeliveredChange[]> {
  const rows = await trx
    .selectFrom('resource_order as o')
    .leftJoin('organisation as u', 'u.id', 'o.organisation_id')
    .select(['o.id', 'o.number', 'o.type', 'o.title', 'o.organisation_id', 'u.name as unit_name', 'o.closed_at'])
    .where('o.status', '=', 'completed')
    .where('o.type', 'in', [...CHANGE_ORDER_TYPES])
    .where('o.closed_at', '>=', q.from)
    .where('o.closed_at', '<', q.to)
    .orderBy('o.closed_at')
    .orderBy('o.number')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    type: r.type as DeliveredChange['type'],
    title: r.title,
    organisationId: r.organisation_id,
    unitName: r.unit_name ?? null,
    closedAt: (r.closed_at as Date).toISOString(),
  }));
}
