import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../worker/config';
import { startDevServer } from '../worker/dev-server';
import type { BenchSetting } from './report';
import { createBenchDatabase, describeServerSettings, resolvePostgresServer, type BenchDatabase } from './postgres';
import { checkIsWorker, startWorkerProcess, waitUntilPolling, WORKER_ENTRY, type WorkerProcess } from './worker-process';

const WORKER_START_TIMEOUT_MS = 180_000;

let built: Promise<void> | undefined;

/** `npm run build`, once per run: the import and the sync benchmarks measure the same build. */
function buildWorker(projectRoot: string, log: (message: string) => void): Promise<void> {
  if (built) return built;
  log('Building the worker (npm run build)…');
  built = promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: projectRoot, maxBuffer: 16 * 1024 * 1024 }).then(
    () => undefined,
    (error: unknown) => {
      const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`npm run build failed, so there is no worker to measure: ${message}\n${stdout}${stderr}`);
    },
  );
  return built;
}

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

  // As it ships: compiled, with the workflows bundled beforehand instead of by webpack at start.
  await buildWorker(options.projectRoot, log);
  const workflowBundle = path.join(options.projectRoot, 'dist', 'workflow-bundle.js');
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

  log(`Starting the worker (node ${WORKER_ENTRY}) on task queue ${config.taskQueue}…`);
  const profileDir = process.env.BENCH_WORKER_PROFILE === '1' ? path.join(os.tmpdir(), `switchboard-bench-profile-${randomBytes(5).toString('hex')}`) : undefined;
  // Node writes the profiles as the worker exits during the cleanup, so this is registered to run after the stop.
  if (profileDir) onCleanup('naming the CPU profiles', async () => log(`Worker CPU profiles, one per thread (for Chrome DevTools): ${profileDir}`));
  // The heap cap `npm run worker` gives the production worker.
  // Flags of an experiment (`--trace-gc`, another heap size) come after the cap, so that they can also override it.
  const extraFlags = (process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
  const nodeArgs = ['--max-old-space-size=256', ...extraFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
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
      `${config.worker.maxConcurrentWorkflowTaskExecutions} workflow tasks, pre-built workflow bundle` +
      (extraFlags.length > 0 ? `, node flags added for this run: ${extraFlags.join(' ')}` : ''),
  };
  return { database, setting, config, client, worker };
}
