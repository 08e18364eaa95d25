export { tenancyRoutes } from './tenancy.routes.ts';
export { JurisdictionSchema } from './tenancy.schemas.ts';
export { seedDemoJurisdictions } from './tenancy.seed.ts';
export { defaultJurisdiction, type Jurisdiction } from './tenancy.service.ts';
