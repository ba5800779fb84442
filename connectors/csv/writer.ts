import { stringify } from 'csv-stringify';
import { once } from 'node:events';
import { constants, createWriteStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SwitchboardError } from '../../domain/errors';
import { hasExportApostrophe } from '../../domain/text';
import { resolveCsvPath } from './reader';

/** Errors of writing a file that a retry will not mend: the folder gone, no permission, a read-only file system. */
const LASTING_WRITE_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS']);

/**
 * The file a CSV is to be written to (`field` is the input's parameter naming it), as an absolute path, once it is known
 * that the worker can write a file there: a mistake fails the workflow at once, naming the parameter, instead of
 * failing at the end of the work, and again on each retry.
 */
export async function writableCsvTarget(given: string, field: string): Promise<string> {
  const refuse = (why: string) => new SwitchboardError('InvalidInput', `${field}: ${why}`);
  let target: string;
  try {
    target = path.resolve(resolveCsvPath(given, field));
  } catch (error) {
    throw refuse((error as Error).message);
  }
  const folder = path.dirname(target);
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refuse(`the folder ${path.dirname(given)} does not exist where the worker runs`);
    if (code === 'EACCES') throw refuse(`the worker may not write in the folder ${folder}`);
    throw refuse((error as Error).message);
  }
  if ((await stat(target).catch(() => undefined))?.isDirectory()) {
    throw refuse(`'${given}' is a folder; give a file name in it, e.g. ${path.join(target, 'contacts.csv')}`);
  }
  return target;
}

/** A failure to write the file `field` names, as one that fails the workflow at once when a retry would not mend it. */
export function asWriteFailure(error: unknown, field: string, given: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !LASTING_WRITE_ERRORS.has(code)) return error;
  // Said of the file asked for: the system's message names the file written first, which is gone.
  return new SwitchboardError('InvalidInput', `${field}: could not write '${given}': ${WHY_NOT_WRITTEN[code] ?? code}`);
}

const WHY_NOT_WRITTEN: Readonly<Record<string, string>> = {
  ENOENT: 'the folder takes no new files (it is missing, or not one files can be written in)',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'the worker is not allowed to write there',
  EPERM: 'the worker is not allowed to write there',
  EROFS: 'the disk it is on is read-only',
};

export interface CsvWriter {
  /** Resolves once the row is buffered, waiting while the file falls behind. */
  write(row: (string | null | undefined)[]): Promise<void>;
  /** Flushes the rows and closes the file; rejects if anything could not be written. */
  close(): Promise<void>;
}

export interface CsvWriterOptions {
  /** A UTF-8 byte-order mark, without which Excel reads the file in the system code page. Defaults to true. */
  bom?: boolean;
}

/**
 * A UTF-8 CSV file with a header row and CRLF line endings, as Excel writes them. Cells starting with =, +, -, @, a tab
 * or a carriage return get a leading apostrophe so that spreadsheets show them as text instead of running them as
 * formulas; the apostrophe stays in the file and stripExportArtifacts removes it on the way back in. A cell that
 * starts with an apostrophe the import would take for such a one gets another, so that it comes back as it was.
 */
export function createCsvWriter(path: string, columns: string[], options: CsvWriterOptions = {}): CsvWriter {
  const stringifier = stringify({
    // The header row is read back as the cells are, apostrophes and all.
    columns: columns.map(keepingApostrophe),
    header: true,
    bom: options.bom ?? true,
    record_delimiter: '\r\n',
    // With record_delimiter set, csv-stringify would otherwise quote only cells holding a whole CRLF, and write a lone
    // line break inside a note unquoted, splitting its record in two.
    quote_record_delimiter: true,
    escape_formulas: true,
  });
  const written = pipeline(stringifier, createWriteStream(path));
  // Failures reach the caller through write() and close(); this keeps one between them from being unhandled.
  written.catch(() => undefined);

  return {
    async write(row) {
      // csv-stringify drops the cells beyond the columns without a word.
      if (row.length !== columns.length) throw new Error(`a row has ${row.length} cells but the file has ${columns.length} columns`);
      if (stringifier.writableEnded) throw new Error('the CSV writer is closed');
      if (stringifier.destroyed) await written;
      const cells = row.map((cell) => (typeof cell === 'string' ? keepingApostrophe(cell) : cell));
      if (!stringifier.write(cells)) await Promise.race([once(stringifier, 'drain'), written]);
    },
    async close() {
      stringifier.end();
      await written;
    },
  };
}

/** The text with another apostrophe before one that the import would take for an export's and remove. */
function keepingApostrophe(text: string): string {
  return hasExportApostrophe(text) ? `'${text}` : text;
}
