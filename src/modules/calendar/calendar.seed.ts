import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { defaultJurisdiction } from '../tenancy/index.ts';
import { installPackagedCalendar } from './calendar.service.ts';

/**
 * Demo data: the demo city (the default jurisdiction) gets every year the packaged data knows, confirmed.
 * Its districts fall back on it. Idempotent; returns the number of years loaded.
 */
export async function seedDemoCalendar(trx: Trx, actor: Actor): Promise<number> {
  const city = await defaultJurisdiction(trx);
  if (!city) return 0;
  return installPackagedCalendar(trx, actor, city.code);
}
