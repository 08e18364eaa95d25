import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../platform/time/clock.ts';
import type { Db } from '../../schema.ts';
import { outboxStats } from './outbox.repository.ts';

/**
 * The outbox in /metrics, read from the database at each scrape (every instance reports the same, shared
 * figures): pending deliveries, how many of them are due now, and the age of the oldest one. A growing
 * age is the alert: deliveries leave slower than they arrive.
 */
export function registerOutboxMetrics(registry: Registry, db: Db, clock: Clock): void {
  let last: Promise<Awaited<ReturnType<typeof outboxStats>>> | undefined;
  // One query per scrape for the three gauges; a scrape while the database is away reports nothing new.
  const stats = () => {
    last ??= outboxStats(db, clock.now()).finally(() => setTimeout(() => (last = undefined), 0));
    return last;
  };
  const gauge = (name: string, help: string, pick: (s: Awaited<ReturnType<typeof outboxStats>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(pick(await stats()));
        } catch {
          // the database is unreachable: /readyz says so; the metric keeps its last value
        }
      },
    });
  gauge(
    'yunguan_outbox_pending',
    'Notification deliveries (e-mail, webhook) not yet delivered or failed',
    (s) => s.pending,
  );
  gauge('yunguan_outbox_due', 'Pending deliveries due now (not waiting for a retry)', (s) => s.due);
  gauge('yunguan_outbox_oldest_pending_seconds', 'Age of the oldest pending delivery', (s) => s.oldestSeconds);
}
