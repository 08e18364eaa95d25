import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';

export async function seedDemoSharedData(_trx: Trx, _actor: Actor): Promise<number> {
  return 0;
}
