import { ApplicationFailure } from '@temporalio/common';
import type postgres from 'postgres';
import type { Db } from '../db/client';
import { SwitchboardError } from '../domain/errors';
import type { SecretBox } from '../worker/secret-box';
import { createContactActivities } from './contacts';
import { createExportActivities } from './export';
import { createImportActivities } from './import';
import { createInboundActivities } from './inbound';
import { createSyncActivities, type SyncDeps } from './sync';
import { createUndoImportActivities, type WorkflowStatusOf } from './undo-import';

export interface ActivityDeps {
  db: Db;
  /** The postgres.js client under db, for set-based bulk statements. */
  sql: postgres.Sql;
  secretBox: SecretBox;
  /** A folder of the worker's own for working files (UTF-8 copies of imported files, fallback error reports). */
  workDir: string;
  /** Provider connectors and the shared rate limiter, for syncs. */
  sync: Omit<SyncDeps, 'sql' | 'secretBox'>;
  /** Asks Temporal whether a workflow still runs: an undo must not take back an import that is still writing. */
  workflowStatusOf?: WorkflowStatusOf;
}

/** Turns our errors into Temporal failures that keep their type and say whether a retry can help. */
function reportingFailures<A extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: A): A {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        if (error instanceof SwitchboardError) {
          throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: !error.retryable });
        }
        throw error;
      }
    };
  }
  return wrapped as A;
}

export function createActivities(deps: ActivityDeps) {
  return reportingFailures({
    ...createContactActivities(deps),
    ...createInboundActivities(deps),
    ...createImportActivities(deps),
    ...createUndoImportActivities(deps),
    ...createExportActivities(deps),
    ...createSyncActivities({ ...deps.sync, sql: deps.sql, secretBox: deps.secretBox }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
