import nodemailer, { type Transporter } from 'nodemailer';
import { egressPolicyOf, MAX_ATTEMPTS, RETRY_DELAYS_MS, webhookSignature } from '../src/modules/notifications/index.ts';
import type { MailSettings } from '../src/modules/notifications/mail.ts';
import type { DeliveryRecord } from '../src/modules/notifications/notifications.table.ts';
import { SYSTEM_ACTOR, writeAudit } from '../src/platform/audit/audit.ts';
import { openSecret } from '../src/platform/crypto.ts';
import { EgressRefused, egressRequest, type Resolver } from '../src/platform/http/egress.ts';
import type { Job } from '../src/platform/jobs/jobs.ts';
import type { DB, Db } from '../src/schema.ts';
import { VERSION } from '../src/version.ts';

export interface DeliveryOptions {
  /** DNS for webhook targets (tests substitute one); the system resolver otherwise */
  resolve?: Resolver;
  /** SMTP settings; the process's configuration (YUNGUAN_SMTP_URL) otherwise */
  mail?: MailSettings;
  /** deliveries per run */
  batch?: number;
  timeoutMs?: number;
}

interface AttemptResult {
  ok: boolean;
  target: string | null;
  statusCode: number | null;
  error: string | null;
}

/**
 * Drains the outbox: every pending delivery that is due is attempted once; a failure is retried after
 * 1 min, 5 min, 30 min, 2 h and 12 h, then the delivery is failed. Each attempt is logged (status code,
 * duration, error); the terminal outcome is audited. Network calls happen outside any transaction.
 */
export function serialDeliveryJob(options: DeliveryOptions = {}): Job<DB> {
  return {
    name: 'notification-delivery',
    everyMs: 15_000,
    async run({ db, now, log }) {
      const due = await db
        .selectFrom('notification_delivery')
        .selectAll()
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now)]))
        .orderBy('next_attempt_at', 'asc')
        .orderBy('created_at', 'asc')
        .limit(options.batch ?? 100)
        .execute();
      if (due.length === 0) return { attempted: 0 };
      const mail = options.mail;
      const transport = mail ? nodemailer.createTransport(mail.smtpUrl) : undefined;
      let delivered = 0;
      try {
        for (const delivery of due) {
          const started = performance.now();
          let result: AttemptResult;
          try {
            result =
              delivery.channel === 'webhook'
                ? await sendWebhook(db, delivery, now, options)
                : await sendMail(delivery, mail, transport);
          } catch (error) {
            result = { ok: false, target: null, statusCode: null, error: (error as Error).message };
          }
          const durationMs = Math.round(performance.now() - started);
          await record(db, delivery, result, durationMs, now);
          if (result.ok) delivered++;
          else log.warn({ delivery: delivery.id, error: result.error }, 'notification delivery failed');
        }
      } finally {
        transport?.close();
      }
      return { attempted: due.length, delivered };
    },
  };
}

async function sendWebhook(db: Db, d: DeliveryRecord, now: Date, options: DeliveryOptions): Promise<AttemptResult> {
  const subscription = await db
    .selectFrom('webhook_subscription')
    .selectAll()
    .where('id', '=', d.subscription_id as string)
    .executeTakeFirst();
  if (!subscription?.active) {
    return { ok: false, target: subscription?.url ?? null, statusCode: null, error: 'the subscription is not active' };
  }
  const policy = await egressPolicyOf(db, subscription.jurisdiction_id);
  const body = JSON.stringify(d.payload);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const secret = openSecret(subscription.secret_sealed);
  try {
    const res = await egressRequest({
      url: subscription.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': `Yunguan-Webhook/${VERSION}`,
        'x-yunguan-delivery': d.id,
        'x-yunguan-event': d.kind,
        'x-yunguan-timestamp': timestamp,
        'x-yunguan-signature-sha256': webhookSignature('sha256', secret, timestamp, body),
        'x-yunguan-signature-sm3': webhookSignature('sm3', secret, timestamp, body),
      },
      body,
      policy,
      resolve: options.resolve,
      timeoutMs: options.timeoutMs,
    });
    const ok = res.status >= 200 && res.status < 300;
    return { ok, target: res.url, statusCode: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (error) {
    const message =
      error instanceof EgressRefused ? `refused (${error.reason}): ${error.message}` : (error as Error).message;
    return { ok: false, target: subscription.url, statusCode: null, error: message };
  }
}

async function sendMail(
  d: DeliveryRecord,
  mail: MailSettings | undefined,
  transport: Transporter | undefined,
): Promise<AttemptResult> {
  if (!mail || !transport) {
    return { ok: false, target: d.recipient, statusCode: null, error: 'e-mail is not configured (YUNGUAN_SMTP_URL)' };
  }
  const payload = d.payload as { subject: string; text: string };
  const info = await transport.sendMail({
    from: mail.from,
    to: d.recipient as string,
    subject: payload.subject,
    text: payload.text,
    headers: { 'X-Yunguan-Delivery': d.id },
  });
  const rejected = (info.rejected ?? []).length > 0;
  return {
    ok: !rejected,
    target: d.recipient,
    statusCode: null,
    error: rejected ? `rejected: ${String(info.response)}` : null,
  };
}

async function record(db: Db, d: DeliveryRecord, r: AttemptResult, durationMs: number, now: Date): Promise<void> {
  const attempt = d.attempts + 1;
  const outcome = r.ok ? 'delivered' : attempt >= MAX_ATTEMPTS ? 'failed' : 'retry';
  await db.transaction().execute(async (trx) => {
    // Guarded by the status and attempt count: a second runner that raced this one changes nothing.
    const updated = await trx
      .updateTable('notification_delivery')
      .set({
        attempts: attempt,
        status: outcome === 'retry' ? 'pending' : outcome,
        next_attempt_at: outcome === 'retry' ? new Date(now.getTime() + (RETRY_DELAYS_MS[attempt - 1] ?? 0)) : null,
        last_error: r.error,
        delivered_at: r.ok ? now : null,
      })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', d.attempts)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await trx
      .insertInto('notification_delivery_attempt')
      .values({
        delivery_id: d.id,
        attempt,
        attempted_at: now,
        target: r.target,
        status_code: r.statusCode,
        duration_ms: durationMs,
        outcome,
        error: r.error,
      })
      .execute();
    if (outcome !== 'retry') {
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: `notification.delivery.${outcome}`,
        objectType: 'notification_delivery',
        objectId: d.id,
        outcome: outcome === 'delivered' ? 'success' : 'failure',
        detail: {
          channel: d.channel,
          kind: d.kind,
          subscriptionId: d.subscription_id,
          attempts: attempt,
          statusCode: r.statusCode,
          error: r.error,
        },
      });
    }
  });
}
