import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// The libvirt provisioning driver (issue 23). A provider's network zone bound to libvirt connections
// (`libvirt_connection`: the URI, credentials sealed with SM4, the storage pool, the base image, the network,
// the domain type), the driver's claim on each work order it carries out (`libvirt_task`: claimed once, with a
// lease, attempts and back-off, the last error, the undo trail of a failed attempt) and the last statistics
// sample of each domain (`libvirt_sample`) from which utilisation is derived.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('libvirt_connection')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('provider_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('zone', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    // `sm4:<iv>:<ciphertext>` of {"username","password"} or null (platform/crypto sealSecret)
    .addColumn('sealed_credentials', 'text')
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('base_volume', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('domain_type', 'text', (c) => c.notNull().check(sql`domain_type in ('kvm', 'qemu')`))
    // live scale-up headroom: the domain's maximum vCPUs and memory (0: the ordered size, no headroom)
    .addColumn('max_vcpu', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_memory_gb', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reconciled_at', 'timestamptz')
    .addColumn('sampled_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addUniqueConstraint('libvirt_connection_name_unique', ['provider_id', 'zone', 'name'])
    .execute();

  await db.schema
    .createTable('libvirt_task')
    .addColumn('work_order_id', 'uuid', (c) => c.primaryKey().references('work_order.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'running', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'timestamptz')
    // what the last attempt did and undid, step by step (shown with the error)
    .addColumn('trail', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index libvirt_task_due_idx on libvirt_task (next_attempt_at) where status in ('pending', 'running')`.execute(
    db,
  );

  await db.schema
    .createTable('libvirt_sample')
    .addColumn('connection_id', 'uuid', (c) => c.notNull().references('libvirt_connection.id').onDelete('cascade'))
    .addColumn('domain_uuid', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('counters', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('libvirt_sample_pk', ['connection_id', 'domain_uuid'])
    .execute();

  const visible = sql`yunguan_visible(provider_id, jurisdiction_id)`;
  for (const table of ['libvirt_connection', 'libvirt_task']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (${visible}) with check (${visible})`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
