import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';

const root = path.join(__dirname, '..', '..');

/** The production worker entry (worker/main.ts) in a process of its own, as a deployment runs it. */
export function spawnWorkerProcess(options: {
  databaseUrl: string;
  taskQueue: string;
  dataDir: string;
  secretKey: Buffer;
  env?: Record<string, string>;
}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker', 'main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      SWITCHBOARD_DATA_DIR: options.dataDir,
      SWITCHBOARD_SECRET_KEY: options.secretKey.toString('base64'),
      SWITCHBOARD_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
