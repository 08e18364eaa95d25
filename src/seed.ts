import { seedDemoCalendar } from './modules/calendar/index.ts';
import { seedDemoCatalogue } from './modules/catalogue/index.ts';
import { seedDemoIdentity } from './modules/identity/index.ts';
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
export async function seedDemo(db: Db, onStep: (step: SeedStep) => void = () => {}): Promise<SeedStep[]> {
  return db.transaction().execute(async (trx) => {
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
    return steps;
  });
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
