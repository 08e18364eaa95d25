import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PoolStats } from '../db/database.ts';
import { type Problem, problemOf, retryAfterSeconds } from './problem.ts';

export interface LoadSheddingOptions {
  /** mean event-loop delay (ms) over a one-second sample above which requests are refused; 0: never */
  maxEventLoopDelayMs: number;
  /** queries waiting for a database connection above which requests are refused; 0: never */
  maxPoolQueue: number;
  poolStats: () => PoolStats;
  registry: Registry;
}

// Probes and metrics must answer precisely when the instance is struggling: a load balancer reads them.
const EXEMPT = new Set(['/healthz', '/readyz', '/metrics']);
const exempt = (request: FastifyRequest) => EXEMPT.has(request.url.split('?')[0] ?? '');

/**
 * Load shedding: an overloaded instance answers 503 `service_busy` with Retry-After at once instead of
 * letting latency grow without bound (every request queued behind the pool until it times out). Two
 * signals: the event loop is saturated (@fastify/under-pressure, mean delay per sample) or too many
 * queries already wait for a database connection. Shed requests are counted in /metrics.
 */
export async function registerLoadShedding(app: FastifyInstance, options: LoadSheddingOptions): Promise<void> {
  const shed = new Counter({
    name: 'yunguan_http_shed_total',
    help: 'Requests refused with 503 service_busy because the instance was saturated, by reason',
    labelNames: ['reason'] as const,
    registers: [options.registry],
  });
  let eventLoopDelay = 0;
  new Gauge({
    name: 'yunguan_event_loop_delay_seconds',
    help: 'Mean event-loop delay over the last one-second sample (what load shedding compares)',
    registers: [options.registry],
    collect() {
      this.set(eventLoopDelay / 1000);
    },
  });
  /** Counts the refusal and readies the reply; the caller sends the returned problem. */
  const refuse = (reason: string, detail: string, request: FastifyRequest, reply: FastifyReply): Problem => {
    shed.inc({ reason });
    reply
      .code(503)
      .header('retry-after', String(retryAfterSeconds('service_busy')))
      .type('application/problem+json; charset=utf-8');
    return problemOf(request, 'service_busy', detail);
  };

  // under-pressure sends whatever the handler returns (its types say void); undefined lets the request through.
  // The first samples include building the app (schemas compile synchronously for seconds): not load.
  let armedAt = Number.POSITIVE_INFINITY;
  app.addHook('onReady', async () => {
    armedAt = Date.now() + 2_500;
  });
  const pressureHandler = (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
    if (type === underPressure.TYPE_EVENT_LOOP_DELAY) {
      eventLoopDelay = value ?? eventLoopDelay;
      if (Date.now() < armedAt) return undefined;
    }
    if (exempt(request)) return undefined;
    return refuse(type, `the server is saturated (${type}); retry in a moment`, request, reply);
  };
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    pressureHandler: pressureHandler as unknown as FastifyUnderPressureOptions['pressureHandler'],
  });
  app.addHook('onResponse', async () => {
    eventLoopDelay = app.memoryUsage().eventLoopDelay;
  });

  if (options.maxPoolQueue > 0) {
    const max = options.maxPoolQueue;
    app.addHook('onRequest', async (request, reply) => {
      if (exempt(request) || options.poolStats().waiting < max) return;
      const detail = 'too many requests are waiting for a database connection; retry in a moment';
      return reply.send(refuse('pool_queue', detail, request, reply));
    });
  }
}
