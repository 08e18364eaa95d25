// What other modules and app.ts may use of the operations module (issue 18: service desk, planned maintenance).

export { resourcesUnderAgreedMaintenance } from './maintenance.service.ts';
export { operationsRoutes } from './operations.routes.ts';
export { OPERATIONS_SCHEMAS } from './operations.schemas.ts';
export type { OperationsTables } from './operations.table.ts';
export { serviceDeskSweepJob, sweepServiceDesk } from './tickets.service.ts';
