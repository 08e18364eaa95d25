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
  };
  if (config.env === 'production' && config.seedDemo) {
    throw new ConfigError('YUNGUAN_SEED_DEMO', 'demo data is never applied when YUNGUAN_ENV=production');
  }
  return Object.freeze(config);
}
