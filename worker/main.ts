/**
 * The production worker: everything from the environment, nothing started on the side. Run migrations first with
 * `npm run db:migrate`.
 */
import { NativeConnection } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../db/client';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { installTemporalRuntime } from './runtime';
import { createSecretBox, loadOrCreateLocalSecretKey } from './secret-box';
import { startConfiguredWebhooks } from './sync-webhooks';
import { createSwitchboardWorker, ensureSearchAttributes } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  installTemporalRuntime(logger);
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to run the worker on its own (or use `npm start`)']);
  const secretKey = config.secretKey ?? (await loadOrCreateLocalSecretKey(path.resolve(config.dataDir)));
  const database = openDatabase(config.databaseUrl);
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporalAddress });
  } catch (error) {
    throw new ConfigError([`cannot reach Temporal at TEMPORAL_ADDRESS=${config.temporalAddress}: ${(error as Error).message}`]);
  }
  await ensureSearchAttributes(config.temporalAddress, config.temporalNamespace, logger);
  // Compiled (npm run build): the pre-bundled workflows beside it; from source: bundled at start, unless told where.
  const builtBundle = path.join(__dirname, '..', 'workflow-bundle.js');
  const bundle = process.env.SWITCHBOARD_WORKFLOW_BUNDLE ?? (__filename.endsWith('.js') && existsSync(builtBundle) ? builtBundle : undefined);
  try {
    const worker = await createSwitchboardWorker({
      config,
      connection,
      database,
      secretBox: createSecretBox(secretKey),
      workDir: path.resolve(config.dataDir, 'work'),
      workflowBundlePath: bundle,
    });
    logger.info({ temporalAddress: config.temporalAddress, taskQueue: config.taskQueue }, 'worker started');
    const stopWebhooks = await startConfiguredWebhooks({ config, sql: database.sql, logger });
    try {
      await worker.run();
    } finally {
      await stopWebhooks?.();
    }
  } finally {
    await connection.close();
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`switchboard worker: ${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
