import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Organisations, accounts, sessions, API tokens and the security policy, plus the database role the
// application's tenant-scoped transactions run as, so that row-level security applies to them.
export async function up(db: Kysely<any>): Promise<void> {
  // The role is cluster-wide: created once, tolerated when another database or a concurrent migration
  // made it first. It can log in nowhere; sessions switch to it with SET LOCAL ROLE.
  await sql`
    do $$ begin
      create role yunguan_app nologin nosuperuser nobypassrls;
    exception when duplicate_object or unique_violation then null;
    end $$`.execute(db);
  await sql`
    do $$ begin
      execute format('grant yunguan_app to %I', current_user);
    exception when others then null;
    end $$`.execute(db);
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = sql.id(rows[0]?.schema ?? 'public');
  await sql`grant usage on schema ${schema} to yunguan_app`.execute(db);
  await sql`alter default privileges in schema ${schema} grant select, insert, update, delete on tables to yunguan_app`.execute(
    db,
  );
  await sql`alter default privileges in schema ${schema} grant usage, select on sequences to yunguan_app`.execute(db);
  await sql`grant select on jurisdiction to yunguan_app`.execute(db);
  await sql`grant select, insert on audit_event, audit_purge to yunguan_app`.execute(db);
  await sql`grant usage, select on all sequences in schema ${schema} to yunguan_app`.execute(db);

  await db.schema
    .createTable('organisation')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('parent_id', 'uuid', (c) => c.references('organisation.id'))
    .addColumn('type', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`type in ('competent_authority', 'economy_it_authority', 'finance', 'cloud_operations_unit', 'cloud_service_provider', 'using_unit', 'security_supervisor')`,
        ),
    )
    .addColumn('code', 'text', (c) => c.notNull().unique().check(sql`code ~ '^[a-z0-9][a-z0-9-]{1,62}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text')
    .addColumn('credit_code', 'text', (c) => c.check(sql`credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('organisation_sub_unit_check', sql`parent_id is null or type = 'using_unit'`)
    .execute();
  await db.schema.createIndex('organisation_jurisdiction_idx').on('organisation').column('jurisdiction_id').execute();
  await db.schema.createIndex('organisation_parent_idx').on('organisation').column('parent_id').execute();

  // Contacts keep their history: a change closes the current row (valid_to) and inserts a new one.
  await db.schema
    .createTable('organisation_contact')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('information_officer', 'emergency')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'text')
    .addColumn('phone', 'text')
    .addColumn('mobile', 'text')
    .addColumn('email', 'text')
    .addColumn('valid_from', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('valid_to', 'timestamptz')
    .addColumn('changed_by', 'text')
    .execute();
  await db.schema
    .createIndex('organisation_contact_current_idx')
    .on('organisation_contact')
    .columns(['organisation_id', 'valid_to'])
    .execute();

  await db.schema
    .createTable('user_account')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('username', 'text', (c) => c.notNull().check(sql`username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'`))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('mobile', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('password_changed_at', 'timestamptz')
    .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('totp_last_step', 'bigint')
    .addColumn('oidc_issuer', 'text')
    .addColumn('oidc_subject', 'text')
    .addColumn('is_demo', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index user_account_username_idx on user_account (username)`.execute(db);
  await sql`create unique index user_account_oidc_idx on user_account (oidc_issuer, oidc_subject) where oidc_subject is not null`.execute(
    db,
  );

  await db.schema
    .createTable('password_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('password_history_user_idx').on('password_history').column('user_id').execute();

  await db.schema
    .createTable('role_assignment')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text')
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('role_assignment_pk', ['user_id', 'organisation_id', 'role'])
    .execute();
  await db.schema.createIndex('role_assignment_org_idx').on('role_assignment').column('organisation_id').execute();

  await db.schema
    .createTable('user_session')
    .addColumn('id', 'text', (c) => c.primaryKey()) // SM3 of the cookie's secret; the secret is never stored
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('user_account.id'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('restriction', 'text', (c) => c.check(sql`restriction in ('password_change', 'totp_enrolment')`))
    .addColumn('source_ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('user_session_user_idx').on('user_session').column('user_id').execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_token_org_idx').on('api_token').column('organisation_id').execute();

  await db.schema
    .createTable('security_policy')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('password_min_length', 'integer', (c) => c.notNull().defaultTo(10).check(sql`password_min_length >= 10`))
    .addColumn('password_history', 'integer', (c) => c.notNull().defaultTo(5).check(sql`password_history >= 5`))
    .addColumn('lockout_threshold', 'integer', (c) =>
      c.notNull().defaultTo(5).check(sql`lockout_threshold between 3 and 10`),
    )
    .addColumn('lockout_minutes', 'integer', (c) => c.notNull().defaultTo(15).check(sql`lockout_minutes >= 1`))
    .addColumn('session_idle_minutes', 'integer', (c) =>
      c.notNull().defaultTo(30).check(sql`session_idle_minutes between 1 and 480`),
    )
    .addColumn('audit_retention_days', 'integer', (c) =>
      c.notNull().defaultTo(180).check(sql`audit_retention_days >= 180`),
    )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into security_policy (id) values (1)`.execute(db);

  // Row-level security on every tenant-owned table. Each tenant-scoped transaction runs as yunguan_app
  // and sets yunguan.scope ('organisation' or 'jurisdiction') with the visible organisation or
  // jurisdiction ids; without them nothing is visible.
  await sql`
    create function yunguan_visible(org uuid, jur uuid) returns boolean language sql stable as $$
      select case current_setting('yunguan.scope', true)
        when 'jurisdiction' then jur = any (string_to_array(nullif(current_setting('yunguan.jurisdictions', true), ''), ',')::uuid[])
        when 'organisation' then org = any (string_to_array(nullif(current_setting('yunguan.organisations', true), ''), ',')::uuid[])
        else false
      end
    $$`.execute(db);
  for (const table of ['organisation_contact', 'api_token']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to yunguan_app
      using (yunguan_visible(organisation_id, jurisdiction_id))
      with check (yunguan_visible(organisation_id, jurisdiction_id))`.execute(db);
  }
  // Organisations: a unit sees itself and its sub-units (including one it creates in this very
  // transaction, through its parent); the directory of non-unit organisations
  // (authorities, the operations unit, providers) is visible to every signed-in organisation.
  await sql`alter table organisation enable row level security`.execute(db);
  await sql`create policy tenant_isolation on organisation to yunguan_app
    using (type <> 'using_unit' or yunguan_visible(id, jurisdiction_id) or yunguan_visible(parent_id, jurisdiction_id))
    with check (yunguan_visible(coalesce(parent_id, id), jurisdiction_id))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
