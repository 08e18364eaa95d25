import type { Config } from './config.ts';

/**
 * Fastify's logger settings: in development, lines a person can scan (pino-pretty: time, level, message,
 * then the fields), coloured on a terminal; in production, one JSON object per line for the log shipper
 * (docs/operations.md). pino-pretty is a development dependency: without it (a production install), JSON.
 */
export function loggerOptions(config: Pick<Config, 'env' | 'logLevel'>, options: { tty: boolean; pretty: boolean }) {
  if (config.env !== 'development' || !options.pretty) return { level: config.logLevel };
  return {
    level: config.logLevel,
    transport: {
      target: 'pino-pretty',
      options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', colorize: options.tty, singleLine: true },
    },
  };
}
