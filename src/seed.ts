import { seedDemoCalendar } from './modules/calendar/index.ts';
import { seedDemoCatalogue } from './modules/catalogue/index.ts';
import { seedDemoIdentity } from './modules/identity/index.ts';
import { seedDemoItProjects } from './modules/itprojects/index.ts';
import { seedDemoSettlement } from './modules/metering/index.ts';
import { seedDemoMonitoring } from './modules/monitoring/index.ts';
import { seedDemoOrders } from './modules/orders/index.ts';
import { seedDemoProjects } from './modules/projects/index.ts';
import { registerFulfilment, seedDemoDeliveries } from './modules/provisioning/index.ts';
import { seedDemoSharedData } from './modules/shareddata/index.ts';
import { seedDemoJurisdictions } from './modules/tenancy/index.ts';
import { SYSTEM_ACTOR, writeAudit } from './platform/audit/audit.ts';
import type { Db } from './schema.ts';

export interface SeedStep {
  name: string;
  created: number;
}

/**
 * The demo data a newcomer sees on first start. One transaction: it lands whole or not at all.
 * Each module adds its own step here; every step is idempotent.
 */
export async function seedDemo(
  db: Db,
  onStep: (step: SeedStep) => void = () => {},
  options: { activity?: boolean } = {},
): Promise<SeedStep[]> {
  // `activity`: orders, deliveries, inventory, a settled October and monitoring figures, dated around the demo's
  // fixed "today" 2026-11-22 (first start of `yunguan serve` and `yunguan seed`; tests opt in).
  if (options.activity) registerFulfilment();
  const steps = await db.transaction().execute(async (trx) => {
    const steps: SeedStep[] = [];
    const run = async (name: string, step: () => Promise<number>) => {
      const done = { name, created: await step() };
      steps.push(done);
      onStep(done);
    };
    await run('jurisdictions', () => seedDemoJurisdictions(trx, SYSTEM_ACTOR));
    await run('organisations and users', () => seedDemoIdentity(trx, SYSTEM_ACTOR));
    await run('calendar', () => seedDemoCalendar(trx, SYSTEM_ACTOR));
    await run('service catalogue', () => seedDemoCatalogue(trx, SYSTEM_ACTOR));
    await run('information systems and projects', () => seedDemoProjects(trx, SYSTEM_ACTOR));
    if (options.activity) {
      await run('orders', () => seedDemoOrders(trx, SYSTEM_ACTOR));
      await run('deliveries and inventory', () => seedDemoDeliveries(trx, SYSTEM_ACTOR));
      await run('monitoring', () => seedDemoMonitoring(trx, SYSTEM_ACTOR));
      await run('shared data', () => seedDemoSharedData(trx, SYSTEM_ACTOR));
      await run('IT projects', () => seedDemoItProjects(trx, SYSTEM_ACTOR));
    }
    return steps;
  });
  if (options.activity) {
    // Settlement is its own transaction (the engine's, one per city and month); idempotent like the rest.
    const done = { name: 'settlement 2026-10', created: await seedDemoSettlement(db, SYSTEM_ACTOR) };
    steps.push(done);
    onStep(done);
  }
  return steps;
}

/**
 * Production has no demo users: a database that was seeded once (a trial turned live) gets its demo
 * accounts disabled at start, audited. Returns how many were disabled.
 */
export async function disableDemoAccounts(db: Db): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .updateTable('user_account')
      .set({ disabled_at: new Date() })
      .where('is_demo', '=', true)
      .where('disabled_at', 'is', null)
      .returning(['id', 'username'])
      .execute();
    for (const row of rows) {
      await writeAudit(trx, SYSTEM_ACTOR, {
        action: 'user.updated',
        objectType: 'user',
        objectId: row.id,
        detail: { disabled: true, reason: 'demo account in production' },
      });
    }
    return rows.length;
  });
}
