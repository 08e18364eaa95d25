import { seedDemoCalendar } from './modules/calendar/index.ts';
import { seedDemoCatalogue } from './modules/catalogue/index.ts';
import { seedDemoIdentity } from './modules/identity/index.ts';
import { seedDemoJurisdictions } from './modules/tenancy/index.ts';
import { SYSTEM_ACTOR } from './platform/audit/audit.ts';
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
