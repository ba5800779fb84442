import type { WorkflowHandle } from '@temporalio/client';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Business } from '../../db/businesses';
import type { ImportProgress } from '../../workflows/import';
import type { WorkerTestContext } from './context';
import { aBusiness } from './fixtures';
import { writeContactsCsv, type GeneratedFile } from './generate-csv';

/**
 * Starts an import of a generated file of `rows` rows into a new business, and waits until it has done some rows:
 * for tests of what happens while an import runs.
 */
export async function startLongImport(
  t: WorkerTestContext,
  rows: number,
): Promise<{
  business: Business;
  file: string;
  generated: GeneratedFile;
  handle: WorkflowHandle;
  /** The first progress seen once the import was prepared, before any chunk was done: the total as first estimated. */
  prepared: ImportProgress | undefined;
  progress: ImportProgress | undefined;
}> {
  const business = await aBusiness(t.database.db);
  const file = path.join(t.dir, `long-${rows}.csv`);
  const generated = await writeContactsCsv(file, rows);
  const handle = await t.worker.client.workflow.start('importContactsCsv', {
    args: [{ businessId: business.id, file }],
    taskQueue: t.worker.taskQueue,
    workflowId: `long-import-${Date.now()}`,
  });
  let progress: ImportProgress | undefined;
  let prepared: ImportProgress | undefined;
  for (let i = 0; i < 1200 && !(progress && progress.rowsDone > 0); i++) {
    await sleep(25);
    progress = await handle.query<ImportProgress>('progress').catch(() => undefined);
    if (progress?.importId && !prepared) prepared = progress;
  }
  return { business, file, generated, handle, prepared, progress };
}
