import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../worker/config';
import { startDevServer } from '../worker/dev-server';
import { workflowsPath } from '../worker/worker';
import type { BenchSetting } from './report';
import { createBenchDatabase, describeServerSettings, resolvePostgresServer, type BenchDatabase } from './postgres';
import { checkIsWorker, startWorkerProcess, waitUntilPolling, type WorkerProcess } from './worker-process';

// Bundling the workflows from source with webpack takes a while on a busy 2-core machine.
const WORKER_START_TIMEOUT_MS = 180_000;

export interface BenchStack {
  database: BenchDatabase;
  /** What the run is on, for the report. */
  setting: BenchSetting;
  config: Config;
  client: Client;
  worker: WorkerProcess;
}

/**
 * What every benchmark runs on: a Postgres (DATABASE_URL, the local one or an embedded one) with a fresh migrated
 * database, a Temporal server (TEMPORAL_ADDRESS or a dev server), and the production worker entry in a process of its
 * own with pre-bundled workflows, polling a queue of the run's own. Everything is undone through `onCleanup`.
 */
export async function startBenchStack(options: {
  scratch: string;
  projectRoot: string;
  log: (message: string) => void;
  onCleanup: (what: string, run: () => Promise<unknown>) => void;
  taskQueuePrefix: string;
  secretKey?: Buffer;
  /** Settings of the worker beyond the common ones (provider endpoints…). */
  workerEnv?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
}): Promise<BenchStack> {
  const { scratch, log, onCleanup } = options;
  const server = await resolvePostgresServer(scratch, log);
  if (server.stop) onCleanup('stopping the embedded Postgres', server.stop);
  const database = await createBenchDatabase(server.adminUrl);
  onCleanup(`dropping database ${database.name}`, () => database.drop());
  const postgresSetting = `${server.description} (${await describeServerSettings(database.url)})`;
  log(`Postgres: ${postgresSetting}, database ${database.name} (migrated)`);

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  const temporalDescription = temporalAddress ? `TEMPORAL_ADDRESS=${temporalAddress}` : 'dev server started for the run';
  if (!temporalAddress) {
    log('Starting a Temporal dev server…');
    const devServer = await startDevServer({ log });
    onCleanup('stopping the Temporal dev server', () => devServer.stop());
    temporalAddress = devServer.address;
  }
  log(`Temporal: ${temporalAddress}`);

  // As `npm run build` ships it: the worker loads pre-bundled workflows instead of running webpack at start.
  const workflowBundle = path.join(scratch, 'workflow-bundle.js');
  await writeFile(workflowBundle, (await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') })).code);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHBOARD_WORKFLOW_BUNDLE: workflowBundle,
    SWITCHBOARD_MODE: 'local',
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `${options.taskQueuePrefix}-${randomBytes(5).toString('hex')}`,
    SWITCHBOARD_DATA_DIR: path.join(scratch, 'worker'),
    SWITCHBOARD_SECRET_KEY: (options.secretKey ?? randomBytes(32)).toString('base64'),
    LOG_LEVEL: 'warn',
    // Stopping the worker at the end (or on Ctrl-C) need not wait the production default of 30 s for a chunk.
    WORKER_SHUTDOWN_GRACE_SECONDS: process.env.WORKER_SHUTDOWN_GRACE_SECONDS ?? '5',
    ...options.workerEnv,
  };
  // The project's own reading of the worker's environment: bad settings fail here, and the report names them.
  const config = loadConfig(env);
  await mkdir(path.join(scratch, 'worker'), { recursive: true });

  const connection = await Connection.connect({ address: temporalAddress });
  onCleanup('closing the Temporal client', () => connection.close());
  const client = new Client({ connection, namespace: config.temporalNamespace });

  log(`Starting the worker (node --import tsx ${path.join('worker', 'main.ts')}) on task queue ${config.taskQueue}…`);
  // The heap cap `npm run worker` gives the production worker.
  const nodeArgs = ['--max-old-space-size=256', ...(options.nodeArgs ?? [])];
  const worker = startWorkerProcess({ projectRoot: options.projectRoot, env, nodeArgs, log });
  onCleanup('stopping the worker', () => worker.stop());
  await waitUntilPolling(client, { namespace: config.temporalNamespace, taskQueue: config.taskQueue, worker, timeoutMs: WORKER_START_TIMEOUT_MS });
  checkIsWorker(worker.pid);
  const setting: BenchSetting = {
    postgres: postgresSetting,
    temporal: temporalDescription,
    cores: os.availableParallelism(),
    node: process.version,
    worker:
      `${config.worker.maxConcurrentActivityTaskExecutions} concurrent activities, ` +
      `${config.worker.maxConcurrentWorkflowTaskExecutions} workflow tasks, pre-built workflow bundle`,
  };
  return { database, setting, config, client, worker };
}
