import { createHmac } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { SYSTEM_ACTOR, writeAuditBatch } from '../../platform/audit/audit.ts';
import { openSecret } from '../../platform/crypto.ts';
import {
  type EgressPolicy,
  EgressRefused,
  egressRequest,
  KeepAliveAgents,
  type Resolver,
} from '../../platform/http/egress.ts';
import type { Job } from '../../platform/jobs/jobs.ts';
import type { DB, Db } from '../../schema.ts';
import { VERSION } from '../../version.ts';
import { type MailSettings, mailSettings } from './mail.ts';
import type { DeliveryRecord, SubscriptionRecord } from './notifications.table.ts';
import { type QueuedAttachment, SECRET_PLACEHOLDER } from './notify.ts';
import {
  type AttemptOutcome,
  claimDue,
  egressPoliciesOf,
  recordAttempts,
  subscriptionsByIds,
} from './outbox.repository.ts';

/** Waits after the 1st, 2nd, ... failed attempt; after the last one the delivery has failed (6 attempts). */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** hex(HMAC(secret, timestamp + "." + body)) with SHA-256 or SM3: what receivers recompute. */
export function webhookSignature(algorithm: 'sha256' | 'sm3', secret: string, timestamp: string, body: string): string {
  return createHmac(algorithm, secret).update(`${timestamp}.${body}`).digest('hex');
}

export async function egressPolicyOf(db: Db, jurisdictionId: string): Promise<EgressPolicy> {
  const row = await db
    .selectFrom('webhook_egress_policy')
    .select(['allowed_hosts', 'allowed_networks'])
    .where('jurisdiction_id', '=', jurisdictionId)
    .executeTakeFirst();
  return { allowedHosts: row?.allowed_hosts ?? [], allowedNetworks: row?.allowed_networks ?? [] };
}

export interface DeliveryOptions {
  /** DNS for webhook targets (tests substitute one); the system resolver otherwise */
  resolve?: Resolver;
  /** SMTP settings; the process's configuration (YUNGUAN_SMTP_URL) otherwise */
  mail?: MailSettings;
  /** deliveries claimed at a time (200) */
  batch?: number;
  /** deliveries in flight at once per instance (16): SMTP connections in the pool, sockets per webhook host */
  concurrency?: number;
  timeoutMs?: number;
  /** how long a claim keeps other instances off a delivery (5 min): longer than any attempt may take */
  leaseMs?: number;
}

interface AttemptResult {
  ok: boolean;
  target: string | null;
  statusCode: number | null;
  error: string | null;
}

/** What one run shares across its deliveries: pooled SMTP connections, keep-alive sockets, lookups. */
interface Senders {
  mail: MailSettings | undefined;
  transport: Transporter | undefined;
  agents: KeepAliveAgents;
  subscriptions: Map<string, SubscriptionRecord>;
  policies: Map<string, EgressPolicy>;
}

/**
 * Drains the outbox. Every instance runs it at once (`exclusive: false`): each claims a batch of due
 * deliveries (FOR UPDATE SKIP LOCKED, with a lease), sends them with bounded parallelism over pooled SMTP
 * connections and keep-alive HTTP, records the batch in one transaction, and claims again until nothing
 * is due. A failure is retried after 1 min, 5 min, 30 min, 2 h and 12 h, then the delivery is failed.
 * Each attempt is logged (status code, duration, error); the terminal outcome is audited. Delivery is
 * at least once: an instance that dies between sending and recording leaves a claim that expires, and the
 * delivery goes out again with the same `X-Yunguan-Delivery` id, on which receivers deduplicate.
 */
export function deliveryJob(options: DeliveryOptions = {}): Job<DB> {
  const batch = options.batch ?? 200;
  const concurrency = options.concurrency ?? 16;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  return {
    name: 'notification-delivery',
    everyMs: 15_000,
    exclusive: false,
    async run({ db, now, log, signal }) {
      let attempted = 0;
      let delivered = 0;
      let senders: Senders | undefined;
      // The previous batch is recorded while this one is sent: the database and the network work at once.
      let recording: Promise<void> | undefined;
      try {
        while (!signal?.aborted) {
          const due = await claimDue(db, now, new Date(now.getTime() + leaseMs), batch);
          if (due.length === 0) break;
          senders ??= openSenders(options, concurrency);
          await prepareWebhooks(db, senders, due);
          const outcomes = await mapLimit(due, concurrency, (delivery) =>
            attempt(delivery, senders as Senders, now, options),
          );
          for (const o of outcomes) {
            if (o.outcome === 'delivered') delivered++;
            else log.warn({ delivery: o.id, error: o.error }, 'notification delivery failed');
          }
          await recording;
          recording = record(db, due, outcomes, now);
          recording.catch(() => {}); // awaited below; a failure must not go unheard meanwhile
          attempted += due.length;
        }
        await recording;
      } finally {
        senders?.transport?.close();
        senders?.agents.destroy();
      }
      return { attempted, delivered };
    },
  };
}

/** The job `yunguan serve` runs, with the process's SMTP settings and the system resolver. */
export const NOTIFICATION_DELIVERY_JOB = deliveryJob();

function openSenders(options: DeliveryOptions, concurrency: number): Senders {
  const mail = options.mail ?? mailSettings();
  const transport = mail
    ? nodemailer.createTransport({ url: mail.smtpUrl, pool: true, maxConnections: concurrency, maxMessages: Infinity })
    : undefined;
  return { mail, transport, agents: new KeepAliveAgents(concurrency), subscriptions: new Map(), policies: new Map() };
}

/** Loads the subscriptions and egress policies of a batch's webhooks in two queries. */
async function prepareWebhooks(db: Db, senders: Senders, due: DeliveryRecord[]): Promise<void> {
  const ids = [...new Set(due.map((d) => d.subscription_id).filter((id): id is string => id !== null))].filter(
    (id) => !senders.subscriptions.has(id),
  );
  for (const s of await subscriptionsByIds(db, ids)) senders.subscriptions.set(s.id, s);
  const jurisdictions = [...new Set([...senders.subscriptions.values()].map((s) => s.jurisdiction_id))].filter(
    (j) => !senders.policies.has(j),
  );
  const policies = await egressPoliciesOf(db, jurisdictions);
  for (const j of jurisdictions) senders.policies.set(j, policies.get(j) ?? { allowedHosts: [], allowedNetworks: [] });
}

async function attempt(
  d: DeliveryRecord,
  senders: Senders,
  now: Date,
  options: DeliveryOptions,
): Promise<AttemptOutcome> {
  const started = performance.now();
  let result: AttemptResult;
  try {
    result = d.channel === 'webhook' ? await sendWebhook(d, senders, now, options) : await sendMail(d, senders);
  } catch (error) {
    result = { ok: false, target: null, statusCode: null, error: (error as Error).message };
  }
  const next = d.attempts + 1;
  const outcome = result.ok ? 'delivered' : next >= MAX_ATTEMPTS ? 'failed' : 'retry';
  return {
    id: d.id,
    attemptsBefore: d.attempts,
    status: outcome === 'retry' ? 'pending' : outcome,
    outcome,
    nextAttemptAt: outcome === 'retry' ? new Date(now.getTime() + (RETRY_DELAYS_MS[next - 1] ?? 0)) : null,
    target: result.target,
    statusCode: result.statusCode,
    durationMs: Math.round(performance.now() - started),
    error: result.error,
  };
}

/** Runs `fn` over `items` with at most `limit` at once; results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function sendWebhook(
  d: DeliveryRecord,
  senders: Senders,
  now: Date,
  options: DeliveryOptions,
): Promise<AttemptResult> {
  const subscription = senders.subscriptions.get(d.subscription_id as string);
  if (!subscription?.active) {
    return { ok: false, target: subscription?.url ?? null, statusCode: null, error: 'the subscription is not active' };
  }
  const policy = senders.policies.get(subscription.jurisdiction_id) ?? { allowedHosts: [], allowedNetworks: [] };
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
      agents: senders.agents,
    });
    const ok = res.status >= 200 && res.status < 300;
    return { ok, target: res.url, statusCode: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (error) {
    const message =
      error instanceof EgressRefused ? `refused (${error.reason}): ${error.message}` : (error as Error).message;
    return { ok: false, target: subscription.url, statusCode: null, error: message };
  }
}

async function sendMail(d: DeliveryRecord, { mail, transport }: Senders): Promise<AttemptResult> {
  if (!mail || !transport) {
    return { ok: false, target: d.recipient, statusCode: null, error: 'e-mail is not configured (YUNGUAN_SMTP_URL)' };
  }
  const payload = d.payload as {
    subject: string;
    text: string;
    sealedSecret?: string;
    attachments?: QueuedAttachment[];
  };
  const text = payload.sealedSecret
    ? payload.text.replaceAll(SECRET_PLACEHOLDER, openSecret(payload.sealedSecret))
    : payload.text;
  const info = await transport.sendMail({
    from: mail.from,
    to: d.recipient as string,
    subject: payload.subject,
    text,
    attachments: payload.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: Buffer.from(a.base64, 'base64'),
    })),
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

/** One transaction per batch: the deliveries' states and attempts over arrays, then the terminal outcomes' audit entries. */
async function record(db: Db, due: DeliveryRecord[], outcomes: AttemptOutcome[], now: Date): Promise<void> {
  const byId = new Map(due.map((d) => [d.id, d]));
  await db.transaction().execute(async (trx) => {
    // Guarded by the status and attempt count: a delivery someone else recorded meanwhile changes nothing.
    const updated = await recordAttempts(trx, now, outcomes);
    const terminal = outcomes.filter((o) => o.outcome !== 'retry' && updated.has(o.id));
    await writeAuditBatch(
      trx,
      SYSTEM_ACTOR,
      terminal.map((o) => {
        const d = byId.get(o.id) as DeliveryRecord;
        return {
          action: `notification.delivery.${o.outcome}`,
          objectType: 'notification_delivery',
          objectId: d.id,
          outcome: o.outcome === 'delivered' ? 'success' : 'failure',
          detail: {
            channel: d.channel,
            kind: d.kind,
            subscriptionId: d.subscription_id,
            attempts: o.attemptsBefore + 1,
            statusCode: o.statusCode,
            error: o.error,
          },
        };
      }),
    );
  });
}
