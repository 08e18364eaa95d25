import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp, JOBS } from './app.ts';
import type { Config } from './config.ts';
import { registerFulfilment } from './modules/provisioning/index.ts';
import { countJurisdictions } from './modules/tenancy/index.ts';
import { serveBackupControl } from './platform/db/backup-control.ts';
import { lockDataDir } from './platform/db/data-dir-lock.ts';
import { type Database, openDatabase } from './platform/db/database.ts';
import { DEMO_TEMPLATE_DIR, EMBEDDED_TEMPLATE_DIR, initialiseFromTemplate } from './platform/db/embedded-template.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { startJobs } from './platform/jobs/jobs.ts';
import { type Clock, systemClock } from './platform/time/clock.ts';
import type { DB } from './schema.ts';
import { disableDemoAccounts, seedDemo } from './seed.ts';
import { VERSION } from './version.ts';

export type Progress = (message: string) => void;

/**
 * Opens the configured database: PostgreSQL when DATABASE_URL is set, else PGlite in the data folder. With
 * `template`, an empty data folder is first filled from it (platform/db/embedded-template.ts).
 */
export async function connect(config: Config, options: { template?: string } = {}): Promise<Database<DB>> {
  if (config.databaseUrl) return openDatabase<DB>({ url: config.databaseUrl, poolSize: config.databasePoolSize });
  const unlock = lockDataDir(config.dataDir);
  try {
    const copied = options.template ? initialiseFromTemplate(config.dataDir, options.template) : false;
    const database = await openDatabase<DB>({ dataDir: config.dataDir });
    return {
      ...database,
      copiedFromTemplate: copied,
      close: async () => {
        await database.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

export interface RunningServer {
  app: FastifyInstance;
  database: Database<DB>;
  url: string;
  close(): Promise<void>;
}

/**
 * Start-up: migrate, seed the demo into an empty embedded database (never in production), listen.
 * Used by `yunguan serve` and by the browser tests.
 */
export async function startServer(
  config: Config,
  options: {
    logger?: FastifyServerOptions['logger'];
    progress?: Progress;
    /** where the first start's templates are (tests); npm ci's cache by default */
    templates?: { demo: string; migrated: string };
    /** where "now" comes from (the browser tests may run the server on a displaced clock); the system's by default */
    clock?: Clock;
  } = {},
): Promise<RunningServer> {
  const progress = options.progress ?? (() => {});
  // A first start copies a template `npm ci` made: the demo one where the demo is shown and no audit key is
  // set (its entries were chained without one), else the migrated one.
  const templates = options.templates ?? { demo: DEMO_TEMPLATE_DIR, migrated: EMBEDDED_TEMPLATE_DIR };
  const database = await connect(config, {
    template: !config.embeddedTemplate
      ? undefined
      : config.seedDemo && !config.auditKey
        ? templates.demo
        : templates.migrated,
  });
  if (database.copiedFromTemplate) progress('database: copied from the template made at installation');
  try {
    await migrateToLatest(database.db, (name) => progress(`migration applied: ${name}`));
    if (config.seedDemo && database.kind === 'pglite' && (await countJurisdictions(database.db)) === 0) {
      await seedDemo(database.db, (step) => progress(`demo data: ${step.name} (${step.created} created)`), {
        activity: true,
      });
    }
    if (config.env === 'production') {
      const disabled = await disableDemoAccounts(database.db);
      if (disabled > 0) progress(`production: ${disabled} demo account(s) disabled`);
    }
    // Providers fulfil orders: every fulfilment step that opens becomes work orders (modules/provisioning).
    registerFulfilment();
    const clock = options.clock ?? systemClock;
    const app = await buildApp({ config, database, logger: options.logger, clock });
    const address = await app.listen({ host: config.host, port: config.port });
    // Only PostgreSQL can have several instances; there a job's run holds an advisory lock.
    const jobs = startJobs(database.db, JOBS, clock, app.log, { lock: database.kind === 'postgres' });
    // `yunguan backup` of the embedded database while this process holds it (platform/db/backup-control.ts).
    const stopControl =
      database.kind === 'pglite' ? await serveBackupControl(config.dataDir, database, VERSION) : async () => {};
    const port = new URL(address).port;
    const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
    return {
      app,
      database,
      url,
      close: async () => {
        await stopControl();
        await jobs.stop();
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
