import { sql } from 'kysely';
import { sqlArray } from '../../platform/db/arrays.ts';
import type { Trx } from '../../schema.ts';

// People as others see them: display names by id and who holds a role (the order page's facts, issue 16).

/** Display names of users, by id (user accounts carry no row-level security: names are not tenant data). */
export async function displayNames(trx: Trx, userIds: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (userIds.length === 0) return [];
  const { rows } = await sql<{ id: string; name: string }>`
    select id::text as id, display_name as name from user_account
    where id::text = any(${sqlArray([...new Set(userIds)])}::text[])
    order by display_name`.execute(trx);
  return rows;
}

/**
 * The enabled holders of `role`: in the organisations `organisationIds` when given, else in any organisation
 * of the jurisdiction. Ordered by name; one row per person.
 */
export async function roleHolders(
  trx: Trx,
  role: string,
  scope: { organisationIds: readonly string[] } | { jurisdictionId: string },
): Promise<{ id: string; name: string; organisation: string }[]> {
  const where =
    'organisationIds' in scope
      ? sql`ra.organisation_id::text = any(${sqlArray(scope.organisationIds)}::text[])`
      : sql`o.jurisdiction_id = ${scope.jurisdictionId}::uuid`;
  const { rows } = await sql<{ id: string; name: string; organisation: string }>`
    select distinct on (u.display_name, u.id) u.id::text as id, u.display_name as name, o.name as organisation
    from role_assignment ra
    join user_account u on u.id = ra.user_id
    join organisation o on o.id = ra.organisation_id
    where ra.role = ${role} and u.disabled_at is null and ${where}
    order by u.display_name, u.id, o.name`.execute(trx);
  return rows;
}
