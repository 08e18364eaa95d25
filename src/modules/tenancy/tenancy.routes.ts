import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { JurisdictionCodeParams } from './tenancy.schemas.ts';
import * as service from './tenancy.service.ts';

export const tenancyRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db }) => {
  app.get(
    '/jurisdictions',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['tenancy'],
        summary: 'List jurisdictions: the city cloud, its district clouds and dedicated domains',
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('Jurisdiction')) }), ...problemResponses },
      },
    },
    async () => ({ items: await service.listJurisdictions(db) }),
  );

  app.get(
    '/jurisdictions/:code',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['tenancy'],
        summary: 'One jurisdiction by code',
        params: JurisdictionCodeParams,
        response: { 200: Type.Ref('Jurisdiction'), ...problemResponses },
      },
    },
    async (request) => service.getJurisdiction(db, request.params.code),
  );
};
