import type { Config } from './config.ts';
import type { DatabaseKind } from './platform/db/database.ts';
import type { EgressPolicyCache } from './platform/http/egress.ts';
import type { Clock } from './platform/time/clock.ts';
import type { Db } from './schema.ts';

/** What every module's routes receive when the app registers them. */
export interface RouteDeps {
  db: Db;
  databaseKind: DatabaseKind;
  config: Config;
  /** where services take "now" from; tests pass a ManualClock */
  clock: Clock;
  /** egress policies for the data gateway's calls, forgotten by this instance when it changes one */
  egressPolicies: EgressPolicyCache;
}
