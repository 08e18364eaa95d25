import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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
  const local = new Map<string, { count: number; endsAt: number }>();
  const localHit = (key: string, windowMs: number) => {
    const now = Date.now();
    let counter = local.get(key);
    if (!counter || counter.endsAt <= now) {
      if (local.size > 10_000) for (const [k, c] of local) if (c.endsAt <= now) local.delete(k);
      counter = { count: 0, endsAt: now + windowMs };
      local.set(key, counter);
    }
    counter.count++;
    return { current: counter.count, ttl: counter.endsAt - now };
  };
  return class DatabaseStore {
    incr: Incr = (key, cb, timeWindow) => {
      if (machineCountersInMemory && MACHINE_LIMITS.some((prefix) => key.startsWith(prefix))) {
        cb(null, localHit(key, timeWindow));
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
): { name: string; max: number; per: 'address' | 'caller' } | null {
  if (method === 'POST' && url === '/api/v1/auth/login')
    return { name: 'login', max: limits.loginPerMinute, per: 'address' };
  if (method === 'POST' && url === '/api/v1/auth/password')
    return { name: 'password', max: limits.credentialPerMinute, per: 'address' };
  if (method === 'POST' && url === '/api/v1/api-tokens')
    return { name: 'token', max: limits.credentialPerMinute, per: 'address' };
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
      const limit = limitOf(method, route.url, route.config?.permission, limits);
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
