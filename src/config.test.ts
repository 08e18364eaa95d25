import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv/yunguan');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to development on port 8080 with the embedded database in ./data', () => {
    const config = loadConfig({}, '/srv/yunguan');
    expect(config).toMatchObject({
      env: 'development',
      port: 8080,
      host: 'localhost',
      databaseUrl: undefined,
      dataDir: '/srv/yunguan/data',
      logLevel: 'info',
      seedDemo: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('sheds load on a saturated event loop by default on PostgreSQL only, whose queries leave the loop free', () => {
    expect(loadConfig({}, '/srv/yunguan').maxEventLoopDelayMs).toBe(0);
    expect(loadConfig({ DATABASE_URL: 'postgres://db.internal/yunguan' }, '/srv/yunguan').maxEventLoopDelayMs).toBe(
      1000,
    );
    expect(loadConfig({ YUNGUAN_MAX_EVENT_LOOP_DELAY_MS: '800' }, '/srv/yunguan').maxEventLoopDelayMs).toBe(800);
  });

  it('honours PORT, HOST, YUNGUAN_DATA_DIR, LOG_LEVEL and DATABASE_URL', () => {
    const config = loadConfig(
      {
        PORT: '9090',
        HOST: '0.0.0.0',
        YUNGUAN_DATA_DIR: 'var/db',
        LOG_LEVEL: 'warn',
        DATABASE_URL: 'postgres://yunguan:secret@db.internal:5432/yunguan',
      },
      '/srv/yunguan',
    );
    expect(config).toMatchObject({
      port: 9090,
      host: '0.0.0.0',
      dataDir: '/srv/yunguan/var/db',
      logLevel: 'warn',
      databaseUrl: 'postgres://yunguan:secret@db.internal:5432/yunguan',
    });
  });

  it('folds staged utilisation samples every 300 s unless YUNGUAN_MONITORING_FOLD_SECONDS says 1 to 3600', () => {
    expect(loadConfig({}, '/srv/yunguan').monitoringFoldSeconds).toBe(300);
    expect(loadConfig({ YUNGUAN_MONITORING_FOLD_SECONDS: '60' }, '/srv/yunguan').monitoringFoldSeconds).toBe(60);
    for (const bad of ['0', '3601', '1.5', 'often']) {
      expect(errorOf({ YUNGUAN_MONITORING_FOLD_SECONDS: bad }).variable).toBe('YUNGUAN_MONITORING_FOLD_SECONDS');
    }
  });

  it('production listens on all interfaces and never seeds demo data', () => {
    const key = '0123456789abcdef0123456789abcdef';
    const audit = 'an-audit-key-of-some-length';
    const config = loadConfig({ YUNGUAN_ENV: 'production', YUNGUAN_DATA_KEY: key, YUNGUAN_AUDIT_KEY: audit });
    expect(config.host).toBe('0.0.0.0');
    expect(config.seedDemo).toBe(false);
    expect(
      errorOf({ YUNGUAN_ENV: 'production', YUNGUAN_DATA_KEY: key, YUNGUAN_AUDIT_KEY: audit, YUNGUAN_SEED_DEMO: 'true' })
        .variable,
    ).toBe('YUNGUAN_SEED_DEMO');
    expect(errorOf({ YUNGUAN_ENV: 'production', YUNGUAN_AUDIT_KEY: audit }).variable).toBe('YUNGUAN_DATA_KEY');
  });

  it('production refuses to start without an audit key, naming YUNGUAN_AUDIT_KEY', () => {
    const error = errorOf({ YUNGUAN_ENV: 'production', YUNGUAN_DATA_KEY: '0123456789abcdef0123456789abcdef' });
    expect(error.variable).toBe('YUNGUAN_AUDIT_KEY');
    expect(error.message).toMatch(/YUNGUAN_AUDIT_KEY: is required when YUNGUAN_ENV=production/);
    expect(
      errorOf({ YUNGUAN_AUDIT_SIGNING_KEY: 'xyz', YUNGUAN_AUDIT_KEY: 'an-audit-key-of-some-length' }).variable,
    ).toBe('YUNGUAN_AUDIT_SIGNING_KEY');
    expect(errorOf({ YUNGUAN_AUDIT_CHECKPOINT_DIR: '/tmp/x' }).variable).toBe('YUNGUAN_AUDIT_CHECKPOINT_DIR');
    const audited = { YUNGUAN_AUDIT_KEY: 'an-audit-key-of-some-length' };
    expect(errorOf({ ...audited, YUNGUAN_AUDIT_CHECKPOINT_URL: 'https://city.example/cp' }).variable).toBe(
      'YUNGUAN_AUDIT_CHECKPOINT_URL',
    );
    expect(
      errorOf({
        ...audited,
        YUNGUAN_AUDIT_CHECKPOINT_DIR: '/tmp/x',
        YUNGUAN_AUDIT_CHECKPOINT_URL: 'ftp://city.example/',
      }).variable,
    ).toBe('YUNGUAN_AUDIT_CHECKPOINT_URL');
  });

  it.each([
    [{ DATABASE_URL: 'not-a-url' }, 'DATABASE_URL', /is not a URL/],
    [{ DATABASE_URL: 'mysql://root@localhost/db' }, 'DATABASE_URL', /postgres:\/\//],
    [{ DATABASE_URL: 'postgres://localhost' }, 'DATABASE_URL', /names no database/],
    [{ PORT: 'eighty' }, 'PORT', /whole number/],
    [{ PORT: '70000' }, 'PORT', /between 0 and 65535/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /must be one of/],
    [{ YUNGUAN_ENV: 'staging' }, 'YUNGUAN_ENV', /development, production/],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE', /between 1 and 500/],
    [{ YUNGUAN_SEED_DEMO: 'maybe' }, 'YUNGUAN_SEED_DEMO', /true or false/],
    [{ YUNGUAN_DATA_KEY: 'short' }, 'YUNGUAN_DATA_KEY', /32 hexadecimal/],
    [{ YUNGUAN_AUDIT_KEY: 'tiny' }, 'YUNGUAN_AUDIT_KEY', /at least 16/],
    [{ YUNGUAN_OIDC_ISSUER: 'ftp://idp' }, 'YUNGUAN_OIDC_ISSUER', /http\(s\) URL/],
    [{ YUNGUAN_OIDC_ISSUER: 'https://idp.example' }, 'YUNGUAN_OIDC_CLIENT_ID', /required/],
    [{ YUNGUAN_SMTP_URL: 'http://mail.example:25' }, 'YUNGUAN_SMTP_URL', /smtp:\/\//],
    [{ YUNGUAN_MAIL_FROM: 'not an address' }, 'YUNGUAN_MAIL_FROM', /e-mail address/],
  ])('%o is refused naming %s', (env, variable, problem) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).toMatch(problem);
    expect(error.message).not.toContain('\n');
  });
});
