import * as client from 'openid-client';
import type { OidcConfig } from '../../config.ts';
import { writeAudit, writeAuditNow } from '../../platform/audit/audit.ts';
import { openSecret, sealSecret } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import type { Db } from '../../schema.ts';
import { createSession, type NewSession, type Origin } from './auth.service.ts';
import * as repo from './identity.repository.ts';
import { hasAdminRole } from './roles.ts';

/** The sealed cookie carrying one login attempt's state, nonce and PKCE verifier to the callback. */
export const OIDC_COOKIE = 'yunguan_oidc';
const ATTEMPT_SECONDS = 600;

interface Attempt {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  expires: number;
}

/**
 * Single sign-on with the unified identity platform (统一身份认证) through OpenID Connect, as a
 * relying party using the authorisation code flow with PKCE. Accounts are provisioned in Yunguan
 * (roles are granted here, not by the identity platform): a first SSO login links the platform's
 * subject to the local account whose user name equals the configured claim. Accounts holding an
 * admin role sign in locally with password and TOTP only.
 */
export class OidcRelyingParty {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly config: OidcConfig) {}

  private discover(): Promise<client.Configuration> {
    this.configuration ??= client
      .discovery(
        new URL(this.config.issuer),
        this.config.clientId,
        undefined,
        client.ClientSecretBasic(this.config.clientSecret),
        // Plain http only for an issuer on this machine (tests, a local identity platform).
        new URL(this.config.issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw new AppError('bad_gateway', `identity platform unreachable: ${(error as Error).message}`);
      });
    return this.configuration;
  }

  /** The identity platform's authorisation URL and the sealed attempt to set as a cookie. */
  async start(next: string): Promise<{ url: string; cookie: string; maxAge: number }> {
    const configuration = await this.discover();
    const attempt: Attempt = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      next: safeNext(next),
      expires: Date.now() + ATTEMPT_SECONDS * 1000,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.redirectUri,
      scope: 'openid profile',
      state: attempt.state,
      nonce: attempt.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(attempt.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, cookie: sealSecret(JSON.stringify(attempt)), maxAge: ATTEMPT_SECONDS };
  }

  /**
   * Completes the login: exchanges the code, checks state, nonce and PKCE, maps the subject to a local
   * account and opens a session. Every outcome is audited.
   */
  async finish(
    db: Db,
    callbackQuery: string,
    sealedAttempt: string | undefined,
    origin: Origin,
    now: Date,
  ): Promise<NewSession & { next: string }> {
    const attempt = readAttempt(sealedAttempt);
    const configuration = await this.discover();
    const refuse = async (reason: string, subject?: string) => {
      await writeAuditNow(
        db,
        { kind: 'user', id: null, name: subject ?? null, sourceIp: origin.sourceIp, requestId: origin.requestId },
        {
          action: 'auth.login',
          outcome: 'failure',
          objectType: 'user',
          detail: { method: 'oidc', reason },
        },
      );
      return new AppError('sso_refused', reason);
    };
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(
        configuration,
        new URL(`${this.config.redirectUri}?${callbackQuery}`),
        {
          pkceCodeVerifier: attempt.verifier,
          expectedState: attempt.state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        },
      );
    } catch (error) {
      throw await refuse(`the identity platform's answer did not verify: ${(error as Error).message}`);
    }
    const claims = tokens.claims();
    if (!claims) throw await refuse('no ID token');
    const issuer = claims.iss;
    // Providers put profile claims in the ID token or only behind the userinfo endpoint: ask there when needed.
    let claimed = claims[this.config.usernameClaim];
    if (typeof claimed !== 'string') {
      const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub).catch(() => undefined);
      claimed = info?.[this.config.usernameClaim];
    }
    const username = typeof claimed === 'string' ? claimed.toLowerCase() : undefined;
    let user = await repo.findUserByOidc(db, issuer, claims.sub);
    let linked = false;
    if (!user && username) {
      const candidate = await repo.findUserByUsername(db, username);
      if (candidate && candidate.oidc_subject === null) {
        user = candidate;
        linked = true;
      }
    }
    if (!user) throw await refuse('no local account for this identity', username ?? claims.sub);
    if (user.disabled_at) throw await refuse('account disabled', user.username);
    const memberships = await repo.memberships(db, user.id);
    if (hasAdminRole(memberships.flatMap((m) => m.roles)))
      throw await refuse('admin accounts sign in with password and TOTP', user.username);
    const first = memberships[0];
    if (!first) throw await refuse('the account holds no role', user.username);
    const signedIn = user;
    const session = await db.transaction().execute(async (trx) => {
      if (linked) {
        await repo.updateUserAccount(trx, signedIn.id, {
          oidc_issuer: issuer,
          oidc_subject: claims.sub,
          updated_at: now,
        });
      }
      await repo.updateUserAccount(trx, signedIn.id, { last_login_at: now, failed_attempts: 0 });
      const created = await createSession(trx, signedIn.id, first.organisationId, null, origin);
      await writeAudit(
        trx,
        {
          kind: 'user',
          id: signedIn.id,
          name: signedIn.username,
          organisationId: first.organisationId,
          role: first.roles.join(','),
          sourceIp: origin.sourceIp,
          requestId: origin.requestId,
        },
        { action: 'auth.login', objectType: 'user', objectId: signedIn.id, detail: { method: 'oidc', issuer, linked } },
      );
      return created;
    });
    return { ...session, next: attempt.next };
  }
}

function readAttempt(sealed: string | undefined): Attempt {
  try {
    if (!sealed) throw new Error('missing');
    const attempt = JSON.parse(openSecret(sealed)) as Attempt;
    if (attempt.expires < Date.now()) throw new Error('expired');
    return attempt;
  } catch {
    throw new AppError('sso_refused', 'the login attempt is missing or expired; start again / 登录已过期，请重新登录');
  }
}

/** Only a path on this site: never an absolute or protocol-relative URL (open redirect). */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}
