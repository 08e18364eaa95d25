import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';
import type { AttemptRecord, DeliveryRecord, NotificationRecord, SubscriptionRecord } from './notifications.table.ts';

// ---- inbox: every query is filtered by the user as well as by row-level security

export async function listNotifications(
  trx: Trx,
  userId: string,
  q: { unread: boolean; limit: number; offset: number },
): Promise<{ rows: NotificationRecord[]; total: number; unread: number }> {
  let base = trx.selectFrom('notification').where('user_id', '=', userId);
  if (q.unread) base = base.where('read_at', 'is', null);
  const rows = await base
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const { total } = await base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total), unread: await countUnread(trx, userId) };
}

export async function countUnread(trx: Trx, userId: string): Promise<number> {
  const { n } = await trx
    .selectFrom('notification')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function markRead(
  trx: Trx,
  userId: string,
  id: string,
  at: Date,
): Promise<NotificationRecord | undefined> {
  await trx
    .updateTable('notification')
    .set({ read_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  return trx
    .selectFrom('notification')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function markAllRead(trx: Trx, userId: string, at: Date): Promise<number> {
  const result = await trx
    .updateTable('notification')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// ---- webhooks

export function listSubscriptions(trx: Trx, jurisdictionId: string): Promise<SubscriptionRecord[]> {
  return trx
    .selectFrom('webhook_subscription')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function getSubscription(trx: Trx, jurisdictionId: string, id: string): Promise<SubscriptionRecord | undefined> {
  return trx
    .selectFrom('webhook_subscription')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listDeliveries(
  trx: Trx,
  subscriptionId: string,
  q: { limit: number; offset: number; status?: string },
): Promise<{ rows: (DeliveryRecord & { log: AttemptRecord[] })[]; total: number }> {
  let base = trx.selectFrom('notification_delivery').where('subscription_id', '=', subscriptionId);
  if (q.status) base = base.where('status', '=', q.status as DeliveryRecord['status']);
  const rows = await base
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const { total } = await base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  const ids = rows.map((r) => r.id);
  const attempts =
    ids.length === 0
      ? []
      : await trx
          .selectFrom('notification_delivery_attempt')
          .selectAll()
          .where('delivery_id', 'in', ids)
          .orderBy('attempt')
          .execute();
  const byDelivery = new Map<string, AttemptRecord[]>();
  for (const a of attempts) byDelivery.set(a.delivery_id, [...(byDelivery.get(a.delivery_id) ?? []), a]);
  return { rows: rows.map((r) => ({ ...r, log: byDelivery.get(r.id) ?? [] })), total: Number(total) };
}

export function getDelivery(trx: Trx, jurisdictionId: string, id: string): Promise<DeliveryRecord | undefined> {
  return trx
    .selectFrom('notification_delivery')
    .selectAll()
    .where('id', '=', id)
    .where('channel', '=', 'webhook')
    .where('jurisdiction_id', '=', jurisdictionId)
    .executeTakeFirst();
}

export async function getEgressPolicy(
  trx: Trx,
  jurisdictionId: string,
): Promise<{ allowedHosts: string[]; allowedNetworks: string[] }> {
  const row = await trx
    .selectFrom('webhook_egress_policy')
    .select(['allowed_hosts', 'allowed_networks'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .executeTakeFirst();
  return { allowedHosts: row?.allowed_hosts ?? [], allowedNetworks: row?.allowed_networks ?? [] };
}

export async function putEgressPolicy(
  trx: Trx,
  jurisdictionId: string,
  policy: { allowedHosts: string[]; allowedNetworks: string[] },
  by: string,
  at: Date,
): Promise<void> {
  await trx
    .insertInto('webhook_egress_policy')
    .values({
      jurisdiction_id: jurisdictionId,
      allowed_hosts: sql<string[]>`${policy.allowedHosts}::text[]`,
      allowed_networks: sql<string[]>`${policy.allowedNetworks}::text[]`,
      updated_by: by,
      updated_at: at,
    })
    .onConflict((oc) =>
      oc.column('jurisdiction_id').doUpdateSet({
        allowed_hosts: sql<string[]>`excluded.allowed_hosts`,
        allowed_networks: sql<string[]>`excluded.allowed_networks`,
        updated_by: by,
        updated_at: at,
      }),
    )
    .execute();
}
