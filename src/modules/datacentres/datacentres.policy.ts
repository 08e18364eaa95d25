import type { AuthContext } from '../../platform/auth/auth.ts';
import { addMonthsToDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { type CitedValue, effectivePolicy } from '../policy/index.ts';

// The legacy data-centre rules of a jurisdiction's policy pack (section `legacyDataCentre`, LZ 12-19) and who
// the caller is to a room. The pack is the one source of the values: nothing here has a number of its own.

export interface Cited<T> {
  value: T | null;
  article: string | null;
  note: string | null;
}

const cited = <T>(c: CitedValue<T>): Cited<T> => ({
  value: c.value,
  article: c.article,
  note: c.overrideReason ?? c.note ?? null,
});

export async function dataCentrePolicy(trx: Trx | Db, jurisdictionId: string) {
  const j = await trx
    .selectFrom('jurisdiction')
    .select(['code', 'name'])
    .where('id', '=', jurisdictionId)
    .executeTakeFirstOrThrow();
  const policy = await effectivePolicy(trx as Db, j.code);
  const s = policy.legacyDataCentre;
  return {
    jurisdictionId,
    jurisdictionCode: j.code,
    jurisdictionName: j.name,
    policyTitle: policy.title,
    evaluationWorkingDays: cited<number>(s.evaluationWorkingDays),
    approvalWorkingDays: cited<number>(s.approvalWorkingDays),
    retentionYears: cited<number>(s.retentionYears),
    migrationAfterRetentionYears: cited<number>(s.migrationAfterRetentionYears),
    transitionYearsSmall: cited<number>(s.transitionYearsSmall),
    transitionYearsLarge: cited<number>(s.transitionYearsLarge),
    smallRacksMax: cited<number>(s.smallRacksMax),
    areaSquareMetresMin: cited<number>(s.areaSquareMetresMin),
    racksMin: cited<number>(s.racksMin),
    operatorsMin: cited<number>(s.operatorsMin),
    extranetIpv6Required: cited<boolean>(s.extranetIpv6Required),
    cloudPlatformConformanceRequired: cited<boolean>(s.cloudPlatformConformanceRequired),
    classBRequired: cited<boolean>(s.classBRequired),
    service7x24Required: cited<boolean>(s.service7x24Required),
    mlpsLevelMin: cited<number>(s.mlpsLevelMin),
    mlpsCloudExtensionRequired: cited<boolean>(s.mlpsCloudExtensionRequired),
    sensitiveEvaluationWorkingDays: cited<number>(s.sensitiveEvaluationWorkingDays),
    sensitiveApprovalWorkingDays: cited<number>(s.sensitiveApprovalWorkingDays),
    sensitiveRetentionYears: cited<number>(s.sensitiveRetentionYears),
    retentionNoticeFirstLeadDays: cited<number>(s.retentionNoticeFirstLeadDays),
    retentionNoticeFinalLeadDays: cited<number>(s.retentionNoticeFinalLeadDays),
    rentedMigrateWithinLease: cited<boolean>(s.rentedMigrateWithinLease),
  };
}
export type DataCentrePolicy = Awaited<ReturnType<typeof dataCentrePolicy>>;

/** Whether the jurisdiction's policy provides certification at all (a number of racks to meet, or an approval period). */
export const certificationProvided = (p: DataCentrePolicy) =>
  p.racksMin.value !== null || p.approvalWorkingDays.value !== null || p.sensitiveApprovalWorkingDays.value !== null;

/** `years` after `day` on the calendar: 2026-10-09 + 2 years = 2028-10-09; 29 February clamps to the 28th. */
export const addYears = (day: string, years: number) => addMonthsToDay(day, years * 12);

/** The caller acts for the organisation (or one of its parent units). */
export function actsFor(auth: AuthContext, organisationId: string): boolean {
  return auth.visibility.kind === 'organisation' && auth.visibility.organisations.includes(organisationId);
}

/** The caller holds a jurisdiction-wide role over the jurisdiction (the ops unit, the authority, auditors). */
export function oversees(auth: AuthContext, jurisdictionId: string): boolean {
  return auth.visibility.kind === 'jurisdiction' && auth.visibility.jurisdictions.includes(jurisdictionId);
}
