/**
 * The production worker entry run as a child process, as an operator runs it (`npm run build`, then `npm run worker`),
 * so that its memory and CPU are its own and not the benchmark's, and none of them go to compiling TypeScript.
 */
import type { Client } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLineOf } from './proc';

export const WORKER_ENTRY = 'dist/worker/main.js';
const STOP_GRACE_MS = 15_000;

export interface WorkerProcess {
  pid: number;
  /** Rejects as soon as the worker exits by itself: anything waiting on the worker should race it. */
  exited: Promise<never>;
  stop(): Promise<void>;
}

function prefixLines(stream: Readable, write: (line: string) => void): void {
  createInterface({ input: stream }).on('line', write);
}

export function startWorkerProcess(options: {
  projectRoot: string;
  env: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. --cpu-prof to see where the worker spends its time. */
  nodeArgs?: readonly string[];
  log: (line: string) => void;
}): WorkerProcess {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), WORKER_ENTRY], {
    cwd: options.projectRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${WORKER_ENTRY}`);
  const pid = child.pid;
  if (child.stdout) prefixLines(child.stdout, (line) => options.log(`[worker] ${line}`));
  if (child.stderr) prefixLines(child.stderr, (line) => options.log(`[worker] ${line}`));

  let stopping = false;
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`the worker exited by itself (${signal ?? `code ${code}`}); its output is above`));
    });
    child.once('error', (error) => reject(new Error(`the worker could not run: ${error.message}`)));
  });
  // Nobody may be racing it at the moment it fails; the rejection is still seen by whoever races it next.
  exited.catch(() => undefined);

  return {
    pid,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      // SIGTERM is the worker's own graceful stop; a chunk under way gets a few seconds, then it is killed.
      child.kill('SIGTERM');
      const stoppedInTime = await Promise.race([ended.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
      if (!stoppedInTime) {
        child.kill('SIGKILL');
        await ended;
      }
    },
  };
}

/** Makes sure the pid read for memory is the worker itself and not a launcher in front of it. */
export function checkIsWorker(pid: number): void {
  const commandLine = commandLineOf(pid) ?? '';
  if (!commandLine.includes(WORKER_ENTRY)) {
    throw new Error(`process ${pid} is not the worker (its command line is '${commandLine}'): its memory would not be the worker's`);
  }
}

// temporal.api.enums.v1.TaskQueueType: WORKFLOW = 1, ACTIVITY = 2.
const TASK_QUEUE_TYPES = [1, 2] as const;

/**
 * Waits until the worker polls the task queue for both workflow and activity tasks: from then on a workflow started
 * is picked up at once, so the import's time holds no worker start-up (which bundles the workflows from source).
 */
export async function waitUntilPolling(
  client: Client,
  options: { namespace: string; taskQueue: string; worker: WorkerProcess; timeoutMs: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const polling = async () => {
    for (const taskQueueType of TASK_QUEUE_TYPES) {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: options.namespace,
        taskQueue: { name: options.taskQueue },
        taskQueueType,
      });
      if (pollers.length === 0) return false;
    }
    return true;
  };
  while (!(await Promise.race([polling(), options.worker.exited]))) {
    if (Date.now() > deadline) throw new Error(`the worker did not poll task queue '${options.taskQueue}' within ${options.timeoutMs / 1000} s`);
    await Promise.race([sleep(500), options.worker.exited]);
  }
}
