import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// A fulfilment action for what a provider hands over without creating, changing or ending a resource: the
// backup extraction of JQ 19 (the bureau approves, the provider holding the backups hands them over). Its
// work order and receipt are the usual ones; confirming the receipt touches no inventory.
const ACTIONS = sql`('open_test', 'open', 'scale_up', 'change', 'reclaim', 'allocate', 'handover')`;
const OLD_ACTIONS = sql`('open_test', 'open', 'scale_up', 'change', 'reclaim', 'allocate')`;

/** Drops the column's CHECK constraints whatever PostgreSQL named them (0009 and 0011 left them unnamed). */
async function dropChecks(db: Kysely<any>, table: string, column: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select c.conname as name from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
    where c.conrelid = ${table}::regclass and c.contype = 'c' and a.attname = ${column}`.execute(db);
  for (const { name } of rows) {
    await sql`alter table ${sql.table(table)} drop constraint ${sql.id(name)}`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await dropChecks(db, 'order_step', 'fulfilment_action');
  await sql`alter table order_step add constraint order_step_fulfilment_action_check
    check (fulfilment_action in ${ACTIONS})`.execute(db);
  await dropChecks(db, 'work_order', 'action');
  await sql`alter table work_order add constraint work_order_action_check check (action in ${ACTIONS})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropChecks(db, 'order_step', 'fulfilment_action');
  await sql`alter table order_step add constraint order_step_fulfilment_action_check
    check (fulfilment_action in ${OLD_ACTIONS})`.execute(db);
  await dropChecks(db, 'work_order', 'action');
  await sql`alter table work_order add constraint work_order_action_check check (action in ${OLD_ACTIONS})`.execute(db);
}
