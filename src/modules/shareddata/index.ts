import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../../deps.ts';
import { catalogueRoutes } from './catalogue.routes.ts';
import { dataErrorRoutes } from './dataerrors.routes.ts';
import { gatewayRoutes } from './gateway.routes.ts';
import { grantRoutes } from './grants.routes.ts';
import { traceRoutes } from './traces.routes.ts';

// What other modules and app.ts may use of shared data (NB 13-15).

export { type DataErrorCounts, dataErrorCounts, sharedDataSweepJob, sweepSharedData } from './dataerrors.service.ts';
export { SHARED_DATA_SCHEMAS } from './shareddata.schemas.ts';
export { seedDemoSharedData } from './shareddata.seed.ts';
export type { SharedDataTables } from './shareddata.table.ts';

export const sharedDataRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  await app.register(catalogueRoutes, deps);
  await app.register(grantRoutes, deps);
  await app.register(gatewayRoutes, deps);
  await app.register(traceRoutes, deps);
  await app.register(dataErrorRoutes, deps);
};
