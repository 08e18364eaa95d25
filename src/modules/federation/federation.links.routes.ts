import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import type { ControlMessage } from './federation.control.ts';
import * as links from './federation.links.ts';
import { ControlBody } from './federation.schemas.ts';
import { listDistrictLinks } from './federation.service.ts';

const TAG = ['federation'];
const Id = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Reason = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) });
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Revoked = Type.Object({
  peerNotified: Type.Boolean({ description: 'whether the other installation took the revocation' }),
  peerAnswer: Type.Union([Type.String(), Type.Null()], { description: 'its answer or the error when it did not' }),
});
const Rotated = Type.Object({
  fingerprint: Type.String({ description: 'the new key, first 16 hex digits of its SM3' }),
});
const Retention = Type.Object({ retentionDays: Type.Integer() });

/** Managing links between installations (issue 22): revoke, rotate keys, policy baselines, retention. */
export const federationLinkRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/federation/links',
    {
      config: { permission: 'federation:read' },
      schema: {
        tags: TAG,
        summary: 'Every district link, revoked ones included: state, freshness, lag, silence, key fingerprint',
        response: { 200: Type.Array(Type.Ref('FederationDistrictLink')), ...problemResponses },
      },
    },
    async () => listDistrictLinks(db),
  );

  app.post(
    '/federation/districts/:id/revoke',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Revoke a district link here, then tell the district (signed); its batches are refused from now on',
        params: Id,
        body: Reason,
        response: { 200: Revoked, ...problemResponses },
      },
    },
    async (request) =>
      links.revokeLink(
        db,
        actorOf(request),
        await links.districtPeer(db, request.params.id),
        request.body.reason,
        clock.now(),
      ),
  );

  app.post(
    '/federation/districts/:id/rotate',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Give the city’s side of a link a new SM2 key, announced to the district signed by the old key',
        params: Id,
        response: { 200: Rotated, ...problemResponses },
      },
    },
    async (request) => links.rotateDistrictKey(db, actorOf(request), request.params.id, clock.now()),
  );

  app.post(
    '/federation/districts/:id/policy',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary:
          'Push a jurisdiction’s policy baseline (its pack and the city’s adjustments) down to a district (SH 15)',
        params: Id,
        body: Type.Object({ jurisdictionCode: Code }),
        response: { 200: Type.Object({ version: Type.String(), contentHash: Type.String() }), ...problemResponses },
      },
    },
    async (request) =>
      links.pushPolicy(db, actorOf(request), request.params.id, request.body.jurisdictionCode, clock.now()),
  );

  app.get(
    '/federation/settings',
    {
      config: { permission: 'federation:read' },
      schema: {
        tags: TAG,
        summary: 'How many days acknowledged batches and received-batch records are kept',
        response: { 200: Retention, ...problemResponses },
      },
    },
    async () => ({ retentionDays: await links.retentionDays(db) }),
  );

  app.put(
    '/federation/settings',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'The city sets the retention here and at each active district (signed message)',
        body: Type.Object({ retentionDays: Type.Integer({ minimum: 1, maximum: 3650 }) }),
        response: {
          200: Type.Object({
            retentionDays: Type.Integer(),
            districts: Type.Array(
              Type.Object({
                name: Type.String(),
                accepted: Type.Boolean(),
                answer: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => links.setRetention(db, actorOf(request), request.body.retentionDays, clock.now()),
  );

  app.post(
    '/federation/city/revoke',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'The district ends its link to the city here, then tells the city (signed); nothing more is sent',
        body: Reason,
        response: { 200: Revoked, ...problemResponses },
      },
    },
    async (request) =>
      links.revokeLink(db, actorOf(request), await links.cityPeer(db), request.body.reason, clock.now()),
  );

  app.post(
    '/federation/city/rotate',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary:
          'Give this district a new SM2 key, announced to the city signed by the old key; open batches re-signed',
        response: { 200: Rotated, ...problemResponses },
      },
    },
    async (request) => links.rotateCityKey(db, actorOf(request), clock.now()),
  );

  app.post(
    '/federation/city/policies/:version/accept',
    {
      config: { permission: 'federation:manage' },
      schema: {
        tags: TAG,
        summary: 'Take a policy baseline the city pushed into this district’s derivation (SH 15); reported upwards',
        params: Type.Object({ version: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Optional(Type.Object({ jurisdictionCode: Type.Optional(Code) })),
        response: { 200: Type.Ref('FederationCityLink'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          links.acceptPolicy(trx, actorOf(request), request.params.version, request.body ?? {}, clock.now()),
        ),
  );

  app.post(
    '/federation/control',
    {
      config: { permission: 'public' },
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary: 'A linked installation’s signed control message: policy baseline, revocation, key rotation, retention',
        description:
          'Refused, changing nothing: federation_link_revoked, federation_unknown_installation, federation_bad_signature, ' +
          'federation_wrong_district, federation_replayed (not newer than the last control message accepted).',
        body: ControlBody,
        response: { 200: Type.Object({ accepted: Type.Boolean() }), ...problemResponses },
      },
    },
    async (request) =>
      db.transaction().execute((trx) => links.receiveControl(trx, request.body as ControlMessage, clock.now())),
  );
};
