import { parentPort, workerData } from 'node:worker_threads';
import { ledgerRow, newContactRows } from '../../db/bulk-rows';
import { timeOrderedId } from '../../db/ids';
import { keyNamesOfRow, type ValidRow } from '../../domain/import/plan';
import { buildContact } from '../../domain/import/rows';
import type { ContactRowBatch, FailedRow, SentRows, ThreadMessage, ThreadOptions, ThreadRequest } from './contact-rows';
import { readCsvRecordGroups, type CsvRecord } from './reader';

/** JSON array elements: the array's JSON without its brackets. */
const elements = (items: readonly unknown[]) => (items.length > 0 ? JSON.stringify(items).slice(1, -1) : '');

function addValidRow(sent: SentRows, row: ValidRow): void {
  // Time-ordered, as `buildContactWrites` gives them: ids given here are as fresh as the batch they are written in.
  const id = timeOrderedId();
  const rows = newContactRows(id, row.contact);
  sent.lines.push(row.line);
  sent.keys.push(keyNamesOfRow(row.contact).join('\n'));
  sent.storedIds.push(row.contact.storedId ?? '');
  sent.markedPrimaries.push(row.contact.markedPrimary ?? '');
  sent.incomplete.push(row.contact.incomplete ? JSON.stringify(row.contact.incomplete) : '');
  const asNew = sent.asNew;
  asNew.contacts.push(JSON.stringify(rows.contact));
  asNew.phones.push(elements(rows.phones));
  asNew.tagLinks.push(elements(rows.tagLinks));
  asNew.tagNames.push(row.contact.tags.length > 0 ? JSON.stringify(row.contact.tags) : '');
  asNew.addresses.push(elements(rows.addresses));
  asNew.ledger.push(JSON.stringify(ledgerRow({ line: row.line, outcome: 'created', contactId: id, problems: row.warnings })));
}

/**
 * The thread of `readContactRows`: builds a batch of as many records as each request asks for, reading on from where
 * the batch before stopped. It reads the file a block of records at a time, and past each batch's last record, so that
 * the batch says whether the file goes on.
 */
async function run(port: NonNullable<typeof parentPort>, options: ThreadOptions): Promise<void> {
  const requests: ThreadRequest[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (message: ThreadRequest) => {
    requests.push(message);
    wake?.();
    wake = undefined;
  });
  const groups = readCsvRecordGroups(options.source, {
    encoding: 'utf-8',
    delimiter: options.delimiter,
    ...(options.resume && { resume: options.resume }),
  })[Symbol.asyncIterator]();
  let group: CsvRecord[] = [];
  let at = 0;
  /** Whether the file has a record after those taken: reads the next group when this one is used up. */
  const hasMore = async (): Promise<boolean> => {
    while (at >= group.length) {
      const next = await groups.next();
      if (next.done) return false;
      group = next.value;
      at = 0;
    }
    return true;
  };
  for (;;) {
    while (requests.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const { rows, importedBefore } = requests.shift() as ThreadRequest;
    const notToBuild = new Set(importedBefore);
    const valid: SentRows = {
      lines: [],
      keys: [],
      storedIds: [],
      markedPrimaries: [],
      incomplete: [],
      asNew: { contacts: [], phones: [], tagLinks: [], tagNames: [], addresses: [], ledger: [] },
    };
    const batch: Omit<ContactRowBatch, 'valid'> = { lines: [], failed: [], warned: [], importedBefore: [], last: false, endOfFile: false };
    let lastRecord: CsvRecord | undefined;
    while (batch.lines.length < rows && (await hasMore())) {
      const record = group[at++] as CsvRecord;
      lastRecord = record;
      batch.lines.push(record.line);
      if (notToBuild.has(record.line)) {
        batch.importedBefore.push(record.line);
        continue;
      }
      const outcome = buildContact(record.cells, options.mapping, { defaultCountry: options.defaultCountry, named: options.named });
      if (outcome.ok) {
        addValidRow(valid, { line: record.line, contact: outcome.contact, warnings: outcome.warnings });
        if (outcome.warnings.length > 0) batch.warned.push({ line: record.line, problems: outcome.warnings });
      } else batch.failed.push({ line: record.line, cells: record.cells, problems: outcome.problems } satisfies FailedRow);
    }
    if (lastRecord) batch.next = { offset: lastRecord.endOffset, line: lastRecord.nextLine };
    batch.endOfFile = !(await hasMore());
    port.postMessage({ type: 'batch', json: JSON.stringify(batch), valid } satisfies ThreadMessage);
    if (batch.endOfFile) return;
  }
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ThreadOptions).catch((error: unknown) => {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies ThreadMessage);
  });
}
