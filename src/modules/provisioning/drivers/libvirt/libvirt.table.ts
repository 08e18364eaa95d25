import type { ColumnType, Generated, Selectable } from 'kysely';

// Table types of the libvirt driver (migration 0130).

type Json<T> = ColumnType<T, string, string>;

export const LIBVIRT_TASK_STATUSES = ['pending', 'running', 'delivered', 'failed'] as const;
export type LibvirtTaskStatus = (typeof LIBVIRT_TASK_STATUSES)[number];

export interface LibvirtConnectionTable {
  id: Generated<string>;
  jurisdiction_id: string;
  provider_id: string;
  zone: string;
  name: string;
  uri: string;
  /** SM4-sealed JSON {username, password} (platform/crypto sealSecret), never read back by the API */
  sealed_credentials: string | null;
  pool: string;
  base_volume: string;
  network: string;
  domain_type: 'kvm' | 'qemu';
  max_vcpu: ColumnType<number, number | undefined, number>;
  max_memory_gb: ColumnType<number, number | undefined, number>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** vCPUs a host CPU may carry (migration 0131; 1: none) */
  vcpu_overcommit: ColumnType<number, number | undefined, number>;
  /** direct kernel boot: files on the host (migration 0131; null: boot from the base image) */
  boot_kernel: ColumnType<string | null, string | null | undefined, string | null>;
  boot_initrd: ColumnType<string | null, string | null | undefined, string | null>;
  boot_cmdline: ColumnType<string | null, string | null | undefined, string | null>;
  updated_by: string;
  updated_at: Date;
  reconciled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  sampled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface StepEntry {
  step: string;
  ok: boolean;
  detail?: string;
}

export interface LibvirtTaskTable {
  work_order_id: string;
  jurisdiction_id: string;
  provider_id: string;
  status: LibvirtTaskStatus;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date;
  claimed_by: string | null;
  lease_until: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  trail: ColumnType<StepEntry[], string | undefined, string>;
  created_at: Date;
  updated_at: Date;
}

export interface LibvirtSampleTable {
  connection_id: string;
  domain_uuid: string;
  sampled_at: Date;
  counters: Json<Record<string, number | null>>;
}

export interface LibvirtTables {
  libvirt_connection: LibvirtConnectionTable;
  libvirt_task: LibvirtTaskTable;
  libvirt_sample: LibvirtSampleTable;
}

export type LibvirtConnectionRow = Selectable<LibvirtConnectionTable>;
export type LibvirtTaskRow = Selectable<LibvirtTaskTable>;
