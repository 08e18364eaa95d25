import { type Kysely, sql } from 'kysely';

// Frozen once merged: later changes go in a new numbered migration.
//
// Separation of the three admin duties (三员分立) held by the database as well as the application:
// - an account holding one of the admin roles holds no other role, in any organisation (the trigger below
//   refuses the assignment that would break it, whoever inserts it);
// - an admin's action on another admin's account (reset, second factor, unlock, disable, role change)
//   waits in admin_approval until the third admin approves it (two-person rule, docs/security.md);
// - an API token remembers the account that issued it: at every use its scopes are cut down to what
//   that account may still do.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function role_assignment_separation() returns trigger language plpgsql as $$
    declare
      admin_roles text[] := array['system_admin', 'security_admin', 'audit_admin'];
    begin
      if exists (
        select 1 from role_assignment r
         where r.user_id = new.user_id
           and (r.organisation_id, r.role) is distinct from (new.organisation_id, new.role)
           and ((new.role = any(admin_roles)) or (r.role = any(admin_roles)))
           and not (new.role = r.role)
      ) then
        raise exception 'separation of duties: an admin role is held alone (%)', new.role
          using errcode = 'check_violation';
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger role_assignment_separation before insert or update on role_assignment
      for each row execute function role_assignment_separation()`.execute(db);

  await db.schema
    .createTable('admin_approval')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_user_id', 'uuid', (c) => c.notNull().references('user_account.id'))
    .addColumn('target_role', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('requested_by', 'uuid', (c) => c.notNull().references('user_account.id'))
    .addColumn('requested_role', 'text', (c) => c.notNull())
    .addColumn('approver_role', 'text', (c) => c.notNull())
    .addColumn('jurisdiction_id', 'uuid', (c) => c.notNull().references('jurisdiction.id'))
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`status in ('pending', 'approved', 'rejected')`),
    )
    .addColumn('decided_by', 'uuid', (c) => c.references('user_account.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addCheckConstraint('admin_approval_two_people', sql`decided_by is null or decided_by <> requested_by`)
    .execute();
  await db.schema
    .createIndex('admin_approval_pending_idx')
    .on('admin_approval')
    .columns(['jurisdiction_id', 'status'])
    .execute();

  await sql`alter table api_token add column created_by_user_id uuid references user_account(id)`.execute(db);
  // Tokens issued before: their issuer by name. A token whose issuer is unknown carries no permission.
  await sql`update api_token t set created_by_user_id = u.id from user_account u where u.username = t.created_by`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
