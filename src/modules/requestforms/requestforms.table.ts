import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export const SERVER_TYPES = ['APP', 'WEB', 'FTP', 'DAT', 'MID', 'TST', 'OTH'] as const;
export type ServerType = (typeof SERVER_TYPES)[number];

export type RequestFormStatus = 'draft';

export interface RequestFormTable {
  id: Generated<string>;
  organisation_id: string;
  jurisdiction_id: string;
  system_name: string;
  title: string;
  status: Generated<RequestFormStatus>;
  applicant_contact: string | null;
  vendor_contact: string | null;
  source_filename: string | null;
  created_by: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RequestFormRowTable {
  form_id: string;
  organisation_id: string;
  jurisdiction_id: string;
  row_no: number;
  network_zone: string;
  developer: string;
  system_name: string;
  subsystem: string | null;
  server_type: ServerType;
  bastion_owner: string;
  bastion_owner_email: string;
  bastion_owner_mobile: string;
  vcpu: number;
  memory_gb: number;
  system_disk_gb: number;
  data_disk_gb: number;
  os: string;
  clustered: boolean;
  cluster_group: string | null;
  notes: string | null;
}

export interface RequestFormTables {
  request_form: RequestFormTable;
  request_form_row: RequestFormRowTable;
}

export type FormRecord = Selectable<RequestFormTable>;
export type FormRowRecord = Selectable<RequestFormRowTable>;
export type NewFormRowRecord = Insertable<RequestFormRowTable>;
