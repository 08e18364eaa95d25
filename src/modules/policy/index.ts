export { platformDefaults } from './packs/defaults.ts';
export { DEFAULT_PACK_ID, PACK_IDS, PACKS } from './packs/index.ts';
export { EVALUATED, type Evaluated, INDICATORS, type IndicatorId, tenThousandths } from './policy.evaluation.ts';
export { InvalidPackError, type PackIssue, packIssues, validatePack } from './policy.pack.ts';
export { policyRoutes } from './policy.routes.ts';
export {
  type CitedValue,
  type Deadline,
  type DeadlineUnit,
  type EffectivePolicy,
  FULFILLED_TYPES,
  FULFILMENT_ACTIONS,
  type FulfilmentAction,
  ORDER_TYPES,
  type OrderType,
  POLICY_SCHEMAS,
  type PolicyPack,
  type Step,
} from './policy.schemas.ts';
export {
  adoptBaseline,
  BASELINE_MARK,
  effectivePolicy,
  type JurisdictionPolicy,
  jurisdictionPolicy,
  type PolicyBaselineInput,
  setOverride,
} from './policy.service.ts';
