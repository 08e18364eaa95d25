import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { loggerOptions } from './logging.ts';
import { seedScaleInventory } from './modules/inventory/index.ts';
import { isMonth, progressBar, settle, settlePause, yuan } from './modules/metering/index.ts';
import { SYSTEM_ACTOR, setAuditKey, verifyAuditChain } from './platform/audit/audit.ts';
import {
  checkpointKeys,
  pushCheckpoints,
  verifyAgainstCheckpoints,
  writeCheckpoint,
} from './platform/audit/checkpoint.ts';
import { setDataKey } from './platform/crypto.ts';
import {
  BackupError,
  type BackupManifest,
  backupEmbedded,
  backupPostgres,
  readManifest,
  restorePostgres,
  verifyRestore,
  writeBackup,
} from './platform/db/backup.ts';
import { requestBackup } from './platform/db/backup-control.ts';
import { DataDirLockedError, lockDataDir } from './platform/db/data-dir-lock.ts';
import { openDatabase } from './platform/db/database.ts';
import { MigrationError, migrateToLatest } from './platform/db/migrate.ts';
import type { DB } from './schema.ts';
import { seedDemo } from './seed.ts';
import { connect, startServer } from './server.ts';
import { VERSION } from './version.ts';

/** Exit codes: 0 done, 1 failed (or, for checks, the check failed), 2 bad configuration or usage. */
const EXIT_FAILED = 1;
const EXIT_CONFIG = 2;

const say = (message: string) => process.stderr.write(`${message}\n`);

function config(): Config {
  try {
    const cfg = loadConfig();
    setAuditKey(cfg.auditKey);
    setDataKey(cfg.dataKey);
    return cfg;
  } catch (error) {
    if (error instanceof ConfigError) {
      say(`yunguan: configuration error: ${error.message}`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

/** One line for a failure a user can act on; the stack only at LOG_LEVEL=debug or trace. */
function fail(error: unknown): never {
  const known = error instanceof MigrationError || error instanceof DataDirLockedError || error instanceof BackupError;
  say(`yunguan: ${error instanceof Error ? error.message : String(error)}`);
  if (!known && ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '') && error instanceof Error)
    say(error.stack ?? '');
  process.exit(EXIT_FAILED);
}

async function hasPrettyPrinter(): Promise<boolean> {
  try {
    await import('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

const program = new Command()
  .name('yunguan')
  .description('Yunguan 云管 — government cloud management platform (政务云管理平台)')
  .version(VERSION, '-v, --version')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .exitOverride((err) =>
    process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : EXIT_CONFIG),
  );

program
  .command('serve')
  .description('migrate the database, seed demo data into an empty embedded database, and serve the API and console')
  .action(async () => {
    const cfg = config();
    const where = cfg.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${cfg.dataDir}`;
    say(`yunguan ${VERSION}: ${cfg.env}, database ${where}`);
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      const log = loggerOptions(cfg, { tty: process.stdout.isTTY === true, pretty: await hasPrettyPrinter() });
      server = await startServer(cfg, { logger: log, progress: say });
    } catch (error) {
      fail(error);
    }
    say(`yunguan: console and API at ${server.url}  (API docs ${server.url}/api/docs)`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`yunguan: ${signal} received, stopping`);
      await server.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply every pending database migration')
  .action(async () => {
    const cfg = config();
    try {
      const database = await connect(cfg);
      try {
        const applied = await migrateToLatest(database.db, (name) => say(`  applied ${name}`));
        say(applied.length === 0 ? 'database is up to date' : `${applied.length} migration(s) applied`);
      } finally {
        await database.close();
      }
    } catch (error) {
      fail(error);
    }
  });

program
  .command('seed')
  .description('apply the demo data (never in production)')
  .option('--scale [count]', 'also create delivered resources across the demo units (default 100000)')
  .action(async (options: { scale?: string | boolean }) => {
    const cfg = config();
    if (cfg.env === 'production') {
      say('yunguan: demo data is never applied when YUNGUAN_ENV=production');
      process.exit(EXIT_CONFIG);
    }
    try {
      const database = await connect(cfg);
      try {
        await migrateToLatest(database.db, (name) => say(`  applied ${name}`));
        await seedDemo(database.db, (step) => say(`  ${step.name}: ${step.created} created`), { activity: true });
        if (options.scale) {
          const count = options.scale === true ? 100_000 : Number(options.scale);
          if (!Number.isSafeInteger(count) || count < 1 || count > 10_000_000) {
            say('yunguan: --scale takes a count from 1 to 10000000');
            process.exit(EXIT_CONFIG);
          }
          const made = await seedScaleInventory(database.db, SYSTEM_ACTOR, count);
          say(`  inventory at scale: ${made} resources created`);
        }
        say('demo data is in place');
      } finally {
        await database.close();
      }
    } catch (error) {
      fail(error);
    }
  });

program
  .command('settle')
  .description('compute (or recompute) the monthly statements of a city and its districts, in one transaction')
  .requiredOption('--month <YYYY-MM>', 'the month to settle (it must have ended)')
  .option('--jurisdiction <code>', 'the city', 'demo-city')
  .action(async (options: { month: string; jurisdiction: string }) => {
    const cfg = config();
    if (!isMonth(options.month)) {
      say(`yunguan: --month must be YYYY-MM, got ${options.month}`);
      process.exit(EXIT_CONFIG);
    }
    const bar = progressBar();
    try {
      // test-only: YUNGUAN_TEST_PAUSE_SETTLE=commit with NODE_ENV=test pauses before COMMIT (settlePause)
      const beforeCommit = settlePause(process.env);
      const database = await connect(cfg);
      try {
        await migrateToLatest(database.db);
        const result = await settle(
          database.db,
          { ...SYSTEM_ACTOR, name: 'yunguan settle (cli)' },
          {
            jurisdiction: options.jurisdiction,
            month: options.month,
            now: new Date(),
            progress: bar.update,
            beforeCommit,
          },
        );
        bar.done(
          `settled ${result.jurisdiction} ${result.month}: ${result.statements} statements, ${result.lines} lines ` +
            `(${result.adjustments} adjustments), total ${yuan(result.totalFen)} yuan, ${result.status}` +
            (result.changed ? '' : ' (unchanged)'),
        );
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        await database.close();
      }
    } catch (error) {
      fail(error);
    }
  });

const audit = program.command('audit').description('the tamper-evident audit trail');
audit
  .command('verify')
  .description(
    're-compute the SM3 hash chain and check it against the signed checkpoints (YUNGUAN_AUDIT_CHECKPOINT_DIR or --checkpoints); exit 0 when intact, 1 when broken',
  )
  .option('--checkpoints <dir>', 'the checkpoint directory (default YUNGUAN_AUDIT_CHECKPOINT_DIR)')
  .action(async (options: { checkpoints?: string }) => {
    const cfg = config();
    let intact = false;
    try {
      const database = await connect(cfg);
      try {
        const result = await verifyAuditChain(database.db, (checked) => say(`  ${checked} entries checked`));
        intact = result.intact;
        say(
          result.intact
            ? `audit trail intact: ${result.checked} entries${result.pending ? ` (${result.pending} of them not linked into the chain yet; their own hashes hold)` : ''}`
            : `audit trail BROKEN at entry ${result.brokenAt?.id} (${result.brokenAt?.reason}); ${result.checked} entries before it hold`,
        );
        const dir = options.checkpoints ? path.resolve(options.checkpoints) : cfg.auditCheckpointDir;
        if (dir) {
          if (!cfg.auditKey) {
            say('yunguan: checking checkpoints needs YUNGUAN_AUDIT_KEY');
            process.exit(EXIT_CONFIG);
          }
          const keys = checkpointKeys(cfg.auditKey, cfg.auditSigningKey);
          const checked = await verifyAgainstCheckpoints(database.db, dir, keys.publicKey);
          if (checked.ok)
            say(`checkpoints agree: ${checked.checkpoints} checkpoints, ${checked.covered} entries vouched for`);
          else
            say(`audit trail does NOT match its checkpoints (${checked.problem?.kind}): ${checked.problem?.message}`);
          intact = intact && checked.ok;
        } else if (cfg.env === 'production') {
          say(
            'warning: no checkpoint directory (YUNGUAN_AUDIT_CHECKPOINT_DIR): a cut tail or a rebuilt chain goes unseen',
          );
        }
      } finally {
        await database.close();
      }
    } catch (error) {
      fail(error);
    }
    process.exit(intact ? 0 : EXIT_FAILED);
  });

audit
  .command('checkpoint')
  .description('append a signed checkpoint of the chain head now (YUNGUAN_AUDIT_CHECKPOINT_DIR or --checkpoints)')
  .option('--checkpoints <dir>', 'the checkpoint directory (default YUNGUAN_AUDIT_CHECKPOINT_DIR)')
  .action(async (options: { checkpoints?: string }) => {
    const cfg = config();
    const dir = options.checkpoints ? path.resolve(options.checkpoints) : cfg.auditCheckpointDir;
    if (!dir || !cfg.auditKey) {
      say(
        'yunguan: a checkpoint needs YUNGUAN_AUDIT_KEY and a directory (YUNGUAN_AUDIT_CHECKPOINT_DIR or --checkpoints)',
      );
      process.exit(EXIT_CONFIG);
    }
    try {
      const database = await connect(cfg);
      try {
        const written = await writeCheckpoint(database.db, dir, checkpointKeys(cfg.auditKey, cfg.auditSigningKey));
        say(
          written
            ? `checkpoint written: ${written.count} entries, head ${written.headId} ${written.headHash.slice(0, 16)}…`
            : 'the audit trail is empty: no checkpoint',
        );
        if (cfg.auditCheckpointPush) {
          const pushed = await pushCheckpoints(dir, cfg.auditCheckpointPush);
          say(
            pushed.error
              ? `checkpoints not pushed to ${cfg.auditCheckpointPush.url}: ${pushed.error} (${pushed.pending} waiting; the server retries)`
              : `checkpoints pushed to ${cfg.auditCheckpointPush.url}: ${pushed.pushed}`,
          );
        }
      } finally {
        await database.close();
      }
    } catch (error) {
      fail(error);
    }
  });

program
  .command('backup')
  .description(
    'back up the database into a new folder (manifest + dump); the embedded database may be in use by a running server',
  )
  .requiredOption('--out <dir>', 'the folder to create (must not exist or be empty)')
  .action(async (options: { out: string }) => {
    const cfg = config();
    try {
      const out = path.resolve(options.out);
      let manifest: BackupManifest;
      if (cfg.databaseUrl) {
        manifest = await backupPostgres(cfg.databaseUrl, out, VERSION);
      } else {
        const fromServer = await requestBackup(cfg.dataDir);
        if (fromServer) say('the embedded database is in use: the running server takes the backup');
        const taken = fromServer ?? (await backupOpened(cfg));
        writeBackup(out, taken.manifest, taken.archive);
        manifest = taken.manifest;
      }
      const rows = Object.values(manifest.counts).reduce((a, b) => a + b, 0);
      say(
        `backup in ${out}: ${Object.keys(manifest.counts).length} tables, ${rows} rows, ${manifest.audit.entries} audit entries`,
      );
      process.stdout.write(
        `${JSON.stringify({ out, engine: manifest.engine, rows, auditEntries: manifest.audit.entries })}\n`,
      );
    } catch (error) {
      fail(error);
    }
  });

async function backupOpened(cfg: Config) {
  const database = await connect(cfg);
  try {
    return await backupEmbedded(database, VERSION);
  } finally {
    await database.close();
  }
}

program
  .command('restore')
  .description(
    'restore a backup into an empty database (DATABASE_URL) or an empty data folder, then check counts, the audit chain and tenant isolation',
  )
  .requiredOption('--from <dir>', 'the backup folder (made by yunguan backup)')
  .action(async (options: { from: string }) => {
    const cfg = config();
    try {
      const from = path.resolve(options.from);
      const manifest = readManifest(from);
      let check: Awaited<ReturnType<typeof verifyRestore>>;
      if (cfg.databaseUrl) {
        if (manifest.engine !== 'postgres')
          throw new BackupError('this backup is of the embedded database; unset DATABASE_URL');
        await restorePostgres(cfg.databaseUrl, from, manifest);
        const url = new URL(cfg.databaseUrl);
        if (manifest.schema !== 'public' && !url.searchParams.has('options')) {
          url.searchParams.set('options', `-c search_path=${manifest.schema}`);
          say(
            `restored into schema ${manifest.schema}: add ?options=-c%20search_path%3D${manifest.schema} to DATABASE_URL`,
          );
        }
        const database = await openDatabase<DB>({ url: url.toString(), poolSize: 1 });
        try {
          check = await verifyRestore(database, manifest);
        } finally {
          await database.close();
        }
      } else {
        if (manifest.engine !== 'pglite') throw new BackupError('this backup is of PostgreSQL; set DATABASE_URL');
        if (existsSync(cfg.dataDir) && readdirSync(cfg.dataDir).length > 0) {
          throw new BackupError(`${cfg.dataDir} is not empty: restore into a new data folder (YUNGUAN_DATA_DIR)`);
        }
        const unlock = lockDataDir(cfg.dataDir);
        try {
          const archive = new Blob([readFileSync(path.join(from, manifest.file))]);
          const database = await openDatabase<DB>({ dataDir: cfg.dataDir, loadDataDir: archive });
          try {
            check = await verifyRestore(database, manifest);
          } finally {
            await database.close();
          }
        } finally {
          unlock();
        }
      }
      const rows = Object.values(check.counts).reduce((a, b) => a + b, 0);
      say(
        `restored and checked: ${rows} rows as in the backup, audit chain intact (${check.auditEntries} entries), tenant isolation in place`,
      );
      process.stdout.write(
        `${JSON.stringify({ restored: true, engine: manifest.engine, rows, auditEntries: check.auditEntries })}\n`,
      );
    } catch (error) {
      fail(error);
    }
  });

await program.parseAsync(process.argv);
