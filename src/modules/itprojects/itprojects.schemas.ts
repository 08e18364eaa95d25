import Type, { type TSchema } from 'typebox';
import { DECLARATION_STATUSES, ENVIRONMENTS } from './itprojects.table.ts';

// API objects of the IT-project lifecycle. Amounts are yuan as exact decimal strings ("1000000.00").

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Yuan = (description?: string) =>
  Type.String({ pattern: '^-?[0-9]{1,13}(\\.[0-9]{1,2})?$', description: description ?? 'yuan, at most 2 decimals' });
const Day = Type.String({ format: 'date' });
const Moment = Type.String({ format: 'date-time' });

export const DeploymentLineSchema = Type.Object(
  {
    environment: Type.Enum(ENVIRONMENTS, { description: 'production 生产, test 测试, development 开发' }),
    itemCode: Type.String({ minLength: 1, maxLength: 64, description: 'the catalogue item' }),
    specification: Type.Record(
      Type.String({ maxLength: 40 }),
      Type.Union([Type.Number(), Type.String({ maxLength: 100 })]),
      {
        description: 'the item’s specification fields (vcpu, memoryGb, dataDiskGb…)',
      },
    ),
    count: Type.Integer({ minimum: 1, maximum: 10_000 }),
    monthlyFen: Type.Optional(
      Type.String({ description: 'the line’s monthly price at the catalogue in force, fen (computed)' }),
    ),
  },
  { additionalProperties: false, $id: 'ItDeploymentLine', title: 'ItDeploymentLine' },
);

export const SharingLineSchema = Type.Object(
  {
    direction: Type.Enum(['provides', 'uses'] as const, { description: 'provides 提供 / uses 使用' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false, $id: 'ItSharingLine', title: 'ItSharingLine' },
);

export const ChecklistAnswerSchema = Type.Object(
  {
    item: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'fits_plan, on_cloud, data_sharing (as the pack asks)',
    }),
    passed: Type.Boolean(),
    note: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false, $id: 'ItChecklistAnswer', title: 'ItChecklistAnswer' },
);

export const RoundSchema = Type.Object(
  {
    id: Type.String(),
    jurisdiction: Type.String(),
    planYear: Type.Integer(),
    openedOn: Day,
    deadline: Day,
    deadlineProvisional: Type.Boolean({ description: 'the deadline’s year has no confirmed calendar yet' }),
    investmentCeiling: Yuan(),
    status: Type.Enum(['open', 'closed', 'planned'] as const),
    openedBy: Type.String(),
    openedAt: Moment,
    plannedBy: Nullable(Type.String()),
    plannedAt: Nullable(Moment),
    investment: Type.Optional(Yuan('the plan’s total investment')),
  },
  { $id: 'ItDeclarationRound', title: 'ItDeclarationRound' },
);

export const DeclarationSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    projectName: Type.String(),
    approvalNo: Type.String(),
    projectStatus: Type.String(),
    organisationId: Type.String(),
    organisationName: Type.String(),
    outsideCityBudget: Type.Boolean(),
    roundId: Nullable(Type.String()),
    planYear: Nullable(Type.Integer()),
    urgent: Type.Boolean({ description: 'outside the annual plan (JQ-proj 8)' }),
    urgentReason: Nullable(Type.String()),
    status: Type.Enum(DECLARATION_STATUSES),
    feasibilitySummary: Type.String(),
    investment: Yuan(),
    fundingSource: Type.String(),
    deploymentPlan: Type.Array(Type.Ref('ItDeploymentLine')),
    annualCloudCost: Yuan('12 months of the deployment plan at the catalogue in force'),
    dataSharingPlan: Type.Array(Type.Ref('ItSharingLine')),
    reviewChecklist: Type.Array(Type.Ref('ItChecklistAnswer')),
    checklist: Type.Optional(
      Type.Array(Type.Object({ item: Type.String(), article: Nullable(Type.String()) }), {
        description: 'the preliminary review’s items the pack asks, with their articles',
      }),
    ),
    reviewedBy: Nullable(Type.String()),
    reviewedAt: Nullable(Moment),
    approvedBy: Nullable(Type.String()),
    approvedAt: Nullable(Moment),
    designReviewNote: Nullable(Type.String()),
    designReviewedAt: Nullable(Moment),
    submittedAt: Nullable(Moment),
  },
  { $id: 'ItDeclaration', title: 'ItDeclaration' },
);

export const ChangeSchema = Type.Object(
  {
    id: Type.String(),
    projectId: Type.String(),
    before: Yuan(),
    after: Yuan(),
    changePercent: Type.String({ description: 'percent of the estimate before, 4 decimals' }),
    reason: Type.String(),
    status: Type.Enum(['recorded', 'pending_authority', 'approved', 'rejected'] as const),
    requestedBy: Type.String(),
    requestedAt: Moment,
    decidedBy: Nullable(Type.String()),
    decidedAt: Nullable(Moment),
    decisionComment: Nullable(Type.String()),
    article: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'ItProjectChange', title: 'ItProjectChange' },
);

export const AcceptanceSchema = Type.Object(
  {
    id: Type.String(),
    attempt: Type.Integer(),
    result: Type.Enum(['passed', 'failed'] as const),
    acceptedOn: Day,
    opinion: Type.String(),
    rectificationDue: Nullable(Day),
    warrantyUntil: Nullable(Day),
    evaluationDue: Nullable(Day),
    recordedBy: Type.String(),
    recordedAt: Moment,
  },
  { $id: 'ItAcceptance', title: 'ItAcceptance' },
);

export const LifecycleSchema = Type.Object(
  {
    declaration: Type.Ref('ItDeclaration'),
    changes: Type.Array(Type.Ref('ItProjectChange')),
    acceptances: Type.Array(Type.Ref('ItAcceptance')),
    accepted: Type.Boolean(),
    rectificationDue: Nullable(Day),
    warrantyUntil: Nullable(Day),
    evaluationDue: Nullable(Day),
    evaluation: Type.Optional(
      Nullable(
        Type.Object(
          {
            evaluationId: Type.String(),
            period: Type.String(),
            total: Type.String(),
            band: Nullable(Type.String()),
          },
          { description: 'the unit’s published evaluation card of the period holding the evaluation day (JQ-proj 17)' },
        ),
      ),
    ),
  },
  { $id: 'ItProjectLifecycle', title: 'ItProjectLifecycle' },
);

export const BudgetSchema = Type.Object(
  {
    year: Type.Integer(),
    asOf: Day,
    units: Type.Array(
      Type.Object({
        organisationId: Type.String(),
        organisationName: Type.String(),
        outsideCityBudget: Type.Boolean({ description: 'pays its own fees (SH 27, JQ 31)' }),
        planned: Yuan('annual cloud cost of its approved projects'),
        budget: Nullable(Yuan()),
        actual: Yuan('settled (closed) statements of the year'),
        actualFen: Type.String(),
        settledMonths: Type.Integer(),
        forecast: Yuan('to year end from the run rate'),
        months: Type.Array(Type.Object({ month: Type.String(), settled: Nullable(Yuan()) })),
        projects: Type.Array(Type.Object({ projectId: Type.String(), projectName: Type.String(), planned: Yuan() })),
      }),
    ),
  },
  { $id: 'ItBudget', title: 'ItBudget' },
);

export const ProjectBudgetSchema = Type.Object(
  {
    year: Type.Integer(),
    asOf: Day,
    projects: Type.Array(
      Type.Object({
        projectId: Type.String(),
        projectName: Type.String(),
        organisationId: Type.String(),
        organisationName: Type.String(),
        outsideCityBudget: Type.Boolean({ description: 'the unit pays its own fees (SH 27, JQ 31)' }),
        planned: Nullable(Yuan('annual cloud cost of the approved declaration; null: settled without one')),
        actual: Yuan('settled (closed) fees of the project’s resources in the year'),
        actualFen: Type.String(),
        settledMonths: Type.Integer(),
        forecast: Yuan('to year end from the run rate'),
        months: Type.Array(Type.Object({ month: Type.String(), settled: Nullable(Yuan()) })),
      }),
    ),
  },
  { $id: 'ItProjectBudget', title: 'ItProjectBudget' },
);

export const ITPROJECT_SCHEMAS = [
  DeploymentLineSchema,
  SharingLineSchema,
  ChecklistAnswerSchema,
  RoundSchema,
  DeclarationSchema,
  ChangeSchema,
  AcceptanceSchema,
  LifecycleSchema,
  BudgetSchema,
  ProjectBudgetSchema,
];
