import type { components } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type Jurisdiction = Schemas['Jurisdiction'];
export type JurisdictionKind = Jurisdiction['kind'];
export type SystemInfo = Schemas['SystemInfo'];
export type FieldError = NonNullable<Problem['errors']>[number];
