// What other modules and app.ts may use of the operations module (issue 18: service desk, planned maintenance).

export { resourcesUnderAgreedMaintenance } from './maintenance.service.ts';

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../../deps.ts';
import { incidentRoutes } from './incidents.routes.ts';
import { operationsRoutes as deskRoutes } from './operations.routes.ts';
import { reportRoutes } from './reports.routes.ts';
import { scheduleRoutes } from './schedules.routes.ts';

export const operationsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  await app.register(deskRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(incidentRoutes, deps);
  await app.register(scheduleRoutes, deps);
};
export { incidentSweepJob, sweepIncidents } from './incidents.service.ts';
// issue 17 (efficiency evaluation): availability and incidents per provider
export { type ProviderAvailabilityFacts, providerAvailability } from './operations.evaluation.ts';
// the service desk's response facts for the providers' evaluation (issue 18)
export { ticketResponseFacts } from './operations.repository.ts';
export { OPERATIONS_SCHEMAS } from './operations.schemas.ts';
export type { OperationsTables } from './operations.table.ts';
export { reportScheduleJob, runDueSchedules } from './schedules.service.ts';
export { serviceDeskSweepJob, sweepServiceDesk } from './tickets.service.ts';
