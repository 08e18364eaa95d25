export { inventoryRoutes } from './inventory.routes.ts';
export { INVENTORY_SCHEMAS } from './inventory.schemas.ts';
export { seedScaleInventory } from './inventory.seed.ts';
export {
  checkQuantities,
  createResource,
  getResource,
  itemQuantities,
  liveResourceCounts,
  markReclaiming,
  quantitiesOf,
  type ResourceEventInput,
  recordResourceEvent,
  resourcesInScope,
  type ScopedResource,
  setExpiry,
  systemProviders,
} from './inventory.service.ts';
export type {
  Quantities,
  ResourceEventKind,
  ResourceEventRow,
  ResourceRow,
  ResourceSpecIntervalRow,
  ResourceState,
} from './inventory.table.ts';
