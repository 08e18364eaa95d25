import Type, { type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Fen = (description = 'fen (1/100 yuan), integer as a decimal string') => Type.String({ description });
const Yuan = Type.String({ description: 'yuan, exact decimal string with 2 places' });
export const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM (Asia/Shanghai)' });
const Status = Type.Union([Type.Literal('draft'), Type.Literal('reviewed'), Type.Literal('closed')], {
  description:
    'draft (computed) -> reviewed (operations unit) -> closed (confirmed, 核定, by the economy & IT authority)',
});

export const SettlementRunSchema = Type.Object(
  {
    id: Type.String(),
    jurisdiction: Type.String({ description: 'the city (its districts roll up into it)' }),
    jurisdictionName: Type.String({ description: 'the city’s name' }),
    month: Type.String(),
    status: Status,
    asOf: Type.String({ description: 'events recorded after this are late events: adjustments in a later month' }),
    contentHash: Type.String({ description: 'SHA-256 over every line: equal for an identical recompute' }),
    statementCount: Type.Integer(),
    lineCount: Type.Integer(),
    totalFen: Fen(),
    total: Yuan,
    computedBy: Type.String({ description: 'the account that computed it, or system (the monthly job)' }),
    computedByName: Nullable(Type.String({ description: 'that person’s display name; null when the job computed' })),
    computedAt: Type.String(),
    reviewedBy: Nullable(Type.String()),
    reviewedByName: Nullable(Type.String({ description: 'the reviewer’s display name' })),
    reviewedAt: Nullable(Type.String()),
    confirmedBy: Nullable(Type.String()),
    confirmedByName: Nullable(Type.String({ description: 'the confirming person’s display name' })),
    confirmedAt: Nullable(Type.String()),
    outdated: Nullable(
      Type.Union(
        [Type.Literal('late_events'), Type.Literal('earlier_month_closed'), Type.Literal('coefficient_changed')],
        {
          description:
            'a run that is not closed and no longer shows what a recompute would give: events of the month recorded ' +
            'since its cut-off, an earlier month closed since, or a coefficient set since. Recompute it; until then it ' +
            'is not reviewed or confirmed (409 settlement_outdated). Null when current, and always for a closed run.',
        },
      ),
    ),
  },
  { $id: 'SettlementRun', title: 'SettlementRun' },
);

const statementProperties = {
  id: Type.String(),
  runId: Type.String(),
  month: Type.String(),
  status: Status,
  asOf: Type.String(),
  organisationId: Type.String(),
  organisationCode: Type.String(),
  organisationName: Type.String(),
  jurisdiction: Type.String(),
  cityJurisdiction: Type.String(),
  outsideCityBudget: Type.Boolean({ description: 'outside the city budget: the unit pays its own fees' }),
  billedTo: Type.Union([Type.Literal('city_budget'), Type.Literal('unit')]),
  coefficient: Type.String({ description: 'efficiency coefficient of the unit for the month (default 1)' }),
  coefficientSource: Type.Union([Type.Literal('default'), Type.Literal('manual'), Type.Literal('evaluation')], {
    description: 'default 1, a person’s override (with its reason), or a published evaluation (with its band)',
  }),
  coefficientEvaluationId: Type.Union([Type.String(), Type.Null()], { description: 'the published evaluation' }),
  coefficientBand: Type.Union([Type.String(), Type.Null()], { description: 'its score band, e.g. 良好' }),
  coefficientNote: Type.Union([Type.String(), Type.Null()], { description: 'the reason of an override' }),
  usageFen: Fen(),
  adjustmentFen: Fen('adjustments of earlier, closed months (may be negative)'),
  totalFen: Fen(),
  total: Yuan,
  lineCount: Type.Integer(),
};

export const StatementSummarySchema = Type.Object(statementProperties, {
  $id: 'StatementSummary',
  title: 'StatementSummary',
});

export const StatementLineSchema = Type.Object(
  {
    lineNo: Type.Integer(),
    kind: Type.Union([Type.Literal('usage'), Type.Literal('adjustment')]),
    resourceId: Type.String(),
    resourceName: Type.String(),
    providerId: Type.String(),
    providerCode: Type.String(),
    providerName: Type.String(),
    projectId: Nullable(Type.String()),
    projectName: Nullable(Type.String()),
    systemId: Nullable(Type.String()),
    systemName: Nullable(Type.String()),
    catalogueItemCode: Type.String(),
    catalogueItemName: Type.String({ description: 'the item’s name in the catalogue versions that priced it' }),
    dimension: Type.String({ description: 'pricing dimension, e.g. vcpu, memory_gb' }),
    quantitySeconds: Type.String({ description: 'Σ quantity x seconds' }),
    priceSeconds: Type.String({ description: 'Σ quantity x seconds x monthly unit price (yuan·s)' }),
    monthSeconds: Type.Integer({ description: 'seconds in the calendar month' }),
    coefficient: Type.String(),
    amountFen: Fen('roundHalfUp(100 x coefficient x priceSeconds / monthSeconds); for adjustments the difference'),
    amount: Yuan,
    eventIds: Type.Array(Type.String(), { description: 'the lifecycle events that made the line' }),
    versionIds: Type.Array(Type.String(), { description: 'the catalogue versions whose prices applied' }),
    adjustsMonth: Nullable(Type.String({ description: 'adjustments: the closed month this line fixes' })),
    adjustsStatementId: Nullable(Type.String()),
    adjustsLineNo: Nullable(Type.Integer()),
  },
  { $id: 'StatementLine', title: 'StatementLine' },
);

const Money = { totalFen: Fen(), total: Yuan };

export const StatementSchema = Type.Object(
  {
    ...statementProperties,
    lines: Type.Array(Type.Ref('StatementLine')),
    byProject: Type.Array(
      Type.Object({
        projectId: Nullable(Type.String()),
        projectName: Nullable(Type.String()),
        lineCount: Type.Integer(),
        ...Money,
      }),
      { description: 'subtotals per project (null: resources of no project), the sum of their lines' },
    ),
    bySystem: Type.Array(
      Type.Object({
        projectId: Nullable(Type.String()),
        systemId: Nullable(Type.String()),
        systemName: Nullable(Type.String()),
        lineCount: Type.Integer(),
        ...Money,
      }),
      { description: 'subtotals per project and information system (null: none), the sum of their lines' },
    ),
  },
  { $id: 'Statement', title: 'Statement' },
);

export const SettlementSummarySchema = Type.Object(
  {
    run: Type.Ref('SettlementRun'),
    ...Money,
    cityBudget: Type.Object(Money),
    billedToUnits: Type.Object(Money, { description: 'units outside the city budget, billed to themselves' }),
    byUnit: Type.Array(
      Type.Object({
        organisationId: Type.String(),
        code: Type.String(),
        name: Type.String(),
        jurisdiction: Type.String(),
        outsideCityBudget: Type.Boolean(),
        ...Money,
      }),
    ),
    byProvider: Type.Array(
      Type.Object({ providerId: Type.String(), code: Type.String(), name: Type.String(), ...Money }),
    ),
    byItem: Type.Array(
      Type.Object({
        catalogueItemCode: Type.String(),
        catalogueItemName: Type.String(),
        dimension: Type.String(),
        ...Money,
      }),
    ),
    byJurisdiction: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        kind: Type.String(),
        parent: Nullable(Type.String()),
        ...Money,
      }),
      { description: 'the city’s own units and each district (parent = the city); the total includes them all' },
    ),
  },
  { $id: 'SettlementSummary', title: 'SettlementSummary' },
);

export const METERING_SCHEMAS = [
  SettlementRunSchema,
  StatementSummarySchema,
  StatementLineSchema,
  StatementSchema,
  SettlementSummarySchema,
];
