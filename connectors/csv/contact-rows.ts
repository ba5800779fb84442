import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ColumnMapping } from '../../domain/import/mapping';
import type { ValidRow } from '../../domain/import/plan';
import type { RowProblem } from '../../domain/import/rows';

/** Where a read starts or stopped: a byte position of a UTF-8 file and the physical line there. */
export interface FilePosition {
  offset: number;
  line: number;
}

export interface FailedRow {
  line: number;
  cells: string[];
  problems: RowProblem[];
}

/** Consecutive records of the file, each built into a contact or rejected with its problems. */
export interface ContactRowBatch {
  lines: number[];
  valid: ValidRow[];
  failed: FailedRow[];
  /** Just past the batch's last record: where the next read starts. Absent for an empty batch. */
  next?: FilePosition;
  /** The last batch of this read. */
  last: boolean;
  /** Whether the file has no records after this batch. */
  endOfFile: boolean;
}

export interface ContactRowsOptions {
  /** A UTF-8 file. */
  source: string;
  delimiter: string;
  resume?: FilePosition;
  mapping: ColumnMapping[];
  defaultCountry: string;
  batchRows: number;
  /** Records to read at most; the read then only checks whether the file has more. */
  maxRecords: number;
}

export type ThreadRequest = { type: 'more' };
export type ThreadMessage = { type: 'batch'; batch: ContactRowBatch } | { type: 'error'; message: string };

/** Batches built ahead of the one being written: one keeps the thread busy while a batch is written; more only take memory. */
const READ_AHEAD = 1;

function startThread(options: ContactRowsOptions): Worker {
  const compiled = __filename.endsWith('.js');
  const entry = path.join(__dirname, `contact-rows.thread.${compiled ? 'js' : 'ts'}`);
  const limits = { resourceLimits: { maxOldGenerationSizeMb: 64 } };
  if (compiled) return new Worker(entry, { workerData: options, ...limits });
  // From sources (tests, `npm start`), the thread registers the TypeScript loader itself: a worker's loaders are not
  // always inherited from the process that started it.
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData: options, ...limits });
}

/**
 * Reads a CSV file and builds its records into contacts on a thread of their own, batch by batch. Parsing and
 * normalising phone numbers is most of an import's work in the worker: on its own thread it runs on the second core
 * while the activity's thread plans and writes the previous batch.
 */
export async function* readContactRows(options: ContactRowsOptions): AsyncGenerator<ContactRowBatch> {
  const thread = startThread(options);
  const arrived: ContactRowBatch[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  thread.on('message', (message: ThreadMessage) => {
    if (message.type === 'batch') arrived.push(message.batch);
    else failure = new Error(message.message);
    notify();
  });
  thread.on('error', (error) => {
    failure = error;
    notify();
  });
  thread.on('exit', (code) => {
    failure ??= new Error(`the CSV reading thread stopped (exit code ${code}) before the end of its read`);
    notify();
  });
  try {
    for (let i = 0; i < READ_AHEAD; i++) thread.postMessage({ type: 'more' } satisfies ThreadRequest);
    for (;;) {
      while (arrived.length === 0) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const batch = arrived.shift() as ContactRowBatch;
      if (!batch.last) thread.postMessage({ type: 'more' } satisfies ThreadRequest);
      yield batch;
      if (batch.last) return;
    }
  } finally {
    thread.removeAllListeners('exit');
    await thread.terminate();
  }
}
