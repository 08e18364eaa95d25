import path from 'node:path';

/** The only reader of process.env. Every value is validated once, at start, and the result is frozen. */
export interface Config {
  readonly env: 'development' | 'production';
  readonly host: string;
  readonly port: number;
  /** postgres:// URL of a real PostgreSQL; undefined means the embedded PGlite database. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly databasePoolSize: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Folder of the built console; served at `/` when it exists. */
  readonly webDir: string;
  /** Whether `serve` seeds the demo jurisdiction into an empty embedded database. */
  readonly seedDemo: boolean;
  /** HMAC-SM3 key for the audit chain; plain SM3 without it. Required in production. */
  readonly auditKey: string | undefined;
  /** where signed checkpoints of the audit chain are appended (outside the database); undefined: none */
  readonly auditCheckpointDir: string | undefined;
  /** minutes between periodic checkpoints */
  readonly auditCheckpointMinutes: number;
  /** a first `serve` on an empty data folder copies the template `npm ci` made (platform/db/embedded-template.ts) */
  readonly embeddedTemplate: boolean;
  /** where signed checkpoints are also sent (a webhook, or the city installation) */
  readonly auditCheckpointPush: { url: string; token?: string } | undefined;
  /** SM2 private key (64 hex digits) signing checkpoints; derived from the audit key when not given */
  readonly auditSigningKey: string | undefined;
  /** SM4 key (32 hex digits) sealing secrets stored in the database; required in production. */
  readonly dataKey: string | undefined;
  /** Single sign-on with the unified identity platform (统一身份认证); undefined when not configured. */
  readonly oidc: OidcConfig | undefined;
  /** smtp(s)://user:pass@host:port of the mail relay; undefined: no e-mail is sent */
  readonly smtpUrl: string | undefined;
  /** the From address of e-mail notifications */
  readonly mailFrom: string;
  /** how often staged utilisation samples are folded into the hourly rollups (seconds) */
  readonly monitoringFoldSeconds: number;
  /** load shedding: mean event-loop delay (ms) above which requests get 503 service_busy; 0: off */
  readonly maxEventLoopDelayMs: number;
  /** load shedding: queries waiting for a database connection above which requests get 503; 0: off */
  readonly maxDatabaseQueue: number;
  /** request limits shared by all instances (platform/http/rate-limit.ts), per minute */
  readonly rateLimits: { loginPerMinute: number; credentialPerMinute: number; machinePerMinute: number };
  /** addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed; empty: the header is ignored */
  readonly trustedProxies: readonly string[];
  /** bearer token /metrics needs; required in production unless metrics are off (`off`) */
  readonly metricsToken: string | undefined;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** where the provider sends the browser back: <public URL>/api/v1/auth/oidc/callback */
  readonly redirectUri: string;
  /** the claim matched to a local user name */
  readonly usernameClaim: string;
}

/** A bad environment variable: the message names the variable and what is wrong, on one line. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function integer(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL; expected postgres://user[:password]@host[:port]/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL', `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new ConfigError('DATABASE_URL', 'names no host');
  }
  if (url.pathname.length <= 1) throw new ConfigError('DATABASE_URL', 'names no database');
  return raw;
}

function url(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw;
}

function smtpUrl(env: Env): string | undefined {
  const raw = env.YUNGUAN_SMTP_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('YUNGUAN_SMTP_URL', 'is not a URL; expected smtp://user:pass@host:port');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new ConfigError('YUNGUAN_SMTP_URL', `must use smtp:// or smtps://, got "${parsed.protocol}"`);
  }
  if (!parsed.hostname) throw new ConfigError('YUNGUAN_SMTP_URL', 'names no host');
  return raw;
}

function checkpointPush(env: Env): { url: string; token?: string } | undefined {
  const raw = env.YUNGUAN_AUDIT_CHECKPOINT_URL?.trim();
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('YUNGUAN_AUDIT_CHECKPOINT_URL', 'is not a URL; expected https://host/path');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError('YUNGUAN_AUDIT_CHECKPOINT_URL', `must use https:// or http://, got "${parsed.protocol}"`);
  }
  const token = env.YUNGUAN_AUDIT_CHECKPOINT_TOKEN?.trim();
  return token ? { url: raw, token } : { url: raw };
}

function mailFrom(env: Env): string {
  const raw = env.YUNGUAN_MAIL_FROM?.trim() || 'Yunguan <noreply@yunguan.local>';
  if (!/^([^<>@\s][^<>]*<)?[^<>@\s]+@[^<>@\s]+>?$/.test(raw) || /[\r\n]/.test(raw)) {
    throw new ConfigError('YUNGUAN_MAIL_FROM', `must be an e-mail address (optionally "Name <address>"), got "${raw}"`);
  }
  return raw;
}

function oidc(env: Env): OidcConfig | undefined {
  const issuer = url(env, 'YUNGUAN_OIDC_ISSUER');
  if (!issuer) return undefined;
  const clientId = env.YUNGUAN_OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new ConfigError('YUNGUAN_OIDC_CLIENT_ID', 'is required when YUNGUAN_OIDC_ISSUER is set');
  const clientSecret = env.YUNGUAN_OIDC_CLIENT_SECRET?.trim();
  if (!clientSecret) throw new ConfigError('YUNGUAN_OIDC_CLIENT_SECRET', 'is required when YUNGUAN_OIDC_ISSUER is set');
  const redirectUri = url(env, 'YUNGUAN_OIDC_REDIRECT_URI');
  if (!redirectUri) throw new ConfigError('YUNGUAN_OIDC_REDIRECT_URI', 'is required when YUNGUAN_OIDC_ISSUER is set');
  return {
    issuer,
    clientId,
    clientSecret,
    redirectUri,
    usernameClaim: env.YUNGUAN_OIDC_USERNAME_CLAIM?.trim() || 'preferred_username',
  };
}

function trustedProxies(env: Env): string[] {
  const raw = env.YUNGUAN_TRUSTED_PROXIES?.trim();
  if (!raw) return [];
  const list = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of list) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry))
      throw new ConfigError('YUNGUAN_TRUSTED_PROXIES', `must list addresses or CIDRs, got "${entry}"`);
  }
  return list;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const mode = oneOf(env, 'YUNGUAN_ENV', ['development', 'production'], 'development');
  const host = env.HOST?.trim() || (mode === 'production' ? '0.0.0.0' : 'localhost');
  if (/\s/.test(host)) throw new ConfigError('HOST', `must be a host name or address, got "${host}"`);
  const dataDir = path.resolve(cwd, env.YUNGUAN_DATA_DIR?.trim() || 'data');
  const config: Config = {
    env: mode,
    host,
    port: integer(env, 'PORT', 0, 65535, 8080),
    databaseUrl: databaseUrl(env),
    dataDir,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 1, 500, 10),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    webDir: path.resolve(cwd, env.YUNGUAN_WEB_DIR?.trim() || 'web/dist'),
    seedDemo: boolean(env, 'YUNGUAN_SEED_DEMO', mode !== 'production'),
    embeddedTemplate: boolean(env, 'YUNGUAN_EMBEDDED_TEMPLATE', true),
    auditKey: env.YUNGUAN_AUDIT_KEY?.trim() || undefined,
    auditCheckpointDir: env.YUNGUAN_AUDIT_CHECKPOINT_DIR?.trim()
      ? path.resolve(cwd, env.YUNGUAN_AUDIT_CHECKPOINT_DIR.trim())
      : undefined,
    auditCheckpointMinutes: integer(env, 'YUNGUAN_AUDIT_CHECKPOINT_MINUTES', 1, 1440, 5),
    auditCheckpointPush: checkpointPush(env),
    auditSigningKey: env.YUNGUAN_AUDIT_SIGNING_KEY?.trim() || undefined,
    dataKey: env.YUNGUAN_DATA_KEY?.trim() || undefined,
    oidc: oidc(env),
    smtpUrl: smtpUrl(env),
    mailFrom: mailFrom(env),
    monitoringFoldSeconds: integer(env, 'YUNGUAN_MONITORING_FOLD_SECONDS', 1, 3600, 300),
    // The embedded database runs its queries on the event loop: a long query looks like saturation, and a
    // single embedded instance has no other instance to send the load to. Off there unless asked for.
    maxEventLoopDelayMs: integer(env, 'YUNGUAN_MAX_EVENT_LOOP_DELAY_MS', 0, 60_000, databaseUrl(env) ? 1000 : 0),
    maxDatabaseQueue: integer(env, 'YUNGUAN_MAX_DB_QUEUE', 0, 100_000, 200),
    rateLimits: {
      loginPerMinute: integer(env, 'YUNGUAN_RATE_LIMIT_LOGIN', 1, 1_000_000, 60),
      credentialPerMinute: integer(env, 'YUNGUAN_RATE_LIMIT_CREDENTIALS', 1, 1_000_000, 30),
      machinePerMinute: integer(env, 'YUNGUAN_RATE_LIMIT_MACHINE', 1, 10_000_000, 6000),
    },
    trustedProxies: trustedProxies(env),
    metricsToken: env.YUNGUAN_METRICS_TOKEN?.trim() || undefined,
  };
  if (config.dataKey !== undefined && !/^[0-9a-fA-F]{32}$/.test(config.dataKey)) {
    throw new ConfigError('YUNGUAN_DATA_KEY', 'must be 32 hexadecimal digits (a 128-bit SM4 key)');
  }
  if (config.env === 'production' && config.dataKey === undefined) {
    throw new ConfigError('YUNGUAN_DATA_KEY', 'is required when YUNGUAN_ENV=production');
  }
  if (config.auditKey !== undefined && config.auditKey.length < 16) {
    throw new ConfigError('YUNGUAN_AUDIT_KEY', 'must be at least 16 characters');
  }
  // Without a key the chain is plain SM3: anyone who can write to the database could rebuild it.
  if (config.env === 'production' && config.auditKey === undefined) {
    throw new ConfigError(
      'YUNGUAN_AUDIT_KEY',
      'is required when YUNGUAN_ENV=production (at least 16 characters, kept outside the database)',
    );
  }
  if (config.auditSigningKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(config.auditSigningKey)) {
    throw new ConfigError('YUNGUAN_AUDIT_SIGNING_KEY', 'must be 64 hexadecimal digits (an SM2 private key)');
  }
  if (config.auditCheckpointPush && config.auditCheckpointDir === undefined) {
    throw new ConfigError(
      'YUNGUAN_AUDIT_CHECKPOINT_URL',
      'needs YUNGUAN_AUDIT_CHECKPOINT_DIR (what is pushed is written there first)',
    );
  }
  if (config.auditCheckpointDir !== undefined && config.auditKey === undefined) {
    throw new ConfigError('YUNGUAN_AUDIT_CHECKPOINT_DIR', 'needs YUNGUAN_AUDIT_KEY (checkpoints are signed with it)');
  }
  if (config.env === 'production' && config.seedDemo) {
    throw new ConfigError('YUNGUAN_SEED_DEMO', 'demo data is never applied when YUNGUAN_ENV=production');
  }
  return Object.freeze(config);
}
