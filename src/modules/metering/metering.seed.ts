import type { Actor } from '../../platform/audit/audit.ts';
import type { Db } from '../../schema.ts';
import { settle } from './metering.engine.ts';

// Demo data only (seedDemo with `activity`): October 2026 settled for the demo city, left as a draft for the ops
// reviewer. The demo's story is dated (Sep-Nov 2026) but its events are *recorded* when the seed runs, and the
// engine rates only events recorded by `as of`; so the run is as of the moment of seeding (the real clock), or
// the demo's "today" 2026-11-22 10:00 Asia/Shanghai if the clock is earlier (October must have ended). Runs in the engine's own transaction after the demo's; idempotent: nothing when the month
// has a settlement run already.
const DEMO_NOW = new Date('2026-11-22T02:00:00Z');

export async function seedDemoSettlement(db: Db, actor: Actor): Promise<number> {
  const city = await db.selectFrom('jurisdiction').select('id').where('code', '=', 'demo-city').executeTakeFirst();
  if (!city) return 0;
  const run = await db
    .selectFrom('settlement_run')
    .select('id')
    .where('jurisdiction_id', '=', city.id)
    .where('period', '=', '2026-10')
    .executeTakeFirst();
  if (run) return 0;
  const result = await settle(db, actor, {
    jurisdiction: 'demo-city',
    month: '2026-10',
    now: new Date(Math.max(Date.now(), DEMO_NOW.getTime())),
  });
  return result.statements;
}
