import type { Actor } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import type { Trx } from '../../schema.ts';
import * as repo from './identity.repository.ts';
import { permissionsOf, scopeOf } from './roles.ts';

/**
 * Demo seeding only: the AuthContext and Actor a demo user would have in its first organisation, so the
 * demo activity (orders, receipts) is written through the modules' own services, as that user.
 */
export async function demoUser(trx: Trx, username: string): Promise<{ auth: AuthContext; actor: Actor }> {
  const user = await trx
    .selectFrom('user_account')
    .select(['id', 'username'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  const m = (await repo.memberships(trx, user.id))[0];
  if (!m) throw new Error(`demo user ${username} has no role`);
  const auth: AuthContext = {
    kind: 'user',
    id: user.id,
    name: user.username,
    organisationId: m.organisationId,
    organisationType: m.organisationType,
    jurisdictionId: m.jurisdictionId,
    roles: m.roles,
    permissions: permissionsOf(m.roles),
    visibility:
      scopeOf(m.roles) === 'jurisdiction'
        ? { kind: 'jurisdiction', jurisdictions: await repo.jurisdictionTree(trx, m.jurisdictionId) }
        : { kind: 'organisation', organisations: await repo.organisationTree(trx, m.organisationId) },
  };
  const actor: Actor = {
    kind: 'user',
    id: user.id,
    name: user.username,
    organisationId: m.organisationId,
    role: m.roles[0],
  };
  return { auth, actor };
}
