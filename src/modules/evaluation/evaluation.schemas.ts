import Type from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const IndicatorScoreSchema = Type.Object(
  {
    id: Type.String(),
    zh: Type.String(),
    weight: Type.String({ description: 'decimal share, "0.40"' }),
    score: Nullable(Type.String({ description: '0-100, two places; null: a manual score not entered yet' })),
    weighted: Nullable(Type.String({ description: 'weight x score, six places' })),
    value: Type.String({ description: 'what was measured, e.g. "3/4"' }),
    evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'the counts the score comes from' }),
    article: Nullable(Type.String()),
    appealed: Type.Optional(Type.Boolean({ description: 'the score was set by an upheld appeal' })),
  },
  { $id: 'EvaluationIndicatorScore', title: 'EvaluationIndicatorScore' },
);

export const CardSchema = Type.Object(
  {
    subject: Type.Union([Type.Literal('using_unit'), Type.Literal('provider'), Type.Literal('data_centre')]),
    organisationId: Type.String(),
    name: Type.String(),
    total: Type.String({ description: 'Σ weight x score, half up to two places' }),
    band: Nullable(Type.String()),
    coefficient: Nullable(Type.String({ description: 'the efficiency coefficient the band sets (SH 27)' })),
    rank: Type.Integer(),
    ofCount: Type.Integer(),
    indicators: Type.Array(Type.Ref('EvaluationIndicatorScore')),
  },
  { $id: 'EvaluationCard', title: 'EvaluationCard' },
);

export const EvaluationSchema = Type.Object(
  {
    id: Type.String(),
    period: Type.String(),
    windowFrom: Type.String(),
    windowTo: Type.String(),
    packId: Type.String(),
    packVersion: Type.String(),
    status: Type.Union([
      Type.Literal('draft'),
      Type.Literal('reviewed'),
      Type.Literal('approved'),
      Type.Literal('published'),
    ]),
    effectiveFrom: Type.String({ description: 'the first settlement month the coefficients apply to' }),
    contentHash: Type.String({ description: 'SM3 of the template and the inputs snapshot' }),
    revision: Type.Integer({ description: '1, +1 for every republication after an appeal' }),
    asOfDay: Type.String(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    computedAt: Type.String(),
    reviewedBy: Nullable(Type.String()),
    reviewedAt: Nullable(Type.String()),
    approvedBy: Nullable(Type.String()),
    approvedAt: Nullable(Type.String()),
    publishedBy: Nullable(Type.String()),
    publishedAt: Nullable(Type.String()),
    appealDueDay: Nullable(Type.String()),
    bands: Type.Unknown({ description: 'score band -> coefficient from the pack; null: no coefficient' }),
    surveyQuestions: Type.Array(Type.Object({ id: Type.String(), zh: Type.String() })),
    scorecards: Type.Unknown({ description: 'the templates used (snapshotted)' }),
    cards: Type.Optional(Type.Array(Type.Ref('EvaluationCard'))),
  },
  { $id: 'Evaluation', title: 'Evaluation' },
);

export const AppealSchema = Type.Object(
  {
    id: Type.String(),
    evaluationId: Type.String(),
    organisationId: Type.String(),
    organisationName: Nullable(Type.String()),
    indicator: Type.String(),
    reason: Type.String(),
    status: Type.Union([Type.Literal('open'), Type.Literal('upheld'), Type.Literal('rejected')]),
    decision: Nullable(Type.String()),
    score: Nullable(Type.String()),
    filedBy: Type.String(),
    filedAt: Type.String(),
    decidedBy: Nullable(Type.String()),
    decidedAt: Nullable(Type.String()),
  },
  { $id: 'EvaluationAppeal', title: 'EvaluationAppeal' },
);

export const EVALUATION_SCHEMAS = [IndicatorScoreSchema, CardSchema, EvaluationSchema, AppealSchema];
