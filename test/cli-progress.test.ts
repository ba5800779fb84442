import { describe, expect, it } from 'vitest';
import { currentProgress, withChunkUnderWay } from '../cli/import-progress';
import type { ImportProgress } from '../workflows/import';
import { useWorkerTestContext } from './support/context';
import { startLongImport } from './support/imports';

const t = useWorkerTestContext();

const afterOneChunk: ImportProgress = {
  importId: 'i',
  status: 'running',
  rowsDone: 20_000,
  rowsTotal: 100_000,
  rowsTotalIsEstimate: true,
  bytesDone: 1_000_000,
  bytesTotal: 5_000_000,
  created: 18_000,
  updated: 1_000,
  skipped: 600,
  failed: 400,
};

describe('withChunkUnderWay', () => {
  it('adds the chunk under way to what the workflow counted, and estimates the total from the bytes it read', () => {
    const chunk = { position: { offset: 1_500_000, line: 30_002 }, counts: { created: 9_000, updated: 500, skipped: 300, failed: 200 } };
    expect(withChunkUnderWay(afterOneChunk, chunk)).toEqual({
      ...afterOneChunk,
      rowsDone: 30_000,
      rowsTotal: 100_000,
      bytesDone: 1_500_000,
      created: 27_000,
      updated: 1_500,
      skipped: 900,
      failed: 600,
    });
  });

  it('leaves the progress as it is when no chunk has heartbeated', () => {
    expect(withChunkUnderWay(afterOneChunk, undefined)).toBe(afterOneChunk);
  });
});

describe('currentProgress', () => {
  it('sees an import between the ends of its chunks, and never more rows than the file has', async () => {
    const { generated, handle } = await startLongImport(t, 60_000);
    const seen: number[] = [];
    for (let i = 0; i < 400; i++) {
      const progress = await currentProgress(handle);
      expect(progress.rowsDone).toBe(progress.created + progress.updated + progress.skipped + progress.failed);
      expect(progress.rowsDone).toBeLessThanOrEqual(generated.rows);
      seen.push(progress.rowsDone);
      if (progress.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await handle.result();
    // The workflow alone only ever reports whole chunks of 20,000 rows; a batch of a chunk under way is 5,000.
    expect(seen.some((rows) => rows % 20_000 !== 0)).toBe(true);
  });
});
