import { statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { contactOfNewContactRows, type AddressRow, type ContactRow, type LedgerRow, type PhoneRow } from '../../db/bulk-rows';
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

/**
 * A batch's valid rows as the thread sends them, a column per part: each row's emails and phones, and its writes
 * should it be a new contact of its own. Nine rows in ten of an import are such new people: the thread writes their
 * statements' rows beside its other work, and the activity's thread only joins those, reading a row back in full
 * (`validRowAt`) only when it must plan it.
 */
export interface SentRows {
  lines: number[];
  /** Each row's emails and phones as identity key strings, joined by a line break (which neither can hold). */
  keys: string[];
  /** The id of the business's contact each row names ('' for none): such a row updates that contact. */
  storedIds: string[];
  /** The number each row marks as the primary ('' for none), which an update makes the contact's primary. */
  markedPrimaries: string[];
  /**
   * What each row lacks to be a contact of its own, as the JSON of its problems ('' for none): a row naming a stored
   * contact by id, which may only update that one.
   */
  incomplete: string[];
  asNew: AsNewContact;
}

/**
 * Each row's writes should it be a new contact of its own, with an id given by the thread: its rows of the contact
 * statements (`newContactRows`) and its ledger entry, each as JSON array elements ('' for none), and its tags' names
 * as a JSON array ('' for none).
 */
export interface AsNewContact {
  contacts: string[];
  phones: string[];
  tagLinks: string[];
  tagNames: string[];
  addresses: string[];
  ledger: string[];
}

export const keyNamesAt = (rows: SentRows, i: number): string[] => (rows.keys[i] ? rows.keys[i].split('\n') : []);
const jsonElements = <T>(elements: string | undefined): T[] => (elements ? (JSON.parse(`[${elements}]`) as T[]) : []);

/** A valid row of a batch, read back from its writes as a new contact. */
export function validRowAt(sent: SentRows, i: number): ValidRow {
  const { asNew } = sent;
  const rows = {
    contact: JSON.parse(asNew.contacts[i] as string) as ContactRow,
    phones: jsonElements<PhoneRow>(asNew.phones[i]),
    addresses: jsonElements<AddressRow>(asNew.addresses[i]),
  };
  const tags = asNew.tagNames[i] ? (JSON.parse(asNew.tagNames[i] as string) as string[]) : [];
  const [, , , , problems] = JSON.parse(asNew.ledger[i] as string) as LedgerRow;
  const contact = contactOfNewContactRows(rows, tags);
  if (sent.storedIds[i]) contact.storedId = sent.storedIds[i];
  if (sent.markedPrimaries[i]) contact.markedPrimary = sent.markedPrimaries[i];
  if (sent.incomplete[i]) contact.incomplete = JSON.parse(sent.incomplete[i] as string) as RowProblem[];
  return { line: sent.lines[i] as number, contact, warnings: [...(problems ?? [])] };
}

/** Every valid row of a batch, read back. */
export const validRowsOf = (sent: SentRows): ValidRow[] => sent.lines.map((_, i) => validRowAt(sent, i));

/** Consecutive records of the file, each built into a contact or rejected with its problems. */
export interface ContactRowBatch {
  lines: number[];
  valid: SentRows;
  failed: FailedRow[];
  /** Valid rows built with values left out (a number that is no phone number, a second email in a cell). */
  warned: { line: number; problems: RowProblem[] }[];
  /** Lines read but not built, because the reader was told an earlier import of the file holds them. */
  importedBefore: number[];
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
  /**
   * Rows naming a stored contact by id are built without the name or the phone or email they lack (`buildContact`'s
   * `named`), to update that contact if it is the business's: not when every row is to be created.
   */
  named: boolean;
  batchRows: number;
  /** Records to read at most; the read then only checks whether the file has more. */
  maxRecords: number;
  /**
   * The first `records` lines at or after `from` (the file's start when absent) that an earlier import of the file
   * holds: the reader does not build those records, which a re-import would only skip. A hint, asked for each batch
   * before it is read; whoever writes the batch must still check it.
   */
  linesImportedBefore?: (from: FilePosition | undefined, records: number) => Promise<number[]>;
}

export type ThreadRequest = { type: 'more'; rows: number; importedBefore: number[] };
/**
 * A batch travels as JSON text, but for its valid rows, which are columns of strings. It is thousands of small
 * objects, and structured cloning them one by one cost the worker more than writing them as JSON and parsing that
 * back: about a tenth of its CPU time in the import benchmark. Strings clone at the cost of a copy.
 */
export type ThreadMessage = { type: 'batch'; json: string; valid: SentRows } | { type: 'error'; message: string };
/** What the thread reads: where, how, and from where on; how much is up to each request. */
export type ThreadOptions = Pick<ContactRowsOptions, 'source' | 'delimiter' | 'resume' | 'mapping' | 'defaultCountry' | 'named'>;

/** How long a thread that read past its chunk waits for the chunk after it before it stops. */
const PARKED_MS = 30_000;
/** Threads waiting for their next chunk at once, at most: one per import under way is the common case. */
const MAX_PARKED = 4;

function startThread(options: ThreadOptions): Worker {
  const compiled = __filename.endsWith('.js');
  const entry = path.join(__dirname, `contact-rows.thread.${compiled ? 'js' : 'ts'}`);
  const limits = { resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } };
  threadsStarted += 1;
  if (compiled) return new Worker(entry, { workerData: options, ...limits });
  // From sources (tests, `npm start`), the thread registers the TypeScript loader itself: a worker's loaders are not
  // always inherited from the process that started it.
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(entry)});`, { eval: true, workerData: options, ...limits });
}

/** A row-building thread and the batches it has been asked for. */
class RowBuilder {
  private readonly arrived: ContactRowBatch[] = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Records asked for and not yet taken. */
  pendingRows = 0;
  pendingBatches = 0;

  constructor(private readonly thread: Worker) {
    thread.on('message', (message: ThreadMessage) => {
      if (message.type === 'batch') this.arrived.push({ ...(JSON.parse(message.json) as Omit<ContactRowBatch, 'valid'>), valid: message.valid });
      else this.failure = new Error(message.message);
      this.notify();
    });
    thread.on('error', (error) => {
      this.failure = error;
      this.notify();
    });
    thread.on('exit', (code) => {
      this.failure ??= new Error(`the CSV reading thread stopped (exit code ${code}) before the end of its read`);
      this.notify();
    });
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }

  request(rows: number, importedBefore: number[] = []): void {
    this.thread.postMessage({ type: 'more', rows, importedBefore } satisfies ThreadRequest);
    this.pendingRows += rows;
    this.pendingBatches += 1;
  }

  async take(): Promise<ContactRowBatch> {
    while (this.arrived.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const batch = this.arrived.shift() as ContactRowBatch;
    this.pendingBatches -= 1;
    // A batch is short of what was asked only at the end of the file, after which nothing more is asked.
    this.pendingRows = batch.endOfFile ? 0 : Math.max(0, this.pendingRows - batch.lines.length);
    return batch;
  }

  /** While parked the thread must not keep the process alive. */
  park(parked: boolean): void {
    if (parked) this.thread.unref();
    else this.thread.ref();
  }

  async stop(): Promise<void> {
    this.thread.removeAllListeners('exit');
    await this.thread.terminate();
  }
}

let threadsStarted = 0;
/** Row-building threads started by this process so far: a chunk that carries on from the one before starts none. */
export const rowThreadsStarted = (): number => threadsStarted;

/**
 * Threads that finished a chunk and read on into the next, by where the next chunk starts and how it reads. An import
 * runs its chunks one after another, usually on the same worker: the next one finds its first batch already built
 * instead of waiting for a new thread to start and build it.
 */
const parked = new Map<string, { builder: RowBuilder; timer: NodeJS.Timeout }>();

/** The file as it is now: a thread that read another version of it must not be taken over. */
function fileVersion(file: string): string {
  try {
    const { ino, size, mtimeMs } = statSync(file);
    return `${ino}:${size}:${mtimeMs}`;
  } catch {
    return 'missing';
  }
}

const parkingKey = (options: ThreadOptions, at: FilePosition | undefined) =>
  JSON.stringify([options.source, fileVersion(options.source), options.delimiter, options.defaultCountry, options.named, options.mapping, at?.offset ?? 0, at?.line ?? 0]);

function adoptParked(options: ContactRowsOptions): RowBuilder | undefined {
  const key = parkingKey(options, options.resume);
  const entry = parked.get(key);
  if (!entry || entry.builder.pendingRows > options.maxRecords) return undefined;
  parked.delete(key);
  clearTimeout(entry.timer);
  entry.builder.park(false);
  return entry.builder;
}

function parkBuilder(options: ContactRowsOptions, at: FilePosition, builder: RowBuilder): void {
  const key = parkingKey(options, at);
  const unpark = (which: string) => {
    const entry = parked.get(which);
    if (!entry) return;
    parked.delete(which);
    clearTimeout(entry.timer);
    void entry.builder.stop();
  };
  unpark(key);
  // The longest parked go first: a Map iterates in the order its entries were added.
  for (const oldest of [...parked.keys()].slice(0, Math.max(0, parked.size - MAX_PARKED + 1))) unpark(oldest);
  builder.park(true);
  const timer = setTimeout(() => unpark(key), PARKED_MS);
  timer.unref();
  parked.set(key, { builder, timer });
}

/**
 * Reads a CSV file and builds its records into contacts on a thread of their own, batch by batch. Parsing and
 * normalising phone numbers is most of an import's work in the worker: on its own thread it runs on the second core
 * while the activity's thread plans and writes the previous batch. When the read stops at its record budget, the
 * thread goes on to build the first batch of the next read, which takes it over if it starts where this one stopped.
 */
export async function* readContactRows(options: ContactRowsOptions): AsyncGenerator<ContactRowBatch> {
  const { source, delimiter, resume, mapping, defaultCountry, named } = options;
  const builder = adoptParked(options) ?? new RowBuilder(startThread({ source, delimiter, mapping, defaultCountry, named, ...(resume && { resume }) }));
  let unasked = options.maxRecords - builder.pendingRows;
  // One batch is built ahead of the one being written: it keeps the thread busy meanwhile (more would only take
  // memory), and a batch asked for starts where the last one taken stopped, which is where its hint is looked up.
  const ask = async (from: FilePosition | undefined, rows: number) =>
    builder.request(rows, options.linesImportedBefore && rows > 0 ? await options.linesImportedBefore(from, rows) : []);
  const askWithinBudget = async (from: FilePosition | undefined) => {
    const rows = Math.min(options.batchRows, unasked);
    unasked -= rows;
    await ask(from, rows);
  };

  let remaining = options.maxRecords;
  let parkAt: FilePosition | undefined;
  try {
    if (builder.pendingBatches === 0 && unasked > 0) await askWithinBudget(resume);
    // A read with no budget left still learns whether the file goes on.
    if (builder.pendingBatches === 0) builder.request(0);
    for (;;) {
      const batch = await builder.take();
      remaining -= batch.lines.length;
      const last = batch.endOfFile || remaining <= 0;
      if (!last && unasked > 0) await askWithinBudget(batch.next);
      // The next read most likely starts here: its first batch is built while this one is written.
      else if (last && !batch.endOfFile && batch.next) await ask(batch.next, options.batchRows);
      yield { ...batch, last };
      if (last) {
        // The consumer took the last batch and asked for more: it is done with this read, and the thread may go on.
        if (!batch.endOfFile) parkAt = batch.next;
        return;
      }
    }
  } finally {
    if (parkAt) parkBuilder(options, parkAt, builder);
    else await builder.stop();
  }
}
