import type { ColumnType, Generated, Selectable } from 'kysely';

export type CatalogueStatus = 'draft' | 'submitted' | 'approved';
export type Layer = 'IaaS' | 'PaaS' | 'SaaS';

/** One specification attribute of an item, e.g. a VM's vCPU count. */
export interface SpecAttribute {
  key: string;
  label: string;
  labelEn: string;
  type: 'integer' | 'string' | 'enum' | 'boolean';
  unit?: string;
  min?: number;
  max?: number;
  options?: string[];
  required: boolean;
}

export interface CatalogueVersionTable {
  id: Generated<string>;
  jurisdiction_id: string;
  version_no: number;
  status: CatalogueStatus;
  /** 'YYYY-MM-DD', Asia/Shanghai: in force from 00:00 that day */
  effective_from: string;
  based_on_id: string | null;
  note: string | null;
  rejection_note: string | null;
  created_by: string | null;
  submitted_by: string | null;
  submitted_at: Date | null;
  approved_by: string | null;
  approved_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface CatalogueItemTable {
  id: Generated<string>;
  version_id: string;
  code: string;
  position: number;
  name: string;
  name_en: string;
  layer: Layer;
  category: string;
  description: string | null;
  specification: ColumnType<SpecAttribute[], string, string>;
  provider_id: string | null;
}

export interface CataloguePriceTable {
  item_id: string;
  dimension: string;
  unit: string;
  /** exact decimal, yuan, as a string */
  unit_price: string;
}

/** One role's confirmation (核定) of a submitted version (SH 15; migration 0028). */
export interface CatalogueConfirmationTable {
  version_id: string;
  role: string;
  confirmed_by: string;
  confirmed_by_name: string;
  confirmed_at: Date;
}

export interface CatalogueTables {
  catalogue_confirmation: CatalogueConfirmationTable;
  catalogue_version: CatalogueVersionTable;
  catalogue_item: CatalogueItemTable;
  catalogue_price: CataloguePriceTable;
}

export type CatalogueVersionRow = Selectable<CatalogueVersionTable>;
export type CatalogueItemRow = Selectable<CatalogueItemTable>;
export type CataloguePriceRow = Selectable<CataloguePriceTable>;
