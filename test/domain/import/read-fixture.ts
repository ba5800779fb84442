import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A CSV export from test/fixtures/csv: its header row and its records, cells as written. */
export function readFixture(name: string): { headers: string[]; records: string[][] } {
  const text = readFileSync(path.join(__dirname, '../../fixtures/csv', name), 'utf8');
  const [headers = [], ...records] = parse(text, { relax_column_count: true }) as string[][];
  return { headers, records };
}
