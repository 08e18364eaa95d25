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

export interface TenancyTables {
  jurisdiction: JurisdictionTable;
}

export type JurisdictionRow = Selectable<JurisdictionTable>;
export type NewJurisdiction = Insertable<JurisdictionTable>;
