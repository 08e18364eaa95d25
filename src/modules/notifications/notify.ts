import { randomUUID } from 'node:crypto';
import { type Insertable, type Kysely, sql } from 'kysely';
import { sealSecret } from '../../platform/crypto.ts';
import { prepared } from '../../platform/db/prepared.ts';
import { reusable } from '../../platform/db/reusable.ts';
import type { DB, Trx } from '../../schema.ts';
import type { Role } from '../identity/index.ts';
import { mailSettings } from './mail.ts';
import type { NotificationTable } from './notifications.table.ts';

/** One notice: who gets it, what it says (both languages), what it is about. */
export interface Notice {
  jurisdictionId: string;
  /**
   * Recipients: explicit users; and/or the holders of `role` in `organisationId` (every user of the
   * organisation when no role is given); or, with `role` alone, its holders anywhere in the jurisdiction.
   */
  to: { userIds?: string[]; organisationId?: string; role?: Role };
  /** a stable machine name, e.g. `order.step.overdue` (webhook subscriptions filter on it) */
  kind: string;
  title: { zh: string; en: string };
  body?: { zh: string; en: string };
  /** a console path, e.g. `/orders/<id>` */
  link?: string;
  entity?: { type: string; id: string };
  /** when it happened; the transaction's time when not given */
  occurredAt?: Date;
  /**
   * A value only the recipient may read (a temporary password): it replaces `{secret}` in the e-mail body at
   * sending time, is kept sealed (SM4) in the outbox until then and erased once the mail is delivered or has
   * failed for good. The in-app inbox, which anyone with database access can read, says it went by e-mail.
   */
  secret?: string;
  /**
   * Files sent with the e-mail only (a scheduled report's PDF): kept in the outbox with each recipient's mail until
   * it is sent. The in-app inbox row carries the link instead. Keep them small.
   */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

/** An attachment as the outbox keeps it in an e-mail's payload. */
export interface QueuedAttachment {
  filename: string;
  contentType: string;
  base64: string;
}

export const SECRET_PLACEHOLDER = '{secret}';
const SECRET_IN_INBOX = { zh: '（已发送至本人邮箱，此处不显示）', en: '(sent to your e-mail, not shown here)' };

interface Recipient {
  user_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  email: string | null;
}

/** The webhook body; its `id` is the same for every delivery of one notice. */
export interface WebhookBody {
  id: string;
  kind: string;
  occurredAt: string;
  jurisdiction: { id: string; code: string };
  entity: { type: string; id: string } | null;
  title: { zh: string; en: string };
  link: string | null;
}

/**
 * Writes the in-app inbox rows of a notice for its recipients, and queues its e-mails (when SMTP is
 * configured) and webhook deliveries (to the jurisdiction's active subscriptions of that kind) in the
 * outbox, all in the caller's transaction: the notice exists exactly when the state change does, and
 * sending happens later (deliveryJob), so a dead mail server or webhook target never blocks or loses it.
 * Disabled users get nothing. Callable from a tenant transaction (withTenant): the inbox rows of other
 * organisations' users are written with row-level security lifted for this call only.
 */
export async function notify(trx: Trx, n: Notice): Promise<void> {
  if (!/^[a-z][a-z0-9_.:-]{0,99}$/.test(n.kind)) throw new Error(`notify: bad kind "${n.kind}"`);
  // One round trip: who we are, the transaction's time, and (in a tenant transaction) row-level security
  // lifted (`set_config('role', 'none', true)` is `set local role none`), the role read before it is changed.
  const { rows: who } = await sql<{ role: string; now: Date }>`${prepared} with w as materialized (
      select current_user::text as role)
    select w.role, now() as now, case when w.role = 'yunguan_app' then set_config('role', 'none', true) end as lifted
      from w`.execute(trx);
  const tenant = who[0]?.role === 'yunguan_app';
  const now = who[0]?.now as Date;
  if (!tenant) return write(trx, n, now);
  try {
    await write(trx, n, now);
  } catch (error) {
    // Back to the tenant role even on failure, in case the caller catches the error and carries on.
    await sql`set local role yunguan_app`.execute(trx).catch(() => {});
    throw error;
  }
  await sql`set local role yunguan_app`.execute(trx);
}

async function write(trx: Trx, n: Notice, now: Date): Promise<void> {
  const occurredAt = n.occurredAt ?? now;
  const eventId = randomUUID();
  const recipients = await resolveRecipients(trx, n);

  if (recipients.length > 0) {
    const rows = recipients.map((r) => ({
      organisation_id: r.organisation_id,
      jurisdiction_id: r.jurisdiction_id,
      user_id: r.user_id,
      event_id: eventId,
      kind: n.kind,
      title_zh: n.title.zh,
      title_en: n.title.en,
      body_zh: n.body?.zh.replaceAll(SECRET_PLACEHOLDER, SECRET_IN_INBOX.zh) ?? null,
      body_en: n.body?.en.replaceAll(SECRET_PLACEHOLDER, SECRET_IN_INBOX.en) ?? null,
      link: n.link ?? null,
      entity_type: n.entity?.type ?? null,
      entity_id: n.entity?.id ?? null,
      created_at: occurredAt,
    }));
    if (rows.length === 1) await insertOne.execute(trx, rows[0] as NotificationRow);
    else await trx.insertInto('notification').values(rows).execute();
  }

  const mail = mailSettings();
  const mailed = mail ? recipients.filter((r) => r.email) : [];
  if (n.secret !== undefined && mailed.length !== recipients.length) {
    throw new Error(`notify: ${n.kind} carries a secret that only e-mail may deliver, and some recipient has none`);
  }
  const sealedSecret = n.secret === undefined ? undefined : sealSecret(n.secret);
  if (mailed.length > 0) {
    const subject = `${n.title.zh} | ${n.title.en}`;
    const text = [n.title.zh, n.body?.zh, '', n.title.en, n.body?.en, n.link ? `\n${n.link}` : undefined]
      .filter((line) => line !== undefined)
      .join('\n');
    const attachments: QueuedAttachment[] | undefined = n.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      base64: a.content.toString('base64'),
    }));
    await trx
      .insertInto('notification_delivery')
      .values(
        mailed.map((r) => ({
          channel: 'email' as const,
          jurisdiction_id: n.jurisdictionId,
          event_id: eventId,
          kind: n.kind,
          subscription_id: null,
          user_id: r.user_id,
          recipient: r.email,
          payload: JSON.stringify({
            subject,
            text,
            ...(sealedSecret ? { sealedSecret } : {}),
            ...(attachments?.length ? { attachments } : {}),
          }),
          next_attempt_at: null,
          last_error: null,
          delivered_at: null,
        })),
      )
      .execute();
  }

  const subscriptions = await subscriptionsOf.execute(trx, n.jurisdictionId, n.kind);
  if (subscriptions.length > 0) {
    const jurisdiction = await trx
      .selectFrom('jurisdiction')
      .select(['id', 'code'])
      .where('id', '=', n.jurisdictionId)
      .executeTakeFirstOrThrow();
    const body: WebhookBody = {
      id: eventId,
      kind: n.kind,
      occurredAt: occurredAt.toISOString(),
      jurisdiction: { id: jurisdiction.id, code: jurisdiction.code },
      entity: n.entity ?? null,
      title: n.title,
      link: n.link ?? null,
    };
    await trx
      .insertInto('notification_delivery')
      .values(
        subscriptions.map((s) => ({
          channel: 'webhook' as const,
          jurisdiction_id: n.jurisdictionId,
          event_id: eventId,
          kind: n.kind,
          subscription_id: s.id,
          user_id: null,
          recipient: null,
          payload: JSON.stringify(body),
          next_attempt_at: null,
          last_error: null,
          delivered_at: null,
        })),
      )
      .execute();
  }
}

/** Each enabled recipient once, with the organisation whose inbox (row-level security) the row belongs to. */
// The statements of every notice of a workflow step, compiled once (docs/decisions.md, issue 24, lane orders25).
const subscriptionsOf = reusable((db: Kysely<DB>, jurisdictionId: string, kind: string) =>
  db
    .selectFrom('webhook_subscription')
    .select('id')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('active', '=', true)
    .where((eb) => eb.or([sql<boolean>`${kind} = any(event_kinds)`, sql<boolean>`'*' = any(event_kinds)`])),
);

/** Enabled users holding a role, with their unit, oldest grant first: narrowed by unit or jurisdiction and role. */
const holdersQuery = (db: Kysely<DB>) =>
  db
    .selectFrom('role_assignment as ra')
    .innerJoin('user_account as u', 'u.id', 'ra.user_id')
    .innerJoin('organisation as o', 'o.id', 'ra.organisation_id')
    .select(['u.id as user_id', 'o.id as organisation_id', 'o.jurisdiction_id', 'u.email'])
    .where('u.disabled_at', 'is', null)
    .orderBy('ra.granted_at')
    .orderBy('u.id');

/** A role's holders in a jurisdiction (the same statement as `resolveRecipients` builds for it). */
const holdersIn = reusable((db: Kysely<DB>, jurisdictionId: string, role: Role) =>
  holdersQuery(db).where('o.jurisdiction_id', '=', jurisdictionId).where('ra.role', '=', role),
);

type NotificationRow = Omit<Insertable<NotificationTable>, 'id' | 'read_at' | 'created_at'> & { created_at: Date };

const insertOne = reusable((db: Kysely<DB>, row: NotificationRow) => db.insertInto('notification').values(row), {
  record: [
    'organisation_id',
    'jurisdiction_id',
    'user_id',
    'event_id',
    'kind',
    'title_zh',
    'title_en',
    'body_zh',
    'body_en',
    'link',
    'entity_type',
    'entity_id',
    'created_at',
  ] satisfies (keyof NotificationRow)[],
});

async function resolveRecipients(trx: Trx, n: Notice): Promise<Recipient[]> {
  const found = new Map<string, Recipient>();
  const { userIds = [], organisationId, role } = n.to;

  if (!organisationId && role) {
    for (const r of await holdersIn.execute(trx, n.jurisdictionId, role))
      if (!found.has(r.user_id)) found.set(r.user_id, r);
  } else if (organisationId || role) {
    let q = holdersQuery(trx);
    if (organisationId) q = q.where('ra.organisation_id', '=', organisationId);
    else q = q.where('o.jurisdiction_id', '=', n.jurisdictionId);
    if (role) q = q.where('ra.role', '=', role);
    for (const r of await q.execute()) if (!found.has(r.user_id)) found.set(r.user_id, r);
  }

  const rest = userIds.filter((id) => !found.has(id));
  if (rest.length > 0) {
    // A named user's row goes to the organisation of the notice if they belong to it, else to the
    // organisation they hold a role in within the jurisdiction, else to their first organisation.
    const rows = await trx
      .selectFrom('role_assignment as ra')
      .innerJoin('user_account as u', 'u.id', 'ra.user_id')
      .innerJoin('organisation as o', 'o.id', 'ra.organisation_id')
      .select(['u.id as user_id', 'o.id as organisation_id', 'o.jurisdiction_id', 'u.email'])
      .where('u.id', 'in', [...new Set(rest)])
      .where('u.disabled_at', 'is', null)
      .orderBy(sql`(ra.organisation_id = ${organisationId ?? null}::uuid) is true`, 'desc')
      .orderBy(sql`(o.jurisdiction_id = ${n.jurisdictionId}::uuid)`, 'desc')
      .orderBy('ra.granted_at')
      .execute();
    for (const r of rows) if (!found.has(r.user_id)) found.set(r.user_id, r);
  }
  return [...found.values()];
}
