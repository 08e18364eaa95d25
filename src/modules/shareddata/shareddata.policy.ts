import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { effectivePolicy } from '../policy/index.ts';

// The shared-data rules of a jurisdiction's policy pack (section `sharedData`) and who the caller is to a
// resource. The pack is the one source of the values: nothing here has a number of its own.

export interface SharedDataPolicy {
  jurisdictionId: string;
  jurisdictionCode: string;
  jurisdictionName: string;
  policyTitle: string;
  provided: boolean;
  providedArticle: string | null;
  providedNote: string | null;
  /** null: the policy sets no deadline (reports then carry none and never escalate) */
  errorCorrectionWorkingDays: number | null;
  errorCorrectionArticle: string | null;
  errorCorrectionNote: string | null;
  errorCorrectionOverridden: boolean;
}

export async function sharedDataPolicy(trx: Trx | Db, jurisdictionId: string): Promise<SharedDataPolicy> {
  const j = await trx
    .selectFrom('jurisdiction')
    .select(['code', 'name'])
    .where('id', '=', jurisdictionId)
    .executeTakeFirstOrThrow();
  const policy = await effectivePolicy(trx as Db, j.code);
  const s = policy.sharedData;
  return {
    jurisdictionId,
    jurisdictionCode: j.code,
    jurisdictionName: j.name,
    policyTitle: policy.title,
    provided: s.provided.value === true,
    providedArticle: s.provided.article,
    providedNote: s.provided.note ?? null,
    errorCorrectionWorkingDays: s.errorCorrectionWorkingDays.value,
    errorCorrectionArticle: s.errorCorrectionWorkingDays.article,
    errorCorrectionNote: s.errorCorrectionWorkingDays.overrideReason ?? s.errorCorrectionWorkingDays.note ?? null,
    errorCorrectionOverridden: s.errorCorrectionWorkingDays.overridden === true,
  };
}

/** Registering, publishing and applying need a policy that provides shared data (NB 13-15, or an override). */
export async function assertProvided(trx: Trx, jurisdictionId: string): Promise<SharedDataPolicy> {
  const policy = await sharedDataPolicy(trx, jurisdictionId);
  if (!policy.provided) {
    throw new AppError(
      'shared_data_not_provided',
      `${policy.jurisdictionName} 的政策（${policy.policyTitle}）未提供数据共享服务；可由主管部门在政策中启用（sharedData.provided） / ` +
        'the jurisdiction’s policy does not provide shared data; the authority may enable it by override',
    );
  }
  return policy;
}

/** The caller acts for the organisation (or one of its parent units): it is that unit to the resource. */
export function actsFor(auth: AuthContext, organisationId: string): boolean {
  return auth.visibility.kind === 'organisation' && auth.visibility.organisations.includes(organisationId);
}

/** The caller holds a jurisdiction-wide role over the jurisdiction (the ops unit, the authority, auditors). */
export function oversees(auth: AuthContext, jurisdictionId: string): boolean {
  return auth.visibility.kind === 'jurisdiction' && auth.visibility.jurisdictions.includes(jurisdictionId);
}
