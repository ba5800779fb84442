import { Context, heartbeat } from '@temporalio/activity';
import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, type Stats } from 'node:fs';
import { access, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';
import { keyNamesAt, readContactRows, validRowAt, type ContactRowBatch, type FailedRow, type FilePosition, type SentRows } from '../connectors/csv/contact-rows';
import { cellsOfLines, type CsvInspection, headerNames, inspectCsv, isUnnamedColumn, isUtf8Encoding, lineOfByte, readBytes, resolveCsvPath } from '../connectors/csv/reader';
import { detectEncoding, mixedEncodingMessage, Utf8Survey } from '../connectors/csv/encoding';
import { asWriteFailure, createCsvWriter, writableCsvTarget } from '../connectors/csv/writer';
import type { Db } from '../db/client';
import { findBusiness } from '../db/businesses';
import { ledgerRow } from '../db/bulk-rows';
import { createOrFindImport, findImport, findTemplate, listTemplates, saveTemplate, type ImportRow } from '../db/imports';
import { settledInOrder, StatementPipeline } from '../db/pipelined';
import { SwitchboardError } from '../domain/errors';
import { isValidCountryCode } from '../domain/phone';
import type { KeyFilter } from '../domain/key-filter';
import { addCounts, addRowErrors, countOutcomes, estimateRows, zeroCounts, type ImportCounts } from '../domain/import/counts';
import { errorReportHeaders } from '../domain/import/fields';
import { applyMapping, autoMapColumns, type ColumnMapping, endsAsErrorReport, missingFromMapping } from '../domain/import/mapping';
import { keysOfUsersProblems, planChunk, splitByPossibleMatch, type ChunkPlan, type OnMatch, type PlannedRow, type StoredContact, type ValidRow } from '../domain/import/plan';
import { DryRunContacts } from '../domain/import/dry-run';
import type { ContactUpdate, RowProblem } from '../domain/import/rows';
import type { ImportContactsCsvInput } from '../domain/inputs';
import { buildContactWrites, combineContactWrites, distinctTagNames, existingContactIds, heldIdentityKeys, holdKeysOfUsers, loadIdentityKeyFilter, loadKeysOfUsers, loadStoredContacts, lockReferencedRows, referenceChecksAvailable, refreshPlannerStatistics, runContactWrites, type ContactWrites, type ReferenceChecks } from '../db/contact-bulk';

export type { ImportCounts };

export interface RowError {
  row: number;
  column?: string;
  field?: string;
  message: string;
  /** For the notice that the rows from `row` on were imported before, the import that did. */
  importedBefore?: string;
}

export interface PreparedImport {
  importId: string;
  /** Of the file the chunks read: the UTF-8 copy of a file in another encoding, whose offsets the positions are. */
  sizeBytes: number;
  /** Rows in the file, estimated from the sample read to map its columns. Absent from imports prepared before it. */
  rowsEstimate?: number;
  mapping: ColumnMapping[];
  /** The template this import saved its mapping as (`saveTemplateAs`), to be reused by its id or name. */
  savedTemplate?: { id: string; name: string };
}

export type { FilePosition };

/**
 * Rows imported with values of them left out (a number that is no phone number, an email that differs from the
 * contact's), the first of them with what was left out, and how many in all. Absent from states and heartbeats of
 * imports that began before they were kept.
 */
export interface RowWarnings {
  warnings?: RowError[];
  warned?: number;
}

export interface ImportState extends RowWarnings {
  prepared: PreparedImport;
  position?: FilePosition;
  counts: ImportCounts;
  errors: RowError[];
}

export interface ChunkResult extends RowWarnings {
  next?: FilePosition;
  done: boolean;
  counts: ImportCounts;
  errors: RowError[];
}

/** What a chunk needs of its import, kept with the import so that it stays out of the workflow's history. */
interface ImportOptions {
  source: string;
  sourceIsCopy: boolean;
  originalFile: string;
  encoding: string;
  delimiter: string;
  headers: string[];
  onMatch: OnMatch;
  defaultCountry: string;
  uniqueIdentity: boolean;
  /** The original file's modification time when the import was prepared; absent from imports prepared before it. */
  originalModifiedMs?: number;
}

/** What a chunk has done so far, heartbeated after every committed batch. */
export interface ChunkProgress extends RowWarnings {
  position?: FilePosition;
  read: number;
  counts: ImportCounts;
  errors: RowError[];
}

/**
 * A batch ready to be written: the rows to plan against the store, and the rest of it planned and built already: the
 * new people's contacts and their ledger entries, and the failed rows'.
 */
interface RowsToWrite {
  /** Lines an earlier import of the file holds, by that import: skipped. */
  earlier: Map<number, string>;
  failed: FailedRow[];
  /** Where the batch starts in the file (absent at the first record), to read again the cells of rows the plan refuses. */
  start?: FilePosition;
  /** Rows to plan against the store, under lock. */
  mayMatch: ValidRow[];
  /** The new people: those of one row each are only counted; the rows of the others are planned. */
  newPeople: { alone: number; rows: PlannedRow[]; writes?: ContactWrites };
  /** The ledger entries of the new people and the failed rows, as JSON array elements. */
  ledgerEntries: string;
  /** The warnings of the new people of one row each, whom no plan sees. */
  aloneWarned: { line: number; problems: RowProblem[] }[];
  /** The emails and phones of the rows the batch writes. */
  keys: Set<string>;
  /** A dry run's new people, which it records as written for the batches after (`DryRunContacts`). */
  dryRunRows?: { alone: ValidRow[]; together: ChunkPlan };
}

/** What a batch did. */
interface BatchOutcome {
  counts: ImportCounts;
  errors: RowError[];
  warnings: RowError[];
  warned: number;
}

/** A batch as prepared: to be written, or already committed by an earlier attempt, with what it did then. */
type PreparedBatch = RowsToWrite | { answered: BatchOutcome };

/**
 * Rows written in one transaction. Two batches are in the worker's hands at once (one written, the next prepared), with
 * their rows as strings: batches of 10,000 took the worker's peak RSS to 376-403 MB in a million-row import, 5,000 to
 * 330-336 MB, at the same speed.
 */
export const BATCH_ROWS = 5_000;
/** How long a worker keeps an import's key filter after its last chunk: the next chunk usually follows at once. */
const KEY_FILTER_KEPT_MS = 60_000;
const MAX_ERRORS = 50;


export interface ImportActivityDeps {
  db: Db;
  sql: postgres.Sql;
  /** Where a worker keeps UTF-8 copies of files in other encodings while it imports them. */
  workDir: string;
}

const invalid = (message: string) => new SwitchboardError('InvalidInput', message);

async function sha256(file: string, beat: () => void = () => heartbeat(), survey?: Utf8Survey): Promise<string> {
  const hash = createHash('sha256');
  let sinceHeartbeat = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    survey?.push(chunk as Buffer);
    sinceHeartbeat += (chunk as Buffer).length;
    if (sinceHeartbeat > 64 * 1024 * 1024) {
      beat();
      sinceHeartbeat = 0;
    }
  }
  survey?.end();
  return hash.digest('hex');
}

/**
 * The encoding of a file whose start read as UTF-8 but whose later bytes are not: the legacy encoding those bytes are
 * in, when the file holds no UTF-8 beyond ASCII (Excel's "CSV" in windows-1252, an "é" on row 5,000). A file that
 * holds both cannot be read as either without garbling some rows: it is refused, naming the line.
 */
async function encodingPastTheSample(file: string, survey: Utf8Survey): Promise<string> {
  const offset = survey.firstInvalid as number;
  const from = Math.max(0, offset - 1024);
  const window = await readBytes(file, from, 256 * 1024);
  if (!survey.multibyte) return detectEncoding(window).encoding;
  throw invalid(`file: ${mixedEncodingMessage(await lineOfByte(file, offset), window[offset - from] as number)}`);
}

/**
 * A chunk reads the file from a byte position, and its ledger is keyed by the hash of the file as it was prepared: a
 * file replaced meanwhile (exported again to the same name while a crashed import waited for its worker) would be
 * read from the middle of some record, and its rows filed under another file's lines. Size and modification time
 * are compared first; the hash decides, so that a file only touched goes on.
 */
async function requireUnchangedFile(sql: postgres.Sql, importRow: ImportRow, options: ImportOptions, beat: () => void): Promise<void> {
  const file = options.originalFile;
  const now = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw invalid(`file: '${file}' is gone since import ${importRow.id} started: put it back and import it again to do the rest (the rows done are skipped), or undo this import`);
    throw error;
  });
  if (now.size === importRow.fileSize && (options.originalModifiedMs === undefined || now.mtimeMs === options.originalModifiedMs)) return;
  if (now.size === importRow.fileSize && (await sha256(file, beat)) === importRow.fileHash) {
    // The same bytes: its new time is kept, so that the next chunks do not hash the file again.
    await sql`update imports set options = jsonb_set(options, '{originalModifiedMs}', to_jsonb(${now.mtimeMs}::float8)) where id = ${importRow.id}`;
    return;
  }
  throw invalid(
    `file: '${file}' changed since import ${importRow.id} started, so the rest of it cannot be read from where the import stopped; ` +
      'import the file again as a new import (rows already imported are matched, not doubled), or put the earlier version back to finish this one',
  );
}

/** Byte positions only mean something in UTF-8; a file in another encoding is read from a UTF-8 copy. */
async function utf8Copy(original: string, encoding: string, copy: string): Promise<void> {
  await mkdir(path.dirname(copy), { recursive: true });
  await pipeline(createReadStream(original), iconv.decodeStream(encoding), iconv.encodeStream('utf-8'), createWriteStream(copy));
}

function requireUsableMapping(mapping: ColumnMapping[], inspection: CsvInspection, explicit: Readonly<Record<string, string>>): void {
  const missing = missingFromMapping(mapping);
  if (missing === undefined) return;
  throw invalid(headerFurtherDown(inspection, explicit) ?? `mapping: ${missing}; the file's columns are ${mapping.map((m) => `"${m.header}"`).join(', ')}`);
}

/** A line's first few cells, quoted, without the names given to its blank ones (Excel pads a title line with them). */
function shownCells(headers: readonly string[]): string {
  const named = headers.filter((header) => !isUnnamedColumn(header));
  return named.slice(0, 4).map((header) => `"${header}"`).join(', ') + (named.length > 4 ? ', …' : '');
}

/** How many of the first records are tried as the header that a report's title lines have pushed down. */
const HEADER_SEARCH_RECORDS = 10;

/**
 * Reports and some systems' exports put a title, the company's name or a date above the header. When the first line
 * gives no usable mapping, the message names the line that would, so that the person knows what to delete.
 */
function headerFurtherDown(inspection: CsvInspection, explicit: Readonly<Record<string, string>>): string | undefined {
  const tried = Math.min(HEADER_SEARCH_RECORDS, inspection.sample.length);
  for (let at = 0; at < tried; at++) {
    const headers = headerNames(inspection.sample[at] as string[]);
    if (headers.filter((header) => !isUnnamedColumn(header)).length < 2) continue;
    let mapping = autoMapColumns(headers, inspection.sample.slice(at + 1));
    if (Object.keys(explicit).length > 0) {
      const applied = applyMapping(mapping, explicit);
      if (!applied.ok) continue;
      mapping = applied.mapping;
    }
    if (missingFromMapping(mapping) !== undefined) continue;
    return (
      `file: the header must be the file's first line, and line ${inspection.headerLine} (${shownCells(inspection.headers)}) is not one; ` +
      `line ${inspection.sampleLines[at]} looks like the header (${shownCells(headers)}): delete the lines above it (a report's title, ` +
      'perhaps) and import the file again'
    );
  }
  return undefined;
}

const TEMPLATES_LISTED = 10;

async function noTemplateMessage(db: Db, businessId: string, idOrName: string): Promise<string> {
  const templates = await listTemplates(db, businessId);
  const listed = templates.slice(0, TEMPLATES_LISTED).map((t) => `'${t.name}' (${t.id})`);
  if (templates.length > TEMPLATES_LISTED) listed.push(`and ${templates.length - TEMPLATES_LISTED} more`);
  const known = templates.length === 0 ? "it has none yet (saveTemplateAs saves an import's mapping as one)" : `its templates are ${listed.join(', ')}`;
  return `templateId: business ${businessId} has no mapping template '${idOrName}': ${known}`;
}

function rowError(line: number, problem: RowProblem): RowError {
  return {
    row: line,
    ...(problem.column !== undefined && { column: problem.column }),
    ...(problem.field !== undefined && { field: problem.field }),
    message: `row ${line}: ${problem.message}`,
  };
}


const asWarned = (row: PlannedRow) => ({ line: row.line, problems: row.warnings });

/** The values left out of rows that were imported, in line order, and how many rows left some out; notes are not. */
function warningsOf(rows: readonly { line: number; problems: readonly RowProblem[] | null }[]): Pick<BatchOutcome, 'warnings' | 'warned'> {
  const warnings: RowError[] = [];
  const leftOut = rows
    .map(({ line, problems }) => ({ line, problems: (problems ?? []).filter((p) => !p.note) }))
    .filter((row) => row.problems.length > 0)
    .sort((a, b) => a.line - b.line);
  for (const { line, problems } of leftOut) {
    for (const problem of problems) if (warnings.length < MAX_ERRORS) warnings.push(rowError(line, problem));
  }
  return { warnings, warned: leftOut.length };
}

/**
 * What an update replaced, what it wrote in its place and what it added, so that undo can take exactly that back, and
 * leave a value changed since (by a later import, a sync, a person) as it is.
 */
function undoRecord(update: ContactUpdate, updatedAt: string | undefined) {
  const { fields, customFields, contactAddress, billingAddress, primaryPhone } = update.changes;
  return {
    ...update.previous,
    ...(updatedAt !== undefined && { updatedAt }),
    written: { fields, customFields, contactAddress, billingAddress, ...(primaryPhone !== undefined && { primaryPhone }) },
    addedPhones: update.changes.addPhones.map((p) => p.e164),
    addedTags: update.changes.addTags,
  };
}

/** A batch's ledger entries for planned and failed rows, as JSON array elements ('' for none). */
function ledgerEntries(planned: ChunkPlan, ids: ReadonlyMap<string, string>, undoByLine: ReadonlyMap<number, ReturnType<typeof undoRecord>>, failed: readonly FailedRow[]): string {
  const entries = [
    ...planned.rows.map((r) => ledgerRow({ line: r.line, outcome: r.outcome, contactId: ids.get(r.contact) ?? r.contact, previous: undoByLine.get(r.line), problems: r.warnings })),
    ...failed.map((f) => ledgerRow({ line: f.line, outcome: 'failed', contactId: null, problems: f.problems, cells: f.cells })),
  ];
  return entries.length > 0 ? JSON.stringify(entries).slice(1, -1) : '';
}

/** The writes of the batch's new people of one row each (by index into its valid rows), as the thread built them. */
function writesOfNewPeopleAlone(sent: SentRows, alone: readonly number[]): ContactWrites {
  const array = (column: readonly string[]) => {
    const items = alone.map((i) => column[i] as string).filter((item) => item !== '');
    return items.length > 0 ? `[${items.join(',')}]` : undefined;
  };
  const names = alone.flatMap((i) => (sent.asNew.tagNames[i] ? (JSON.parse(sent.asNew.tagNames[i]) as string[]) : []));
  const writes: ContactWrites = { ids: new Map(), tagNames: distinctTagNames(names) };
  const parts = { contacts: sent.asNew.contacts, phones: sent.asNew.phones, tagLinks: sent.asNew.tagLinks, addresses: sent.asNew.addresses };
  for (const [part, column] of Object.entries(parts) as [keyof typeof parts, string[]][]) {
    const value = array(column);
    if (value !== undefined) writes[part] = value;
  }
  return writes;
}

/** The ids of the business's contacts that rows name (an export's `Switchboard ID`); none when every row is to be created. */
function namedIds(rows: readonly ValidRow[], options: ImportOptions): string[] {
  if (options.onMatch === 'create') return [];
  return rows.flatMap((row) => (row.contact.storedId === undefined ? [] : [row.contact.storedId]));
}

/**
 * How to plan rows: with `stored`, the rows that name a contact of the business by its id update it, if they may be
 * that contact; a row naming an id the business has not (a file exported from another business, a contact deleted
 * since) is matched by its keys.
 */
function planOptions(options: ImportOptions, rows: readonly ValidRow[] = [], stored: readonly StoredContact[] = []) {
  const named = new Map<number, string>();
  if (options.onMatch !== 'create' && stored.length > 0) {
    const ids = new Set(stored.map((contact) => contact.id));
    for (const { line, contact } of rows) if (contact.storedId !== undefined && ids.has(contact.storedId)) named.set(line, contact.storedId);
  }
  return { onMatch: options.onMatch, uniqueIdentity: options.uniqueIdentity, ...(named.size > 0 && { named }) };
}

/** Adds ledger entries (JSON array elements) of the import's lines; the statement is sent at once. */
function insertLedgerEntries(tx: postgres.TransactionSql, importRow: ImportRow, entries: string) {
  return tx`
    insert into import_ledger (business_id, file_hash, line, import_id, outcome, contact_id, previous, problems, cells)
    select ${importRow.businessId}, ${importRow.fileHash}, (x->>0)::int, ${importRow.id}, (x->>1)::import_row_outcome, (x->>2)::uuid,
      -- An update's record says when it was written, the time the contact then holds, for an undo to know it by.
      case when x->3 = 'null'::jsonb then null else (x->3) || jsonb_build_object('writtenAt', now()::text) end,
      nullif(x->4, 'null'), nullif(x->5, 'null')
    from jsonb_array_elements(${`[${entries}]`}::jsonb) as x`.execute();
}

/** Lets whatever is waiting on the event loop (the statement results of another batch) run first. */
const givingWay = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createImportActivities({ db, sql, workDir }: ImportActivityDeps) {
  let referenceChecks: Promise<ReferenceChecks> | undefined;
  const howToCheckReferences = () =>
    (referenceChecks ??= referenceChecksAvailable(sql).catch((error: unknown) => {
      referenceChecks = undefined;
      throw error;
    }));

  /**
   * The emails and phones of each running import's business, kept from one chunk to the next, so that a batch asks the
   * database only about those of its keys that the filter may hold, not about every key (a probe per key was a fifth
   * of the database's work). A filter knows the keys stored when it was read and those its import has committed
   * since; a key another writer stored since is not in it. That is safe only under the `unique` policy: a row holding
   * such a key is written as a new person, its insert fails on the business's identity indexes as a retryable
   * conflict, and the retry reads the filter again. Any failure of a chunk drops its import's filter.
   */
  const keyFilters = new Map<string, { filter: KeyFilter; expiry: NodeJS.Timeout }>();
  /**
   * The import's filter: the one kept from its chunk before, or read now if that costs less than the probes it saves,
   * which takes a file with at least a quarter as many keys left as the contacts and phones tables hold rows (an
   * upper bound of the business's keys). Otherwise a batch asks about every key, as a small file or a re-import
   * would rather.
   */
  async function keyFilterOf(importRow: ImportRow, keysLeftInFile: number, stillAlive: () => void): Promise<KeyFilter | undefined> {
    const kept = keyFilters.get(importRow.id);
    if (kept) {
      kept.expiry.refresh();
      return kept.filter;
    }
    const [stored] = await sql<{ rows: number }[]>`
      select coalesce(sum(greatest(reltuples, 0)), 0)::float8 as rows from pg_class where oid in ('contacts'::regclass, 'contact_phones'::regclass)`;
    if (keysLeftInFile * 4 < (stored?.rows ?? 0)) return undefined;
    // A business of millions of contacts takes seconds to read: the chunk heartbeats meanwhile.
    const filter = await loadIdentityKeyFilter(sql, importRow.businessId, stillAlive);
    keyFilters.set(importRow.id, { filter, expiry: setTimeout(() => keyFilters.delete(importRow.id), KEY_FILTER_KEPT_MS).unref() });
    return filter;
  }
  function dropKeyFilter(importId: string): void {
    clearTimeout(keyFilters.get(importId)?.expiry);
    keyFilters.delete(importId);
  }

  /**
   * How a chunk's batches learn which of their emails and phones the business holds: through the import's filter when
   * `useFilter` (read, or not, when a batch first has keys to ask about: a re-import's batches, skipped, have none),
   * else by asking about every key.
   */
  function heldKeysOfChunk(importRow: ImportRow, useFilter: boolean, stillAlive: () => void) {
    let filter: Promise<KeyFilter | undefined> | undefined;
    return {
      async held(keys: string[], keysLeftInFile: number): Promise<Set<string>> {
        if (useFilter && keys.length > 0) filter ??= keyFilterOf(importRow, keysLeftInFile, stillAlive);
        const known = await filter;
        return heldIdentityKeys(sql, importRow.businessId, known ? keys.filter((key) => known.mayHold(key)) : keys);
      },
      /** After a batch commits: its keys join the filter (one being read meanwhile may have read the store before). */
      async committed(keys: Iterable<string>): Promise<void> {
        const known = await filter;
        if (known) for (const key of keys) if (!known.mayHold(key)) known.add(key);
      },
    };
  }

  async function loadImport(importId: string) {
    const row = await findImport(db, importId);
    if (!row) throw new SwitchboardError('NotFound', `importId: no import ${importId}`);
    return { row, options: row.options as unknown as ImportOptions, mapping: row.mapping as ColumnMapping[] };
  }

  /**
   * Makes sure, in a batch's transaction, that the lines it skips because an earlier import of the file holds them are
   * still that import's, and that they stay so until the batch commits: the earlier imports are locked `for key share`,
   * which an undo (locking its import `for update`) waits for. Lines undone since the batch was prepared fail it as a
   * retryable conflict; the retry reads them again and builds them.
   */
  async function holdEarlierImports(tx: postgres.TransactionSql, importRow: ImportRow, earlier: ReadonlyMap<number, string>): Promise<void> {
    const importIds = [...new Set(earlier.values())].sort();
    // A statement of its own, sent behind the lock at once: one that waited for the lock would still read with the
    // snapshot it began with. A range of the ledger's primary key, as the batch's ledger check reads it: a list of lines
    // was planned as a scan of every line of the earlier imports.
    const lines = [...earlier.keys()];
    const [locked, held] = await settledInOrder([
      tx<{ id: string; status: string }[]>`select id, status from imports where id = any(${importIds}::uuid[]) order by id for key share`.execute(),
      tx<{ line: number }[]>`
        select line from import_ledger
        where business_id = ${importRow.businessId} and file_hash = ${importRow.fileHash}
          and line between ${lines.reduce((a, b) => Math.min(a, b))} and ${lines.reduce((a, b) => Math.max(a, b))}
          and import_id = any(${importIds}::uuid[])`.execute(),
    ] as const);
    const undoing = locked.find((i) => i.status === 'undoing');
    if (undoing !== undefined) {
      throw new SwitchboardError('Conflict', `rows of this file are held by import ${undoing.id}, which is being undone; retrying the chunk until the undo is done (an undo stopped part way is finished by undoing it again: switchboard imports undo ${undoing.id})`, true);
    }
    const stillTheirs = new Set(held.map((r) => r.line));
    if (lines.some((line) => !stillTheirs.has(line))) {
      throw new SwitchboardError('Conflict', 'rows an earlier import of this file held when the batch was prepared are no longer its (was it undone?); retrying the chunk', true);
    }
  }

  /** Rows refused after they were read, with their cells read again from the file for the error report. */
  async function failedWithCells(
    options: ImportOptions,
    start: FilePosition | undefined,
    refused: readonly { line: number; problems: RowProblem[] }[],
  ): Promise<FailedRow[]> {
    if (refused.length === 0) return [];
    // Rare enough that a valid row does not carry its cells.
    const cells = await cellsOfLines(options.source, { delimiter: options.delimiter, ...(start && { resume: start }) }, new Set(refused.map((r) => r.line)));
    return refused.map(({ line, problems }) => ({ line, cells: cells.get(line) ?? [], problems }));
  }

  /**
   * What a batch needs before it is written, read and worked out outside its transaction, so that it can be done while
   * the batch before is being written: its lines' ledger, the rows left to write, which of their emails and phones the
   * business held when asked, and the plan and statements of the rows that are new people whatever is stored.
   */
  async function prepareBatch(
    importRow: ImportRow,
    options: ImportOptions,
    batch: ContactRowBatch,
    /** Where the batch starts in the file; absent at the first record. */
    start: FilePosition | undefined,
    /** Emails and phones of the batch being written meanwhile: the probe may run before they are stored. */
    writtenSince: ReadonlySet<string>,
    keysOfUsers: ReadonlySet<string>,
    heldKeys: ReturnType<typeof heldKeysOfChunk>,
    dryRun: boolean,
    dryRunContacts?: DryRunContacts,
  ): Promise<PreparedBatch> {
    // A batch's lines are one ascending run of the file: a range the ledger's primary key answers directly.
    const ledger = await sql<{ line: number; import_id: string; outcome: keyof ImportCounts; problems: RowProblem[] | null }[]>`
      select line, import_id, outcome, problems from import_ledger
      where business_id = ${importRow.businessId} and file_hash = ${importRow.fileHash}
        and line between ${batch.lines[0] ?? 0} and ${batch.lines.at(-1) ?? 0}`;
    const mine = ledger.filter((l) => l.import_id === importRow.id);
    if (!dryRun && mine.length > 0 && mine.length === batch.lines.length) {
      // This batch committed before the worker could say so: answer as it did.
      const errors = mine.filter((l) => l.outcome === 'failed').flatMap((l) => (l.problems ?? []).map((p) => rowError(l.line, p)));
      return { answered: { counts: countOutcomes(mine), errors, ...warningsOf(mine.filter((l) => l.outcome !== 'failed')) } };
    }
    const earlier = new Map(ledger.filter((l) => l.import_id !== importRow.id).map((l) => [l.line, l.import_id]));
    if (batch.importedBefore.some((line) => !earlier.has(line))) {
      // Read unbuilt because an earlier import held them, and that import no longer does (undone meanwhile): the retry
      // reads them again and builds them.
      throw new SwitchboardError('Conflict', 'rows an earlier import of this file held when they were read are no longer its (was it undone?); retrying the chunk', true);
    }
    const failed = batch.failed.filter((r) => !earlier.has(r.line));
    const sent = batch.valid;
    // By index into the batch's valid rows, with each one's keys.
    let rows = sent.lines.flatMap((line, i) => (earlier.has(line) ? [] : [i]));
    let keyNames = rows.map((i) => keyNamesAt(sent, i));
    if (options.uniqueIdentity) {
      const refused = new Map<number, RowProblem[]>();
      rows.forEach((i, k) => {
        const problems = keysOfUsersProblems(keyNames[k] as string[], keysOfUsers);
        if (problems.length > 0) refused.set(i, problems);
      });
      if (refused.size > 0) {
        failed.push(...(await failedWithCells(options, start, [...refused].map(([i, problems]) => ({ line: sent.lines[i] as number, problems })))));
        keyNames = keyNames.filter((_, k) => !refused.has(rows[k] as number));
        rows = rows.filter((i) => !refused.has(i));
      }
    }
    const keys = keyNames.flat();
    // The file's keys from here on, as many per byte as this batch has.
    const from = start?.offset ?? 0;
    const keysLeftInFile = (keys.length * Math.max(1, importRow.fileSize - from)) / Math.max(1, (batch.next?.offset ?? importRow.fileSize) - from);
    const held = await heldKeys.held(keys, keysLeftInFile);
    // A row naming a contact of the business by its id is looked up whatever its keys, and so are the rows that share
    // a key with it. An export of another business names none of its contacts: its rows are new people as any others.
    const idsInRows = options.onMatch === 'create' ? [] : [...new Set(rows.map((i) => sent.storedIds[i] as string).filter((id) => id !== ''))];
    const existing = idsInRows.length === 0 ? new Set<string>() : await existingContactIds(sql, importRow.businessId, idsInRows);
    const named = existing.size === 0 ? [] : keyNames.filter((_, k) => existing.has(sent.storedIds[rows[k] as number] as string));
    const heldOrWritten = dryRunContacts === undefined ? held : new Set([...held, ...dryRunContacts.held(keys)]);
    const heldOrNamed = named.length === 0 ? heldOrWritten : new Set([...heldOrWritten, ...named.flat()]);
    // A row that lacks what a contact needs (a last name, a phone or email) was built for naming a stored contact by
    // id: planned against it when the business has it, never written as a new person; refused when it has not.
    const namingStored: ValidRow[] = [];
    const keysOfNaming: string[] = [];
    if (rows.some((i) => sent.incomplete[i] !== '')) {
      const unnamed: { line: number; problems: RowProblem[] }[] = [];
      const lacking = new Set<number>();
      rows.forEach((i, k) => {
        if (sent.incomplete[i] === '') return;
        lacking.add(k);
        const row = validRowAt(sent, i);
        const id = sent.storedIds[i] as string;
        if (existing.has(id)) {
          namingStored.push(row);
          keysOfNaming.push(...(keyNames[k] as string[]));
        } else {
          unnamed.push({ line: row.line, problems: [...(row.contact.incomplete ?? []), { field: 'switchboardId', message: `its Switchboard ID ${id} is no contact of this business, which it could have updated` }] });
        }
      });
      failed.push(...(await failedWithCells(options, start, unnamed)));
      keyNames = keyNames.filter((_, k) => !lacking.has(k));
      rows = rows.filter((_, k) => !lacking.has(k));
    }
    // This runs while the batch before is written, on the same thread: each step gives way to that batch's next
    // statement rather than hold it up.
    const split = splitByPossibleMatch(keyNames, heldOrNamed, writtenSince);
    const alone: number[] = [];
    const together: ValidRow[] = [];
    for (const person of split.newPeople) {
      if (person.length === 1) alone.push(rows[person[0] as number] as number);
      else for (const k of person) together.push(validRowAt(sent, rows[k] as number));
    }
    const mayMatch = [...split.mayMatch.map((k) => validRowAt(sent, rows[k] as number)), ...namingStored];
    await givingWay();
    // The rows of a person new to the store who is in the batch more than once are merged by the plan; a person of
    // one row is written as the thread built it.
    const planned = planChunk(together, [], planOptions(options));
    failed.push(...(await failedWithCells(options, start, planned.refused)));
    await givingWay();
    const writes = dryRun ? undefined : combineContactWrites(writesOfNewPeopleAlone(sent, alone), buildContactWrites(planned));
    await givingWay();
    const entries = dryRun ? [] : [alone.map((i) => sent.asNew.ledger[i]).join(','), ledgerEntries(planned, writes?.ids ?? new Map(), new Map(), failed)];
    const aloneLines = batch.warned.length > 0 ? new Set(alone.map((i) => sent.lines[i])) : undefined;
    return {
      earlier,
      failed,
      ...(start && { start }),
      mayMatch,
      newPeople: { alone: alone.length, rows: planned.rows, ...(writes && { writes }) },
      ledgerEntries: entries.filter((e) => e !== '').join(','),
      aloneWarned: aloneLines ? batch.warned.filter((w) => aloneLines.has(w.line)) : [],
      keys: keysOfNaming.length === 0 ? split.keys : new Set([...split.keys, ...keysOfNaming]),
      ...(dryRunContacts && { dryRunRows: { alone: alone.map((i) => validRowAt(sent, i)), together: planned } }),
    };
  }

  /** One batch, in one transaction: the rows that may match looked up and planned, everything written, the ledger added. */
  async function writeBatch(
    importRow: ImportRow,
    options: ImportOptions,
    { earlier, failed: failedBefore, start, mayMatch, newPeople, ledgerEntries: preparedEntries, aloneWarned, dryRunRows }: RowsToWrite,
    keysOfUsers: ReadonlySet<string>,
    dryRun: boolean,
    dryRunContacts?: DryRunContacts,
  ): Promise<BatchOutcome> {
    const checks = dryRun ? 'per-row' : await howToCheckReferences();
    const failed = [...failedBefore];
    const plan = await sql.begin(async (tx) => {
      if (dryRun) {
        const looked = await loadStoredContacts(tx, importRow.businessId, mayMatch.map((r) => r.contact), namedIds(mayMatch, options));
        const stored = dryRunContacts ? dryRunContacts.overlay(looked, mayMatch) : looked;
        const planned = planChunk(mayMatch, stored, planOptions(options, mayMatch, stored));
        if (dryRunRows) dryRunContacts?.record([dryRunRows.together, planned], stored, dryRunRows.alone);
        failed.push(...planned.refused.map((r) => ({ ...r, cells: [] })));
        return planned;
      }
      // The statements go out as soon as each can be built and are awaited in the order sent.
      const pipeline = new StatementPipeline();
      pipeline.send(lockReferencedRows(tx, { businessId: importRow.businessId, importId: importRow.id }, checks));
      if (options.uniqueIdentity) pipeline.send(holdKeysOfUsers(tx, importRow.businessId, keysOfUsers));
      if (earlier.size > 0) pipeline.send(holdEarlierImports(tx, importRow, earlier));
      const write = { uniqueIdentity: options.uniqueIdentity, source: `import:${importRow.id}` };
      // Most rows of an import are new people, planned and built already: they are written while the other rows are
      // looked up and planned. They share no email or phone with those rows, so the lookup cannot find them. Only the
      // others are looked up, in full and locked. A contact stored by another writer since the probe holds a key of a
      // row not looked up; under the `unique` policy the insert of that key fails on a unique index, and the retry
      // sees the contact.
      if (newPeople.writes) pipeline.send(runContactWrites(tx, importRow.businessId, newPeople.writes, write));
      const lookup = loadStoredContacts(tx, importRow.businessId, mayMatch.map((r) => r.contact), namedIds(mayMatch, options));
      pipeline.send(lookup);
      // Behind the lookup, so that the server has it to write while the rows looked up are planned.
      if (preparedEntries !== '') pipeline.send(insertLedgerEntries(tx, importRow, preparedEntries));
      const stored = await pipeline.resultOf(lookup);
      const planned: ChunkPlan = planChunk(mayMatch, stored, planOptions(options, mayMatch, stored));
      const writes = buildContactWrites(planned);
      pipeline.send(runContactWrites(tx, importRow.businessId, writes, write));
      // An update's undo record goes on the first line that updated its contact, found in one pass: searching the rows
      // for each update grew with the square of the batch.
      const firstUpdatingLine = new Map<string, number>();
      for (const r of planned.rows) if (r.outcome === 'updated' && !firstUpdatingLine.has(r.contact)) firstUpdatingLine.set(r.contact, r.line);
      const undoByLine = new Map<number, ReturnType<typeof undoRecord>>();
      const updatedAtOf = new Map(stored.map((contact) => [contact.id, contact.updatedAt]));
      for (const update of planned.updates) {
        const firstLine = firstUpdatingLine.get(update.contactId);
        if (firstLine !== undefined) undoByLine.set(firstLine, undoRecord(update.update, updatedAtOf.get(update.contactId)));
      }
      // Rare: read from the file while the transaction waits, since their ledger entries belong in it.
      const refused = await failedWithCells(options, start, planned.refused);
      failed.push(...refused);
      const entries = ledgerEntries(planned, writes.ids, undoByLine, refused);
      if (entries !== '') pipeline.send(insertLedgerEntries(tx, importRow, entries));
      await pipeline.settled();
      return planned;
    });

    const counts = countOutcomes([...newPeople.rows, ...plan.rows, ...failed.map(() => ({ outcome: 'failed' as const }))]);
    counts.created += newPeople.alone;
    counts.skipped += earlier.size;
    const [firstEarlier] = earlier;
    const errors = [
      ...failed.flatMap((f) => f.problems.map((p) => rowError(f.line, p))),
      ...(firstEarlier
        ? [
            {
              row: firstEarlier[0],
              message: `row ${firstEarlier[0]}: this file was imported into the business before (import ${firstEarlier[1]}); its rows are skipped (to import them again, with another mapping say, undo that import first)`,
              importedBefore: firstEarlier[1],
            },
          ]
        : []),
    ].sort((a, b) => a.row - b.row);
    return { counts, errors, ...warningsOf([...aloneWarned, ...newPeople.rows.map(asWarned), ...plan.rows.map(asWarned)]) };
  }

  return {
    async prepareImport(input: ImportContactsCsvInput & { workflowId: string }): Promise<PreparedImport> {
      const business = await findBusiness(db, input.businessId);
      if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
      if (input.onMatch === 'create' && business.identityPolicy !== 'none') {
        throw invalid(
          `onMatch: 'create' makes duplicates, which only a business whose identity policy is 'none' allows; this one's is '${business.identityPolicy}'`,
        );
      }
      let file: string;
      let original: Stats;
      try {
        file = path.resolve(resolveCsvPath(input.file));
        original = await stat(file);
      } catch (error) {
        throw invalid(`file: ${unreadable(input.file, error as NodeJS.ErrnoException)}`);
      }
      if (original.isDirectory()) throw invalid(`file: '${input.file}' is a folder; give the path of the CSV file in it`);
      if (input.defaultCountry !== undefined && !isValidCountryCode(input.defaultCountry)) {
        const hint = input.defaultCountry === 'UK' ? ' (the United Kingdom is GB)' : '';
        throw invalid(`defaultCountry: '${input.defaultCountry}' is no country phone numbers are known for${hint}; give an ISO 3166 alpha-2 code such as AU, GB or US`);
      }
      if (input.errorReport !== undefined) {
        const report = await writableCsvTarget(input.errorReport, 'errorReport');
        const existing = await stat(report).catch(() => undefined);
        if (report === file || (existing !== undefined && existing.ino === original.ino && existing.dev === original.dev)) {
          throw invalid(`errorReport: '${input.errorReport}' is the file being imported, which the report would overwrite; give another file name`);
        }
        // An earlier report is written over, as a re-run's; any other file is someone's, and kept.
        if (existing !== undefined && existing.size > 0 && !(await isErrorReport(report))) {
          throw invalid(`errorReport: '${input.errorReport}' is a file already, and no error report, which the report would overwrite; give a new file name`);
        }
      }
      const inspect = (encoding?: string) =>
        inspectCsv(file, encoding).catch((error: unknown) => {
          throw invalid(`file: ${(error as Error).message}`);
        });
      let inspection = await inspect();
      // Taken before the hash: a file changed in between is hashed again by the first chunk, which then goes on.
      const originalModifiedMs = original.mtimeMs;
      const survey = isUtf8Encoding(inspection.encoding) ? new Utf8Survey() : undefined;
      const fileHash = await sha256(file, undefined, survey);
      if (survey?.firstInvalid !== undefined) inspection = await inspect(await encodingPastTheSample(file, survey));
      if (inspection.sample.length === 0) {
        // Most often a report exported with a filter that matched nobody: said now, not as an import of 0 rows.
        throw invalid(
          `file: '${input.file}' has its header (line ${inspection.headerLine}: ${shownCells(inspection.headers)}) and no rows below it: there is nothing to import`,
        );
      }

      let explicit: Record<string, string> = {};
      if (input.templateId) {
        const template = await findTemplate(db, business.id, input.templateId);
        if (!template) throw new SwitchboardError('NotFound', await noTemplateMessage(db, business.id, input.templateId));
        // A template keeps every column of the file it was saved from; the next export of the same system may lack
        // some of them (an empty column left out), which must not fail it. Columns given in `mapping` must exist.
        const inFile = new Set(inspection.headers.map((header) => header.toLowerCase()));
        explicit = Object.fromEntries(Object.entries(template.mapping).filter(([header]) => inFile.has(header.toLowerCase())));
      }
      explicit = { ...explicit, ...input.mapping };
      let mapping = autoMapColumns(inspection.headers, inspection.sample, { defaultCountry: input.defaultCountry ?? business.defaultCountry });
      if (Object.keys(explicit).length > 0) {
        const applied = applyMapping(mapping, explicit);
        if (!applied.ok) throw invalid(headerFurtherDown(inspection, explicit) ?? `mapping: ${applied.errors.join('; ')}`);
        mapping = applied.mapping;
      }
      requireUsableMapping(mapping, inspection, explicit);

      const isUtf8 = isUtf8Encoding(inspection.encoding);
      const importRow = await createOrFindImport(db, {
        businessId: business.id,
        file,
        fileHash,
        fileSize: inspection.sizeBytes,
        workflowId: input.workflowId,
        mapping,
        options: {},
      });
      const options: ImportOptions = {
        source: isUtf8 ? file : path.join(workDir, 'imports', `${importRow.id}.csv`),
        sourceIsCopy: !isUtf8,
        originalFile: file,
        encoding: inspection.encoding,
        delimiter: inspection.delimiter,
        headers: inspection.headers,
        onMatch: input.onMatch,
        defaultCountry: input.defaultCountry ?? business.defaultCountry,
        uniqueIdentity: business.identityPolicy === 'unique',
        originalModifiedMs,
      };
      await sql`update imports set options = ${JSON.stringify(options)}::jsonb, mapping = ${JSON.stringify(mapping)}::jsonb where id = ${importRow.id}`;
      if (options.sourceIsCopy) await utf8Copy(file, inspection.encoding, options.source);
      const savedTemplate = input.saveTemplateAs
        ? {
            id: await saveTemplate(db, business.id, input.saveTemplateAs, Object.fromEntries(mapping.map((m) => [m.header, m.field]))),
            name: input.saveTemplateAs,
          }
        : undefined;
      const sizeBytes = options.sourceIsCopy ? (await stat(options.source)).size : inspection.sizeBytes;
      const rowsEstimate = estimateRows({ rows: inspection.sample.length, bytes: inspection.sampleBytes }, sizeBytes - inspection.headerEndOffset);
      return { importId: importRow.id, sizeBytes, rowsEstimate, mapping, ...(savedTemplate && { savedTemplate }) };
    },

    /**
     * A chunk of the file, written in batches: each batch is one transaction together with its ledger rows, and the
     * position after it is heartbeated, so a retry goes on from the last committed batch. The file is read and its
     * rows built on a thread of their own (`readContactRows`), ahead of the batch being written, which keeps both of
     * the worker's cores and the database busy at once.
     */
    async importChunk(input: { importId: string; position?: FilePosition; maxRecords: number; dryRun: boolean }): Promise<ChunkResult> {
      const { row: importRow, options, mapping } = await loadImport(input.importId);
      // What a retry resumes from must survive the heartbeats of the check.
      const resumedDetails: unknown = Context.current().info.heartbeatDetails;
      await requireUnchangedFile(sql, importRow, options, () => heartbeat(resumedDetails));
      if (options.sourceIsCopy && !existsSync(options.source)) await utf8Copy(options.originalFile, options.encoding, options.source);

      if (!input.dryRun) await refreshPlannerStatistics(sql);
      // Rows are checked against these once per chunk; each batch confirms, under lock, that they are still all
      // (`holdKeysOfUsers`), and a retry reads them again.
      const keysOfUsers = options.uniqueIdentity ? await loadKeysOfUsers(sql, importRow.businessId) : new Set<string>();
      // A dry run writes nothing that a stale filter would fail on: it asks about every key.
      const heldKeys = heldKeysOfChunk(importRow, options.uniqueIdentity && !input.dryRun, () => heartbeat(progress));
      // A re-import of a file would build every row only to skip it: the reader is told which rows not to build.
      const [{ reimport } = { reimport: false }] = await sql<{ reimport: boolean }[]>`
        select exists (select 1 from imports where business_id = ${importRow.businessId} and file_hash = ${importRow.fileHash} and id <> ${importRow.id}) as reimport`;
      const linesImportedBefore = async (from: FilePosition | undefined, records: number) => {
        const rows = await sql<{ line: number }[]>`
          select line from import_ledger
          where business_id = ${importRow.businessId} and file_hash = ${importRow.fileHash} and line >= ${from?.line ?? 0}
            and import_id <> ${importRow.id}
          order by line limit ${records}`;
        return rows.map((r) => r.line);
      };
      const resumed = Context.current().info.heartbeatDetails as ChunkProgress | undefined;
      let progress: ChunkProgress = resumed ?? { position: input.position, read: 0, counts: zeroCounts(), errors: [] };
      let endOfFile = false;
      const batches = readContactRows({
        source: options.source,
        delimiter: options.delimiter,
        ...(progress.position && { resume: progress.position }),
        mapping,
        defaultCountry: options.defaultCountry,
        named: options.onMatch !== 'create',
        batchRows: BATCH_ROWS,
        maxRecords: input.maxRecords - progress.read,
        ...(reimport && { linesImportedBefore }),
      });
      // Each batch is read, its ledger checked and its keys probed while the batch before it is written: on another
      // connection, so that the database works on both at once.
      const prepareNext = (start: FilePosition | undefined, writtenSince: ReadonlySet<string>) => {
        const preparing = (async () => {
          const next = await batches.next();
          if (next.done) return undefined;
          const batch = next.value;
          const prepared =
            batch.lines.length === 0 ? undefined : await prepareBatch(importRow, options, batch, start, writtenSince, keysOfUsers, heldKeys, input.dryRun, dryRunContacts);
          return { batch, prepared };
        })();
        // A failure here is met when the loop comes to this batch; until then it must not count as unhandled, which
        // would end the worker's process instead of this attempt.
        preparing.catch(() => undefined);
        return preparing;
      };
      // A dry run writes nothing: what it would have written is kept for the chunk's later batches to be planned against.
      const dryRunContacts = input.dryRun ? new DryRunContacts() : undefined;
      let upcoming = prepareNext(progress.position, new Set());
      try {
        for (;;) {
          const current = await upcoming;
          if (!current) break;
          const { batch, prepared } = current;
          endOfFile = batch.endOfFile;
          upcoming = prepareNext(batch.next, prepared && !('answered' in prepared) ? prepared.keys : new Set());
          if (!prepared) continue;
          let written: BatchOutcome;
          try {
            written = 'answered' in prepared ? prepared.answered : await writeBatch(importRow, options, prepared, keysOfUsers, input.dryRun, dryRunContacts);
          } catch (error) {
            // The next batch's reading must settle before the reader is closed.
            await upcoming.then(
              () => undefined,
              () => undefined,
            );
            throw error;
          }
          if (!('answered' in prepared)) await heldKeys.committed(prepared.keys);
          progress = {
            position: batch.next,
            read: progress.read + batch.lines.length,
            counts: addCounts(progress.counts, written.counts),
            errors: addRowErrors(progress.errors, written.errors, MAX_ERRORS),
            warnings: addRowErrors(progress.warnings ?? [], written.warnings, MAX_ERRORS),
            warned: (progress.warned ?? 0) + written.warned,
          };
          heartbeat(progress);
        }
      } catch (error) {
        dropKeyFilter(importRow.id);
        throw error;
      } finally {
        await batches.return(undefined);
      }
      if (endOfFile) dropKeyFilter(importRow.id);
      return { next: progress.position, done: endOfFile, counts: progress.counts, errors: progress.errors, warnings: progress.warnings ?? [], warned: progress.warned ?? 0 };
    },

    async finishImport(input: { importId: string; status: 'completed' | 'cancelled' | 'failed'; dryRun: boolean; errorReport?: string }): Promise<{ errorReport?: string }> {
      const { row: importRow, options, mapping } = await loadImport(input.importId);
      let errorReport: string | undefined;
      if (!input.dryRun) {
        const [counted] = await sql<{ failed: number }[]>`
          select count(*)::int as failed from import_ledger where import_id = ${importRow.id} and outcome = 'failed'`;
        if ((counted?.failed ?? 0) > 0) errorReport = await writeErrorReport(importRow.id, options, mapping, input.errorReport);
      }
      // A dry run leaves nothing behind but the template it may have saved.
      await (input.dryRun
        ? sql`delete from imports where id = ${importRow.id}`
        : sql`update imports set status = ${input.status}, finished_at = now(), error_report = ${errorReport ?? null} where id = ${importRow.id}`);
      if (options.sourceIsCopy) await rm(options.source, { force: true });
      return errorReport ? { errorReport } : {};
    },
  };

  /** The failed rows as they were in the file, each with its problems in a last column, in line order. */
  async function writeErrorReport(importId: string, options: ImportOptions, mapping: readonly ColumnMapping[], requested?: string): Promise<string> {
    const parsed = path.parse(options.originalFile);
    // Named for the import: the same file imported again, or into another business, keeps each run's report.
    const besideFile = path.join(parsed.dir, `${parsed.name}.${importId.slice(0, 8)}.errors.csv`);
    const target = requested ? path.resolve(resolveCsvPath(requested, 'errorReport')) : besideFile;
    const fallback = path.join(workDir, 'imports', `${importId}.errors.csv`);
    // A corrected report imported again is reported on with the lines and errors of this import, not those before too.
    const reported = options.headers.flatMap((_, i) => (mapping.find((m) => m.column === i)?.reportColumn ? [] : [i]));
    const columns = [...reported.map((i) => options.headers[i] as string), errorReportHeaders.line, errorReportHeaders.error];
    let file = target;
    let writer;
    try {
      await access(path.dirname(target));
      writer = createCsvWriter(target, columns);
    } catch {
      await mkdir(path.dirname(fallback), { recursive: true });
      file = fallback;
      writer = createCsvWriter(fallback, columns);
    }
    const cursor = sql<{ line: number; cells: string[]; problems: RowProblem[] }[]>`
      select line, cells, problems from import_ledger where import_id = ${importId} and outcome = 'failed' order by line`.cursor(1000);
    try {
      for await (const rows of cursor) {
        for (const row of rows) {
          const cells = reported.map((i) => row.cells[i] ?? '');
          await writer.write([...cells, String(row.line), row.problems.map((p) => p.message).join('; ')]);
        }
        heartbeat();
      }
      await writer.close();
    } catch (error) {
      throw asWriteFailure(error, 'errorReport', file);
    }
    return file;
  }
}

/** Whether a file is an import's error report: its header ends with the report's Line and Error columns. */
async function isErrorReport(file: string): Promise<boolean> {
  const headers = await inspectCsv(file).then(
    (inspection) => inspection.headers,
    (): string[] => [],
  );
  return endsAsErrorReport(headers);
}

function unreadable(given: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'EACCES') return `the worker may not read '${given}'`;
  if (error.code !== 'ENOENT') return error.message;
  // The worker's folder is rarely the one the operator had in mind when typing the path.
  const relative = !path.isAbsolute(given) && !/^file:/i.test(given);
  return relative ? `no file '${given}' in the worker's folder ${process.cwd()}: give the file's full path` : `no file '${given}' where the worker runs`;
}
