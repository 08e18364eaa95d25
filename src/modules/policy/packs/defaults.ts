import type { PolicyPack } from '../policy.schemas.ts';

// Numbers the platform chose itself because no regulation gives one: every pack carries them in its
// `defaults` section (a city may put its own there, a jurisdiction overrides them like any other value).
// Each says so: article null, a note starting with PLATFORM_DEFAULT.

export const PLATFORM_DEFAULT = 'not provided by the regulation, platform default';

/** A number the platform chose: no article, the note says so (and why this number). */
export function platformDefault<const T extends number>(value: T, why: string) {
  return { value, article: null, note: `${PLATFORM_DEFAULT}: ${why}` };
}

/** The platform's defaults, shared by the five packs. */
export const platformDefaults = {
  reclaimConsentWorkingDays: platformDefault(
    5,
    'working days the competent authority has to consent to or decline stopping allocations and reclaiming after a missed rectification deadline (SH 25 "经政务云主管部门同意" names no period); after them it is escalated',
  ),
  reclaimBackupWorkingDays: platformDefault(
    5,
    'working days a unit has to confirm its backup on a reclaim opened at expiry or after a failed rectification; after them the ops unit proceeds with the authority’s recorded consent',
  ),
} satisfies PolicyPack['defaults'];
