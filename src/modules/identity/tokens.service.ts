import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { randomSecret, sm3 } from '../../platform/crypto.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import type { ApiTokenRow } from './identity.table.ts';
import { issuerMayGrant, TOKEN_SCOPES } from './roles.ts';

export interface ApiToken {
  id: string;
  organisationId: string;
  name: string;
  scopes: string[];
  expiresAt: string;
  revoked: boolean;
  createdBy: string | null;
  /** the person who created it, by name (null when the account is gone or out of the reader's sight) */
  createdByName: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

const toToken = (row: ApiTokenRow & { created_by_name?: string | null }): ApiToken => ({
  id: row.id,
  organisationId: row.organisation_id,
  name: row.name,
  scopes: row.scopes,
  expiresAt: row.expires_at.toISOString(),
  revoked: row.revoked_at !== null,
  createdBy: row.created_by,
  createdByName: row.created_by_name ?? null,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
});

/** A token as the API shows it, its creator by name. */
async function shown(trx: Trx, row: ApiTokenRow): Promise<ApiToken> {
  const creator = row.created_by_user_id
    ? await trx
        .selectFrom('user_account')
        .select('display_name')
        .where('id', '=', row.created_by_user_id)
        .executeTakeFirst()
    : undefined;
  return toToken({ ...row, created_by_name: creator?.display_name ?? null });
}

// Every function here runs in a tenant transaction (withTenant): row-level security hides foreign
// tokens, and the explicit filters below say the same thing a second time.

export async function listTokens(trx: Trx, auth: AuthContext): Promise<ApiToken[]> {
  let query = trx
    .selectFrom('api_token as t')
    .leftJoin('user_account as u', 'u.id', 't.created_by_user_id')
    .selectAll('t')
    .select('u.display_name as created_by_name')
    .orderBy('t.created_at', 'desc');
  if (auth.visibility.kind === 'organisation')
    query = query.where('t.organisation_id', 'in', auth.visibility.organisations);
  else query = query.where('t.jurisdiction_id', 'in', auth.visibility.jurisdictions);
  return (await query.execute()).map(toToken);
}

async function visibleToken(trx: Trx, auth: AuthContext, id: string): Promise<ApiTokenRow> {
  let query = trx.selectFrom('api_token').selectAll().where('id', '=', id);
  if (auth.visibility.kind === 'organisation')
    query = query.where('organisation_id', 'in', auth.visibility.organisations);
  else query = query.where('jurisdiction_id', 'in', auth.visibility.jurisdictions);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound(`API token ${id} / 令牌不存在`);
  return row;
}

export async function getToken(trx: Trx, auth: AuthContext, id: string): Promise<ApiToken> {
  return shown(trx, await visibleToken(trx, auth, id));
}

/** Issues a token for the caller's organisation; the token text is returned once and stored only as a hash. */
export async function createToken(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { name: string; scopes: string[]; expiresInDays: number },
): Promise<{ token: string; apiToken: ApiToken }> {
  for (const [i, scope] of input.scopes.entries()) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) {
      throw new AppError('validation_failed', `body.scopes.${i}: unknown scope ${scope}`, [
        { field: `body.scopes.${i}`, message: `unknown scope ${scope}; allowed: ${TOKEN_SCOPES.join(', ')}` },
      ]);
    }
    // A token does no more than the account that issues it may do itself (checked again at every use).
    if (auth.kind !== 'user' || !issuerMayGrant(auth.permissions, scope)) {
      throw new AppError('forbidden', `body.scopes.${i}: the issuer does not hold ${scope} / 不能授予自己没有的权限`, [
        { field: `body.scopes.${i}`, message: `不能授予自己没有的权限 / the issuer does not hold ${scope}` },
      ]);
    }
  }
  const secret = randomSecret();
  const row = await trx
    .insertInto('api_token')
    .values({
      organisation_id: auth.organisationId,
      jurisdiction_id: auth.jurisdictionId,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      secret_hash: sm3(secret),
      // Wall clock, not the business clock: authenticateToken checks expiry against the wall clock.
      expires_at: new Date(Date.now() + input.expiresInDays * 86_400_000),
      created_by: auth.name,
      created_by_user_id: auth.id,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'api_token.created',
    objectType: 'api_token',
    objectId: row.id,
    detail: { name: row.name, scopes: row.scopes, expiresAt: row.expires_at.toISOString() },
  });
  return { token: `ygt_${row.id}.${secret}`, apiToken: await shown(trx, row) };
}

export async function revokeToken(trx: Trx, auth: AuthContext, actor: Actor, id: string, now: Date): Promise<ApiToken> {
  const row = await visibleToken(trx, auth, id);
  const updated = await trx
    .updateTable('api_token')
    .set({ revoked_at: row.revoked_at ?? now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, { action: 'api_token.revoked', objectType: 'api_token', objectId: id });
  return shown(trx, updated);
}
