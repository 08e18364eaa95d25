import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type Jurisdiction = Schemas['Jurisdiction'];
export type JurisdictionKind = Jurisdiction['kind'];
export type SystemInfo = Schemas['SystemInfo'];
export type FieldError = NonNullable<Problem['errors']>[number];

export type Me = Schemas['Me'];
export type MeOrganisation = Me['organisations'][number];
export type SessionRestriction = NonNullable<Me['restriction']>;
export type User = Schemas['User'];
export type RoleAssignment = User['roles'][number];
export type Organisation = Schemas['Organisation'];
export type OrganisationType = Organisation['type'];
export type Contact = Schemas['Contact'];
export type ContactKind = Contact['kind'];
export type ApiToken = Schemas['ApiToken'];
export type AuditEvent = Schemas['AuditEvent'];
export type SecurityPolicy = Schemas['SecurityPolicy'];
export type CalendarYear = Schemas['CalendarYear'];
export type CalendarDay = CalendarYear['days'][number];
export type CalendarDayKind = CalendarDay['kind'];
export type WorkingDaysDeadline = Schemas['WorkingDaysDeadline'];
export type CatalogueItem = Schemas['CatalogueItem'];
export type CatalogueLayer = CatalogueItem['layer'];
export type CatalogueVersion = Schemas['CatalogueVersion'];
export type PolicyPack = Schemas['PolicyPack'];
export type PolicyPackSummary = Schemas['PolicyPackSummary'];
export type PolicyOrderTypes = PolicyPack['orderTypes'];
export type PolicyOrderTypeName = keyof PolicyOrderTypes;
export type PolicyStep = Schemas['PolicyStep'];
export type PolicyDeadline = Schemas['PolicyDeadline'];
export type PolicyQuota = PolicyPack['quota'];
export type PolicyOverride = Schemas['PolicyOverride'];
export type JurisdictionPolicy = Schemas['JurisdictionPolicy'];
export type RequestForm = Schemas['RequestForm'];
export type RequestFormSummary = Schemas['RequestFormSummary'];
export type RequestFormRow = Schemas['RequestFormRow'];

type JsonBody<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type LoginInput = JsonBody<'/api/v1/auth/login', 'post'>;
export type ChangePasswordInput = JsonBody<'/api/v1/auth/password', 'post'>;
export type CreateOrganisationInput = JsonBody<'/api/v1/organisations', 'post'>;
export type UpdateOrganisationInput = JsonBody<'/api/v1/organisations/{id}', 'patch'>;
export type ContactInput = JsonBody<'/api/v1/organisations/{id}/contacts', 'put'>['contacts'][number];
export type CreateUserInput = JsonBody<'/api/v1/users', 'post'>;
export type UpdateUserInput = JsonBody<'/api/v1/users/{id}', 'patch'>;
export type RoleAssignmentInput = JsonBody<'/api/v1/users/{id}/roles', 'put'>['assignments'][number];
export type SecurityPolicyPatch = JsonBody<'/api/v1/security/policy', 'patch'>;
export type CreateApiTokenInput = JsonBody<'/api/v1/api-tokens', 'post'>;
export type TokenScope = CreateApiTokenInput['scopes'][number];

export type AuditFilter = Omit<
  NonNullable<paths['/api/v1/audit-events']['get']['parameters']['query']>,
  'limit' | 'offset'
>;
export type AuditOutcome = NonNullable<AuditFilter['outcome']>;
export type AuditExportFormat = paths['/api/v1/audit-events/export']['get']['parameters']['query']['format'];
