import Type, { type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Moment = Type.String({ format: 'date-time' });

const LinkFields = {
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  districtCode: Type.String({ description: 'the district as the city registered it' }),
  state: Type.String({ description: 'pending 待接入, active 已接入, revoked 已撤销' }),
  url: Nullable(Type.String()),
  installationId: Nullable(Type.String({ format: 'uuid' })),
  appliedSeq: Type.Integer({ description: 'the last batch applied, in sequence' }),
  lastAppliedAt: Nullable(Moment),
  lagMs: Nullable(Type.Integer({ description: 'from the oldest change in the last batch to its application' })),
  silenceMinutes: Type.Integer(),
  silentSince: Nullable({ ...Moment, description: 'set when the district was silent longer than silenceMinutes' }),
  catalogueVersion: Nullable(Type.String({ description: 'the catalogue version the district reports it runs' })),
  revokedAt: Nullable(Moment),
  revokeReason: Nullable(Type.String()),
  keyFingerprint: Nullable(Type.String({ description: 'the first 16 hex digits of the SM3 of the peer’s public key' })),
};

export const DistrictLinkSchema = Type.Object(LinkFields, {
  $id: 'FederationDistrictLink',
  title: 'FederationDistrictLink',
});

export const DistrictSummarySchema = Type.Object(
  {
    ...LinkFields,
    resources: Type.Integer(),
    liveResources: Type.Integer(),
    lifecycleEvents: Type.Integer(),
    rollups: Type.Integer({ description: 'hourly utilisation rollups reported' }),
    rollupSamples: Type.Integer(),
    cpuAverage: Nullable(Type.String({ description: 'average cpu utilisation over the reported rollups, 4 places' })),
    settledFen: Type.String({ description: 'settlement totals reported, in fen' }),
    openFindings: Type.Integer(),
    openSteps: Type.Integer({ description: 'order steps open in the district' }),
    overdueSteps: Type.Integer({ description: 'of those, past their due time (as the orders module counts them)' }),
    batchesApplied: Type.Integer({ description: 'batches applied, one per sequence number' }),
    changesApplied: Type.Integer({ description: 'changes those batches carried' }),
    refusals: Type.Array(
      Type.Object({
        code: Type.String(),
        detail: Type.String(),
        seq: Nullable(Type.Integer()),
        receivedAt: Moment,
      }),
      { description: 'the last refused batches' },
    ),
    policy: Nullable(
      Type.Object(
        {
          version: Type.String(),
          packId: Type.String(),
          packVersion: Type.String(),
          adjustments: Type.Integer({ description: 'the city’s adjustments to the pack taken with it' }),
          acceptedAt: Moment,
        },
        { description: 'the policy baseline the district reports it runs' },
      ),
    ),
    silences: Type.Array(
      Type.Object({ silentSince: Moment, lastAppliedAt: Nullable(Moment), resumedAt: Nullable(Moment) }),
      { description: 'the last silences past the limit (findings), open while resumedAt is null' },
    ),
  },
  { $id: 'FederationDistrictSummary', title: 'FederationDistrictSummary' },
);

export const CityLinkSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    url: Nullable(Type.String()),
    districtCode: Type.String(),
    installationId: Nullable(Type.String({ format: 'uuid' })),
    sealedSeq: Type.Integer(),
    ackedSeq: Type.Integer(),
    pendingChanges: Type.Integer({ description: 'changes in the outbox not yet sealed into a batch' }),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Moment),
    lastError: Nullable(Type.String()),
    lastDeliveredAt: Nullable(Moment),
    catalogueVersion: Nullable(Type.String()),
    catalogues: Type.Array(
      Type.Object({
        version: Type.String(),
        contentHash: Type.String(),
        receivedAt: Moment,
        acceptedAt: Nullable(Moment),
      }),
    ),
    state: Type.String({ description: 'active 已接入, revoked 已撤销' }),
    revokedAt: Nullable(Moment),
    revokeReason: Nullable(Type.String()),
    policyVersion: Nullable(Type.String({ description: 'the policy baseline this district runs' })),
    policies: Type.Array(
      Type.Object({
        version: Type.String(),
        cityJurisdiction: Type.String(),
        packId: Type.String(),
        packVersion: Type.String(),
        adjustments: Type.Integer(),
        receivedAt: Moment,
        acceptedAt: Nullable(Moment),
      }),
    ),
    keyFingerprint: Type.String({ description: 'this installation’s signing key, first 16 hex digits of its SM3' }),
    retentionDays: Type.Integer({ description: 'days acknowledged batches are kept (set by the city)' }),
  },
  { $id: 'FederationCityLink', title: 'FederationCityLink' },
);

const Hex = (n: number) => Type.String({ pattern: `^[0-9a-fA-F]{${n}}$` });

/** The first line of a batch (`federation.protocol.ts`); the changes that follow are checked by the database. */
export const BatchHeaderSchema = Type.Object({
  v: Type.Integer(),
  installationId: Type.String({ format: 'uuid' }),
  districtCode: Type.String({ minLength: 1, maxLength: 64 }),
  seq: Type.Integer({ minimum: 1 }),
  createdAt: Type.String({ format: 'date-time' }),
  oldestChangeAt: Type.String({ format: 'date-time' }),
  catalogueVersion: Nullable(Type.String({ maxLength: 100 })),
  contentHash: Hex(64),
  signature: Type.String({ maxLength: 200 }),
});

export const DownlinkBody = Type.Object({
  v: Type.Integer(),
  installationId: Type.String({ format: 'uuid' }),
  districtCode: Type.String({ minLength: 1, maxLength: 64 }),
  kind: Type.Literal('catalogue'),
  version: Type.String({ minLength: 1, maxLength: 100 }),
  createdAt: Type.String({ format: 'date-time' }),
  contentHash: Hex(64),
  content: Type.Unknown(),
  signature: Type.String({ maxLength: 200 }),
});

export const EnrolBody = Type.Object({
  code: Type.String({ minLength: 8, maxLength: 100 }),
  installationId: Type.String({ format: 'uuid' }),
  publicKey: Type.String({ pattern: '^04[0-9a-fA-F]{128}$' }),
  districtCode: Type.String({ minLength: 1, maxLength: 64 }),
  proof: Type.String({ maxLength: 200 }),
});

export const FEDERATION_SCHEMAS = [DistrictLinkSchema, DistrictSummarySchema, CityLinkSchema];

export const ControlBody = Type.Object({
  v: Type.Integer(),
  installationId: Type.String({ format: 'uuid' }),
  districtCode: Type.String({ minLength: 1, maxLength: 64 }),
  createdAt: Type.String({ format: 'date-time' }),
  contentHash: Hex(64),
  content: Type.Union([
    Type.Object({
      kind: Type.Literal('policy'),
      version: Type.String({ minLength: 1, maxLength: 100 }),
      baseline: Type.Object({
        jurisdictionCode: Type.String({ maxLength: 64 }),
        jurisdictionName: Type.String({ maxLength: 200 }),
        packId: Type.String({ maxLength: 100 }),
        packVersion: Type.String({ maxLength: 100 }),
        overrides: Type.Array(
          Type.Object({ path: Type.String({ maxLength: 200 }), value: Type.Unknown(), reason: Type.String() }),
          { maxItems: 500 },
        ),
      }),
    }),
    Type.Object({ kind: Type.Literal('revoke'), reason: Type.String({ maxLength: 500 }) }),
    Type.Object({
      kind: Type.Literal('rotate'),
      publicKey: Type.String({ pattern: '^04[0-9a-fA-F]{128}$' }),
      proof: Type.String({ maxLength: 200 }),
    }),
    Type.Object({ kind: Type.Literal('retention'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }),
  ]),
  signature: Type.String({ maxLength: 200 }),
});
