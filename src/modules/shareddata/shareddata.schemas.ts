import Type, { type TSchema } from 'typebox';
import {
  CALL_OUTCOMES,
  DELIVERIES,
  ERROR_REPORT_STATUSES,
  FIELD_TYPES,
  FORMATS,
  GRANT_STATUSES,
  SENSITIVITIES,
  SHARING_TYPES,
  UPDATE_SCHEDULES,
  VERSION_STATUSES,
} from './shareddata.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = (description: string) => Type.String({ format: 'date', description });
const Moment = (description?: string) => Type.String({ format: 'date-time', description });

export const FieldSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[^\\s,]([^,]*[^\\s,])?$',
      description: 'the key of the field in the records (JSON key or CSV header); no commas',
    }),
    type: Type.Enum(FIELD_TYPES),
    meaning: Type.String({ minLength: 1, maxLength: 200, description: 'what the field means (含义)' }),
    sensitivity: Type.Enum(SENSITIVITIES, { description: 'public 公开, internal 内部, sensitive 敏感' }),
  },
  { $id: 'DataField', title: 'DataField', additionalProperties: false },
);

const resourceContent = {
  name: Type.String({ minLength: 1, maxLength: 200, description: '资源名称, unique within the providing unit' }),
  description: Type.String({ minLength: 1, maxLength: 2000, description: '资源摘要' }),
  fields: Type.Array(Type.Ref('DataField'), { minItems: 1, maxItems: 200, description: '信息项' }),
  format: Type.Enum(FORMATS, { description: 'the format the data is served in: json or csv' }),
  updateSchedule: Type.Enum(UPDATE_SCHEDULES, { description: '更新周期' }),
  sharingType: Type.Enum(SHARING_TYPES, {
    description: 'unconditional 无条件共享, conditional 有条件共享, not_shared 不予共享',
  }),
  sharingCondition: Nullable(Type.String({ maxLength: 1000, description: '共享条件: required when conditional' })),
  notSharedReason: Nullable(
    Type.String({ maxLength: 1000, description: '不予共享理由 (legal basis): required when not shared' }),
  ),
  scope: Type.String({ minLength: 1, maxLength: 500, description: '数据范围: what the data covers' }),
  systemId: Type.String({ format: 'uuid', description: 'the information system of the unit that holds the data' }),
  delivery: Type.Enum(DELIVERIES, {
    description: 'api: an HTTP endpoint of the providing system answering records; file: a file it publishes',
  }),
  endpointUrl: Nullable(
    Type.String({
      maxLength: 2000,
      description:
        'the address of the endpoint or file (http/https); required unless not shared; the ops unit approves it',
    }),
  ),
  defaultRateLimitPerMinute: Nullable(
    Type.Integer({ minimum: 1, maximum: 100_000, description: 'rate limit of grants made on application' }),
  ),
};

export const ResourceInputSchema = Type.Object(resourceContent, {
  $id: 'DataResourceInput',
  title: 'DataResourceInput',
  additionalProperties: false,
});

export const ResourceVersionSchema = Type.Object(
  {
    resourceId: Type.String(),
    version: Type.Integer(),
    status: Type.Enum(VERSION_STATUSES),
    ...resourceContent,
    systemName: Type.String(),
    providerName: Type.String(),
    createdBy: Nullable(Type.String()),
    createdAt: Moment(),
    updatedAt: Moment(),
    submittedAt: Nullable(Moment()),
    submittedBy: Nullable(Type.String()),
    reviewedAt: Nullable(Moment()),
    reviewedBy: Nullable(Type.String()),
    reviewComment: Nullable(Type.String()),
    publishedAt: Nullable(Moment()),
  },
  { $id: 'DataResourceVersion', title: 'DataResourceVersion' },
);

const resourceStatus = Type.Enum(['draft', 'submitted', 'returned', 'published', 'withdrawn'], {
  description: 'the resource as a whole: published once a version is; withdrawn when taken off the catalogue',
});

export const ResourceSummarySchema = Type.Object(
  {
    id: Type.String(),
    organisationId: Type.String(),
    providerName: Type.String(),
    name: Type.String(),
    description: Type.String(),
    systemName: Type.String(),
    sharingType: Type.Enum(SHARING_TYPES),
    format: Type.Enum(FORMATS),
    updateSchedule: Type.Enum(UPDATE_SCHEDULES),
    delivery: Type.Enum(DELIVERIES),
    scope: Type.String(),
    fieldCount: Type.Integer(),
    status: resourceStatus,
    publishedVersion: Nullable(Type.Integer()),
    openVersion: Nullable(
      Type.Object({ version: Type.Integer(), status: Type.Enum(['draft', 'submitted', 'returned']) }),
    ),
    publishedAt: Nullable(Moment()),
    updatedAt: Moment(),
  },
  { $id: 'DataResourceSummary', title: 'DataResourceSummary' },
);

export const ResourceSchema = Type.Object(
  {
    id: Type.String(),
    organisationId: Type.String(),
    providerName: Type.String(),
    status: resourceStatus,
    withdrawnAt: Nullable(Moment()),
    withdrawReason: Nullable(Type.String()),
    published: Nullable(Type.Ref('DataResourceVersion')),
    open: Nullable(Type.Ref('DataResourceVersion', { description: 'the version being edited or reviewed' })),
    versions: Type.Array(
      Type.Object({
        version: Type.Integer(),
        status: Type.Enum(VERSION_STATUSES),
        publishedAt: Nullable(Moment()),
        reviewComment: Nullable(Type.String()),
      }),
    ),
    credential: Nullable(
      Type.Object(
        { headerName: Type.String(), updatedAt: Moment(), updatedBy: Nullable(Type.String()) },
        { description: 'the provider’s credential for its endpoint (providing unit only; the value is never shown)' },
      ),
    ),
    canManage: Type.Boolean({ description: 'the caller is the providing unit' }),
    myGrant: Nullable(Type.Ref('DataGrant', { description: 'the caller’s grant or latest application' })),
  },
  { $id: 'DataResource', title: 'DataResource' },
);

export const GrantSchema = Type.Object(
  {
    id: Type.String(),
    resourceId: Type.String(),
    resourceName: Type.String(),
    providerOrganisationId: Type.String(),
    providerName: Type.String(),
    consumerOrganisationId: Type.String(),
    consumerName: Type.String(),
    projectId: Type.String(),
    projectName: Type.String(),
    purpose: Type.String(),
    sharingType: Type.Enum(['unconditional', 'conditional']),
    requestedFields: Type.Array(Type.String()),
    requestedFrom: Day('first day asked for'),
    requestedTo: Day('last day asked for'),
    status: Type.Enum(GRANT_STATUSES),
    expired: Type.Boolean({ description: 'active, but its last day has passed' }),
    grantedFields: Nullable(Type.Array(Type.String())),
    validFrom: Nullable(Day('first day of the grant')),
    validTo: Nullable(Day('last day of the grant (inclusive, Asia/Shanghai)')),
    rateLimitPerMinute: Nullable(Type.Integer()),
    appliedBy: Nullable(Type.String()),
    appliedAt: Moment(),
    providerDecidedAt: Nullable(Moment()),
    providerDecidedBy: Nullable(Type.String()),
    providerComment: Nullable(Type.String()),
    opsReviewedAt: Nullable(Moment()),
    opsReviewedBy: Nullable(Type.String()),
    opsComment: Nullable(Type.String()),
    refusedBy: Nullable(Type.Enum(['provider', 'ops'])),
    refusalReason: Nullable(Type.String()),
    activatedAt: Nullable(Moment()),
    endedAt: Nullable(Moment()),
    endedBy: Nullable(Type.String()),
    endReason: Nullable(Type.String()),
  },
  { $id: 'DataGrant', title: 'DataGrant' },
);

export const TraceSchema = Type.Object(
  {
    id: Type.String(),
    occurredAt: Moment(),
    resourceId: Type.String(),
    resourceName: Nullable(Type.String()),
    providerOrganisationId: Nullable(Type.String()),
    providerName: Nullable(Type.String()),
    consumerOrganisationId: Type.String(),
    consumerName: Type.String(),
    grantId: Nullable(Type.String()),
    tokenName: Nullable(Type.String()),
    purpose: Nullable(Type.String()),
    fields: Type.Array(Type.String()),
    parameters: Type.Array(Type.String(), { description: 'names of the query parameters passed on' }),
    recordCount: Type.Integer(),
    outcome: Type.Enum(CALL_OUTCOMES),
    statusCode: Type.Integer(),
    durationMs: Type.Integer(),
    requestId: Nullable(Type.String()),
  },
  { $id: 'DataCallTrace', title: 'DataCallTrace' },
);

export const TraceUsageSchema = Type.Object(
  {
    resourceId: Type.String(),
    resourceName: Nullable(Type.String()),
    providerName: Nullable(Type.String()),
    consumerOrganisationId: Type.String(),
    consumerName: Type.String(),
    calls: Type.Integer(),
    succeeded: Type.Integer(),
    refused: Type.Integer(),
    records: Type.Integer(),
    firstCallAt: Moment(),
    lastCallAt: Moment(),
  },
  { $id: 'DataUsage', title: 'DataUsage' },
);

export const ErrorReportSchema = Type.Object(
  {
    id: Type.String(),
    resourceId: Type.String(),
    resourceName: Type.String(),
    providerOrganisationId: Type.String(),
    providerName: Type.String(),
    consumerOrganisationId: Type.String(),
    consumerName: Type.String(),
    recordReference: Type.String(),
    field: Type.String(),
    fieldMeaning: Nullable(Type.String()),
    description: Type.String(),
    status: Type.Enum(ERROR_REPORT_STATUSES),
    reportedAt: Moment(),
    reportedBy: Nullable(Type.String()),
    deadlineWorkingDays: Nullable(Type.Integer({ description: 'null: the policy sets no deadline' })),
    dueAt: Nullable(Moment()),
    dueProvisional: Type.Boolean({ description: 'the due day lies in a year whose calendar is not confirmed' }),
    overdue: Type.Boolean(),
    overdueSince: Nullable(Moment()),
    acknowledgedAt: Nullable(Moment()),
    acknowledgedBy: Nullable(Type.String()),
    acknowledgement: Nullable(Type.String()),
    correctedAt: Nullable(Moment()),
    correctedBy: Nullable(Type.String()),
    correction: Nullable(Type.String()),
    confirmedAt: Nullable(Moment()),
    confirmedBy: Nullable(Type.String()),
    rejections: Type.Integer(),
    lastRejection: Nullable(Type.String()),
  },
  { $id: 'DataErrorReport', title: 'DataErrorReport' },
);

export const GuideSchema = Type.Object(
  {
    jurisdictionName: Type.String(),
    provided: Type.Boolean({ description: 'the jurisdiction’s policy provides the shared-data service' }),
    providedArticle: Nullable(Type.String()),
    providedNote: Nullable(Type.String()),
    errorCorrectionWorkingDays: Nullable(Type.Integer()),
    errorCorrectionArticle: Nullable(Type.String()),
    errorCorrectionNote: Nullable(Type.String()),
    errorCorrectionOverridden: Type.Boolean({ description: 'set by the jurisdiction rather than its pack' }),
    policyTitle: Type.String(),
    publishedResources: Type.Integer(),
    providers: Type.Integer(),
  },
  { $id: 'SharedDataGuide', title: 'SharedDataGuide' },
);

export const SHARED_DATA_SCHEMAS = [
  FieldSchema,
  ResourceInputSchema,
  ResourceVersionSchema,
  ResourceSummarySchema,
  GrantSchema,
  ResourceSchema,
  TraceSchema,
  TraceUsageSchema,
  ErrorReportSchema,
  GuideSchema,
];
