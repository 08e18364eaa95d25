import type { PolicyPack } from '../policy.schemas.ts';

// Numbers the platform chose itself because no regulation gives one: every pack carries them in its
// `defaults` section (a city may put its own there, a jurisdiction overrides them like any other value).
// Each says so: article null, a note starting with PLATFORM_DEFAULT.

export const PLATFORM_DEFAULT = 'not provided by the regulation, platform default';

/** A number the platform chose: no article, the note says so (and why this number). */
export function platformDefault<const T extends number | string>(value: T, why: string) {
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
  rectificationWorkingDays: platformDefault(
    10,
    'working days a warned unit has to rectify when the pack’s monitoring.rectificationWorkingDays is null (no regulation names a period for 责令整改, SH 25)',
  ),
  disputeWorkingDays: platformDefault(
    2,
    'working days a provider has to answer a unit’s dispute of its delivery receipt with a corrected revision (no regulation gives one)',
  ),
  inventoryFindingWorkingDays: platformDefault(
    5,
    'working days the ops unit has to resolve a reconciliation finding between a provider’s inventory report and the platform’s inventory',
  ),
  expiryNoticeFirstLeadWorkingDays: platformDefault(
    15,
    'first notice ahead of a time-limited resource’s expiry when the pack’s quota.expiryNoticeWorkingDays is null: the extension filing lead of SH 23/24, so a unit can still file one',
  ),
  expiryNoticeFinalLeadWorkingDays: platformDefault(
    5,
    'final notice ahead of expiry when the pack’s quota.expiryNoticeWorkingDays is null, with the backup reminder (SH 26)',
  ),
  // Usage-monitoring detection (SH 25 "使用率长期较低", "僵尸系统长期占用" and a silent agent name no numbers); a
  // pack's monitoring.lowUtilisationDays / zombieIdleDays, where a regulation gives them, come first.
  detectionWindowDays: platformDefault(30, 'days of hourly rollups a low-utilisation finding looks back over'),
  detectionLowAvgCpuPercent: platformDefault(10, 'low utilisation: average CPU below this percentage'),
  detectionLowP95CpuPercent: platformDefault(30, 'low utilisation: and the 95th percentile of hourly CPU below this'),
  detectionZombieWindowDays: platformDefault(30, 'days a zombie finding looks back over'),
  detectionZombieMaxCpuPercent: platformDefault(3, 'zombie: the highest hourly CPU below this percentage'),
  detectionZombieNetworkBytesPerSecond: platformDefault(
    10240,
    'zombie: and the highest hourly network in + out below this many bytes per second (10 KiB/s)',
  ),
  detectionSilentHours: platformDefault(24, 'a silent agent: no sample for this many hours (SH 25: not to be blocked)'),
  detectionMinCoverage: platformDefault(
    '0.8',
    'share of the window’s hours that must have samples before a rule judges',
  ),
  projectEvaluationMonths: platformDefault(
    12,
    'months after a project’s acceptance at which its performance evaluation is scheduled (JQ-proj 17 "适时": no number)',
  ),
  // Resolution targets of the service desk per priority (issue 18): TZ 12(2) gives only the 5-minute response and
  // uninterrupted service, JQ 11 365x24 operation and JQ 25 recovery "in the shortest time"; no regulation gives a
  // resolution time. Counted in wall-clock hours (7x24), like the response.
  ticketResolutionHoursUrgent: platformDefault(
    4,
    'hours to resolve an urgent ticket (a service down), wall-clock 7x24; no regulation gives a resolution time',
  ),
  ticketResolutionHoursHigh: platformDefault(
    8,
    'hours to resolve a high-priority ticket (a service degraded), wall-clock 7x24',
  ),
  ticketResolutionHoursNormal: platformDefault(24, 'hours to resolve a normal ticket, wall-clock 7x24'),
  ticketResolutionHoursLow: platformDefault(72, 'hours to resolve a low-priority ticket or a consultation, wall-clock'),
  // How those resolution targets are counted (issue 18). 0: wall-clock 7x24, the duty being 365x24 (JQ 11). A
  // jurisdiction whose providers answer on site 5x8 (TZ 12(2)) may count them in working time instead: this many
  // service hours of each working day of its calendar (holidays off, make-up days worked), from the start hour below.
  // The 5-minute response of TZ 12(2) is always wall-clock.
  ticketResolutionWorkingHoursPerDay: platformDefault(
    0,
    'service hours of a working day a ticket’s resolution target is counted in; 0 = wall-clock 7x24 (no regulation says to count in working time)',
  ),
  ticketServiceDayStartHour: platformDefault(
    9,
    'Beijing-time hour a working day’s service hours start, when resolution targets are counted in working time',
  ),
} satisfies PolicyPack['defaults'];
