import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../../connectors/csv/reader';
import { useTempDir } from './helpers';

const tmp = useTempDir();
const MB = 1024 * 1024;
const FILE_BYTES = 50 * MB;

// heapUsed also counts garbage that V8 has not collected yet, which grows and shrinks at V8's whim; collecting before
// each measurement makes it measure what the reader holds on to.
function heapUsedAfterCollection(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

// Two physical lines per record, so that line numbers are checked across a long file too.
function row(i: number): string {
  return `Person ${i},person${i}@example.com,0412 345 ${String(i % 1000).padStart(3, '0')},"Met at the clinic, said ""hi""\nsecond line"\n`;
}

async function writeLargeCsv(file: string): Promise<number> {
  const out = createWriteStream(file);
  out.write('Name,Email,Phone,Notes\n');
  let records = 0;
  let bytes = 0;
  while (bytes < FILE_BYTES) {
    const block = Array.from({ length: 1000 }, () => row(records++)).join('');
    bytes += Buffer.byteLength(block);
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return records;
}

describe('readCsvRecords on a large file', () => {
  it('streams it, its heap growing far less than the file', { timeout: 30_000 }, async () => {
    const file = tmp.path('large.csv');
    const written = await writeLargeCsv(file);
    const { size } = await stat(file);
    const heapBefore = heapUsedAfterCollection();
    let heapGrowth = 0;
    let last = { index: -1, line: 0, bytesRead: 0 };

    for await (const { index, line, bytesRead } of readCsvRecords(file)) {
      last = { index, line, bytesRead };
      if (index % 50_000 === 0) heapGrowth = Math.max(heapGrowth, heapUsedAfterCollection() - heapBefore);
    }

    expect(size).toBeGreaterThanOrEqual(FILE_BYTES);
    expect(last).toEqual({ index: written - 1, line: 2 + 2 * (written - 1), bytesRead: size });
    expect(heapGrowth).toBeLessThan(10 * MB);
  });
});
