import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inspectCsv, readCsvRecords, resolveCsvPath } from '../../../connectors/csv/reader';
import { fixture, readAll, useTempDir } from './helpers';

const tmp = useTempDir();

const CONTACTS = 'First name,Last name,Notes\nRenée,Müller,"Paid €20, ""cash""\nat the desk"\nJosé,Núñez,Señor\nZoë,Brontë,\n';
const CONTACT_HEADERS = ['First name', 'Last name', 'Notes'];
const CONTACT_CELLS = [
  ['Renée', 'Müller', 'Paid €20, "cash"\nat the desk'],
  ['José', 'Núñez', 'Señor'],
  ['Zoë', 'Brontë', ''],
];

describe('resolveCsvPath', () => {
  it.each([
    ['/data/contacts.csv', '/data/contacts.csv'],
    ['exports/contacts.csv', 'exports/contacts.csv'],
    ['file:///data/my%20contacts.csv', '/data/my contacts.csv'],
    ['FILE:///data/contacts.csv', '/data/contacts.csv'],
  ])('%s → %s', (file, resolved) => {
    expect(resolveCsvPath(file)).toBe(resolved);
  });

  it.each(['https://example.com/contacts.csv', 's3://bucket/contacts.csv'])('refuses %s', (file) => {
    expect(() => resolveCsvPath(file)).toThrow(`file must be a local path or a file:// URL, got '${file}'`);
  });

  it('reads a file:// URL', async () => {
    const records = await readAll(pathToFileURL(fixture('pipe.csv')).href);

    expect(records.map(({ cells }) => cells[0])).toEqual(['Priya Shah', 'Liam Brown']);
  });
});

describe('encodings', () => {
  it.each([
    // Positions count the file's bytes in UTF-8, as read; in other encodings, as its UTF-8 copy will hold them.
    ['UTF-8 without BOM', Buffer.from(CONTACTS), 'utf-8', 0],
    ['UTF-8 with BOM', iconv.encode(CONTACTS, 'utf-8', { addBOM: true }), 'utf-8', 3],
    ['UTF-16 LE with BOM', iconv.encode(CONTACTS, 'utf-16le', { addBOM: true }), 'utf-16le', 0],
    ['UTF-16 BE with BOM', iconv.encode(CONTACTS, 'utf-16be', { addBOM: true }), 'utf-16be', 0],
    ['UTF-16 LE without BOM', iconv.encode(CONTACTS, 'utf-16le'), 'utf-16le', 0],
    ['windows-1252', iconv.encode(CONTACTS, 'windows-1252'), 'windows-1252', 0],
  ])('%s', async (label, bytes, encoding, bomBytes) => {
    const file = await tmp.write(`${label}.csv`, bytes);

    const inspection = await inspectCsv(file);
    const records = await readAll(file);

    const headerBytes = Buffer.byteLength('First name,Last name,Notes\n');
    expect(inspection).toEqual({
      encoding,
      delimiter: ',',
      headers: CONTACT_HEADERS,
      sample: CONTACT_CELLS,
      sampleLines: [2, 4, 5],
      sizeBytes: bytes.length,
      headerLine: 1,
      headerEndOffset: bomBytes + headerBytes,
      sampleBytes: Buffer.byteLength(CONTACTS) - headerBytes,
    });
    expect(records.map(({ cells }) => cells)).toEqual(CONTACT_CELLS);
    expect(records.map(({ line }) => line)).toEqual([2, 4, 5]);
  });

  it('reads with the encoding it is given', async () => {
    const file = await tmp.write('given-encoding.csv', iconv.encode(CONTACTS, 'windows-1252'));

    const records = await readAll(file, { encoding: 'iso-8859-1' });

    expect(records[0]?.cells[2]).toBe('Paid \u008020, "cash"\nat the desk');
  });
});

describe('line endings', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('%s, inside quoted fields too', async (label, ending) => {
    const file = await tmp.write(`${label}.csv`, CONTACTS.replaceAll('\n', ending));

    const records = await readAll(file);

    expect(records.map(({ cells }) => cells)).toEqual(CONTACT_CELLS.map((cells) => cells.map((cell) => cell.replaceAll('\n', ending))));
    expect(records.map(({ line }) => line)).toEqual([2, 4, 5]);
  });

  it('mixed in one file', async () => {
    const file = await tmp.write('mixed-endings.csv', 'Name,Notes\r\nAda,"one\ntwo"\nGrace,x\r\rAlan,y\r\n');

    const records = await readAll(file);

    expect(records.map(({ line, cells }) => [line, cells])).toEqual([
      [2, ['Ada', 'one\ntwo']],
      [4, ['Grace', 'x']],
      [6, ['Alan', 'y']],
    ]);
  });
});

describe('delimiters', () => {
  it.each([
    ['semicolon.csv', ';', ['Vorname', 'Nachname', 'E-Mail', 'Guthaben'], ['Jürgen', 'Groß', 'juergen@example.de', '12,50']],
    ['tab.tsv', '\t', ['Name', 'Address', 'Phone'], ['Aroha Ngata', '12 Queen St, Auckland', '021 555 0101']],
    ['pipe.csv', '|', ['Name', 'Email', 'Notes'], ['Priya Shah', 'priya@example.com', 'Likes email, not calls']],
  ])('%s → %j', async (name, delimiter, headers, firstRecord) => {
    const inspection = await inspectCsv(fixture(name));
    const records = await readAll(fixture(name));

    expect(inspection).toMatchObject({ delimiter, headers });
    expect(inspection.sample[0]).toEqual(firstRecord);
    expect(records[0]?.cells).toEqual(firstRecord);
  });

  it('reads with the delimiter it is given', async () => {
    const records = await readAll(fixture('semicolon.csv'), { delimiter: ',' });

    expect(records[0]?.cells).toEqual(['Jürgen;Groß;juergen@example.de;12', '50']);
  });
});

describe('records', () => {
  it('keeps quoted notes whole: line breaks, doubled quotes and delimiters', async () => {
    const records = await readAll(fixture('multiline-notes.csv'));

    expect(records).toEqual([
      expect.objectContaining({
        index: 0,
        line: 2,
        cells: ['Ada Lovelace', 'ada@example.com', 'First visit.\nSaid "call me Ada", not "Countess".\nAllergies: none; pets: 2'],
      }),
      expect.objectContaining({ index: 1, line: 5, cells: ['Grace Hopper', 'grace@example.com', 'One line, with a comma'] }),
      expect.objectContaining({ index: 2, line: 6, cells: ['Alan Turing', 'alan@example.com', ''] }),
    ]);
  });

  it('delivers ragged rows and trailing empty cells as they are', async () => {
    const records = await readAll(fixture('ragged.csv'));

    expect(records.map(({ cells }) => cells)).toEqual([
      ['Short Row', 'short@example.com'],
      ['Long Row', 'long@example.com', '0412 345 678', 'note', 'extra', 'more'],
      ['Trailing Empties', 'trail@example.com', '', '', '', ''],
      ['Exact', 'exact@example.com', '0400 000 000', 'ok'],
    ]);
  });

  it('skips blank lines and rows of empty cells, keeping the line numbers of the file', async () => {
    const inspection = await inspectCsv(fixture('blank-lines.csv'));
    const records = await readAll(fixture('blank-lines.csv'));

    expect(inspection.headerLine).toBe(3);
    expect(records.map(({ index, line, cells }) => [index, line, cells[0]])).toEqual([
      [0, 5, 'Mere Tai'],
      [1, 8, 'Sione Vea'],
      [2, 11, 'Multi\nline'],
      [3, 14, 'Last Person'],
    ]);
  });

  it('delivers formula-looking cells raw', async () => {
    const records = await readAll(fixture('formulas.csv'));

    expect(records.map(({ cells }) => cells)).toEqual([
      ['=HYPERLINK("http://evil.example")', '+61 412 345 678', '@SUM(A1)'],
      ["'=1+1", '-12', 'plain'],
    ]);
  });

  it('skips the first records it is told to, counting them in the indexes', async () => {
    const records = await readAll(fixture('multiline-notes.csv'), { skipRecords: 2 });

    expect(records.map(({ index, line, cells }) => [index, line, cells[0]])).toEqual([[2, 6, 'Alan Turing']]);
  });

  it('reports progress in bytes of the file, up to its size', async () => {
    const records = await readAll(fixture('multiline-notes.csv'));
    const { size } = await stat(fixture('multiline-notes.csv'));

    expect(records.at(-1)?.bytesRead).toBe(size);
    expect(records.every(({ bytesRead }) => bytesRead > 0 && bytesRead <= size)).toBe(true);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    const reading = (async () => {
      for await (const { index } of readCsvRecords(fixture('multiline-notes.csv'), { signal: controller.signal })) {
        if (index === 0) controller.abort();
      }
    })();

    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('header', () => {
  it('names blank columns and numbers repeated names, names written in other letter case apart', async () => {
    const inspection = await inspectCsv(fixture('header-names.csv'));

    expect(inspection.headers).toEqual(['Name', 'Column 2', 'Email', 'email', 'Phone', 'Column 2 (2)', 'Name (2)']);
    expect(inspection.sample).toEqual([['a', 'b', 'c', 'd', 'e', 'f', 'g']]);
  });

  it('takes away the apostrophe a formula-safe export put before a header, and keeps one before a letter', async () => {
    const file = await tmp.write('formula-headers.csv', "First Name,'@handle,'-ref,'Tis,'=total\nAda,@ada,-1,x,2\n");
    expect((await inspectCsv(file)).headers).toEqual(['First Name', '@handle', '-ref', "'Tis", '=total']);
  });

  it('gives the line where each record of the sample starts', async () => {
    const file = await tmp.write('lines.csv', ['', 'Name,Notes', 'Ada,"two', 'lines"', '', 'Grace,one'].join('\n'));

    const inspection = await inspectCsv(file);

    expect(inspection.headerLine).toBe(2);
    expect(inspection.sample).toEqual([['Ada', 'two\nlines'], ['Grace', 'one']]);
    expect(inspection.sampleLines).toEqual([3, 6]);
  });

  it('samples the first 50 records only', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => `Person ${i},person${i}@example.com`);
    const file = await tmp.write('eighty.csv', ['Name,Email', ...rows].join('\n'));

    const inspection = await inspectCsv(file);

    expect(inspection.sample).toHaveLength(50);
    expect(inspection.sample.at(-1)).toEqual(['Person 49', 'person49@example.com']);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes the file once it has its sample, which the first block read holds', async () => {
    // Far more than the stream reads ahead, so that it is still open when the sample is taken.
    const rows = Array.from({ length: 100_000 }, (_, i) => `Person ${i},person${i}@example.com`);
    const file = await tmp.write('hundred-thousand.csv', ['Name,Email', ...rows].join('\n'));
    const openFiles = async () => {
      // A stream closes its file on the next turns of the event loop.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (await readdir('/proc/self/fd')).length;
    };
    const before = await openFiles();
    for (let i = 0; i < 20; i++) await inspectCsv(file);
    expect(await openFiles()).toBeLessThan(before + 5);
  });

  it.each([
    ['an empty file', ''],
    ['blank lines only', '\n\n  \n\r\n'],
    ['rows of empty cells only', ',,\n,,\n'],
  ])('is required, and a file without one is called empty: %s', async (label, content) => {
    const file = await tmp.write(`${label}.csv`, content);

    await expect(inspectCsv(file)).rejects.toThrow('the file is empty: no line of it holds a value');
    await expect(readAll(file)).rejects.toThrow('the file is empty: no line of it holds a value');
  });
});

describe("Excel's sep= line", () => {
  it('reads the file with the delimiter it names, and takes the next line for the header', async () => {
    const file = await tmp.write('sep.csv', 'sep=;\r\nFirst name;Last name;Notes\r\nAda;Lovelace;paid 12,50\r\n\r\nGrace;Hopper;\r\n');

    const inspection = await inspectCsv(file);
    const records = await readAll(file);

    expect(inspection).toMatchObject({ delimiter: ';', headers: ['First name', 'Last name', 'Notes'], headerLine: 2 });
    expect(records.map(({ line, cells }) => [line, cells])).toEqual([
      [3, ['Ada', 'Lovelace', 'paid 12,50']],
      [5, ['Grace', 'Hopper', '']],
    ]);
  });

  it('is not a header on its own', async () => {
    const file = await tmp.write('sep-only.csv', 'sep=,\n');

    await expect(inspectCsv(file)).rejects.toThrow('the file has no header row');
  });
});

describe('failures', () => {
  it('rejects an unclosed quote with the line where its record starts', async () => {
    await expect(readAll(fixture('unclosed-quote.csv'))).rejects.toThrow(
      /^the CSV record starting at line 3 cannot be read: Quote Not Closed.*\. A quote \("\) that opens a cell there is never closed, so every line after it was read as part of that cell: close it, or write a quote inside a cell as two \(""\)$/,
    );
    await expect(inspectCsv(fixture('unclosed-quote.csv'))).rejects.toThrow(/line 3/);
  });

  it('rejects a record that a stray quote stretches past 1 MiB, rather than reading the rest of the file into it', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `Person ${i},a note without quotes`);
    const file = await tmp.write('stray-quote.csv', ['Name,Notes', 'Ada,fine', 'Grace,"stray', ...rows].join('\n'));

    await expect(readAll(file)).rejects.toThrow(
      /^the CSV record starting at line 3 cannot be read: Max Record Size.*\. A record over 1 MiB is almost always a quote \("\) opening a cell there that is never closed/,
    );
  });

  it('rejects a missing file', async () => {
    await expect(readAll(tmp.path('missing.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(inspectCsv(tmp.path('missing.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects an encoding iconv-lite does not know', async () => {
    await expect(readAll(fixture('pipe.csv'), { encoding: 'klingon' })).rejects.toThrow(/klingon/);
  });
});

describe('resuming at a byte position', () => {
  const dir = useTempDir();

  it('reads the same records, with the same lines, from the end of any earlier record', async () => {
    const file = await dir.write('resume.csv', 'name,notes\r\nAda,"two\r\nlines"\r\n\r\nBé,x\nCy,"a ""q"""\r\n\r\n\r\nDi,end');
    const all = await readAll(file);
    expect(all.map((r) => [r.line, r.cells[0]])).toEqual([[2, 'Ada'], [5, 'Bé'], [6, 'Cy'], [9, 'Di']]);
    for (const [i, record] of all.entries()) {
      const rest = await readAll(file, { resume: { offset: record.endOffset, line: record.nextLine } });
      expect(rest.map((r) => [r.line, r.cells])).toEqual(all.slice(i + 1).map((r) => [r.line, r.cells]));
    }
  });
});

describe('positions of records read a block at a time', () => {
  const dir = useTempDir();

  it('match, record by record, those csv-parse gives with its info option, across the blocks the file is read in', async () => {
    const endings = ['\n', '\r\n', '\r'];
    let content = 'name,notes,tags\r\n';
    for (let i = 0; i < 20_000; i++) {
      const notes = i % 7 === 0 ? `"line one ${i}\r\nline ""two""\nend"` : i % 11 === 0 ? 'Zoë, Müller' : `note ${i}`;
      content += `Pers€n ${i},${i % 11 === 0 ? `"${notes}"` : notes},tag${i % 5}${endings[i % 3]}`;
      if (i % 13 === 0) content += '\n\r\n';
    }
    const file = await dir.write('blocks.csv', content);
    expect(Buffer.byteLength(content)).toBeGreaterThan(4 * 64 * 1024);

    const expected: { cells: string[]; end: number }[] = [];
    const parser = createReadStream(file).pipe(
      parse({ bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, record_delimiter: ['\r\n', '\n', '\r'] }),
    );
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) expected.push({ cells: record, end: info.bytes });

    const read = await readAll(file, { delimiter: ',', encoding: 'utf-8' });
    expect(read.map((r) => ({ cells: r.cells, end: r.endOffset }))).toEqual(expected.slice(1));
    // And each position is where a resumed read finds the next record.
    for (const i of [0, 1, 2500, 9999, read.length - 2]) {
      const record = read[i] as (typeof read)[number];
      const [next] = await readAll(file, { delimiter: ',', encoding: 'utf-8', resume: { offset: record.endOffset, line: record.nextLine } });
      expect(next).toMatchObject({ cells: read[i + 1]?.cells, line: read[i + 1]?.line });
    }
  });
});
