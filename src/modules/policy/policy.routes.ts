import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { PACK_IDS } from './packs/index.ts';
import { OVERRIDE_PATH_PATTERN } from './policy.pack.ts';
import { regulationText } from './policy.regulations.ts';
import * as service from './policy.service.ts';

// Packs and every jurisdiction's effective policy are public: the rules a government cloud runs on are
// published regulation. Changing which pack a jurisdiction runs on, or overriding one of its values, needs
// 'policy:manage' over that jurisdiction and is audited.

const CodeParams = Type.Object({ code: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }) });
const PackParams = Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,40}$' }) });
const OverridePath = Type.String({
  pattern: OVERRIDE_PATH_PATTERN,
  maxLength: 200,
  description:
    "a dotted path to one cited value or deadline, e.g. 'quota.developmentShareMax' or " +
    "'orderTypes.scale_up.steps.review.deadline' (steps by id)",
});

export const policyRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/policy-packs',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['policy'],
        summary: 'The city policy packs: each city regulation as typed, versioned rules',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('PolicyPackSummary')) }), ...problemResponses },
      },
    },
    async () => ({ items: service.listPacks() }),
  );

  app.get(
    '/policy-packs/:id',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['policy'],
        summary:
          'One policy pack: order types and their steps, quotas, monitoring, retention, each value with its article',
        description:
          'A value of null means the regulation gives no number (the console shows "no statutory deadline").',
        params: PackParams,
        response: { 200: Type.Ref('PolicyPack'), ...problemResponses },
      },
    },
    async (request) => service.getPack(request.params.id),
  );

  app.get(
    '/regulations/:prefix',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['policy'],
        summary: 'A regulation the packs cite, article by article in its own words (citations show them on hover)',
        description:
          'The prefix as citations write it: "SH 19" is article 19 of the regulation with prefix SH (see a ' +
          "pack's sources). The Ningbo and Taizhou originals are in traditional characters.",
        params: Type.Object({ prefix: Type.String({ pattern: '^[A-Z]{2}(-[a-z]{2,8})?$' }) }),
        response: {
          200: Type.Object({
            prefix: Type.String(),
            title: Type.String(),
            articles: Type.Array(Type.Object({ article: Type.Integer(), text: Type.String() })),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => regulationText(request.params.prefix),
  );

  app.get(
    '/jurisdictions/:code/policy',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['policy'],
        summary: "The jurisdiction's effective policy: its pack merged with its overrides, and the overrides",
        params: CodeParams,
        response: { 200: Type.Ref('JurisdictionPolicy'), ...problemResponses },
      },
    },
    async (request) => service.jurisdictionPolicy(db, request.params.code),
  );

  app.put(
    '/jurisdictions/:code/policy',
    {
      config: { permission: 'policy:manage' },
      schema: {
        tags: ['policy'],
        summary:
          'Select the policy pack the jurisdiction runs on; its overrides (set against the old pack) are removed',
        params: CodeParams,
        body: Type.Object({ packId: Type.Enum(PACK_IDS) }, { additionalProperties: false }),
        response: { 200: Type.Ref('JurisdictionPolicy'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          service.selectPack(
            trx,
            authOf(request),
            actorOf(request),
            request.params.code,
            request.body.packId,
            clock.now(),
          ),
        ),
  );

  app.put(
    '/jurisdictions/:code/policy/overrides',
    {
      config: { permission: 'policy:manage' },
      schema: {
        tags: ['policy'],
        summary: "Override one value of the jurisdiction's pack (the article is kept; the override is marked)",
        description:
          'The value must fit the rule at the path: a whole number, a decimal string ("0.10"), true/false, a role, ' +
          'a deadline {"value": n, "unit": "working_days"}, or null for "no number".',
        params: CodeParams,
        body: Type.Object(
          {
            path: OverridePath,
            value: Type.Unknown({ description: 'the local value; null: no number' }),
            reason: Type.String({
              minLength: 1,
              maxLength: 500,
              description: 'why the jurisdiction departs from its pack',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('JurisdictionPolicy'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          service.setOverride(trx, authOf(request), actorOf(request), request.params.code, request.body, clock.now()),
        ),
  );

  app.delete(
    '/jurisdictions/:code/policy/overrides',
    {
      config: { permission: 'policy:manage' },
      schema: {
        tags: ['policy'],
        summary: "Remove one override: the pack's own value applies again",
        params: CodeParams,
        querystring: Type.Object({ path: OverridePath }),
        response: { 200: Type.Ref('JurisdictionPolicy'), ...problemResponses },
      },
    },
    async (request) =>
      db
        .transaction()
        .execute((trx) =>
          service.removeOverride(trx, authOf(request), actorOf(request), request.params.code, request.query.path),
        ),
  );
};
