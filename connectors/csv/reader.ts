import { CsvError, Parser, type Options as ParseOptions } from 'csv-parse';
import iconv from 'iconv-lite';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { addAbortSignal, pipeline, type TransformCallback } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { detectDelimiter, isDelimiterLine } from './delimiter';
import { detectEncoding, mixedEncodingMessage, notTextReason, Utf8Survey } from './encoding';
import { stripExportArtifacts, withoutNul } from '../../domain/text';

export interface CsvInspection {
  encoding: string;
  delimiter: string;
  /** Trimmed header names, blanks named `Column N` and repeats numbered `Name (2)`, so every name is unique. */
  headers: string[];
  /** The first data records, as read. */
  sample: string[][];
  /** The physical line where each record of the sample starts. */
  sampleLines: number[];
  sizeBytes: number;
  headerLine: number;
  /**
   * Bytes from the end of the header to the end of the last record of the sample, counted as a read of the file
   * counts them (in UTF-8, whatever the file's encoding): what the sample's rows took, to estimate the file's.
   */
  sampleBytes: number;
  /** Where the header ends, counted the same way. */
  headerEndOffset: number;
}

export interface CsvRecord {
  /** 0-based among the data records: the header and rows of empty cells are not counted. */
  index: number;
  /** 1-based physical line of the file where the record starts. */
  line: number;
  cells: string[];
  /** Bytes of the file read so far, a little ahead of the record, for progress against the file size. */
  bytesRead: number;
  /**
   * Byte position just past this record (its line break included): where a resumed read starts. Exact for UTF-8
   * files, which is why an import reads a UTF-8 copy of a file in any other encoding.
   */
  endOffset: number;
  /** The physical line at endOffset. */
  nextLine: number;
}

export interface ReadCsvOptions {
  /** Data records to pass over without yielding them, to resume an import. */
  skipRecords?: number;
  /**
   * Start at this byte position of a UTF-8 file, the `endOffset` of an earlier record: no header is read there, and
   * `startLine` (the physical line at that position) keeps line numbers right.
   */
  resume?: { offset: number; line: number };
  encoding?: string;
  delimiter?: string;
  signal?: AbortSignal;
}

interface CsvFormat {
  encoding: string;
  delimiter: string;
}

interface PhysicalRecord {
  line: number;
  cells: string[];
  bytesRead: number;
  endOffset: number;
  nextLine: number;
}

const SAMPLE_BYTES = 256 * 1024;
/** How many records after the header the mapping looks at to check its columns' values. */
export const SAMPLE_RECORDS = 50;
// A stray quote makes the parser read the rest of the file as one field; this bounds the memory that takes.
const MAX_RECORD_BYTES = 1024 * 1024;

/** The local path of a path or file:// URL given as the `parameter` of a workflow. */
export function resolveCsvPath(file: string, parameter = 'file'): string {
  if (/^file:/i.test(file)) return fileURLToPath(file);
  // Two letters at least, so that a Windows drive letter is not taken for a scheme.
  if (/^[a-z][a-z\d+.-]+:\/\//i.test(file)) throw new Error(`${parameter} must be a local path or a file:// URL, got '${file}'`);
  return file;
}

/** The file's format, header and first records; `encoding` when known otherwise than from its first bytes. */
export async function inspectCsv(file: string, encoding?: string): Promise<CsvInspection> {
  const path = resolveCsvPath(file);
  const [{ size }, format] = await Promise.all([stat(path), detectFormat(path, encoding === undefined ? {} : { encoding })]);
  const { header, groups } = await openRecords(path, format);
  const sample: string[][] = [];
  const sampleLines: number[] = [];
  let sampleEndOffset = header.endOffset;
  for await (const group of groups) {
    const taken = group.slice(0, SAMPLE_RECORDS - sample.length);
    sample.push(...taken.map((r) => r.cells));
    sampleLines.push(...taken.map((r) => r.line));
    sampleEndOffset = taken.at(-1)?.endOffset ?? sampleEndOffset;
    if (sample.length === SAMPLE_RECORDS) break;
  }
  return {
    ...format,
    headers: headerNames(header.cells),
    sample,
    sampleLines,
    sizeBytes: size,
    headerLine: header.line,
    sampleBytes: sampleEndOffset - header.endOffset,
    headerEndOffset: header.endOffset,
  };
}

export async function* readCsvRecords(file: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvRecord> {
  for await (const records of readCsvRecordGroups(file, options)) yield* records;
}

/**
 * The records of `readCsvRecords`, a few hundred at a time (those of a block of the file, as it was read): for a
 * reader that does its own work per record, a step of an async iteration per record costs more than parsing it.
 */
export async function* readCsvRecordGroups(file: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvRecord[]> {
  const path = resolveCsvPath(file);
  const format = await detectFormat(path, options);
  const groups = options.resume
    ? physicalRecordGroups(path, format, options.signal, options.resume)
    : (await openRecords(path, format, options.signal)).groups;
  const { skipRecords = 0 } = options;
  let index = 0;
  for await (const group of groups) {
    const records: CsvRecord[] = [];
    for (const record of group) {
      if (index >= skipRecords) records.push({ index, ...record });
      index++;
    }
    if (records.length > 0) yield records;
  }
}

/** The cells of these records of a UTF-8 file, by line, read again from a position at or before the first of them. */
export async function cellsOfLines(
  file: string,
  options: { delimiter: string; resume?: { offset: number; line: number } },
  lines: ReadonlySet<number>,
): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  if (lines.size === 0) return found;
  const last = Math.max(...lines);
  for await (const record of readCsvRecords(file, { encoding: 'utf-8', ...options })) {
    if (lines.has(record.line)) found.set(record.line, record.cells);
    if (record.line >= last) break;
  }
  return found;
}

async function detectFormat(path: string, known: Partial<CsvFormat> = {}): Promise<CsvFormat> {
  if (known.encoding && known.delimiter) return { encoding: known.encoding, delimiter: known.delimiter };
  const sample = await readBytes(path, 0, SAMPLE_BYTES);
  const notText = notTextReason(sample);
  if (notText) throw new Error(notText);
  const encoding = known.encoding ?? detectEncoding(sample).encoding;
  if (known.encoding === undefined && encoding === 'windows-1252') refuseMixedEncodings(sample);
  return { encoding, delimiter: known.delimiter ?? detectDelimiter(iconv.decode(sample, encoding)).delimiter };
}

/**
 * A start of a file that is not UTF-8 but holds characters written in UTF-8 too ("Renée" in UTF-8 beside "Zoë" in
 * windows-1252): reading it in either encoding garbles some names, so it is refused, naming the first line that is
 * not UTF-8. Windows-1252 text itself almost never forms a UTF-8 character ("Ã©").
 */
function refuseMixedEncodings(sample: Buffer): void {
  const survey = new Utf8Survey();
  survey.push(sample);
  if (!survey.multibyte || survey.firstInvalid === undefined) return;
  const offset = survey.firstInvalid;
  throw new Error(mixedEncodingMessage(1 + newlinesIn(sample, offset), sample[offset] as number));
}

/** Up to `length` bytes of the file from `position`. */
export async function readBytes(path: string, position: number, length: number): Promise<Buffer> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(length), position });
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The physical line a byte of the file is on. */
export async function lineOfByte(path: string, offset: number): Promise<number> {
  let line = 1;
  if (offset === 0) return line;
  for await (const chunk of createReadStream(path, { end: offset - 1 })) line += newlinesIn(chunk as Buffer);
  return line;
}

function newlinesIn(bytes: Buffer, end = bytes.length): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1 && at < end; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

async function openRecords(
  path: string,
  format: CsvFormat,
  signal?: AbortSignal,
): Promise<{ header: PhysicalRecord; groups: AsyncGenerator<PhysicalRecord[]> }> {
  const groups = physicalRecordGroups(path, format, signal);
  const first = await groups.next();
  const records = first.done ? [] : first.value;
  const [header, ...rest] = records[0] && isDelimiterLine(records[0].cells) ? records.slice(1) : records;
  if (!header) throw new Error(records.length === 0 ? 'the file is empty: no line of it holds a value' : 'the file has no header row');
  async function* afterHeader(): AsyncGenerator<PhysicalRecord[]> {
    try {
      if (rest.length > 0) yield rest;
      yield* groups;
    } finally {
      // A reader that stops within the first block must still close the file.
      await groups.return(undefined);
    }
  }
  return { header, groups: afterHeader() };
}

/** A parsed record and where the parser was when it finished it. */
interface ParsedRecord {
  cells: string[];
  /** Byte position just past the record, its line break included. */
  end: number;
  /** Blank lines the parser skipped before this record, since the start of its read. */
  emptyLines: number;
}

/**
 * csv-parse, pushing a block's records as one array, each with where it ends. Its `info` option gives the same
 * positions as an object built per record; with that, and a step of the stream's iteration per record, reading took
 * three times as long as parsing. The parser's running `info` is read as each record is pushed, which is the moment
 * it describes that record: a test checks the positions against those of the `info` option.
 */
class RecordGroupParser extends Parser {
  private group: ParsedRecord[] = [];

  constructor(options: ParseOptions) {
    // Records must come as arrays of cells, which `info` and `raw` would wrap in objects.
    super({ ...options, info: false, raw: false });
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      this.pushGroup();
      return super.push(null, encoding);
    }
    this.group.push({ cells: chunk as string[], end: this.info.bytes, emptyLines: this.info.empty_lines });
    return true;
  }

  override _transform(buffer: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    super._transform(buffer, encoding, (error?: Error | null) => {
      this.pushGroup();
      callback(error);
    });
  }

  override _flush(callback: TransformCallback): void {
    super._flush((error?: Error | null) => {
      this.pushGroup();
      callback(error);
    });
  }

  private pushGroup(): void {
    if (this.group.length === 0) return;
    const group = this.group;
    this.group = [];
    super.push(group);
  }
}

/** Every record of the file with at least one non-blank cell, the header included, a block of the file at a time. */
async function* physicalRecordGroups(
  path: string,
  { encoding, delimiter }: CsvFormat,
  signal?: AbortSignal,
  from: { offset: number; line: number } = { offset: 0, line: 1 },
): AsyncGenerator<PhysicalRecord[]> {
  const file = createReadStream(path, { start: from.offset });
  const parser = new RecordGroupParser({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // Files stitched together from several sources mix line endings; '\r\n' first so that it counts as one.
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_BYTES,
  });
  const decoding = isUtf8Encoding(encoding) ? [] : [iconv.decodeStream(encoding)];
  pipeline([file, ...decoding, parser], () => {
    // Any failure of the pipeline destroys the parser with it, and iterating the parser rejects with it.
  });
  if (signal) addAbortSignal(signal, parser);

  const lines = lineCounter(from.line);
  try {
    for await (const group of parser as AsyncIterable<ParsedRecord[]>) {
      const bytesRead = from.offset + file.bytesRead;
      const records: PhysicalRecord[] = [];
      for (const { cells, end, emptyLines } of group) {
        const line = lines.startOfRecord(emptyLines, cells);
        if (cells.some((cell) => cell.trim() !== '')) {
          records.push({ line, cells: withoutNul(cells), bytesRead, endOffset: from.offset + end, nextLine: lines.nextLine() });
        }
      }
      if (records.length > 0) yield records;
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = lines.startOfRecord(Number(error.empty_lines), []);
    throw new Error(`the CSV record starting at line ${line} cannot be read: ${error.message}${whatToDo(error.code)}`, { cause: error });
  }
}

// Both come from a quote that opens a cell and is never closed: the parser reads on, line breaks included, as that cell.
function whatToDo(code: string): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return '. A quote (") that opens a cell there is never closed, so every line after it was read as part of that cell: close it, or write a quote inside a cell as two ("")';
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return `. A record over ${MAX_RECORD_BYTES / 1024 / 1024} MiB is almost always a quote (") opening a cell there that is never closed, so the lines after it are read as part of that cell: close it, or write a quote inside a cell as two ("")`;
  }
  return '';
}

/**
 * Physical line numbers from the records themselves: csv-parse's own `info.lines` counts a CRLF inside a quoted field
 * twice. A record starts after the previous one's last line and the blank lines skipped since.
 */
function lineCounter(firstLine: number) {
  let previousLastLine = firstLine - 1;
  let previousBlankLines = 0;
  return {
    startOfRecord(blankLinesSoFar: number, cells: string[]): number {
      const start = previousLastLine + 1 + (blankLinesSoFar - previousBlankLines);
      previousLastLine = start + cells.reduce((breaks, cell) => breaks + lineBreaks(cell), 0);
      previousBlankLines = blankLinesSoFar;
      return start;
    },
    nextLine: () => previousLastLine + 1,
  };
}

function lineBreaks(cell: string): number {
  return cell.match(/\r\n|\r|\n/g)?.length ?? 0;
}

export function isUtf8Encoding(encoding: string): boolean {
  return /^utf-?8$/i.test(encoding);
}

/**
 * The names a header row gives its columns: `CsvInspection.headers` describes them. A formula-safe export puts its
 * apostrophe before a header as before any cell (`'@handle`): the name is the header without it.
 */
export function headerNames(cells: readonly string[]): string[] {
  // Told apart as written: "Allergies" and "allergies" are two custom fields an export writes as two columns.
  const taken = new Set<string>();
  return cells.map((cell, position) => {
    const name = stripExportArtifacts(cell) || unnamedColumn(position);
    let unique = name;
    for (let repeat = 2; taken.has(unique); repeat++) unique = `${name} (${repeat})`;
    taken.add(unique);
    return unique;
  });
}

const unnamedColumn = (position: number) => `Column ${position + 1}`;

/** Whether a header name is of the form `headerNames` gives a blank cell (a header written so is taken for one). */
export const isUnnamedColumn = (name: string): boolean => /^Column \d+$/.test(name);
