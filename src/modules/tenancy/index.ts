export { ContactSchema, OrganisationSchema, organisationRoutes } from './organisation.routes.ts';
export { getOrganisation, listOrganisations, type Organisation } from './organisation.service.ts';
export { countJurisdictions } from './tenancy.repository.ts';
export { tenancyRoutes } from './tenancy.routes.ts';
export { JurisdictionSchema } from './tenancy.schemas.ts';
export { seedDemoJurisdictions } from './tenancy.seed.ts';
export {
  defaultJurisdiction,
  getJurisdiction,
  type Jurisdiction,
  listJurisdictions,
  memoiseJurisdictions,
  setJurisdictionPolicyPack,
} from './tenancy.service.ts';
export type { OrganisationType } from './tenancy.table.ts';
