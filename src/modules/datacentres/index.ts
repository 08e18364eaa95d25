import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../../deps.ts';
import { certificationRoutes } from './certification.routes.ts';
import { migrationRoutes } from './migration.routes.ts';
import { registerRoutes } from './register.routes.ts';

// What other modules and app.ts may use of the legacy data-centre module (LZ 12-19).

export { DATA_CENTRE_SCHEMAS } from './datacentres.schemas.ts';
export type { DataCentreTables } from './datacentres.table.ts';
export { dataCentreSweepJob, type OnCloudRate, onCloudRate, sweepDataCentres } from './migration.service.ts';
export { type RetainedCentreFacts, retainedCentreFacts } from './precheck.ts';

export const dataCentreRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  await app.register(registerRoutes, deps);
  await app.register(certificationRoutes, deps);
  await app.register(migrationRoutes, deps);
};
