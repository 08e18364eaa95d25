import Type, { type Static, type TRef, type TSchema } from 'typebox';
import { ROLES } from '../identity/index.ts';
import { EvaluationSectionSchema } from './policy.evaluation.ts';

// The shape of a city policy pack (packs/<id>.ts) and of the effective policy a jurisdiction runs on.
//
// Every rule is a "cited value": { value, article, note? }. `value` null means the regulation gives no
// number (the system invents none: the console shows "no statutory deadline"); `article` is where the
// value comes from ('SH 22', 'LZ 21(4)', 'JQ-proj 12'), null only when the regulation says nothing at all.
// What the schema cannot say is checked in policy.pack.ts (a number needs its article, a null or an
// uncited value needs a note, articles cite the pack's own sources).

export const ORDER_TYPES = [
  'new_resources',
  'scale_up',
  'change',
  'reclaim',
  'development',
  'emergency',
  'temporary',
  'extension',
  'backup_extraction',
  'green_channel',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const DEADLINE_UNITS = ['working_days', 'calendar_days', 'months'] as const;
export type DeadlineUnit = (typeof DEADLINE_UNITS)[number];

/**
 * What a step asks of the provider when it is a fulfilment step (the pack says so, nothing in code does):
 * open test resources, open, scale up, change, reclaim, allocate time-limited resources, hand data over.
 */
export const FULFILMENT_ACTIONS = [
  'open_test',
  'open',
  'scale_up',
  'change',
  'reclaim',
  'allocate',
  'handover',
] as const;
export type FulfilmentAction = (typeof FULFILMENT_ACTIONS)[number];

/** Order types that must end in a fulfilment when enabled: each delivers, changes or ends resources (or data). */
export const FULFILLED_TYPES: readonly OrderType[] = [
  'new_resources',
  'scale_up',
  'change',
  'reclaim',
  'development',
  'emergency',
  'temporary',
  'backup_extraction',
  'green_channel',
];

/** Conditions under which a step applies; a step without `when` always does. */
export const STEP_CONDITIONS = ['quota_overrun'] as const;

/** Prefixes of the five regulations (DOMAIN.md): SH 20 = Shanghai art. 20; JQ-proj = Jiuquan's project annex. */
export const SOURCE_PREFIXES = ['SH', 'LZ', 'TZ', 'JQ', 'JQ-proj', 'NB'] as const;

const ROLE_NAMES = Object.keys(ROLES) as (keyof typeof ROLES)[];

export const ArticleSchema = Type.String({
  pattern: `^(${SOURCE_PREFIXES.join('|')}) ([0-9]{1,3}(\\([0-9]{1,2}\\))?|annex [0-9])$`,
  description: "where the value comes from: 'SH 22', 'LZ 21(4)' (item 4), 'JQ-proj 12', 'LZ annex 3'",
});
const Article = Type.Union([ArticleSchema, Type.Null()]);
const Note = Type.String({ minLength: 1, maxLength: 600 });
const RoleSchema = Type.Enum(ROLE_NAMES, {
  description: 'the platform role that acts (src/modules/identity/roles.ts)',
});
const Bilingual = Type.Object(
  { zh: Type.String({ minLength: 1, maxLength: 60 }), en: Type.String({ minLength: 1, maxLength: 80 }) },
  { additionalProperties: false },
);

/** The value kinds a cited value can hold; override values are validated against the same schemas. */
export const VALUE_SCHEMAS = {
  CitedInteger: Type.Integer({ minimum: 0, maximum: 100_000 }),
  CitedRatio: Type.String({
    pattern: '^(0(\\.[0-9]{1,4})?|1(\\.0{1,4})?)$',
    description: 'a share as a decimal string, "0.15" = 15% (never a float)',
  }),
  CitedBoolean: Type.Boolean(),
  CitedRole: RoleSchema,
  CitedRoles: Type.Array(RoleSchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
  CitedMonth: Type.Integer({ minimum: 1, maximum: 12 }),
} as const;
export type CitedKind = keyof typeof VALUE_SCHEMAS;

/** A deadline's overridable part: a number and its unit together, or null (no statutory deadline). */
export const DeadlineValueSchema = Type.Union([
  Type.Object(
    { value: Type.Integer({ minimum: 0, maximum: 3650 }), unit: Type.Enum(DEADLINE_UNITS) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

function overrideMarks(packValue: TSchema) {
  return {
    overridden: Type.Optional(Type.Literal(true, { description: 'effective policies only: a local override' })),
    overrideReason: Type.Optional(Type.String({ description: 'why the jurisdiction departs from its pack' })),
    packValue: Type.Optional(packValue),
  };
}

const citedSchema = <K extends CitedKind>(kind: K, description: string) => {
  const value = Type.Union([VALUE_SCHEMAS[kind], Type.Null()]);
  return Type.Object(
    { value, article: Article, note: Type.Optional(Note), ...overrideMarks(value) },
    { additionalProperties: false, $id: kind, title: kind, description },
  );
};

const CITED = ' with the article it comes from; null: the regulation gives none';
export const CitedIntegerSchema = citedSchema('CitedInteger', `a whole number${CITED}`);
export const CitedRatioSchema = citedSchema('CitedRatio', `a share as a decimal string${CITED}`);
export const CitedBooleanSchema = citedSchema('CitedBoolean', `a yes/no rule${CITED}`);
export const CitedRoleSchema = citedSchema('CitedRole', `a platform role${CITED}`);
export const CitedMonthSchema = citedSchema('CitedMonth', `a month of the year${CITED}`);
export const CitedRolesSchema = citedSchema('CitedRoles', `platform roles that must all act${CITED}`);

export const PolicyDeadlineSchema = Type.Object(
  {
    value: Type.Union([Type.Integer({ minimum: 0, maximum: 3650 }), Type.Null()], {
      description: 'null: the regulation sets no deadline for this step ("no statutory deadline")',
    }),
    unit: Type.Union([Type.Enum(DEADLINE_UNITS), Type.Null()]),
    article: Article,
    note: Type.Optional(Note),
    ...overrideMarks(DeadlineValueSchema),
  },
  {
    additionalProperties: false,
    $id: 'PolicyDeadline',
    title: 'PolicyDeadline',
    description: 'counted from the moment the step becomes due (the previous step done, or the request filed)',
  },
);

export const PolicyStepSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{1,40}$' }),
    name: Bilingual,
    role: RoleSchema,
    deadline: Type.Ref('PolicyDeadline'),
    when: Type.Optional(Type.Enum(STEP_CONDITIONS, { description: 'the step applies only then' })),
    fulfilment: Type.Optional(
      Type.Enum(FULFILMENT_ACTIONS, {
        description:
          'a fulfilment step: what the provider carries out (work orders; a reviewing role approves first). Absent: a review or approval',
      }),
    ),
    note: Type.Optional(Note),
  },
  { additionalProperties: false, $id: 'PolicyStep', title: 'PolicyStep' },
);

export const PolicyOrderTypeSchema = Type.Object(
  {
    enabled: Type.Ref('CitedBoolean'),
    steps: Type.Array(Type.Ref('PolicyStep'), { maxItems: 12 }),
    dataBackupFirst: Type.Optional(Type.Ref('CitedBoolean')),
  },
  { additionalProperties: false, $id: 'PolicyOrderType', title: 'PolicyOrderType' },
);

const I = Type.Ref('CitedInteger');
const R = Type.Ref('CitedRatio');
const B = Type.Ref('CitedBoolean');
const section = <P extends Record<string, TSchema>>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });

/**
 * A city policy pack as written in packs/<id>.ts, and (with override marks on its values) a jurisdiction's
 * effective policy. The override marks belong to effective policies only: policy.pack.ts refuses a pack
 * file that carries them.
 */
export const PolicyPackSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$' }),
    version: Type.String({ pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$', description: 'semver of the pack' }),
    city: Bilingual,
    title: Type.String({ minLength: 1, maxLength: 120, description: "the regulation's Chinese title" }),
    year: Type.Union([Type.Integer({ minimum: 1990, maximum: 2100 }), Type.Null()]),
    documentStatus: Type.Enum(['issued', 'draft_for_comment']),
    sources: Type.Array(
      Type.Object(
        { prefix: Type.Enum(SOURCE_PREFIXES), title: Type.String({ minLength: 1, maxLength: 120 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 3, description: 'the documents the articles cite, by prefix' },
    ),
    effective: Type.Object(
      {
        from: Type.Union([Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }), Type.Null()]),
        article: Article,
        note: Type.Optional(Note),
      },
      { additionalProperties: false },
    ),
    bodies: Type.Array(
      Type.Object(
        { role: RoleSchema, zh: Type.String({ minLength: 1, maxLength: 80 }), article: ArticleSchema },
        { additionalProperties: false },
      ),
      { description: "the regulation's bodies and the platform roles that act for them", maxItems: 12 },
    ),
    orderTypes: Type.Object(
      Object.fromEntries(ORDER_TYPES.map((t) => [t, Type.Ref('PolicyOrderType')])) as {
        [T in OrderType]: TRef<'PolicyOrderType'>;
      },
      { additionalProperties: false },
    ),
    quota: section({
      developmentShareMax: R,
      developmentMonthsMax: I,
      overrunApprovalAbove: R,
      emergencyMonthsMax: I,
      temporaryMonthsMax: I,
      emergencyExtensionLeadWorkingDays: I,
      temporaryExtensionLeadWorkingDays: I,
      expiryNoticeWorkingDays: I,
      periodicQuota: B,
      elasticScaling: B,
    }),
    trial: section({ minCalendarDays: I }),
    monitoring: section({
      agentRequired: B,
      lowUtilisationPercent: I,
      lowUtilisationDays: I,
      zombieIdleDays: I,
      warningNeedsAuthorityReview: B,
      utilisationReportWeekly: B,
      utilisationReportMonthly: B,
      analysisReportMonthly: B,
      majorIncidentReportCalendarDays: I,
      // The period a warned unit has to rectify (SH 25 责令整改 and the like); null: the regulation names none and
      // the platform's defaults.rectificationWorkingDays applies.
      rectificationWorkingDays: I,
    }),
    retention: section({ systemOperationLogMonthsMin: I, providerKeepsUsageLogs: B }),
    provider: section({
      responseMinutesMax: I,
      onSiteDaysPerWeek: I,
      onSiteHoursPerDay: I,
      hotlineDaysPerWeek: I,
      hotlineHoursPerDay: I,
      continuousOperation: B,
      plannedInterruptionLeadWorkingDays: I,
      securityBulletinMonthly: B,
      emergencyDrillsPerYear: I,
    }),
    settlement: section({ payAfterUse: B, evaluationAdjusted: B, confirmedBy: Type.Ref('CitedRole') }),
    // The service catalogue (SH 15-16): the roles whose confirmation (核定) a new catalogue version needs before it
    // takes effect, each by its own holder; every one of them must confirm.
    catalogue: section({ versionConfirmedBy: Type.Ref('CitedRoles') }),
    projects: section({
      cloudNeedsDeclaredAtApproval: B,
      investmentOverrunApprovalThreshold: R,
      warrantyYearsMin: I,
      declarationMonth: Type.Ref('CitedMonth'),
      // Absent or false: every order that takes quota names an approved project (SH 18-24, JQ-proj 9). Only a
      // pack that says so, with its article, lets orders go without one.
      ordersWithoutProject: Type.Optional(B),
      // the project lifecycle (issue 19, modules/itprojects): review before approval, who approves, the
      // preliminary review's checklist, the plans a declaration carries, the urgent path, acceptance
      reviewBeforeApproval: B,
      approvalRole: Type.Ref('CitedRole'),
      reviewAsksFitsPlan: B,
      reviewAsksOnCloud: B,
      reviewAsksDataSharing: B,
      dataSharingPlanRequired: B,
      urgentPath: B,
      investmentOverrunInclusive: B,
      acceptanceBeforeUse: B,
      postGoLiveEvaluation: B,
    }),
    legacyDataCentre: section({
      evaluationWorkingDays: I,
      approvalWorkingDays: I,
      retentionYears: I,
      migrationAfterRetentionYears: I,
      transitionYearsSmall: I,
      transitionYearsLarge: I,
      smallRacksMax: I,
      areaSquareMetresMin: I,
      racksMin: I,
      operatorsMin: I,
      // the other criteria of LZ 13 and the rest of the flow (LZ 14(5), 17-19), read by modules/datacentres
      extranetIpv6Required: B,
      cloudPlatformConformanceRequired: B,
      classBRequired: B,
      service7x24Required: B,
      mlpsLevelMin: I,
      mlpsCloudExtensionRequired: B,
      sensitiveEvaluationWorkingDays: I,
      sensitiveApprovalWorkingDays: I,
      sensitiveRetentionYears: I,
      retentionNoticeFirstLeadDays: I,
      retentionNoticeFinalLeadDays: I,
      rentedMigrateWithinLease: B,
    }),
    // Shared data (NB 13-15): whether the regulation provides the shared-data service, and the working days a
    // providing unit has to correct a reported data error (NB 14 asks for a defined feedback flow, no number).
    sharedData: section({ provided: B, errorCorrectionWorkingDays: I }),
    // Efficiency evaluation (效能评估): scorecards, bands -> coefficient, appeal window (policy.evaluation.ts)
    evaluation: EvaluationSectionSchema,
    // Numbers the platform chose itself (no regulation gives them): article null, a note saying so
    // (packs/defaults.ts, policy.pack.ts checks the note); overridable per jurisdiction like the rest.
    defaults: section({
      reclaimConsentWorkingDays: I,
      reclaimBackupWorkingDays: I,
      rectificationWorkingDays: I,
      disputeWorkingDays: I,
      inventoryFindingWorkingDays: I,
      expiryNoticeFirstLeadWorkingDays: I,
      expiryNoticeFinalLeadWorkingDays: I,
      detectionWindowDays: I,
      detectionLowAvgCpuPercent: I,
      detectionLowP95CpuPercent: I,
      detectionZombieWindowDays: I,
      detectionZombieMaxCpuPercent: I,
      detectionZombieNetworkBytesPerSecond: I,
      detectionSilentHours: I,
      detectionMinCoverage: R,
      projectEvaluationMonths: I,
      ticketResolutionHoursUrgent: I,
      ticketResolutionHoursHigh: I,
      ticketResolutionHoursNormal: I,
      ticketResolutionHoursLow: I,
      ticketResolutionWorkingHoursPerDay: I,
      ticketServiceDayStartHour: I,
    }),
  },
  { additionalProperties: false, $id: 'PolicyPack', title: 'PolicyPack' },
);

/** The schemas PolicyPackSchema refers to by $id (`Type.Ref`): the context for validating and for Static. */
export const POLICY_CONTEXT = {
  CitedInteger: CitedIntegerSchema,
  CitedRatio: CitedRatioSchema,
  CitedBoolean: CitedBooleanSchema,
  CitedRole: CitedRoleSchema,
  CitedMonth: CitedMonthSchema,
  CitedRoles: CitedRolesSchema,
  PolicyDeadline: PolicyDeadlineSchema,
  PolicyStep: PolicyStepSchema,
  PolicyOrderType: PolicyOrderTypeSchema,
};

export type PolicyPack = Static<typeof PolicyPackSchema, typeof POLICY_CONTEXT>;
/** A pack merged with a jurisdiction's overrides: the same shape, overridden values marked. */
export type EffectivePolicy = PolicyPack;

export type CitedValue<T = unknown> = {
  value: T | null;
  article: string | null;
  note?: string;
  overridden?: true;
  overrideReason?: string;
  packValue?: unknown;
};
export type Deadline = PolicyPack['orderTypes']['new_resources']['steps'][number]['deadline'];
export type Step = PolicyPack['orderTypes']['new_resources']['steps'][number];

export const PolicyPackSummarySchema = Type.Object(
  {
    id: Type.String(),
    version: Type.String(),
    city: Bilingual,
    title: Type.String(),
    year: Type.Union([Type.Integer(), Type.Null()]),
    documentStatus: Type.Enum(['issued', 'draft_for_comment']),
    sources: Type.Array(Type.Object({ prefix: Type.String(), title: Type.String() }), {
      description: "the regulations the pack's articles cite: 'SH 25' is article 25 of the source with prefix SH",
    }),
  },
  { $id: 'PolicyPackSummary', title: 'PolicyPackSummary' },
);

export const PolicyOverrideSchema = Type.Object(
  {
    path: Type.String({ description: "what is overridden, e.g. 'quota.developmentShareMax'" }),
    value: Type.Unknown({ description: 'the local value (a deadline: {value, unit}; null: no number)' }),
    packValue: Type.Unknown({ description: "the pack's own value at the path" }),
    reason: Type.String(),
    packId: Type.String({ description: 'the pack the override was set against' }),
    setBy: Type.Union([Type.String(), Type.Null()]),
    setAt: Type.String({ format: 'date-time' }),
    applied: Type.Boolean({ description: 'false when the path or value no longer fits the jurisdiction’s pack' }),
    problem: Type.Optional(Type.String()),
  },
  { $id: 'PolicyOverride', title: 'PolicyOverride' },
);

export const JurisdictionPolicySchema = Type.Object(
  {
    jurisdiction: Type.String({ description: 'jurisdiction code' }),
    packId: Type.String(),
    packVersion: Type.String(),
    policy: Type.Ref('PolicyPack', { description: 'the pack merged with the overrides, overridden values marked' }),
    overrides: Type.Array(Type.Ref('PolicyOverride')),
  },
  { $id: 'JurisdictionPolicy', title: 'JurisdictionPolicy' },
);

export const POLICY_SCHEMAS = [
  ...Object.values(POLICY_CONTEXT),
  PolicyPackSchema,
  PolicyPackSummarySchema,
  PolicyOverrideSchema,
  JurisdictionPolicySchema,
];
