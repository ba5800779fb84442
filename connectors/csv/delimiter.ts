import { parse } from 'csv-parse/sync';

export type CsvDelimiter = ',' | ';' | '\t' | '|';

export interface DetectedDelimiter {
  delimiter: CsvDelimiter;
  reason: string;
}

// In order of preference when two candidates fit the sample equally well.
const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t', '|'];
const RECORDS_TO_EXAMINE = 20;

interface Fit {
  delimiter: CsvDelimiter;
  headerCount: number;
  agreeingRecords: number;
  otherRecords: number;
}

/**
 * Excel's line naming the delimiter, `sep=;`, which it writes first in some locales and reads back: not a header. A
 * file with it is read with that delimiter, and the line is passed over (`isDelimiterLine`).
 */
const DELIMITER_LINE = /^(?:\uFEFF)?sep=([,;\t|])\r?\n/i;

export const isDelimiterLine = (cells: readonly string[]): boolean => cells.length === 2 && /^sep=$/i.test(cells[0] ?? '') && cells[1] === '';

/**
 * Picks the candidate that the header uses and the following records use as many times as the header does. Counting
 * on records parsed with each candidate keeps delimiters inside quoted fields, which may span lines, out of the count.
 */
export function detectDelimiter(text: string): DetectedDelimiter {
  const named = DELIMITER_LINE.exec(text)?.[1] as CsvDelimiter | undefined;
  if (named) return { delimiter: named, reason: `the file's first line, ${JSON.stringify(`sep=${named}`)}, names it` };
  const fits = CANDIDATES.map((delimiter) => fitOf(delimiter, text)).filter((fit) => fit.headerCount > 0);
  const best = fits.reduce<Fit | undefined>((best, fit) => (best === undefined || fitsBetter(fit, best) ? fit : best), undefined);
  if (best === undefined) {
    return { delimiter: ',', reason: 'no candidate delimiter in the header line, so a single column or the default ","' };
  }
  return {
    delimiter: best.delimiter,
    reason:
      `${JSON.stringify(best.delimiter)} appears ${best.headerCount} time(s) in the header line ` +
      `and as often in ${best.agreeingRecords} of the ${best.otherRecords} following record(s)`,
  };
}

function fitOf(delimiter: CsvDelimiter, text: string): Fit {
  const [headerCount = 0, ...others] = delimiterCountsPerRecord(delimiter, text);
  return { delimiter, headerCount, agreeingRecords: others.filter((count) => count === headerCount).length, otherRecords: others.length };
}

function fitsBetter(fit: Fit, than: Fit): boolean {
  const agreement = (f: Fit) => (f.otherRecords === 0 ? 1 : f.agreeingRecords / f.otherRecords);
  if (agreement(fit) !== agreement(than)) return agreement(fit) > agreement(than);
  return fit.headerCount > than.headerCount;
}

function delimiterCountsPerRecord(delimiter: CsvDelimiter, text: string): number[] {
  const counts: number[] = [];
  try {
    parse(text, {
      delimiter,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      to: RECORDS_TO_EXAMINE,
      on_record: (record: string[]) => {
        counts.push(record.length - 1);
        return null;
      },
    });
  } catch {
    // A sample cut from a longer file may end inside a quoted field: the records before it are enough to judge by.
  }
  return counts;
}
