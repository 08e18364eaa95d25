// What other modules and app.ts may use from orders (contract: see the common brief).
export { SUPERVISOR_ROLE } from './orders.engine.ts';
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
