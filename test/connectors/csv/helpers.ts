import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { readCsvRecords, type CsvRecord, type ReadCsvOptions } from '../../../connectors/csv/reader';

export function fixture(name: string): string {
  return path.join(__dirname, '../../fixtures/csv-files', name);
}

export async function readAll(file: string, options?: ReadCsvOptions): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of readCsvRecords(file, options)) records.push(record);
  return records;
}

/** A temporary directory for the tests of the calling file, removed after them; `write` puts a file in it. */
export function useTempDir(): { path: (name: string) => string; write: (name: string, content: string | Buffer) => Promise<string> } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    path: (name) => path.join(dir, name),
    write: async (name, content) => {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return file;
    },
  };
}
