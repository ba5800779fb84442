/**
 * `npm start`: Switchboard on this machine with embedded defaults. A Temporal dev server (unless TEMPORAL_ADDRESS is
 * set) and an embedded Postgres (unless DATABASE_URL is set), both keeping their data in SWITCHBOARD_DATA_DIR; then
 * migrations and the worker. Ctrl-C stops all of it.
 */
import { NativeConnection } from '@temporalio/worker';
import path from 'node:path';
import { openDatabase, runMigrations } from '../db/client';
import { ConfigError, loadConfig } from './config';
import { startDevServer, type DevServer } from './dev-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { createLogger } from './logger';
import { installTemporalRuntime, removeLocalRuntimeInfo, writeLocalRuntimeInfo } from './runtime';
import { createSecretBox, loadOrCreateLocalSecretKey } from './secret-box';
import { startConfiguredWebhooks } from './sync-webhooks';
import { createSwitchboardWorker, ensureSearchAttributes } from './worker';
import { answersOnPort } from './ports';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const log = (message: string) => logger.info(message);
  installTemporalRuntime(logger);
  const dataDir = path.resolve(config.dataDir);
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => logger.warn({ err: error }, 'cleanup failed'));
  };

  try {
    const secretKey = config.secretKey ?? (await loadOrCreateLocalSecretKey(dataDir));

    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      log(`Starting embedded Postgres on port ${config.embeddedPostgresPort} (data in ${path.join(dataDir, 'postgres')})`);
      const postgres: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, port: config.embeddedPostgresPort, log });
      cleanups.push(() => postgres.stop());
      databaseUrl = postgres.url;
    }
    await runMigrations(databaseUrl);
    const database = openDatabase(databaseUrl);
    cleanups.push(() => database.close());

    let temporalAddress = config.temporalAddress;
    let uiUrl: string | undefined;
    if (!config.temporalAddressGiven && (await answersOnPort('127.0.0.1', 7233))) {
      log('A server already answers on localhost:7233: using it as Temporal (set TEMPORAL_ADDRESS to choose another)');
    } else if (!config.temporalAddressGiven) {
      log('Starting the Temporal dev server');
      const server: DevServer = await startDevServer({
        port: 7233,
        uiPort: config.temporalUiPort,
        dbFilename: path.join(dataDir, 'temporal.db'),
        namespace: config.temporalNamespace,
        log,
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }
    await ensureSearchAttributes(temporalAddress, config.temporalNamespace, logger);

    const connection = await NativeConnection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    const worker = await createSwitchboardWorker({ config, connection, database, secretBox: createSecretBox(secretKey), workDir: path.join(dataDir, 'work') });
    await writeLocalRuntimeInfo(dataDir, {
      databaseUrl,
      temporalAddress,
      temporalNamespace: config.temporalNamespace,
      taskQueue: config.taskQueue,
      uiUrl,
      pid: process.pid,
    });
    cleanups.push(() => removeLocalRuntimeInfo(dataDir));
    const stopWebhooks = await startConfiguredWebhooks({ config: { ...config, temporalAddress }, sql: database.sql, logger });
    if (stopWebhooks) cleanups.push(stopWebhooks);

    logger.info({ temporalAddress, taskQueue: config.taskQueue, ui: uiUrl }, 'Switchboard is running');
    process.stdout.write(
      `\nSwitchboard is running: worker polling task queue '${config.taskQueue}' on ${temporalAddress}` +
        (uiUrl ? `\nTemporal UI: ${uiUrl}` : '') +
        '\nPress Ctrl-C to stop.\n\n',
    );
    // The Temporal runtime shuts the worker down on SIGINT/SIGTERM; run() then resolves once in-flight work is done.
    await worker.run();
    log('Worker stopped; shutting down');
  } finally {
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`switchboard: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
