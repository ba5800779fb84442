import type { WorkflowHandle } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportProgress } from '../../workflows/import';

/** Asks a running import for its `progress` until it has done some rows (for up to 30 s), and returns the last answer. */
export async function progressOnceRowsDone(handle: WorkflowHandle): Promise<ImportProgress | undefined> {
  let progress: ImportProgress | undefined;
  for (let i = 0; i < 1200 && !(progress && progress.rowsDone > 0); i++) {
    await sleep(25);
    progress = await handle.query<ImportProgress>('progress').catch(() => undefined);
  }
  return progress;
}
