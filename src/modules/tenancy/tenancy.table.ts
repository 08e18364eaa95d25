import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type JurisdictionKind = 'city' | 'district' | 'dedicated_domain';

export interface JurisdictionTable {
  id: Generated<string>;
  code: string;
  name: string;
  name_en: string;
  kind: JurisdictionKind;
  parent_id: string | null;
  policy_pack: Generated<string>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export const ORGANISATION_TYPES = [
  'competent_authority',
  'economy_it_authority',
  'finance',
  'cloud_operations_unit',
  'cloud_service_provider',
  'using_unit',
  'security_supervisor',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export interface OrganisationTable {
  id: Generated<string>;
  jurisdiction_id: string;
  parent_id: string | null;
  type: OrganisationType;
  code: string;
  name: string;
  name_en: string | null;
  credit_code: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type ContactKind = 'information_officer' | 'emergency';

export interface OrganisationContactTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  kind: ContactKind;
  name: string;
  position: string | null;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  valid_from: ColumnType<Date, Date | undefined, never>;
  valid_to: Date | null;
  changed_by: string | null;
}

export interface TenancyTables {
  jurisdiction: JurisdictionTable;
  organisation: OrganisationTable;
  organisation_contact: OrganisationContactTable;
}

export type OrganisationRow = Selectable<OrganisationTable>;
export type ContactRow = Selectable<OrganisationContactTable>;

export type JurisdictionRow = Selectable<JurisdictionTable>;
export type NewJurisdiction = Insertable<JurisdictionTable>;
