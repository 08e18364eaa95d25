import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { randomSecret, sealSecret } from '../../platform/crypto.ts';
import { AppError, type FieldError, notFound } from '../../platform/errors.ts';
import {
  checkTarget,
  EgressRefused,
  normaliseAllowedHost,
  parseCidr,
  type Resolver,
} from '../../platform/http/egress.ts';
import type { Trx } from '../../schema.ts';
import * as repo from './notifications.repository.ts';
import type { AttemptRecord, DeliveryRecord, NotificationRecord, SubscriptionRecord } from './notifications.table.ts';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toNotification(r: NotificationRecord) {
  return {
    id: r.id,
    kind: r.kind,
    title: { zh: r.title_zh, en: r.title_en },
    body: r.body_zh !== null || r.body_en !== null ? { zh: r.body_zh ?? '', en: r.body_en ?? '' } : null,
    link: r.link,
    entity: r.entity_type && r.entity_id ? { type: r.entity_type, id: r.entity_id } : null,
    createdAt: new Date(r.created_at).toISOString(),
    readAt: iso(r.read_at),
  };
}

// ---- inbox

export async function listInbox(trx: Trx, auth: AuthContext, q: { unread?: boolean; limit: number; offset: number }) {
  const { rows, total, unread } = await repo.listNotifications(trx, auth.id, { ...q, unread: q.unread === true });
  return { items: rows.map(toNotification), total, unread };
}

export async function unreadCount(trx: Trx, auth: AuthContext) {
  return { unread: await repo.countUnread(trx, auth.id) };
}

export async function markRead(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const row = await repo.markRead(trx, auth.id, id, now);
  if (!row) throw notFound(`notification ${id}`);
  await writeAudit(trx, actor, { action: 'notification.read', objectType: 'notification', objectId: id });
  return toNotification(row);
}

export async function markAllRead(trx: Trx, auth: AuthContext, actor: Actor, now: Date) {
  const marked = await repo.markAllRead(trx, auth.id, now);
  if (marked > 0) {
    await writeAudit(trx, actor, {
      action: 'notification.read_all',
      objectType: 'notification',
      objectId: auth.id,
      detail: { marked },
    });
  }
  return { marked };
}

// ---- webhook subscriptions

export function toSubscription(r: SubscriptionRecord) {
  return {
    id: r.id,
    jurisdictionId: r.jurisdiction_id,
    name: r.name,
    url: r.url,
    eventKinds: r.event_kinds,
    active: r.active,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

function toAttempt(a: AttemptRecord) {
  return {
    attempt: a.attempt,
    attemptedAt: new Date(a.attempted_at).toISOString(),
    target: a.target,
    statusCode: a.status_code,
    durationMs: a.duration_ms,
    outcome: a.outcome,
    error: a.error,
  };
}

function toDelivery(r: DeliveryRecord & { log?: AttemptRecord[] }) {
  return {
    id: r.id,
    subscriptionId: r.subscription_id as string,
    eventId: r.event_id,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: iso(r.next_attempt_at),
    lastError: r.last_error,
    createdAt: new Date(r.created_at).toISOString(),
    deliveredAt: iso(r.delivered_at),
    payload: r.payload,
    log: (r.log ?? []).map(toAttempt),
  };
}

/** A target is checked against the jurisdiction's egress policy when it is saved (and again at every delivery). */
async function checkSubscriptionUrl(trx: Trx, jurisdictionId: string, url: string, resolve?: Resolver) {
  const policy = await repo.getEgressPolicy(trx, jurisdictionId);
  try {
    await checkTarget(url, policy, resolve);
  } catch (error) {
    if (error instanceof EgressRefused) {
      throw new AppError('webhook_target_refused', `body.url: ${error.message}`, [
        { field: 'body.url', message: error.message },
      ]);
    }
    throw error;
  }
}

const KIND = /^(\*|[a-z][a-z0-9_.:-]{0,99})$/;

function checkKinds(kinds: string[]): string[] {
  const unique = [...new Set(kinds.map((k) => k.trim()))];
  const bad = unique.findIndex((k) => !KIND.test(k));
  if (bad >= 0) {
    throw new AppError('validation_failed', `body.eventKinds: "${unique[bad]}" is not a notification kind`, [
      { field: `body.eventKinds.${bad}`, message: 'a kind such as order.step.overdue, or * for every kind' },
    ]);
  }
  return unique;
}

export async function listSubscriptions(trx: Trx, auth: AuthContext) {
  return (await repo.listSubscriptions(trx, auth.jurisdictionId)).map(toSubscription);
}

export async function createSubscription(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  body: { name: string; url: string; eventKinds: string[]; active?: boolean },
  now: Date,
  resolve?: Resolver,
) {
  await checkSubscriptionUrl(trx, auth.jurisdictionId, body.url, resolve);
  const kinds = checkKinds(body.eventKinds);
  const secret = `whsec_${randomSecret(32)}`;
  const row = await trx
    .insertInto('webhook_subscription')
    .values({
      jurisdiction_id: auth.jurisdictionId,
      name: body.name,
      url: body.url,
      event_kinds: sql<string[]>`${kinds}::text[]`,
      secret_sealed: sealSecret(secret),
      active: body.active ?? true,
      created_by: auth.name,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'webhook.subscription.create',
    objectType: 'webhook_subscription',
    objectId: row.id,
    detail: { name: row.name, url: row.url, eventKinds: kinds, active: row.active },
  });
  return { subscription: toSubscription(row), secret };
}

export async function updateSubscription(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  patch: { name?: string; url?: string; eventKinds?: string[]; active?: boolean },
  now: Date,
  resolve?: Resolver,
) {
  const current = await repo.getSubscription(trx, auth.jurisdictionId, id);
  if (!current) throw notFound(`webhook subscription ${id}`);
  if (patch.url !== undefined) await checkSubscriptionUrl(trx, auth.jurisdictionId, patch.url, resolve);
  const kinds = patch.eventKinds === undefined ? undefined : checkKinds(patch.eventKinds);
  const row = await trx
    .updateTable('webhook_subscription')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.url !== undefined ? { url: patch.url } : {}),
      ...(kinds !== undefined ? { event_kinds: sql<string[]>`${kinds}::text[]` } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'webhook.subscription.update',
    objectType: 'webhook_subscription',
    objectId: id,
    detail: {
      before: { name: current.name, url: current.url, eventKinds: current.event_kinds, active: current.active },
      after: { name: row.name, url: row.url, eventKinds: row.event_kinds, active: row.active },
    },
  });
  return toSubscription(row);
}

export async function rotateSecret(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const current = await repo.getSubscription(trx, auth.jurisdictionId, id);
  if (!current) throw notFound(`webhook subscription ${id}`);
  const secret = `whsec_${randomSecret(32)}`;
  const row = await trx
    .updateTable('webhook_subscription')
    .set({ secret_sealed: sealSecret(secret), updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'webhook.subscription.rotate_secret',
    objectType: 'webhook_subscription',
    objectId: id,
  });
  return { subscription: toSubscription(row), secret };
}

export async function listDeliveries(
  trx: Trx,
  auth: AuthContext,
  subscriptionId: string,
  q: { limit: number; offset: number; status?: string },
) {
  const sub = await repo.getSubscription(trx, auth.jurisdictionId, subscriptionId);
  if (!sub) throw notFound(`webhook subscription ${subscriptionId}`);
  const { rows, total } = await repo.listDeliveries(trx, subscriptionId, q);
  return { items: rows.map(toDelivery), total };
}

/** Sends an event again as a new delivery (new X-Yunguan-Delivery id, same body id), due at once. */
export async function redeliver(trx: Trx, auth: AuthContext, actor: Actor, deliveryId: string) {
  const original = await repo.getDelivery(trx, auth.jurisdictionId, deliveryId);
  if (!original) throw notFound(`webhook delivery ${deliveryId}`);
  const row = await trx
    .insertInto('notification_delivery')
    .values({
      channel: 'webhook',
      jurisdiction_id: original.jurisdiction_id,
      event_id: original.event_id,
      kind: original.kind,
      subscription_id: original.subscription_id,
      user_id: null,
      recipient: null,
      payload: JSON.stringify(original.payload),
      next_attempt_at: null,
      last_error: null,
      delivered_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'webhook.delivery.redeliver',
    objectType: 'notification_delivery',
    objectId: row.id,
    detail: { original: original.id, subscriptionId: original.subscription_id, eventId: original.event_id },
  });
  return toDelivery(row);
}

// ---- egress policy

export async function getEgressPolicy(trx: Trx, auth: AuthContext) {
  return repo.getEgressPolicy(trx, auth.jurisdictionId);
}

export async function setEgressPolicy(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  body: { allowedHosts: string[]; allowedNetworks: string[] },
  now: Date,
) {
  const fields: FieldError[] = [];
  const hosts = body.allowedHosts.map((h, i) => {
    try {
      return normaliseAllowedHost(h);
    } catch (error) {
      fields.push({ field: `body.allowedHosts.${i}`, message: (error as Error).message });
      return h;
    }
  });
  const networks = body.allowedNetworks.map((n, i) => {
    try {
      const net = parseCidr(n);
      return n.includes('/') ? n.trim() : `${n.trim()}/${net.family === 4 ? 32 : 128}`;
    } catch (error) {
      fields.push({ field: `body.allowedNetworks.${i}`, message: (error as Error).message });
      return n;
    }
  });
  if (fields.length > 0) {
    throw new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }
  const before = await repo.getEgressPolicy(trx, auth.jurisdictionId);
  const after = { allowedHosts: [...new Set(hosts)], allowedNetworks: [...new Set(networks)] };
  await repo.putEgressPolicy(trx, auth.jurisdictionId, after, auth.name, now);
  await writeAudit(trx, actor, {
    action: 'webhook.egress_policy.set',
    objectType: 'jurisdiction',
    objectId: auth.jurisdictionId,
    detail: { before, after },
  });
  return after;
}
