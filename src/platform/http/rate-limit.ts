import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { prepared } from '../db/prepared.ts';
import { AppError } from '../errors.ts';

/**
 * Request limits shared by every instance: the counters live in the database (`rate_limit_bucket`,
 * migration 0041), so two API nodes behind a load balancer count together. Answers 429 problem+json
 * `rate_limited` with Retry-After.
 */
export interface RateLimits {
  /** sign-ins per minute from one address */
  loginPerMinute: number;
  /** password changes and API token creations per minute from one address */
  credentialPerMinute: number;
  /** machine calls (ingest, the data gateway) per minute per token */
  machinePerMinute: number;
}

/** One hit on a counter: its count within the current window and the milliseconds until the window ends. */
export async function hit(db: Kysely<any>, key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
  const { rows } = await sql<{ count: number; ttl_ms: number }>`${prepared}
    insert into rate_limit_bucket as b (key, count, window_ends_at, last_hit_at)
    values (${key}, 1, now() + ${`${windowMs} milliseconds`}::interval, now())
    on conflict (key) do update set
      count = case when b.window_ends_at <= now() then 1 else b.count + 1 end,
      window_ends_at = case when b.window_ends_at <= now() then now() + ${`${windowMs} milliseconds`}::interval
                            else b.window_ends_at end,
      last_hit_at = now()
    returning count, (extract(epoch from (window_ends_at - now())) * 1000)::integer as ttl_ms`.execute(db);
  const row = rows[0] as { count: number; ttl_ms: number };
  return { count: Number(row.count), ttlMs: Math.max(0, Number(row.ttl_ms)) };
}

/** A counter's state without counting: the number of hits in its window and when the last came. */
export async function peek(db: Kysely<any>, key: string): Promise<{ count: number; lastHitAt: Date } | null> {
  const { rows } = await sql<{ count: number; last_hit_at: Date }>`
    select count, last_hit_at from rate_limit_bucket where key = ${key} and window_ends_at > now()`.execute(db);
  const row = rows[0];
  return row ? { count: Number(row.count), lastHitAt: new Date(row.last_hit_at) } : null;
}

export async function clear(db: Kysely<any>, key: string): Promise<void> {
  await sql`delete from rate_limit_bucket where key = ${key}`.execute(db);
}

/**
 * Counters kept in this process's memory: the machine limits of a single-instance (embedded) installation, and
 * those of a route that counts its callers itself (`machineLimitKey`, the data gateway).
 */
export class MachineCounters {
  private readonly counters = new Map<string, { count: number; endsAt: number }>();
  /** One hit: the count within the window and the milliseconds until it ends. */
  hit(key: string, windowMs: number): { current: number; ttl: number } {
    const now = Date.now();
    let counter = this.counters.get(key);
    if (!counter || counter.endsAt <= now) {
      if (this.counters.size > 10_000) for (const [k, c] of this.counters) if (c.endsAt <= now) this.counters.delete(k);
      counter = { count: 0, endsAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.count++;
    return { current: counter.count, ttl: counter.endsAt - now };
  }
}

/** The machine limits' window. */
export const MACHINE_WINDOW_MS = 60_000;

/** The counter of a caller's machine calls under a permission: the key the limit of `registerRateLimits` uses. */
export function machineLimitKey(permission: string, caller: { kind: string; id: string }): string {
  return `${permission}:${caller.kind}:${caller.id}`;
}

/**
 * `hit`'s statement as text, for a route that counts its machine calls inside its own statement (a CTE
 * `insert ... returning count, ttl_ms`): `key` and `interval` are the texts of its parameters (the key, and the
 * window as an interval text such as '60000 milliseconds'), `from` what the row is selected from (the hit happens
 * only when it gives a row).
 */
export function hitStatement(key: string, interval: string, from: string): string {
  return `insert into rate_limit_bucket as b (key, count, window_ends_at, last_hit_at)
      select ${key}, 1, now() + ${interval}::interval, now() from ${from}
      on conflict (key) do update set
        count = case when b.window_ends_at <= now() then 1 else b.count + 1 end,
        window_ends_at = case when b.window_ends_at <= now() then now() + ${interval}::interval
                              else b.window_ends_at end,
        last_hit_at = now()
      returning count, (extract(epoch from (window_ends_at - now())) * 1000)::integer as ttl_ms`;
}

/**
 * The answer of a machine limit counted by its route (the headers and the 429 that the limit of
 * `registerRateLimits` gives): the headers on the reply; throws `rate_limited` past `max`.
 */
export function answerMachineLimit(reply: FastifyReply, max: number, count: number, ttlMs: number): void {
  const ttlInSeconds = Math.ceil(Math.max(0, ttlMs) / 1000);
  reply.header('x-ratelimit-limit', max);
  if (count <= max) {
    reply.header('x-ratelimit-remaining', Math.max(0, max - count));
    reply.header('x-ratelimit-reset', ttlInSeconds);
    return;
  }
  reply.header('x-ratelimit-remaining', 0);
  reply.header('x-ratelimit-reset', ttlInSeconds);
  reply.header('retry-after', ttlInSeconds);
  throw new AppError(
    'rate_limited',
    `too many requests; retry in ${longDuration(ttlInSeconds * 1000)} / 请求过于频繁，请稍后再试`,
  );
}

/** A duration as @fastify/rate-limit words it in its 429 (`@lukeed/ms`'s long format), up to an hour. */
function longDuration(ms: number): string {
  const words = (value: number, unit: string) => {
    const n = (value | 0) === value ? value : ~~(value + 0.5);
    return `${n} ${unit}${n !== 1 ? 's' : ''}`;
  };
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return words(ms / 1000, 'second');
  return words(ms / 60_000, 'minute');
}

type Incr = (
  key: string,
  cb: (err: Error | null, res?: { current: number; ttl: number }) => void,
  timeWindow: number,
  max: number,
) => void;

const MACHINE_LIMITS = ['monitoring:ingest:', 'shared-data:call:'];

/**
 * Counters in the database, except the machine limits of a single-instance (embedded) installation: those
 * are hit many times a second, only one process can open the embedded database, so counting them in memory
 * is the same count without a write per call. Sign-in and credential counters stay in the database (the
 * progressive delay reads them).
 */
function databaseStore(db: Kysely<any>, machineCountersInMemory: boolean) {
  const local = new MachineCounters();
  return class DatabaseStore {
    incr: Incr = (key, cb, timeWindow) => {
      if (machineCountersInMemory && MACHINE_LIMITS.some((prefix) => key.startsWith(prefix))) {
        cb(null, local.hit(key, timeWindow));
        return;
      }
      hit(db, key, timeWindow).then(
        ({ count, ttlMs }) => cb(null, { current: count, ttl: ttlMs }),
        (error: Error) => cb(error),
      );
    };
    child() {
      return new DatabaseStore();
    }
  };
}

/** Which routes are limited, how much, and per what: a table here rather than options spread over modules. */
function limitOf(
  method: string,
  url: string,
  permission: unknown,
  limits: RateLimits,
  countsItself: boolean,
): { name: string; max: number; per: 'address' | 'caller' } | null {
  if (method === 'POST' && url === '/api/v1/auth/login')
    return { name: 'login', max: limits.loginPerMinute, per: 'address' };
  if (method === 'POST' && url === '/api/v1/auth/password')
    return { name: 'password', max: limits.credentialPerMinute, per: 'address' };
  if (method === 'POST' && url === '/api/v1/api-tokens')
    return { name: 'token', max: limits.credentialPerMinute, per: 'address' };
  if (countsItself) return null;
  if (permission === 'monitoring:ingest' || permission === 'shared-data:call')
    return { name: String(permission), max: limits.machinePerMinute, per: 'caller' };
  return null;
}

/**
 * Registers the limits; call before any route is added. `singleInstance`: the embedded database, which one
 * process holds, so the machine limits may count in memory.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  db: Kysely<any>,
  limits: RateLimits,
  singleInstance = false,
): Promise<void> {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const limit = limitOf(
        method,
        route.url,
        route.config?.permission,
        limits,
        route.config?.authenticatesBearer === true,
      );
      if (!limit) continue;
      route.config = {
        ...route.config,
        rateLimit: {
          max: limit.max,
          timeWindow: 60_000,
          keyGenerator: (request: FastifyRequest) =>
            limit.per === 'caller' && request.auth
              ? `${limit.name}:${request.auth.kind}:${request.auth.id}`
              : `${limit.name}:${request.ip}`,
        },
      } as typeof route.config;
    }
  });
  await app.register(rateLimit, {
    global: false,
    store: databaseStore(db, singleInstance) as never,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `too many requests; retry in ${context.after} / 请求过于频繁，请稍后再试`),
  });
}
