import Type, { type TSchema } from 'typebox';
import { METRICS, RULES } from './monitoring.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Open = Type.Record(Type.String(), Type.Unknown());

export const FindingSchema = Type.Object(
  {
    id: Type.String(),
    resourceId: Type.String(),
    resourceName: Nullable(Type.String()),
    organisationId: Type.String(),
    organisationName: Nullable(Type.String()),
    jurisdictionId: Type.String(),
    rule: Type.Union(RULES.map((r) => Type.Literal(r))),
    ruleVersion: Type.String({ description: 'rule/version, e.g. zombie/1' }),
    status: Type.Union(['open', 'cleared', 'in_rectification', 'resolved', 'escalated'].map((s) => Type.Literal(s))),
    evidence: Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      additionalProperties: true,
      description:
        'the figures (cpu avg/max/p95, network peak, last sample), the thresholds and their sources, series.cpuDaily for the chart',
    }),
    firstDetectedAt: Type.String({ format: 'date-time' }),
    lastDetectedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'MonitoringFinding', title: 'MonitoringFinding' },
);

const Party = Nullable(
  Type.Object({ by: Nullable(Type.String()), at: Nullable(Type.String()), comment: Nullable(Type.String()) }),
);

export const RectificationSchema = Type.Object(
  {
    id: Type.String(),
    findingId: Type.String(),
    resourceId: Type.String(),
    organisationId: Type.String(),
    jurisdictionId: Type.String(),
    status: Type.Union(
      [
        'proposed',
        'warned',
        'responded',
        'accepted',
        'consent_requested',
        'declined',
        'escalated',
        'reversed',
        'withdrawn',
      ].map((s) => Type.Literal(s)),
    ),
    reason: Type.String(),
    workingDays: Type.Integer(),
    proposedBy: Type.String(),
    proposedAt: Type.String(),
    approvedBy: Nullable(Type.String()),
    warnedAt: Nullable(Type.String()),
    dueAt: Nullable(Type.String({ description: 'end of the due day, +08:00' })),
    dueDay: Nullable(Type.String()),
    response: Nullable(
      Type.Object({
        action: Type.Union([Type.Literal('justify'), Type.Literal('downsize'), Type.Literal('release')]),
        comment: Nullable(Type.String()),
        by: Nullable(Type.String()),
        at: Nullable(Type.String()),
      }),
    ),
    review: Party,
    escalatedAt: Nullable(Type.String()),
    reclaimOrderId: Nullable(Type.String()),
    reversal: Party,
    consent: Nullable(
      Type.Object(
        {
          requestedAt: Type.String(),
          dueAt: Nullable(Type.String({ description: 'end of the authority’s due day, +08:00' })),
          dueDay: Nullable(Type.String()),
          overdue: Type.Boolean({ description: 'the authority’s deadline passed undecided (escalated once)' }),
          decision: Nullable(Type.Union([Type.Literal('consent'), Type.Literal('decline')])),
          by: Nullable(Type.String()),
          at: Nullable(Type.String()),
          comment: Nullable(Type.String()),
        },
        { description: 'SH 25: the competent authority’s consent to stop allocations and reclaim' },
      ),
    ),
  },
  { $id: 'Rectification', title: 'Rectification', description: 'a warning -> rectification -> reclaim flow (SH 25)' },
);

export const RectificationListItemSchema = Type.Object(
  {
    ...RectificationSchema.properties,
    organisationName: Nullable(Type.String({ description: 'the warned unit' })),
    proposedByName: Nullable(Type.String({ description: 'the display name of who proposed it (null: the system)' })),
    resourceName: Nullable(Type.String()),
    rule: Type.Union(
      RULES.map((r) => Type.Literal(r)),
      { description: 'what the finding is about' },
    ),
    overdue: Type.Boolean({
      description:
        'the deadline has passed with the warning unanswered (warned, about to be proposed) or escalated, or the authority’s consent deadline passed undecided',
    }),
  },
  {
    $id: 'RectificationListItem',
    title: 'RectificationListItem',
    description: 'a rectification with what its list shows: unit, resource, finding rule, overdue',
  },
);

export const IngestResultSchema = Type.Object(
  {
    series: Type.Integer(),
    samples: Type.Integer(),
    accepted: Type.Integer(),
    skipped: Type.Integer({ description: 'stale markers (NaN) and non-finite values' }),
    unmappedSeries: Type.Integer({ description: 'known metric, but no resource with that label value' }),
    unsupportedSeries: Type.Integer({ description: 'series whose name is not a Yunguan metric' }),
    rollups: Type.Integer({ description: 'hourly rollup rows written' }),
  },
  { $id: 'MonitoringIngestResult', title: 'MonitoringIngestResult' },
);

export const SamplesBody = Type.Object({
  series: Type.Array(
    Type.Object({
      resource: Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'the mapping label’s value (default: the instance id)',
      }),
      metric: Type.String({ description: `one of ${METRICS.join(', ')}` }),
      samples: Type.Array(Type.Tuple([Type.Integer({ description: 'ms since epoch' }), Type.Number()]), {
        maxItems: 100_000,
      }),
    }),
    { maxItems: 100_000 },
  ),
});

export const SettingSchema = Type.Object(
  {
    jurisdictionId: Type.String(),
    mappingLabel: Type.String(),
    retentionDays: Type.Integer(),
    outOfOrderMinutes: Type.Integer(),
    rectificationWorkingDays: Type.Integer({
      description:
        'the policy’s rectification period (monitoring.rectificationWorkingDays, else defaults.rectificationWorkingDays); changed by a policy override',
    }),
    pullUrl: Nullable(Type.String()),
    pullPulledUntil: Nullable(Type.String()),
    thresholdOverrides: Type.Record(Type.String(), Type.Number()),
    thresholds: Type.Record(Type.String(), Type.Number()),
    thresholdSources: Type.Record(Type.String(), Type.String()),
  },
  { $id: 'MonitoringSetting', title: 'MonitoringSetting' },
);

export const SettingBody = Type.Object({
  mappingLabel: Type.Optional(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', maxLength: 100 })),
  retentionDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3650 })),
  outOfOrderMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10080 })),
  pullUrl: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  thresholds: Type.Optional(Type.Record(Type.String(), Type.Number())),
});

const Row = Type.Object({
  organisationId: Nullable(Type.String()),
  organisationName: Type.String(),
  resources: Type.Integer(),
  reporting: Type.Integer(),
  cpuAvg: Nullable(Type.Number()),
  cpuP95: Nullable(Type.Number()),
  cpuMax: Nullable(Type.Number()),
  memoryAvg: Nullable(Type.Number()),
  networkInAvg: Nullable(Type.Number()),
  networkOutAvg: Nullable(Type.Number()),
  diskIoAvg: Nullable(Type.Number()),
  findings: Type.Integer(),
});

export const UtilisationReportSchema = Type.Object(
  {
    period: Type.Union([Type.Literal('week'), Type.Literal('month')]),
    from: Type.String(),
    to: Type.String(),
    units: Type.Array(Row),
    city: Row,
  },
  { $id: 'UtilisationReport', title: 'UtilisationReport' },
);

export { Open };

/** The monthly analysis (TZ 12(5)): right-sizing per resource from the month's hourly CPU. */
export const MonthlyAnalysisSchema = Type.Object(
  {
    month: Type.String({ description: 'YYYY-MM' }),
    from: Type.String({ description: 'first day, Asia/Shanghai' }),
    to: Type.String({ description: 'the day after the last, Asia/Shanghai' }),
    summary: Type.Object({
      resources: Type.Integer(),
      downsize: Type.Integer(),
      expand: Type.Integer(),
      keep: Type.Integer(),
    }),
    suggestions: Type.Array(
      Type.Object({
        resourceId: Type.String(),
        resourceName: Type.String(),
        organisationId: Type.String(),
        organisationName: Nullable(Type.String()),
        vcpu: Nullable(Type.Number()),
        cpuAvg: Type.Number({ description: 'percent' }),
        cpuP95: Type.Number({ description: 'percent, 95th percentile of the hourly averages' }),
        memoryP95: Nullable(Type.Number()),
        advice: Type.Union([Type.Literal('downsize'), Type.Literal('expand'), Type.Literal('keep')], {
          description: 'p95 below 30%: downsize to bring it near 60%; above 85%: expand; else keep',
        }),
        suggestedVcpu: Nullable(Type.Number()),
        reason: Type.String(),
      }),
    ),
  },
  { $id: 'MonthlyAnalysis', title: 'MonthlyAnalysis' },
);

export const MONITORING_SCHEMAS = [
  FindingSchema,
  RectificationSchema,
  RectificationListItemSchema,
  IngestResultSchema,
  SettingSchema,
  UtilisationReportSchema,
  MonthlyAnalysisSchema,
];
