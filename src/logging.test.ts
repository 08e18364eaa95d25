import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logging.ts';

describe('log format', () => {
  it('is pino-pretty in development and JSON in production', () => {
    expect(loggerOptions({ env: 'development', logLevel: 'info' }, { tty: true, pretty: true })).toMatchObject({
      level: 'info',
      transport: { target: 'pino-pretty', options: { colorize: true } },
    });
    expect(loggerOptions({ env: 'development', logLevel: 'debug' }, { tty: false, pretty: true })).toMatchObject({
      transport: { options: { colorize: false } },
    });
    expect(loggerOptions({ env: 'production', logLevel: 'info' }, { tty: true, pretty: true })).toEqual({
      level: 'info',
    });
    // A production install has no pino-pretty: JSON even in development.
    expect(loggerOptions({ env: 'development', logLevel: 'info' }, { tty: true, pretty: false })).toEqual({
      level: 'info',
    });
  });
});
