import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ChunkProgress } from '../activities/import';
import { addCounts, describeCounts, formatCount, rowsProgress } from '../domain/import/counts';
import type { ImportProgress, ImportResult } from '../workflows/import';

export interface ProgressBar {
  update(progress: ImportProgress): void;
  done(): void;
}

/**
 * The import's progress as its workflow knows it (at the end of each chunk of 20,000 rows) with the chunk under way
 * added, as its last heartbeat says (after each batch of 5,000): the workflow cannot see heartbeats, Temporal's
 * description of it can. Asked in that order, a chunk is never counted twice: by the time the workflow has counted
 * it, it is no longer under way.
 */
export async function currentProgress(handle: WorkflowHandle): Promise<ImportProgress> {
  const progress = await handle.query<ImportProgress>('progress');
  if (progress.status !== 'running' && progress.status !== 'cancelling') return progress;
  const { raw } = await handle.describe();
  const payload = raw.pendingActivities?.find((activity) => activity.activityType?.name === 'importChunk')?.heartbeatDetails?.payloads?.[0];
  return withChunkUnderWay(progress, payload ? defaultPayloadConverter.fromPayload<ChunkProgress>(payload) : undefined);
}

export function withChunkUnderWay(progress: ImportProgress, chunk: Pick<ChunkProgress, 'position' | 'counts'> | undefined): ImportProgress {
  if (chunk === undefined) return progress;
  const counts = addCounts(progress, chunk.counts);
  const bytesDone = chunk.position?.offset ?? progress.bytesDone;
  return { ...progress, ...counts, bytesDone, ...rowsProgress(counts, { done: bytesDone, total: progress.bytesTotal }, false, progress.rowsTotal) };
}

/** The whole file done, as an import's result says; none for a cancelled one, whose bar stays where it stopped. */
export function progressOfResult(result: ImportResult): ImportProgress | undefined {
  if (result.status === 'cancelled') return undefined;
  const { importId, rows, created, updated, skipped, failed } = result;
  return { importId, status: 'completed', rowsDone: rows, rowsTotal: rows, rowsTotalIsEstimate: false, bytesDone: 0, bytesTotal: 0, created, updated, skipped, failed };
}

/** One line on the terminal, redrawn in place. */
export function progressBar(): ProgressBar {
  let drawn = false;
  return {
    update(p) {
      if (p.status === 'preparing') {
        process.stderr.write(`\rpreparing: detecting the encoding and delimiter, mapping the columns, hashing the file\x1b[K`);
        drawn = true;
        return;
      }
      const total = Math.max(p.rowsTotal, 1);
      const share = Math.min(1, p.rowsDone / total);
      const width = 30;
      const filled = Math.round(share * width);
      const line =
        `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(share * 100)}% ` +
        `${formatCount(p.rowsDone)}/${p.rowsTotalIsEstimate ? '~' : ''}${formatCount(p.rowsTotal)} rows (${describeCounts(p)})`;
      process.stderr.write(`\r${line}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
