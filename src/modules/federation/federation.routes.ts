import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Value } from 'typebox/value';
import type { RouteDeps } from '../../deps.ts';
import { actorOf } from '../../platform/auth/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { BATCH_MEDIA_TYPE, type Downlink, decodeBatch, type SignedHeader } from './federation.protocol.ts';
import { BatchHeaderSchema, DownlinkBody, EnrolBody } from './federation.schemas.ts';
import * as svc from './federation.service.ts';

const TAG = ['federation'];
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Networks = Type.Array(Type.String({ maxLength: 60 }), {
  maxItems: 20,
  description: 'private networks (CIDR) the peer may be reached in, e.g. 10.0.0.0/8; public addresses always',
});
const PeerUrl = Type.String({ format: 'uri', maxLength: 500, pattern: '^https?://' });

/** A batch may be large (5,000 rows and their history); it is read as text, never as a JSON document. */
const BATCH_LIMIT = 32 * 1024 * 1024;

export const federationRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.addContentTypeParser(BATCH_MEDIA_TYPE, { parseAs: 'string', bodyLimit: BATCH_LIMIT }, (_request, body, done) =>
    done(null, body),
  );
  // ------------------------------------------------------------------ the city's side
  app.post(
    '/federation/districts',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Register a district installation (SH 13): a pending link and its one-time enrolment code',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          districtCode: Code,
          url: Type.Optional(PeerUrl),
          allowedNetworks: Type.Optional(Networks),
          silenceMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
        }),
        response: {
          201: Type.Object({
            district: Type.Ref('FederationDistrictLink'),
            enrolmentCode: Type.String({ description: 'shown once; valid for 24 hours' }),
            cityInstallationId: Type.String({ format: 'uuid' }),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const made = await db
        .transaction()
        .execute((trx) => svc.createDistrict(trx, actorOf(request), request.body, clock.now()));
      return reply.code(201).send(made);
    },
  );

  app.get(
    '/federation/districts',
    {
      config: { permission: 'federation:read' },
      schema: {
        tags: TAG,
        summary: 'The whole city: each district’s reported resources, usage, spending and findings, and freshness',
        response: { 200: Type.Array(Type.Ref('FederationDistrictSummary')), ...problemResponses },
      },
    },
    async () => svc.listDistricts(db, clock.now()),
  );

  app.post(
    '/federation/districts/:id/catalogue',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Push the catalogue in force for a jurisdiction down to a district (SH 15)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ jurisdictionCode: Code }),
        response: { 200: Type.Object({ version: Type.String(), contentHash: Type.String() }), ...problemResponses },
      },
    },
    async (request) =>
      svc.pushCatalogue(db, actorOf(request), request.params.id, request.body.jurisdictionCode, clock.now()),
  );

  app.post(
    '/federation/enrol',
    {
      config: { permission: 'public' },
      schema: {
        tags: TAG,
        summary: 'A district presents its one-time code and its SM2 public key (signed); the city answers with its own',
        body: EnrolBody,
        response: {
          200: Type.Object({ installationId: Type.String(), publicKey: Type.String(), name: Type.String() }),
          ...problemResponses,
        },
      },
    },
    async (request) => db.transaction().execute((trx) => svc.acceptEnrolment(trx, request.body, clock.now())),
  );

  app.post(
    '/federation/batches',
    {
      config: { permission: 'public' },
      bodyLimit: BATCH_LIMIT,
      schema: {
        tags: TAG,
        summary: 'A district’s signed batch of changes: applied in sequence, once',
        description:
          `Body (${BATCH_MEDIA_TYPE}): the signed header as one line of JSON, a newline, then the changes as a JSON ` +
          "array of {s, o, k, p}; the header's contentHash is SM3 over that text exactly. Refusals change nothing: " +
          'federation_bad_signature, federation_wrong_district, federation_unknown_installation; federation_replayed ' +
          'names the last applied batch (errors[body.seq] "applied N"), federation_out_of_sequence the one expected ' +
          '("expected N").',
        consumes: [BATCH_MEDIA_TYPE],
        body: Type.String({ description: 'header line, newline, changes (JSON)' }),
        response: {
          200: Type.Object({ appliedSeq: Type.Integer(), changes: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const decoded = typeof request.body === 'string' ? decodeBatch(request.body) : null;
      if (!decoded) throw new AppError('validation_failed', `body: a ${BATCH_MEDIA_TYPE} document is expected`);
      if (!Value.Check(BatchHeaderSchema, decoded.header)) {
        const first = [...Value.Errors(BatchHeaderSchema, decoded.header)][0];
        const field = `body.header${first?.instancePath.replaceAll('/', '.') ?? ''}`;
        throw new AppError('validation_failed', `${field}: ${first?.message ?? 'invalid'}`, [
          { field, message: first?.message ?? 'invalid' },
        ]);
      }
      const batch = { header: decoded.header as SignedHeader, changes: decoded.changes };
      const now = clock.now();
      const receipt = await db.transaction().execute((trx) => svc.receiveBatch(trx, batch, now));
      if (receipt.ok) return { appliedSeq: receipt.appliedSeq, changes: receipt.changes };
      // A replay of the batch last applied is the usual retry after a lost answer: not worth a refusal row.
      if (receipt.code !== 'federation_replayed') await svc.recordRefusal(db, batch.header, receipt, now);
      const fields = [];
      if (receipt.appliedSeq !== undefined)
        fields.push({ field: 'body.seq', message: `applied ${receipt.appliedSeq}` });
      if (receipt.expectedSeq !== undefined)
        fields.push({ field: 'body.seq', message: `expected ${receipt.expectedSeq}` });
      throw new AppError(receipt.code, receipt.detail, fields);
    },
  );

  // ------------------------------------------------------------------ the district's side
  app.post(
    '/federation/city',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Link this installation to its city with the code the city issued: keys are exchanged',
        body: Type.Object({
          url: PeerUrl,
          enrolmentCode: Type.String({ minLength: 8, maxLength: 100 }),
          districtCode: Code,
          allowedNetworks: Type.Optional(Networks),
        }),
        response: { 201: Type.Ref('FederationCityLink'), ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await svc.linkCity(db, actorOf(request), request.body, clock.now())),
  );

  app.get(
    '/federation/city',
    {
      config: { permission: 'federation:read' },
      schema: {
        tags: TAG,
        summary: 'The link to the city: batches sealed and acknowledged, changes waiting, the last error, catalogues',
        response: { 200: Type.Ref('FederationCityLink'), ...problemResponses },
      },
    },
    async () => svc.getCityLink(db),
  );

  app.post(
    '/federation/downlink',
    {
      config: { permission: 'public' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary: 'The city’s signed catalogue version: kept until the district accepts it',
        body: DownlinkBody,
        response: { 200: Type.Object({ received: Type.Boolean() }), ...problemResponses },
      },
    },
    async (request) => {
      await db.transaction().execute((trx) => svc.receiveDownlink(trx, request.body as Downlink, clock.now()));
      return { received: true };
    },
  );

  app.post(
    '/federation/city/catalogues/:version/accept',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Take a catalogue version the city pushed into this district’s derivation; reported upwards',
        description:
          'Opens a draft of the district’s own catalogue derived from the version (in jurisdictionCode, else the ' +
          'installation’s top jurisdiction; effective from effectiveFrom, else the city’s day when still ahead, else ' +
          'tomorrow), edited and approved as any draft (SH 12, 15; NB 11).',
        params: Type.Object({ version: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Optional(
          Type.Object({
            jurisdictionCode: Type.Optional(Code),
            effectiveFrom: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
          }),
        ),
        response: { 200: Type.Ref('FederationCityLink'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          svc.acceptCatalogue(trx, actorOf(request), request.params.version, clock.now(), request.body ?? {}),
        ),
  );
};
