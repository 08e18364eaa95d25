export { CatalogueItemSchema, CatalogueVersionSchema, catalogueRoutes } from './catalogue.routes.ts';
export { seedDemoCatalogue } from './catalogue.seed.ts';
export { type CatalogueInForce, type CatalogueItem, catalogueInForce, providersOfItems } from './catalogue.service.ts';
export { createDerivedDraft } from './catalogue.service.ts';
