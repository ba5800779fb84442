import { parentPort, workerData } from 'node:worker_threads';
import type { ValidRow } from '../../domain/import/plan';
import { buildContact } from '../../domain/import/rows';
import type { ContactRowBatch, ContactRowsOptions, FailedRow, ThreadMessage } from './contact-rows';
import { readCsvRecords, type CsvRecord } from './reader';

/** The thread of `readContactRows`: builds a batch each time it is asked for one. */
async function run(port: NonNullable<typeof parentPort>, options: ContactRowsOptions): Promise<void> {
  let credits = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    credits++;
    wake?.();
    wake = undefined;
  });
  const records = readCsvRecords(options.source, {
    encoding: 'utf-8',
    delimiter: options.delimiter,
    ...(options.resume && { resume: options.resume }),
  })[Symbol.asyncIterator]();
  let remaining = options.maxRecords;
  for (;;) {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    const batch: ContactRowBatch = { lines: [], valid: [], failed: [], last: false, endOfFile: false };
    let lastRecord: CsvRecord | undefined;
    while (batch.lines.length < Math.min(options.batchRows, remaining)) {
      const next = await records.next();
      if (next.done) {
        batch.endOfFile = true;
        break;
      }
      const record = next.value;
      lastRecord = record;
      batch.lines.push(record.line);
      const outcome = buildContact(record.cells, options.mapping, { defaultCountry: options.defaultCountry });
      if (outcome.ok) batch.valid.push({ line: record.line, contact: outcome.contact, warnings: outcome.warnings } satisfies ValidRow);
      else batch.failed.push({ line: record.line, cells: record.cells, problems: outcome.problems } satisfies FailedRow);
    }
    remaining -= batch.lines.length;
    if (lastRecord) batch.next = { offset: lastRecord.endOffset, line: lastRecord.nextLine };
    // A read that stops at its record budget still says whether the file goes on, so that the import knows it is done.
    if (!batch.endOfFile && remaining === 0) batch.endOfFile = (await records.next()).done === true;
    batch.last = batch.endOfFile || remaining === 0;
    port.postMessage({ type: 'batch', batch } satisfies ThreadMessage);
    if (batch.last) {
      await records.return?.(undefined);
      return;
    }
  }
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ContactRowsOptions).catch((error: unknown) => {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies ThreadMessage);
  });
}
