import { describe, expect, it } from 'vitest';
import { keyNamesAt, readContactRows, rowThreadsStarted, validRowAt, validRowsOf, type ContactRowBatch, type ContactRowsOptions } from '../../../connectors/csv/contact-rows';
import type { ContactRow } from '../../../db/bulk-rows';
import { buildContactWrites } from '../../../db/contact-bulk';
import { keyNamesOfRow, planChunk, type ValidRow } from '../../../domain/import/plan';
import { buildContact } from '../../../domain/import/rows';
import { inspectCsv, readCsvRecords } from '../../../connectors/csv/reader';
import { autoMapColumns } from '../../../domain/import/mapping';
import { useTempDir } from './helpers';

const files = useTempDir();

const rows = [
  'Ada,Lovelace,ada@example.com,0412 345 678',
  'Grace,Hopper,,12345',
  'Alan,Turing,alan@example.com,',
  'Edsger,Dijkstra,"edsger@example.com",+61 412 000 111',
  'Barbara,Liskov,,',
];
const text = `First Name,Last Name,Email,Mobile\r\n${rows.join('\r\n')}\r\n`;

async function optionsFor(overrides: Partial<ContactRowsOptions> = {}): Promise<ContactRowsOptions> {
  const source = await files.write('people.csv', text);
  const inspection = await inspectCsv(source);
  return {
    source,
    delimiter: inspection.delimiter,
    mapping: autoMapColumns(inspection.headers, inspection.sample),
    defaultCountry: 'AU',
    named: true,
    batchRows: 2,
    maxRecords: 100,
    ...overrides,
  };
}

async function readAll(options: ContactRowsOptions): Promise<ContactRowBatch[]> {
  const batches: ContactRowBatch[] = [];
  for await (const batch of readContactRows(options)) batches.push(batch);
  return batches;
}

describe('readContactRows', () => {
  it("sends each valid row's keys, and its writes as a new contact of its own as the plan would build them", async () => {
    const source = await files.write(
      'writes.csv',
      [
        'First Name,Last Name,Email,Mobile,Phone,Tags,Notes,City,Billing City,Favourite colour',
        'Ada,Lovelace,Ada@Example.com,0412 345 678,(02) 9876 5432,"VIP, Board",Met at the ball,Sydney,Melbourne,green',
        'Alan,Turing,alan@example.com,,12345,,,,,',
        'Grace,Hopper,,+61 412 000 111,,vip,"Two\nlines",,,',
      ].join('\r\n'),
    );
    const inspection = await inspectCsv(source);
    const mapping = autoMapColumns(inspection.headers, inspection.sample);
    const batches = await readAll({ source, delimiter: inspection.delimiter, mapping, defaultCountry: 'AU', named: true, batchRows: 10, maxRecords: 10 });

    const built = [];
    for await (const record of readCsvRecords(source, { delimiter: inspection.delimiter })) {
      const outcome = buildContact(record.cells, mapping, { defaultCountry: 'AU' });
      if (outcome.ok) built.push({ line: record.line, contact: outcome.contact, warnings: outcome.warnings });
    }
    const sent = batches.flatMap((b) => b.valid.lines.map((_, i) => ({ valid: b.valid, i })));
    expect(sent).toHaveLength(3);
    expect(built.some((row) => row.warnings.length > 0)).toBe(true);
    for (const [k, { valid, i }] of sent.entries()) {
      const row = built[k] as ValidRow;
      // Read back from its writes, the row is the row built from the file.
      expect(validRowAt(valid, i)).toEqual(row);
      expect(keyNamesAt(valid, i)).toEqual(keyNamesOfRow(row.contact));
      const planned = buildContactWrites(planChunk([row], [], { onMatch: 'update', uniqueIdentity: true }));
      const [plannedId] = planned.ids.values();
      const [id] = JSON.parse(valid.asNew.contacts[i] as string) as ContactRow;
      expect(id).not.toBe(plannedId);
      const asPlanned = (elements: string | undefined) => (elements ? JSON.parse(`[${elements.replaceAll(id, plannedId as string)}]`) : undefined);
      const fromJson = (json: string | undefined) => (json ? JSON.parse(json) : undefined);
      expect(asPlanned(valid.asNew.contacts[i])).toEqual(fromJson(planned.contacts));
      expect(asPlanned(valid.asNew.phones[i])).toEqual(fromJson(planned.phones));
      expect(asPlanned(valid.asNew.tagLinks[i])).toEqual(fromJson(planned.tagLinks));
      expect(asPlanned(valid.asNew.addresses[i])).toEqual(fromJson(planned.addresses));
      expect(valid.asNew.tagNames[i] ? JSON.parse(valid.asNew.tagNames[i] as string) : []).toEqual(planned.tagNames);
      expect(JSON.parse(valid.asNew.ledger[i] as string)).toEqual([row.line, 'created', id, null, row.warnings.length > 0 ? row.warnings : null, null]);
    }
    // The rows built with values left out are listed beside, so that they can be reported.
    expect(batches.flatMap((b) => b.warned)).toEqual(built.filter((row) => row.warnings.length > 0).map(({ line, warnings }) => ({ line, problems: warnings })));
    const [ada] = sent;
    expect(JSON.parse(`[${ada?.valid.asNew.phones[ada.i]}]`)).toHaveLength(2);
    expect(JSON.parse(`[${ada?.valid.asNew.addresses[ada.i]}]`)).toHaveLength(2);
  });

  it('builds every record of the file into a contact or a rejection, batch by batch, on its own thread', async () => {
    const batches = await readAll(await optionsFor());

    expect(batches.map((b) => b.lines)).toEqual([[2, 3], [4, 5], [6]]);
    expect(batches.map((b) => [b.last, b.endOfFile])).toEqual([[false, false], [false, false], [true, true]]);
    const valid = batches.flatMap((b) => validRowsOf(b.valid));
    expect(valid.map((r) => [r.line, r.contact.firstName, r.contact.phones.map((p) => p.e164)])).toEqual([
      [2, 'Ada', ['+61412345678']],
      [4, 'Alan', []],
      [5, 'Edsger', ['+61412000111']],
    ]);
    const failed = batches.flatMap((b) => b.failed);
    expect(failed.map((r) => [r.line, r.cells[0]])).toEqual([
      [3, 'Grace'],
      [6, 'Barbara'],
    ]);
    expect(failed[0]?.problems.map((p) => p.message).join(' ')).toContain("'12345'");
  });

  it('stops at its record budget, says whether the file goes on, and resumes where it stopped', async () => {
    const first = await readAll(await optionsFor({ maxRecords: 2 }));
    expect(first.map((b) => [b.lines, b.last, b.endOfFile])).toEqual([[[2, 3], true, false]]);

    const rest = await readAll(await optionsFor({ maxRecords: 3, resume: first[0]?.next }));
    expect(rest.map((b) => b.lines)).toEqual([[4, 5], [6]]);
    // The budget ends exactly at the end of the file: the read knows it is done.
    expect(rest.at(-1)?.endOfFile).toBe(true);

    const nothingLeft = await readAll(await optionsFor({ resume: rest.at(-1)?.next }));
    expect(nothingLeft.map((b) => ({ ...b, valid: validRowsOf(b.valid) }))).toEqual([{ lines: [], valid: [], failed: [], warned: [], importedBefore: [], last: true, endOfFile: true }]);
  });

  it('hands its thread to the next read when that read starts where it stopped', async () => {
    const options = await optionsFor({ maxRecords: 2 });
    const before = rowThreadsStarted();
    const first = await readAll(options);
    const second = await readAll({ ...options, resume: first.at(-1)?.next });
    const third = await readAll({ ...options, resume: second.at(-1)?.next });
    expect([...first, ...second, ...third].map((b) => [b.lines, b.last, b.endOfFile])).toEqual([
      [[2, 3], true, false],
      [[4, 5], true, false],
      [[6], true, true],
    ]);
    expect(third[0]?.failed.map((r) => r.cells[0])).toEqual(['Barbara']);
    expect(rowThreadsStarted() - before).toBe(1);

    // A read that starts anywhere else gets a thread of its own, and reads from its own position.
    const elsewhere = await readAll({ ...options, resume: first.at(-1)?.next, maxRecords: 5 });
    expect(elsewhere.map((b) => b.lines)).toEqual([[4, 5], [6]]);
    expect(rowThreadsStarted() - before).toBe(2);
  });

  it('keeps a few threads waiting at once, stopping the longest waiting first', async () => {
    const people = Array.from({ length: 12 }, (_, i) => `Person${i},Number${i},p${i}@example.com,`);
    const source = await files.write('many.csv', `First Name,Last Name,Email,Mobile\r\n${people.join('\r\n')}\r\n`);
    const inspection = await inspectCsv(source);
    const options: ContactRowsOptions = {
      source,
      delimiter: inspection.delimiter,
      mapping: autoMapColumns(inspection.headers, inspection.sample),
      defaultCountry: 'AU',
      named: true,
      batchRows: 1,
      maxRecords: 1,
    };
    const positions = (await readAll({ ...options, maxRecords: 100 })).map((b) => b.next);
    const before = rowThreadsStarted();
    // Five reads of one record each, from five places apart: each leaves its thread waiting where it stopped.
    for (const at of [0, 2, 4, 6, 8].map((k) => positions[k])) await readAll({ ...options, resume: at });
    expect(rowThreadsStarted() - before).toBe(5);

    // The newest waiting thread is taken over; the oldest was stopped to keep four at most, so its place needs a new one.
    const newest = await readAll({ ...options, resume: positions[9] });
    expect(rowThreadsStarted() - before).toBe(5);
    const oldest = await readAll({ ...options, resume: positions[1] });
    expect(rowThreadsStarted() - before).toBe(6);
    expect([newest[0]?.lines, oldest[0]?.lines]).toEqual([[12], [4]]);
  });

  it('does not build the rows it is told an earlier import holds, asking for each batch where it starts', async () => {
    const asked: [number | undefined, number][] = [];
    const heldByEarlierImport = [3, 4, 6];
    const options = await optionsFor({
      linesImportedBefore: async (from, records) => {
        asked.push([from?.line, records]);
        return heldByEarlierImport.filter((line) => line >= (from?.line ?? 0)).slice(0, records);
      },
    });
    const batches = await readAll(options);

    expect(batches.map((b) => [b.lines, b.importedBefore])).toEqual([
      [[2, 3], [3]],
      [[4, 5], [4]],
      [[6], [6]],
    ]);
    expect(batches.flatMap((b) => [...validRowsOf(b.valid), ...b.failed].map((r) => r.line))).toEqual([2, 5]);
    expect(asked).toEqual([
      [undefined, 2],
      [4, 2],
      [6, 2],
    ]);
  });

  it('fails with the reader thread’s error, and lets its consumer stop after the first batch', async () => {
    await expect(readAll({ ...(await optionsFor()), source: files.path('missing.csv') })).rejects.toThrow(/missing\.csv/);

    for await (const batch of readContactRows(await optionsFor())) {
      expect(batch.lines).toEqual([2, 3]);
      break;
    }
  });
});
