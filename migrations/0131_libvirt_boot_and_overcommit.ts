import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The libvirt driver's zone settings (issue 23), continued: how many vCPUs a host CPU may carry
// (`vcpu_overcommit`, 1: none; KVM hosts commonly run 2-8 vCPUs per CPU, memory is never overcommitted), used by
// the capacity flag at review and the driver's choice of host; and an optional direct kernel boot (`boot_kernel`,
// `boot_initrd`, `boot_cmdline`: files on the host) for appliances and the test guests of the driver's own tests,
// which boot a kernel and a busybox initramfs instead of the base image's boot loader.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('libvirt_connection')
    .addColumn('vcpu_overcommit', 'integer', (c) =>
      c.notNull().defaultTo(1).check(sql`vcpu_overcommit between 1 and 64`),
    )
    .execute();
  await db.schema.alterTable('libvirt_connection').addColumn('boot_kernel', 'text').execute();
  await db.schema.alterTable('libvirt_connection').addColumn('boot_initrd', 'text').execute();
  await db.schema.alterTable('libvirt_connection').addColumn('boot_cmdline', 'text').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
