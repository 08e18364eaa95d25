import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Metering, rating and monthly settlement (DOMAIN.md section 7; SH 27, TZ 7(5), JQ 30). A settlement run
// covers one city (with its districts) and one calendar month (Asia/Shanghai); it holds one statement per
// using unit, whose lines are the rated usage of one resource and pricing dimension, or an adjustment of
// a line of an earlier, closed month. A closed run never changes (the trigger below enforces it).
export async function up(db: Kysely<any>): Promise<void> {
  // Units outside the city budget pay their own fees (DOMAIN.md 7); set by finance or the authority, audited.
  await sql`alter table organisation add column outside_city_budget boolean not null default false`.execute(db);

  // The efficiency coefficient of a unit for a month (from evaluation; default 1 when there is no row).
  await db.schema
    .createTable('efficiency_coefficient')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('coefficient', sql`numeric(6, 4)`, (c) => c.notNull().check(sql`coefficient >= 0 and coefficient <= 10`))
    .addColumn('note', 'text')
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('efficiency_coefficient_pkey', ['organisation_id', 'period'])
    .execute();

  await db.schema
    .createTable('settlement_run')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'reviewed', 'closed')`))
    // The events the statements were computed from: recorded_at <= as_of. Later ones are late events.
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('statement_count', 'integer', (c) => c.notNull())
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('computed_by', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'timestamptz')
    .addColumn('confirmed_by', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addUniqueConstraint('settlement_run_period_unique', ['jurisdiction_id', 'period'])
    .execute();

  await db.schema
    .createTable('statement')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('run_id', 'uuid', (c) => c.notNull().references('settlement_run.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('outside_city_budget', 'boolean', (c) => c.notNull())
    .addColumn('coefficient', sql`numeric(6, 4)`, (c) => c.notNull())
    .addColumn('usage_fen', 'bigint', (c) => c.notNull())
    .addColumn('adjustment_fen', 'bigint', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addUniqueConstraint('statement_period_unique', ['organisation_id', 'period'])
    .addUniqueConstraint('statement_tenant_unique', ['id', 'organisation_id', 'jurisdiction_id'])
    .execute();
  await db.schema.createIndex('statement_run_idx').on('statement').column('run_id').execute();

  await db.schema
    .createTable('statement_line')
    .addColumn('statement_id', 'uuid', (c) => c.notNull())
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('usage', 'adjustment')`))
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('provider_id', 'uuid', (c) => c.notNull())
    .addColumn('project_id', 'uuid')
    .addColumn('system_id', 'uuid')
    .addColumn('catalogue_item_code', 'text', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) => c.notNull())
    // sum of quantity x seconds, and sum of quantity x seconds x month-price (yuan·seconds), both exact
    .addColumn('quantity_seconds', 'numeric', (c) => c.notNull())
    .addColumn('price_seconds', 'numeric', (c) => c.notNull())
    .addColumn('month_seconds', 'integer', (c) => c.notNull())
    .addColumn('coefficient', sql`numeric(6, 4)`, (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    // the explanation: the event ids and catalogue versions that made the line, the as-of cut-off
    .addColumn('event_ids', sql`bigint[]`, (c) => c.notNull())
    .addColumn('version_ids', sql`uuid[]`, (c) => c.notNull())
    // adjustments: the month and line they fix (line null when the closed month had no such line)
    .addColumn('adjusts_period', 'text')
    .addColumn('adjusts_statement_id', 'uuid')
    .addColumn('adjusts_line_no', 'integer')
    .addPrimaryKeyConstraint('statement_line_pkey', ['statement_id', 'line_no'])
    .execute();
  // No foreign key to statement: lines are written only by the settlement engine, in the transaction
  // that writes their statement, by one INSERT ... SELECT joined on it (so their unit and jurisdiction
  // are the statement's by construction); a per-row referential check made that insert several times
  // slower on PGlite (docs/decisions.md).
  await sql`create index statement_line_adjusts_idx on statement_line (adjusts_statement_id, resource_id)
    where adjusts_statement_id is not null`.execute(db);

  // A closed month never changes: its statements and lines are frozen for everyone.
  await sql`
    create function settlement_closed_guard() returns trigger language plpgsql as $$
    declare
      s text;
    begin
      if tg_table_name = 'settlement_run' then
        s := old.status;
      elsif tg_table_name = 'statement' then
        select status into s from settlement_run where id = old.run_id;
      else
        select r.status into s from settlement_run r join statement st on st.run_id = r.id where st.id = old.statement_id;
      end if;
      if s = 'closed' then
        raise exception 'settlement month is closed and never changes' using errcode = 'insufficient_privilege';
      end if;
      return coalesce(new, old);
    end $$`.execute(db);
  for (const table of ['settlement_run', 'statement', 'statement_line']) {
    await sql`create trigger ${sql.id(`${table}_closed`)} before update or delete on ${sql.table(table)}
      for each row execute function settlement_closed_guard()`.execute(db);
  }

  // A unit sees its own (and its sub-units') statements; finance, authorities and operations their jurisdictions'.
  for (const table of ['efficiency_coefficient', 'statement', 'statement_line']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
