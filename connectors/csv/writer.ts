import { stringify } from 'csv-stringify';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { hasExportApostrophe } from '../../domain/text';

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
