import Type, { type TSchema } from 'typebox';
import {
  APPLICATION_STATUSES,
  ATTACHMENT_PURPOSES,
  CONSTRUCTIONS,
  CRITERIA,
  GB50174_CLASSES,
  PATHS,
  PLANS,
  STAGES,
} from './datacentres.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = (description?: string) => Type.String({ format: 'date', description });
const Moment = (description?: string) => Type.String({ format: 'date-time', description });

export const StageSchema = Type.Enum(STAGES, {
  description:
    'registered 已登记, applied 认定中, retained 通过认定保留中, transition 迁移过渡期, migrating 保留期满迁移中, closed 已撤销',
});

export const EquipmentSchema = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 100, description: '设备类别 (server, storage, network, security…)' }),
    model: Type.String({ minLength: 1, maxLength: 200 }),
    quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
    note: Nullable(Type.String({ maxLength: 500 })),
  },
  { $id: 'DataCentreEquipment', title: 'DataCentreEquipment' },
);

export const CentreFacts = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  address: Type.String({ minLength: 1, maxLength: 500 }),
  areaSquareMetres: Type.String({ pattern: '^[0-9]{1,8}(\\.[0-9]{1,2})?$', description: 'm², up to two decimals' }),
  racks: Type.Integer({ minimum: 0, maximum: 100_000, description: 'usable racks (可用机架数)' }),
  gb50174Class: Type.Enum(GB50174_CLASSES, { description: 'GB 50174-2017 class: A, B, C or none' }),
  extranetConnected: Type.Boolean({ description: 'connected to the e-government extranet (电子政务外网)' }),
  ipv6: Type.Boolean(),
  cloudPlatformConformant: Type.Boolean({ description: 'its cloud platform meets GB/T 33780-2017' }),
  cityPlatformInterface: Type.Boolean({ description: 'interfaces with the city cloud platform' }),
  fullTimeOperators: Type.Integer({ minimum: 0, maximum: 10_000 }),
  service7x24: Type.Boolean({ description: '7x24 operation capability' }),
  mlpsLevel: Type.Integer({ minimum: 0, maximum: 5, description: 'MLPS level (等保级别); 0 not graded' }),
  mlpsCloudExtension: Type.Boolean({ description: 'meets the cloud computing extension of GB/T 22239-2019' }),
  mlpsTestReport: Nullable(Type.String({ maxLength: 200, description: 'the MLPS test report number (测评报告编号)' })),
  leaseEnd: Nullable(Day('rented rooms: the lease end date')),
};

export const HostedSystemSchema = Type.Object(
  {
    systemId: Type.String({ format: 'uuid' }),
    systemName: Type.String(),
    classified: Type.Boolean({ description: 'classified (涉密) systems do not migrate' }),
    plan: Nullable(Type.Enum(PLANS, { description: 'migrate 迁移上云, shut_down 整合关停' })),
    targetDate: Nullable(Day()),
    doneOn: Nullable(Day()),
    dataHandling: Nullable(Type.String()),
    projectId: Nullable(Type.String({ format: 'uuid' })),
    orderNumbers: Type.Array(Type.String()),
    late: Type.Boolean(),
  },
  { $id: 'DataCentreHostedSystem', title: 'DataCentreHostedSystem' },
);

export const ProgressSchema = Type.Object(
  {
    systems: Type.Integer(),
    planned: Type.Integer(),
    done: Type.Integer(),
    remaining: Type.Integer(),
    atRisk: Type.Boolean(),
    risks: Type.Array(Type.String()),
  },
  { $id: 'DataCentreProgress', title: 'DataCentreProgress' },
);

export const DataCentreSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    organisationId: Type.String({ format: 'uuid' }),
    organisationName: Type.String(),
    jurisdictionId: Type.String({ format: 'uuid' }),
    construction: Type.Enum(CONSTRUCTIONS, { description: 'self_built 自建, rented 租用第三方 (LZ 12)' }),
    ...CentreFacts,
    leaseEndRegistered: Nullable(
      Day('the lease end first registered: the migration deadline of a rented room (LZ 19)'),
    ),
    stage: StageSchema,
    approvedOn: Nullable(Day()),
    retentionEnds: Nullable(Day()),
    inRetention: Type.Boolean(),
    transitionEnds: Nullable(Day()),
    migrationDeadline: Nullable(Day()),
    deadlineArticle: Nullable(Type.String()),
    closedOn: Nullable(Day()),
    closureNote: Nullable(Type.String()),
    equipment: Type.Array(Type.Ref('DataCentreEquipment')),
    systems: Type.Array(Type.Ref('DataCentreHostedSystem')),
    progress: Type.Ref('DataCentreProgress'),
    createdAt: Moment(),
    updatedAt: Moment(),
  },
  { $id: 'DataCentre', title: 'DataCentre' },
);

export const PrecheckItemSchema = Type.Object(
  {
    criterion: Type.Enum(CRITERIA),
    key: Type.String(),
    article: Type.String(),
    label: Type.String(),
    required: Type.String(),
    actual: Type.String(),
    passed: Type.Boolean(),
  },
  { $id: 'DataCentrePrecheckItem', title: 'DataCentrePrecheckItem' },
);

export const AttachmentSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    purpose: Type.Enum(ATTACHMENT_PURPOSES),
    fileName: Type.String(),
    mediaType: Type.String(),
    sizeBytes: Type.Integer(),
    sha256: Type.String(),
    uploadedBy: Nullable(Type.String()),
    uploadedAt: Moment(),
  },
  { $id: 'DataCentreAttachment', title: 'DataCentreAttachment' },
);

const StepSchema = Type.Object({
  workingDays: Nullable(Type.Integer()),
  article: Nullable(Type.String()),
  dueAt: Nullable(Moment()),
  dueDay: Nullable(Day()),
  provisional: Type.Boolean({ description: 'the due day lies in a year whose calendar is not confirmed' }),
  overdue: Type.Boolean(),
  escalatedAt: Nullable(Moment()),
  doneAt: Nullable(Moment()),
  doneBy: Nullable(Type.String()),
});

export const Answers = Type.Object(
  Object.fromEntries(CRITERIA.map((c) => [c, Type.String({ maxLength: 2000 })])) as Record<
    (typeof CRITERIA)[number],
    ReturnType<typeof Type.String>
  >,
  { description: 'how the room meets each criterion of LZ 13: network, technology, scale, operations, security' },
);

export const ApplicationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    dataCentreId: Type.String({ format: 'uuid' }),
    dataCentreName: Type.String(),
    organisationId: Type.String({ format: 'uuid' }),
    organisationName: Type.String(),
    path: Type.Enum(PATHS, { description: 'standard (LZ 13-14) or sensitive data (LZ 17)' }),
    sensitiveReason: Nullable(Type.String()),
    status: Type.Enum(APPLICATION_STATUSES),
    answers: Answers,
    precheck: Nullable(Type.Array(Type.Ref('DataCentrePrecheckItem'))),
    createdBy: Nullable(Type.String()),
    createdAt: Moment(),
    submittedAt: Nullable(Moment()),
    submittedBy: Nullable(Type.String()),
    evaluation: StepSchema,
    siteSurveyOn: Nullable(Day()),
    recommendation: Nullable(Type.Enum(['approve', 'refuse'])),
    evaluationOpinion: Nullable(Type.String()),
    approval: StepSchema,
    decisionReason: Nullable(Type.String()),
    attachments: Type.Array(Type.Ref('DataCentreAttachment')),
  },
  { $id: 'DataCentreApplication', title: 'DataCentreApplication' },
);

const Figures = { rooms: Type.Integer(), racks: Type.Integer(), systemsOffCloud: Type.Integer() };

export const OverviewSchema = Type.Object(
  {
    ...Figures,
    classifiedSystems: Type.Integer(),
    selfBuilt: Type.Integer(),
    rented: Type.Integer(),
    atRisk: Type.Integer(),
    byStage: Type.Array(Type.Object({ stage: StageSchema, ...Figures })),
    byUnit: Type.Array(
      Type.Object({ organisationId: Type.String({ format: 'uuid' }), organisationName: Type.String(), ...Figures }),
    ),
  },
  { $id: 'DataCentreOverview', title: 'DataCentreOverview' },
);

export const MigrationProgressSchema = Type.Object(
  {
    rooms: Type.Array(
      Type.Object({
        dataCentreId: Type.String({ format: 'uuid' }),
        name: Type.String(),
        organisationName: Type.String(),
        stage: StageSchema,
        migrationDeadline: Nullable(Day()),
        deadlineArticle: Nullable(Type.String()),
        progress: Type.Ref('DataCentreProgress'),
      }),
    ),
    total: Type.Object({
      rooms: Type.Integer(),
      systems: Type.Integer(),
      planned: Type.Integer(),
      done: Type.Integer(),
      remaining: Type.Integer(),
      atRisk: Type.Integer(),
      closed: Type.Integer(),
    }),
  },
  { $id: 'DataCentreMigrationProgress', title: 'DataCentreMigrationProgress' },
);

export const DATA_CENTRE_SCHEMAS = [
  EquipmentSchema,
  HostedSystemSchema,
  ProgressSchema,
  DataCentreSchema,
  PrecheckItemSchema,
  AttachmentSchema,
  ApplicationSchema,
  OverviewSchema,
  MigrationProgressSchema,
];
