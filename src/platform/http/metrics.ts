import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/database.ts';
import { AppError } from '../errors.ts';

const started = Symbol('metricsStart');
declare module 'fastify' {
  interface FastifyRequest {
    [started]?: bigint;
  }
}

/**
 * Prometheus metrics on `GET /metrics`: request counts and latencies per route (the route pattern,
 * never the raw URL, so unknown paths cannot blow up the label space), database pool statistics,
 * and Node's process metrics. Each app has its own registry.
 */
export function registerMetrics(
  app: FastifyInstance,
  poolStats: () => PoolStats,
  access: { token?: string; required?: boolean } = {},
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'yunguan_' });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'yunguan_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status',
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'yunguan_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by route pattern',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(poolStats()));
      },
    });
  pool('yunguan_db_pool_connections', 'Database connections open', (s) => s.total);
  pool('yunguan_db_pool_idle_connections', 'Database connections idle', (s) => s.idle);
  pool('yunguan_db_pool_waiting_clients', 'Queries waiting for a database connection', (s) => s.waiting);

  app.addHook('onRequest', async (request) => {
    request[started] = process.hrtime.bigint();
  });
  app.addHook('onResponse', async (request, reply) => {
    const start = request[started];
    if (start === undefined) return;
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
  });

  app.get('/metrics', { schema: { hide: true }, config: { permission: 'public' } }, async (request, reply) => {
    // In production the metrics need YUNGUAN_METRICS_TOKEN as a bearer token (none configured: nobody reads them).
    if (access.required || access.token) {
      const sent = request.headers.authorization ?? '';
      const expected = access.token ? `Bearer ${access.token}` : undefined;
      if (!expected || sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(expected)))
        throw new AppError('unauthenticated', 'the metrics need Authorization: Bearer <YUNGUAN_METRICS_TOKEN>');
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
