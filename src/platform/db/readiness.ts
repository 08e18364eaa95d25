import { sql } from 'kysely';
import type { ErrorCode } from '../errors.ts';
import { classifyDatabaseError } from './availability.ts';
import type { Database } from './database.ts';
import { migrationStatus } from './migrate.ts';

/** Below this much free space the embedded database is treated as full: one WAL segment no longer fits. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

export type Readiness =
  | { ready: true; migrations: number }
  | { ready: false; code: Extract<ErrorCode, 'database_unavailable' | 'storage_full' | 'not_ready'>; reason: string };

/**
 * Whether this instance can serve: the database answers, has room to write, every migration is applied,
 * and the tenant isolation it relies on is in place (the role `yunguan_app`, its grants, the row-level
 * security policies). A restore that lost the role (pg_restore into a cluster without it) is not ready.
 */
export async function checkReadiness(database: Database<any>): Promise<Readiness> {
  try {
    await database.ping();
  } catch (error) {
    const code = classifyDatabaseError(error) ?? 'database_unavailable';
    return { ready: false, code, reason: `database unreachable: ${(error as Error).message}` };
  }
  const free = await database.freeBytes?.().catch(() => undefined);
  if (free !== undefined && free < MIN_FREE_BYTES) {
    return { ready: false, code: 'storage_full', reason: `${free} bytes free where the database keeps its files` };
  }
  const full = database.conditions?.recent('storage_full');
  if (full !== undefined && free === undefined) {
    return { ready: false, code: 'storage_full', reason: `the database refused a write: ${full}` };
  }
  let applied: number;
  try {
    const status = await migrationStatus(database.db);
    if (status.pending.length > 0) {
      return { ready: false, code: 'not_ready', reason: `migrations pending: ${status.pending.join(', ')}` };
    }
    applied = status.applied.length;
  } catch (error) {
    return { ready: false, code: 'not_ready', reason: `migration status unknown: ${(error as Error).message}` };
  }
  const isolation = await tenantIsolationProblems(database);
  if (isolation) return { ready: false, code: 'not_ready', reason: isolation };
  return { ready: true, migrations: applied };
}

/** What is missing of the role, its grants and the policies; undefined when all is in place. */
export async function tenantIsolationProblems(database: Database<any>): Promise<string | undefined> {
  const { rows: role } = await sql<{ exists: boolean; member: boolean | null }>`
    select exists (select 1 from pg_roles where rolname = 'yunguan_app') as exists,
           case when exists (select 1 from pg_roles where rolname = 'yunguan_app')
                then pg_has_role(current_user, 'yunguan_app', 'MEMBER') end as member`.execute(database.db);
  if (!role[0]?.exists) return 'the application role yunguan_app is missing (create it before restoring)';
  if (!role[0].member) return `the database user is not a member of the role yunguan_app`;
  const { rows } = await sql<{ relname: string; granted: boolean; policies: number }>`
    select c.relname,
           has_table_privilege('yunguan_app', c.oid, 'select') as granted,
           (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind in ('r', 'p') and c.relrowsecurity
     order by c.relname`.execute(database.db);
  if (rows.length === 0) return 'no table has row-level security enabled';
  const noPolicy = rows.filter((r) => r.policies === 0).map((r) => r.relname);
  const noGrant = rows.filter((r) => !r.granted).map((r) => r.relname);
  const problems: string[] = [];
  if (noPolicy.length > 0) problems.push(`row-level security policies missing on ${list(noPolicy)}`);
  if (noGrant.length > 0) problems.push(`grants to yunguan_app missing on ${list(noGrant)}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function list(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}
