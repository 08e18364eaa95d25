import { loadPacks } from '../policy.pack.ts';
import type { PolicyPack } from '../policy.schemas.ts';
import { jiuquan2018 } from './jiuquan-2018.ts';
import { liuzhou } from './liuzhou.ts';
import { ningbo2014 } from './ningbo-2014.ts';
import { shanghai2022 } from './shanghai-2022.ts';
import { taizhou2018 } from './taizhou-2018.ts';

/** The pack a jurisdiction runs on unless it selects another (jurisdiction.policy_pack's default). */
export const DEFAULT_PACK_ID = 'shanghai-2022';

/** Every city policy pack, validated when this module loads (a malformed pack stops the app), frozen. */
export const PACKS: ReadonlyMap<string, PolicyPack> = loadPacks([
  shanghai2022,
  liuzhou,
  taizhou2018,
  jiuquan2018,
  ningbo2014,
]);

export const PACK_IDS = [...PACKS.keys()];
