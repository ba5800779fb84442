import {
  CancellationScope,
  continueAsNew,
  defineQuery,
  isCancellation,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChunkResult, ImportState, PreparedImport, RowError } from '../activities/import';
import { addCounts, addRowErrors, describeCounts, formatCount, rowsOf, rowsProgress, zeroCounts, type ImportCounts } from '../domain/import/counts';
import { importContactsCsvInput, type ImportContactsCsvInput } from '../domain/inputs';
import { BusinessIdAttribute } from '../domain/search-attributes';
import { db, files } from './activities';
import { validateInput } from './validate';

export interface ImportProgress {
  importId?: string;
  /** `cancelling`: asked to cancel, the chunk under way is being finished. */
  status: 'preparing' | 'running' | 'cancelling' | 'finishing' | 'completed' | 'cancelled';
  rowsDone: number;
  /** Exact once the whole file is read; until then estimated from the bytes read so far. */
  rowsTotal: number;
  rowsTotalIsEstimate: boolean;
  bytesDone: number;
  bytesTotal: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface ImportResult extends ImportCounts {
  importId: string;
  status: 'completed' | 'cancelled' | 'dry-run';
  rows: number;
  mapping: PreparedImport['mapping'];
  savedTemplate?: PreparedImport['savedTemplate'];
  errors: RowError[];
  /** Rows imported with values of them left out: the first of them, with what was left out and why, and how many. */
  warnings: RowError[];
  warned: number;
  errorReport?: string;
}

export const progressQuery = defineQuery<ImportProgress>('progress');

/** Enough chunks per run to keep the history far below Temporal's limits, whatever the size of the file. */
const CHUNKS_PER_RUN = 200;
const ROWS_PER_CHUNK = 20_000;
const ERRORS_KEPT = 50;

/**
 * Imports a CSV file of contacts in chunks, one activity each. A chunk writes its rows in batches, each one database
 * transaction that also writes the per-line ledger, so a crash at any moment resumes from the last committed batch
 * and no line is done twice. Long files continue as new every CHUNKS_PER_RUN chunks, carrying their position.
 */
export async function importContactsCsv(rawInput: unknown, carried?: ImportState): Promise<ImportResult> {
  const input: ImportContactsCsvInput = validateInput('importContactsCsv', importContactsCsvInput, rawInput);
  upsertSearchAttributes([{ key: BusinessIdAttribute, value: input.businessId }]);

  const progress: ImportProgress = {
    status: 'preparing',
    rowsDone: 0,
    rowsTotal: 0,
    rowsTotalIsEstimate: true,
    bytesDone: 0,
    bytesTotal: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failed: 0,
  };
  setHandler(progressQuery, () => progress);

  const prepared = carried?.prepared ?? (await files.prepareImport({ ...input, workflowId: workflowInfo().workflowId }));
  let state: ImportState = carried ?? { prepared, counts: zeroCounts(), errors: [] };
  progress.importId = prepared.importId;
  progress.bytesTotal = prepared.sizeBytes;

  let cancelRequested = false;
  let reportedDone = false;
  const report = (asked: ImportProgress['status'], done: boolean) => {
    const status = asked === 'running' && cancelRequested ? 'cancelling' : asked;
    reportedDone = done;
    const bytesDone = done ? prepared.sizeBytes : (state.position?.offset ?? 0);
    const rows = rowsProgress(state.counts, { done: bytesDone, total: prepared.sizeBytes }, done, prepared.rowsEstimate ?? 0);
    Object.assign(progress, state.counts, rows, { status, bytesDone });
    setCurrentDetails(
      `**${status}** ${formatCount(progress.rowsDone)} of ${progress.rowsTotalIsEstimate ? '~' : ''}${formatCount(progress.rowsTotal)} rows: ` +
        describeCounts(progress),
    );
  };
  report('running', false);
  // The chunk under way cannot be stopped; until it ends, the progress says the cancel was heard.
  CancellationScope.current().cancelRequested.catch(() => {
    cancelRequested = true;
    if (progress.status === 'running') report('running', reportedDone);
  });

  let cancelled = false;
  let done = false;
  try {
    for (let chunk = 0; chunk < CHUNKS_PER_RUN && !done; chunk++) {
      // A cancellation lands between chunks: the chunk under way commits (or not) as a whole.
      const result: ChunkResult = await CancellationScope.nonCancellable(() =>
        files.importChunk({ importId: prepared.importId, position: state.position, maxRecords: ROWS_PER_CHUNK, dryRun: input.dryRun }),
      );
      state = {
        ...state,
        position: result.next ?? state.position,
        counts: addCounts(state.counts, result.counts),
        errors: addRowErrors(state.errors, result.errors, ERRORS_KEPT),
        warnings: addRowErrors(state.warnings ?? [], result.warnings ?? [], ERRORS_KEPT),
        warned: (state.warned ?? 0) + (result.warned ?? 0),
      };
      done = result.done;
      report('running', done);
      // Asked during the last chunk, the import is done all the same: it completes.
      if (CancellationScope.current().consideredCancelled && !done) {
        cancelled = true;
        break;
      }
    }
  } catch (error) {
    if (!isCancellation(error)) {
      // Marked failed, not left running, so that what it did can be undone; the failure is the chunk's.
      await CancellationScope.nonCancellable(() =>
        db.finishImport({ importId: prepared.importId, status: 'failed', dryRun: input.dryRun, errorReport: input.errorReport }),
      ).catch(() => undefined);
      throw error;
    }
    cancelled = true;
  }
  if (!done && !cancelled) await continueAsNew<typeof importContactsCsv>(rawInput, state);

  report('finishing', done);
  const finished = await CancellationScope.nonCancellable(() =>
    db.finishImport({ importId: prepared.importId, status: cancelled ? 'cancelled' : 'completed', dryRun: input.dryRun, errorReport: input.errorReport }),
  );
  report(cancelled ? 'cancelled' : 'completed', done);
  return {
    importId: prepared.importId,
    status: input.dryRun ? 'dry-run' : cancelled ? 'cancelled' : 'completed',
    rows: rowsOf(state.counts),
    ...state.counts,
    mapping: prepared.mapping,
    ...(prepared.savedTemplate && { savedTemplate: prepared.savedTemplate }),
    errors: state.errors,
    warnings: state.warnings ?? [],
    warned: state.warned ?? 0,
    errorReport: finished.errorReport,
  };
}
