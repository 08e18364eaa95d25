import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { DEMO_PASSWORD } from '../src/modules/identity/index.ts';
import { sealSecret } from '../src/platform/crypto.ts';
import type { Db } from '../src/schema.ts';

export { DEMO_PASSWORD };

/** A signed-in browser: its session cookie and CSRF token. */
export interface Session {
  username: string;
  cookie: string;
  csrf: string;
  me: { organisation: { id: string; code: string }; roles: string[]; organisations: { id: string; code: string }[] };
}

/** A known TOTP secret for an account, as if it had enrolled. */
export async function enableTotp(db: Db, username: string): Promise<string> {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  await db
    .updateTable('user_account')
    .set({ totp_secret: sealSecret(secret), totp_enabled: true, totp_last_step: null })
    .where('username', '=', username)
    .execute();
  return secret;
}

export async function totpCode(secret: string, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
}

export function cookieOf(res: LightMyRequestResponse): string {
  const header = res.headers['set-cookie'];
  const first = (Array.isArray(header) ? header : [header ?? '']).find((c) => c.startsWith('yunguan_session='));
  if (!first) throw new Error(`no session cookie in ${res.statusCode} ${res.body}`);
  return first.split(';')[0] as string;
}

export async function login(
  app: FastifyInstance,
  username: string,
  options: { password?: string; totp?: string; organisationId?: string } = {},
): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: {
      username,
      password: options.password ?? DEMO_PASSWORD,
      totp: options.totp,
      organisationId: options.organisationId,
    },
  });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const me = res.json();
  return { username, cookie: cookieOf(res), csrf: me.csrfToken, me };
}

/** A request as the session's browser would send it: cookie, and the CSRF header on writes. */
export function as(app: FastifyInstance, session: Session | null, options: InjectOptions & { url: string }) {
  const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
  if (session) {
    headers.cookie = session.cookie;
    if (options.method && options.method !== 'GET') headers['x-csrf-token'] = session.csrf;
  }
  return app.inject({ ...options, headers });
}
