import Type, { type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = (description: string) => Type.String({ format: 'date', description });

/** A non-negative decimal quantity, at most 6 fractional digits, as a string (never a float). */
export const Quantity = Type.String({
  pattern: '^\\d{1,14}(\\.\\d{1,6})?$',
  description: 'non-negative decimal, e.g. "64" or "0.5"',
});
/** Quantities by dimension: vcpu, memory_gb, storage_gb, bandwidth_mbps, item:<catalogue code>. */
export const Quantities = Type.Record(Type.String(), Quantity, {
  description: 'by dimension: vcpu, memory_gb, storage_gb, bandwidth_mbps, item:<catalogue code>',
});

export const systemStatus = Type.Union(
  [Type.Literal('planned'), Type.Literal('on_cloud'), Type.Literal('legacy_data_centre'), Type.Literal('retired')],
  { description: 'planned, on_cloud (上云), legacy_data_centre (存量数据中心), retired' },
);
const filingStatus = Type.Union([Type.Literal('not_filed'), Type.Literal('filed')], {
  description: 'MLPS filing (等保备案): not_filed or filed',
});
export const projectStatus = Type.Union(
  [
    Type.Literal('declared'),
    Type.Literal('under_review'),
    Type.Literal('approved'),
    Type.Literal('rejected'),
    Type.Literal('closed'),
  ],
  { description: 'declared (申报), under_review (审核中), approved (已立项), rejected (未通过), closed' },
);

const systemFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: '系统名称' }),
  subsystems: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
    maxItems: 200,
    description: '子系统名称',
  }),
  developer: Nullable(Type.String({ maxLength: 200, description: '开发商 developer vendor' })),
  networkZone: Nullable(Type.String({ maxLength: 100, description: '网络分区, e.g. 公共网络区, 互联网区' })),
  mlpsLevel: Type.Integer({ minimum: 1, maximum: 5, description: '等级保护级别 MLPS level 1-5' }),
  filingStatus,
  filingNumber: Nullable(Type.String({ maxLength: 100, description: '等保备案编号' })),
  classified: Type.Boolean({ description: '涉密 (classified)' }),
  commitmentLetterOnFile: Type.Boolean({ description: '安全承诺书已提交 (security commitment letter on file)' }),
  commitmentLetterFile: Nullable(Type.String({ maxLength: 255, description: 'the letter’s file name' })),
  commitmentLetterDate: Nullable(Day('the letter’s date')),
  status: systemStatus,
  notes: Nullable(Type.String({ maxLength: 2000 })),
};

export const InformationSystemSchema = Type.Object(
  {
    id: Type.String(),
    organisationId: Type.String(),
    organisationName: Nullable(Type.String()),
    jurisdictionId: Type.String(),
    ...systemFields,
    cloudEligible: Type.Boolean({ description: 'non-classified and MLPS level 3 or below (SH 2, 7)' }),
    cloudRefusal: Nullable(Type.String({ description: 'why the system may not go on the cloud, with the article' })),
    goLiveMissing: Type.Array(Type.Union([Type.Literal('mlps_filing'), Type.Literal('commitment_letter')]), {
      description: 'what is still missing before go-live (SH 30, TZ 11)',
    }),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'InformationSystem',
    title: 'InformationSystem',
    description: 'An information system (信息系统) of a using unit',
  },
);

export const SystemCreateBody = Type.Object(
  {
    name: systemFields.name,
    mlpsLevel: systemFields.mlpsLevel,
    subsystems: Type.Optional(systemFields.subsystems),
    developer: Type.Optional(systemFields.developer),
    networkZone: Type.Optional(systemFields.networkZone),
    filingStatus: Type.Optional(systemFields.filingStatus),
    filingNumber: Type.Optional(systemFields.filingNumber),
    classified: Type.Optional(systemFields.classified),
    commitmentLetterOnFile: Type.Optional(systemFields.commitmentLetterOnFile),
    commitmentLetterFile: Type.Optional(systemFields.commitmentLetterFile),
    commitmentLetterDate: Type.Optional(systemFields.commitmentLetterDate),
    status: Type.Optional(systemFields.status),
    notes: Type.Optional(systemFields.notes),
  },
  { additionalProperties: false },
);

export const SystemPatchBody = Type.Partial(SystemCreateBody, { additionalProperties: false, minProperties: 1 });

const QuotaWindow = Type.Object(
  {
    validFrom: Day('first day of the window (inclusive, Asia/Shanghai)'),
    validTo: Day('last day of the window (inclusive)'),
    quantities: Quantities,
  },
  { additionalProperties: false },
);

export const ProjectQuotaSchema = Type.Object(
  {
    base: Quantities,
    windows: Type.Array(QuotaWindow, {
      description: 'periodic (dynamic) quota windows (SH 18): inside its dates a window’s quantity replaces the base',
    }),
    setBy: Nullable(Type.String()),
    setAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'ProjectQuota', title: 'ProjectQuota', description: 'A project’s quota, set by the economy & IT authority' },
);

export const ProjectSchema = Type.Object(
  {
    id: Type.String(),
    organisationId: Type.String(),
    organisationName: Nullable(Type.String()),
    jurisdictionId: Type.String(),
    approvalNo: Type.String({ description: '立项批复文号' }),
    name: Type.String(),
    year: Type.Integer(),
    status: projectStatus,
    description: Nullable(Type.String()),
    systems: Type.Array(
      Type.Object({ id: Type.String(), name: Type.String(), status: systemStatus, mlpsLevel: Type.Integer() }),
    ),
    decidedBy: Nullable(Type.String({ description: 'the authority approver who decided the review' })),
    decidedAt: Nullable(Type.String({ format: 'date-time' })),
    decisionComment: Nullable(Type.String()),
    quota: Type.Ref('ProjectQuota'),
    quotaToday: Type.Record(Type.String(), Type.String(), {
      description: 'the quota in force today (base, replaced by any window covering today)',
    }),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Project', title: 'Project', description: 'A project (立项) of a using unit, with its systems and quota' },
);

export const ProjectCreateBody = Type.Object(
  {
    approvalNo: Type.String({ minLength: 1, maxLength: 100, description: '立项批复文号' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    year: Type.Integer({ minimum: 2000, maximum: 2100 }),
    status: Type.Optional(
      Type.Literal('declared', {
        description: 'a unit declares (申报); approval (立项) is the authority’s (SH 18, JQ-proj 9)',
      }),
    ),
    description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    systemIds: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        maxItems: 100,
        uniqueItems: true,
        description: 'the systems it builds',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ProjectPatchBody = Type.Partial(
  Type.Object({
    ...Type.Omit(ProjectCreateBody, ['status']).properties,
    status: Type.Optional(
      Type.String({
        maxLength: 40,
        description:
          'refused unless unchanged: a project moves by POST /projects/:id/submit and the authority’s /decision (SH 18)',
      }),
    ),
  }),
  { additionalProperties: false, minProperties: 1 },
);

export const ProjectDecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('return')], {
      description: 'approve (立项), reject, or return to the unit (declared again, editable)',
    }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const QuotaBody = Type.Object(
  {
    base: Quantities,
    windows: Type.Optional(Type.Array(QuotaWindow, { maxItems: 100 })),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'recorded in the audit entry' })),
  },
  { additionalProperties: false },
);

export const PROJECT_SCHEMAS = [InformationSystemSchema, ProjectQuotaSchema, ProjectSchema];
