import { execFile } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import type { WorkerTestContext } from './context';

/** The `switchboard` command as an operator runs it. */
export const switchboardBin = path.join(__dirname, '..', '..', 'bin', 'switchboard.cjs');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment the CLI runs in: the test file's database, Temporal server, task queue and folder. */
export function cliEnvironment(t: WorkerTestContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: t.database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: t.worker.taskQueue,
    SWITCHBOARD_DATA_DIR: t.dir,
    ...extra,
  };
}

/** The real CLI in its own process, waited for. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [switchboardBin, ...args], { env, timeout: 60_000, ...(cwd && { cwd }) }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
