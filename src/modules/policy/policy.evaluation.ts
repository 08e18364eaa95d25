import Type from 'typebox';

// The evaluation section of a city policy pack (效能评估: SH 27, 33-34; TZ 20; LZ 30; JQ 28; NB 3): the
// scorecard templates, the score bands that set the efficiency coefficient of settlement, the appeal window and
// how long a published result sets the coefficient. Read by modules/evaluation; not overridable per district
// (an evaluation snapshots the template it used, so a later pack version never changes a published card).

/** What the platform can compute per indicator; `manual` is entered by the role the template names. */
export const INDICATORS = [
  'on_cloud_rate',
  'resource_efficiency',
  'security_management',
  'response',
  'satisfaction',
  'quality',
  // own data centres kept for now (LZ 30(2)): construction, safe operation, response timeliness, satisfaction
  'dc_construction',
  'dc_security',
  'dc_response',
  'dc_satisfaction',
  // issue 17, computed from what the platform holds: units' quota use, own step deadlines and SH 25 rectification;
  // providers' disputes and reconciliation findings, and availability from the operations module's incidents
  'quota_use',
  'own_deadlines',
  'rectification',
  'disputes',
  'availability',
] as const;
export type IndicatorId = (typeof INDICATORS)[number];
export const EVALUATED = ['using_unit', 'provider', 'data_centre'] as const;
export type Evaluated = (typeof EVALUATED)[number];

const Article = Type.Union([
  Type.String({ pattern: '^(SH|LZ|TZ|JQ|JQ-proj|NB) ([0-9]{1,3}(\\([0-9]{1,2}\\))?|annex [0-9])$' }),
  Type.Null(),
]);
const Note = Type.String({ minLength: 1, maxLength: 600 });
const Ratio = Type.String({ pattern: '^(0(\\.[0-9]{1,4})?|1(\\.0{1,4})?)$' });
const Score = Type.String({ pattern: '^(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?)$', description: '0..100' });
const Coefficient = Type.String({ pattern: '^[0-9](\\.[0-9]{1,4})?$', description: 'decimal 0..9.9999' });

const Indicator = Type.Object(
  {
    id: Type.Enum(INDICATORS),
    zh: Type.String({ minLength: 1, maxLength: 40 }),
    weight: Ratio,
    source: Type.Enum(['computed', 'survey', 'manual']),
    /** a manual indicator: the role that enters it (ops_reviewer: site inspection, security review) */
    enteredBy: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    rule: Type.String({ minLength: 1, maxLength: 300, description: 'how the score is computed, in words' }),
    article: Article,
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
);

const Scorecard = Type.Object(
  {
    version: Type.String({ pattern: '^[0-9]+$' }),
    article: Article,
    note: Type.Optional(Note),
    indicators: Type.Array(Indicator, { minItems: 1, maxItems: 12 }),
  },
  { additionalProperties: false },
);

export const EvaluationSectionSchema = Type.Object(
  {
    period: Type.Object(
      { value: Type.Enum(['annual', 'quarterly']), article: Article, note: Type.Optional(Note) },
      { additionalProperties: false },
    ),
    appealWorkingDays: Type.Object(
      { value: Type.Integer({ minimum: 1, maximum: 60 }), article: Article, note: Type.Optional(Note) },
      { additionalProperties: false },
    ),
    coefficientMonths: Type.Object(
      { value: Type.Integer({ minimum: 1, maximum: 24 }), article: Article, note: Type.Optional(Note) },
      { additionalProperties: false },
    ),
    /** score band -> coefficient, highest band first; value null: the regulation ties no fee to the result */
    bands: Type.Object(
      {
        value: Type.Union([
          Type.Array(
            Type.Object(
              { min: Score, coefficient: Coefficient, zh: Type.String({ minLength: 1, maxLength: 20 }) },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 10 },
          ),
          Type.Null(),
        ]),
        article: Article,
        note: Type.Optional(Note),
      },
      { additionalProperties: false },
    ),
    surveyQuestions: Type.Array(
      Type.Object(
        { id: Type.String({ pattern: '^[a-z_]{1,30}$' }), zh: Type.String({ minLength: 1, maxLength: 80 }) },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: 12,
        description: 'each rated 1-5 by every using unit for every provider that served it',
      },
    ),
    scorecards: Type.Object(
      {
        using_unit: Scorecard,
        provider: Scorecard,
        /** units that keep their own data centre for now (LZ 30(2)); absent: the regulation evaluates none */
        data_centre: Type.Optional(Scorecard),
      },
      { additionalProperties: false },
    ),
    /**
     * Next year's allocation advice from a unit's card (LZ 30(1), SH 34): a total below cutBelow advises cutting
     * each project's quota by cutShare, one from raiseFrom allows a raise on request, the rest keep theirs.
     */
    allocationAdvice: Type.Optional(
      Type.Object(
        {
          value: Type.Union([
            Type.Object({ raiseFrom: Score, cutBelow: Score, cutShare: Ratio }, { additionalProperties: false }),
            Type.Null(),
          ]),
          article: Article,
          note: Type.Optional(Note),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * The provider's fee adjustment from its card (SH 34): score band -> share of the fee billed for its services in
     * the window (negative: a deduction); value null: the regulation ties no provider fee to the result.
     */
    providerFee: Type.Optional(
      Type.Object(
        {
          value: Type.Union([
            Type.Array(
              Type.Object(
                {
                  min: Score,
                  adjustment: Type.String({ pattern: '^-?0(\\.[0-9]{1,4})?$', description: '-0.9999..0.9999' }),
                  zh: Type.String({ minLength: 1, maxLength: 20 }),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 10 },
            ),
            Type.Null(),
          ]),
          article: Article,
          note: Type.Optional(Note),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Ten-thousandths of a ratio string ("0.35" -> 3500). */
export function tenThousandths(ratio: string): number {
  const [i, f = ''] = ratio.split('.');
  return Number(i) * 10000 + Number(f.padEnd(4, '0'));
}

/** What the schema cannot say: weights add up to 1, bands descend to 0, manual indicators name who enters them. */
export function evaluationIssues(section: {
  bands: { value: { min: string }[] | null };
  scorecards: Record<
    string,
    { indicators: { id: string; weight: string; source: string; enteredBy?: string }[] } | undefined
  >;
  providerFee?: { value: { min: string }[] | null };
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const [who, card] of Object.entries(section.scorecards)) {
    if (!card) continue;
    const sum = card.indicators.reduce((s, i) => s + tenThousandths(i.weight), 0);
    if (sum !== 10000) issues.push({ path: `evaluation.scorecards.${who}`, message: 'the weights add up to 1' });
    for (const i of card.indicators) {
      if (i.source === 'manual' && !i.enteredBy) {
        issues.push({
          path: `evaluation.scorecards.${who}.${i.id}.enteredBy`,
          message: 'a manual indicator names who enters it',
        });
      }
    }
  }
  for (const [path, bands] of [
    ['evaluation.bands', section.bands.value],
    ['evaluation.providerFee', section.providerFee?.value ?? null],
  ] as const) {
    if (!bands) continue;
    const mins = bands.map((b) => Number(b.min));
    if (mins.some((m, k) => k > 0 && m >= (mins[k - 1] as number)) || mins.at(-1) !== 0) {
      issues.push({ path, message: 'bands descend by their minimum score, the last from 0' });
    }
  }
  return issues;
}
