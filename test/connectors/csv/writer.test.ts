import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inspectCsv } from '../../../connectors/csv/reader';
import { createCsvWriter } from '../../../connectors/csv/writer';
import { readAll, useTempDir } from './helpers';

const tmp = useTempDir();
let filesWritten = 0;

async function writeCsv(columns: string[], rows: (string | null | undefined)[][], options?: { bom?: boolean }): Promise<string> {
  const file = tmp.path(`written-${++filesWritten}.csv`);
  const writer = createCsvWriter(file, columns, options);
  for (const row of rows) await writer.write(row);
  await writer.close();
  return file;
}

describe('createCsvWriter', () => {
  it('writes UTF-8 with a BOM, a header row and CRLF line endings, quoting only where needed', async () => {
    const file = await writeCsv(['Name', 'Notes'], [
      ['Renée Müller', 'said "hi", twice'],
      ['José', 'line one\nline two'],
      [null, undefined],
    ]);

    expect(await readFile(file, 'utf8')).toBe('\uFEFFName,Notes\r\nRenée Müller,"said ""hi"", twice"\r\nJosé,"line one\nline two"\r\n,\r\n');
  });

  it('leaves the BOM out when told to', async () => {
    const file = await writeCsv(['Name'], [['Ada']], { bom: false });

    expect(await readFile(file, 'utf8')).toBe('Name\r\nAda\r\n');
  });

  it('writes the header row even without rows', async () => {
    const file = await writeCsv(['Name', 'Email'], []);

    expect(await readFile(file, 'utf8')).toBe('\uFEFFName,Email\r\n');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://evil.example")', '"\'=HYPERLINK(""http://evil.example"")"'],
    ['+61 412 345 678', "'+61 412 345 678"],
    ['-12', "'-12"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', '"\'\rcmd"'],
    ['\uFF1D1+1', "'\uFF1D1+1"],
    ['a=b', 'a=b'],
    ['0412 345 678', '0412 345 678'],
  ])('neutralises formulas: %j → %j', async (cell, written) => {
    const file = await writeCsv(['Value'], [[cell]], { bom: false });

    expect(await readFile(file, 'utf8')).toBe(`Value\r\n${written}\r\n`);
  });

  it('refuses a row whose width is not the number of columns', async () => {
    const writer = createCsvWriter(tmp.path('width.csv'), ['Name', 'Email']);

    await expect(writer.write(['Ada', 'ada@example.com', 'extra'])).rejects.toThrow('a row has 3 cells but the file has 2 columns');
    await expect(writer.write(['Ada'])).rejects.toThrow('a row has 1 cells but the file has 2 columns');
    await writer.close();
  });

  it('refuses rows after close', async () => {
    const writer = createCsvWriter(tmp.path('closed.csv'), ['Name']);
    await writer.close();

    await expect(writer.write(['Ada'])).rejects.toThrow('the CSV writer is closed');
  });

  it('rejects writes and close when the file cannot be written', async () => {
    const writer = createCsvWriter(tmp.path('no-such-dir/contacts.csv'), ['Name']);
    const writeUntilRefused = async () => {
      for (;;) await writer.write(['Ada']);
    };

    await expect(writeUntilRefused()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writer.close()).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('round-trips through the reader, formula cells and leading apostrophes keeping the apostrophe that protects them', async () => {
    // Headers are read back through the same hands: `'123` and `@handle` come back as they were.
    const columns = ['Name', 'Email', "'123", '@handle', 'Balance'];
    const rows = [
      ['Renée Müller', 'renee@example.com', '+61 412 345 678', 'Paid €20, "cash"\nat the desk', '-5'],
      ['Zoë 😀', '', '0412 345 678', 'windows\r\nbreak; and | pipes\ttabs', '=1+1'],
      ['@handle', 'o\'brien@example.com', '', "'already quoted\nand a line break", ''],
      ["'t Hooft", '', '', "'=not a formula", "''"],
    ];
    const file = await writeCsv(columns, rows);

    const inspection = await inspectCsv(file);
    const records = await readAll(file);

    expect(inspection).toMatchObject({ encoding: 'utf-8', delimiter: ',', headers: columns, headerLine: 1 });
    expect(records.map(({ cells }) => cells)).toEqual([
      ['Renée Müller', 'renee@example.com', "'+61 412 345 678", 'Paid €20, "cash"\nat the desk', "'-5"],
      ['Zoë 😀', '', '0412 345 678', 'windows\r\nbreak; and | pipes\ttabs', "'=1+1"],
      ["'@handle", 'o\'brien@example.com', '', "'already quoted\nand a line break", ''],
      // An apostrophe the import would take away gets another; one before a letter is the value's own.
      ["'t Hooft", '', '', "''=not a formula", "'''"],
    ]);
    expect(records.map(({ line }) => line)).toEqual([2, 4, 6, 8]);
  });
});
