// What other modules and app.ts may use from orders (contract: see the common brief).

// issue 18's operations reports: change and scale-up orders completed in a period
export { CHANGE_ORDER_TYPES, changesDelivered, type DeliveredChange } from './orders.delivered.repository.ts';
export { SUPERVISOR_ROLE } from './orders.engine.ts';
// issue 17 (efficiency evaluation): the units' own step deadlines and the quota their completed orders consumed
export { consumedQuota, type UnitStepDeadlineFacts, unitStepDeadlines } from './orders.evaluation.repository.ts';
export { ORDER_FACTS_SCHEMAS, orderFactsRoutes } from './orders.facts.routes.ts';
export { getOrder } from './orders.queries.ts';
export { orderRoutes } from './orders.routes.ts';
export { ORDER_SCHEMAS } from './orders.schemas.ts';
export { seedDemoOrders } from './orders.seed.ts';
export {
  actOnOrder,
  allocationsStopped,
  completeFulfilmentStep,
  deadlineSweepJob,
  type FulfilmentContext,
  type FulfilmentHandler,
  onDeliveryProbe,
  onFulfilmentStepOpened,
  openSystemOrder,
  placeOrder,
  resumeAllocations,
  stopAllocations,
  suspendFulfilmentHandlers,
  withdrawSystemOrder,
} from './orders.service.ts';
