export { CatalogueItemSchema, CatalogueVersionSchema, catalogueRoutes } from './catalogue.routes.ts';
export { seedDemoCatalogue } from './catalogue.seed.ts';
export {
  type CatalogueInForce,
  type CatalogueItem,
  catalogueInForce,
  createDerivedDraft,
  providersOfItems,
} from './catalogue.service.ts';
