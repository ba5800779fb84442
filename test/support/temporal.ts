import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Database } from '../../db/client';
import type { SyncTuning } from '../../activities/sync';
import { loadConfig, type ProviderConfig } from '../../worker/config';
import { createSecretBox } from '../../worker/secret-box';
import { createSwitchboardWorker } from '../../worker/worker';

export interface TestWorker {
  client: Client;
  taskQueue: string;
  worker: Worker;
  /** Starts a workflow on this worker's queue and waits for its result. */
  execute<T>(type: string, input: unknown, workflowId?: string): Promise<T>;
  close(): Promise<void>;
}

export const testSecretKey = Buffer.alloc(32, 7);

let runtimeInstalled = false;

/** A real worker on a task queue of its own, polling the shared dev server until close(). */
export async function startTestWorker(
  database: Database,
  options: { providers?: ProviderConfig; sync?: SyncTuning } = {},
): Promise<TestWorker> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const address = inject('temporalAddress');
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const nativeConnection = await NativeConnection.connect({ address });
  // The worker's copies of files it re-encodes and its fallback error reports, removed with the worker.
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-test-work-'));
  const worker = await createSwitchboardWorker({
    config: {
      temporalNamespace: 'default',
      taskQueue,
      worker: { maxCachedWorkflows: 50, maxConcurrentActivityTaskExecutions: 10, maxConcurrentWorkflowTaskExecutions: 10, shutdownGraceSeconds: 2 },
      providers: options.providers ?? loadConfig({}).providers,
    },
    sync: options.sync,
    connection: nativeConnection,
    database,
    secretBox: createSecretBox(testSecretKey),
    workDir,
    workflowBundlePath: inject('workflowBundlePath'),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    client,
    taskQueue,
    worker,
    execute: <T>(type: string, input: unknown, workflowId?: string) =>
      client.workflow.execute(type, {
        args: [input],
        taskQueue,
        workflowId: workflowId ?? `${type}-${randomBytes(8).toString('hex')}`,
      }) as Promise<T>,
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
