import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import path from 'node:path';
import { createActivities } from '../activities';
import type { WorkflowStatusOf } from '../activities/undo-import';
import { syncDependencies, type SyncTuning } from '../activities/sync';
import type { Database } from '../db/client';
import { switchboardSearchAttributes } from '../domain/search-attributes';
import type { Config } from './config';
import type { Logger } from './logger';
import type { SecretBox } from './secret-box';

export const workflowsPath = path.join(__dirname, '..', 'workflows', 'index.ts');

export interface SwitchboardWorkerOptions {
  config: Pick<Config, 'temporalNamespace' | 'taskQueue' | 'worker' | 'providers'>;
  connection: NativeConnection;
  database: Database;
  secretBox: SecretBox;
  /** The worker's own folder for working files. */
  workDir: string;
  /** A bundle made by `npm run build`; without one the workflows are bundled from source at start. */
  workflowBundlePath?: string;
  /** Tuning of syncs (tests compress the providers' limits and waits). */
  sync?: SyncTuning;
}

export async function createSwitchboardWorker(options: SwitchboardWorkerOptions): Promise<Worker> {
  const { config } = options;
  const workerOptions: WorkerOptions = {
    connection: options.connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    activities: createActivities({
      db: options.database.db,
      sql: options.database.sql,
      secretBox: options.secretBox,
      workDir: options.workDir,
      sync: syncDependencies(options.database.sql, config.providers, options.sync),
      workflowStatusOf: workflowStatusOf(new Client({ connection: options.connection, namespace: config.temporalNamespace })),
    }),
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
    // On SIGTERM running activities get this long to finish before they are cancelled (and later retried).
    shutdownGraceTime: `${config.worker.shutdownGraceSeconds} seconds`,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath }),
  };
  return Worker.create(workerOptions);
}

function workflowStatusOf(client: Client): WorkflowStatusOf {
  return async (workflowId) => {
    try {
      return (await client.workflow.getHandle(workflowId).describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  };
}

/**
 * Registers the search attributes our workflows set, where missing. A server that does not allow it (Temporal Cloud
 * has them created in its console) is reported, not fatal.
 */
export async function ensureSearchAttributes(address: string, namespace: string, logger: Logger): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
    const known = { ...existing.customAttributes, ...existing.systemAttributes };
    const missing = switchboardSearchAttributes.filter((key) => !(key.name in known));
    if (missing.length === 0) return;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type) ?? 0]),
      ),
    });
    logger.info({ added: missing.map((k) => k.name) }, 'registered search attributes');
  } catch (error) {
    logger.warn(
      { err: error },
      `could not register search attributes ${switchboardSearchAttributes.map((k) => k.name).join(', ')}; create them as Keyword on the server`,
    );
  } finally {
    await connection.close();
  }
}
