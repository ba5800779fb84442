import { readdir, readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { listContacts } from '../../db/contacts';
import type { ImportProgress, ImportResult } from '../../workflows/import';
import { aBusiness } from '../support/fixtures';
import { useWorkerTestContext } from '../support/context';

const t = useWorkerTestContext();
const exportsDir = path.join(__dirname, '..', 'fixtures', 'csv');

describe('real exports, imported without help', () => {
  // Xero's second row and the last of QuickBooks' contact list are organisations with no person to contact.
  const expectedErrors: Record<string, string[]> = {
    'xero-contacts.csv': ["row 3: first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)"],
    'quickbooks-customer-contact-list.csv': ["row 5: first and last name are missing (only the business name 'Acme Supplies Pty Ltd' is given)"],
  };

  // Two of the QuickBooks files come from a US company, the contact list report from an Australian one.
  it.each([
    ['google-contacts.csv', 'AU', { created: 2, failed: 0 }],
    ['google-contacts-legacy.csv', 'AU', { created: 1, failed: 0 }],
    ['outlook-contacts.csv', 'AU', { created: 2, failed: 0 }],
    ['quickbooks-customers.csv', 'US', { created: 2, failed: 0 }],
    ['quickbooks-customer-contacts.csv', 'US', { created: 1, failed: 0 }],
    ['quickbooks-customer-contact-list.csv', 'AU', { created: 3, failed: 1 }],
    ['xero-contacts.csv', 'AU', { created: 2, failed: 1 }],
    ['sheet-first-last-mobile-number.csv', 'AU', { created: 1, failed: 0 }],
    ['sheet-first-name-surname.csv', 'AU', { created: 1, failed: 0 }],
    ['sheet-given-family-cell.csv', 'AU', { created: 1, failed: 0 }],
    ['sheet-name-phone-email.csv', 'AU', { created: 1, failed: 0 }],
  ] as const)('%s', async (name, defaultCountry, expected) => {
    const business = await aBusiness(t.database.db, { defaultCountry });
    // A copy, so that the error report written beside it stays out of the fixtures.
    const file = await t.file(name, await readFile(path.join(exportsDir, name)));
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(result).toMatchObject({ ...expected, updated: 0, skipped: 0 });
    expect(result.errors.map((e) => e.message)).toEqual(expectedErrors[name] ?? []);
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts).toHaveLength(expected.created);
    for (const contact of contacts) {
      expect(contact.firstName).not.toBe('');
      expect(contact.lastName).not.toBe('');
      expect(contact.email !== null || contact.phones.length > 0).toBe(true);
    }
  });

  it('covers every export fixture', async () => {
    expect((await readdir(exportsDir)).filter((f) => f.endsWith('.csv'))).toHaveLength(11);
  });
});

describe('encodings and delimiters', () => {
  const rows = [
    ['First Name', 'Last Name', 'Email', 'Mobile'],
    ['Zoë', 'Müller', 'zoe@example.com', '0412 000 001'],
    ['José', 'Núñez', 'jose@example.com', '0412 000 002'],
  ];
  const expected = [
    ['Müller', 'Zoë', 'zoe@example.com', '+61412000001'],
    ['Núñez', 'José', 'jose@example.com', '+61412000002'],
  ];

  const semicolons = rows.map((r) => r.join(';')).join('\r\n');
  const tabs = rows.map((r) => r.join('\t')).join('\r\n');
  const pipes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.map((r) => r.join('|')).join('\n'))]);
  // The last column: the bytes the import reads, which its progress counts: a file in another encoding is read from
  // its UTF-8 copy (without a BOM).
  it.each([
    ['windows-1252 with semicolons', 'win.csv', iconv.encode(semicolons, 'windows-1252'), Buffer.byteLength(semicolons)],
    ['UTF-16 LE with BOM and tabs', 'utf16.tsv', iconv.encode(tabs, 'utf-16le', { addBOM: true }), Buffer.byteLength(tabs)],
    ['UTF-8 with BOM and pipes', 'bom.csv', pipes, pipes.length],
    ["Excel's sep= line before the header", 'sep.csv', Buffer.from(`sep=;\r\n${semicolons}`), Buffer.byteLength(`sep=;\r\n${semicolons}`)],
  ])('%s', async (_, name, content, bytesRead) => {
    const business = await aBusiness(t.database.db);
    const handle = await t.worker.client.workflow.start('importContactsCsv', {
      args: [{ businessId: business.id, file: await t.file(name, content) }],
      taskQueue: t.worker.taskQueue,
      workflowId: `import-${name}-${business.id}`,
    });
    const result = (await handle.result()) as ImportResult;
    expect(result).toMatchObject({ rows: 2, created: 2, failed: 0 });
    expect(await handle.query<ImportProgress>('progress')).toMatchObject({ bytesTotal: bytesRead, bytesDone: bytesRead, rowsTotal: 2 });
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => [c.lastName, c.firstName, c.email, c.phones[0]?.e164])).toEqual(expected);
  });
});

describe('a file whose first 256 KiB are ASCII', () => {
  // Enough rows of plain ASCII that the bytes read to detect the encoding hold no other character.
  const asciiRows = Array.from({ length: 9_000 }, (_, i) => `Ann${i},Lee,ann${i}@example.com,`);
  const header = 'First Name,Last Name,Email,Mobile';

  it('is read in windows-1252 when a later row is, as Excel saves "CSV", its names intact', async () => {
    const business = await aBusiness(t.database.db);
    const text = [header, ...asciiRows, 'Renée,Müller,renee@example.com,0412 000 003'].join('\r\n');
    const bytes = iconv.encode(text, 'windows-1252');
    expect(bytes.indexOf(0xe9)).toBeGreaterThan(256 * 1024);
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('late-1252.csv', bytes) });
    expect(result).toMatchObject({ rows: 9_001, created: 9_001, failed: 0 });
    const [renee] = await t.database.sql<{ first_name: string; last_name: string }[]>`
      select first_name, last_name from contacts where business_id = ${business.id} and email_normalized = 'renee@example.com'`;
    expect(renee).toEqual({ first_name: 'Renée', last_name: 'Müller' });
  });

  it('is refused too when the two encodings meet in its first lines', async () => {
    const business = await aBusiness(t.database.db);
    const bytes = Buffer.concat([Buffer.from(`${header}\r\nRenée,Early,early@example.com,\r\n`), iconv.encode('Zoë,Müller,zoe@example.com,\r\n', 'windows-1252')]);
    const error = await t.worker.execute('importContactsCsv', { businessId: business.id, file: await t.file('mixed-early.csv', bytes) }).catch((e: unknown) => e);
    expect((error as WorkflowFailedError).cause?.message).toBe(
      'file: line 3 is not UTF-8 (it holds the byte 0xEB), but other lines of the file are: part of it was saved in another encoding, and reading it ' +
        'either way would garble some names. Save the whole file as "CSV UTF-8" and import that',
    );
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
  });

  it('is refused, naming the line, when it mixes UTF-8 and another encoding, before anything is written', async () => {
    const business = await aBusiness(t.database.db);
    const bytes = Buffer.concat([
      Buffer.from([header, 'José,Núñez,jose@example.com,', ...asciiRows, ''].join('\r\n')),
      iconv.encode('Renée,Müller,renee@example.com,\r\n', 'windows-1252'),
    ]);
    const error = await t.worker.execute('importContactsCsv', { businessId: business.id, file: await t.file('mixed.csv', bytes) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toBe(
      'file: line 9003 is not UTF-8 (it holds the byte 0xE9), but other lines of the file are: part of it was saved in another encoding, and reading it ' +
        'either way would garble some names. Save the whole file as "CSV UTF-8" and import that',
    );
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
  });
});

describe("cells as hand-made and macOS sheets write them", () => {
  it('keeps stored values over placeholders, composes decomposed letters, warns of cells beyond the header, and maps phones by their values', async () => {
    const business = await aBusiness(t.database.db, { defaultCountry: 'AU' });
    const first = ['First Name,Last Name,Email,Company,Notes,Contact No.', 'Amy,Adams,amy@adams.com,Adams Consulting,Prefers email,0412 000 100'].join('\n');
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('cells-first.csv', first) });

    const second = [
      'First Name,Last Name,Email,Company,WhatsApp,Notes',
      'Amy,Adams,amy@adams.com,N/A,-,-',
      'Bob,Birch,bob@birch.com,-,0412 777 001,likes tea, coffee',
      'Zoë,Ng,zoë.ng@exemple.fr,—,0412 777 002,'.normalize('NFD'),
    ].join('\n');
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('cells-second.csv', second) });
    expect(result).toMatchObject({ rows: 3, created: 2, failed: 0, warned: 1 });
    expect(result.mapping.find((m) => m.header === 'WhatsApp')).toMatchObject({ field: 'phone', reason: 'values are phone numbers valid in AU (2 of 2 sampled)' });
    expect(result.warnings.map((w) => w.message)).toEqual([
      "row 3: 1 cell beyond the header's 6 columns was left out ('coffee'): is there an unquoted comma or delimiter in the row?",
    ]);
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => [c.firstName, c.email, c.businessName, c.phones.map((p) => p.e164)])).toEqual([
      ['Amy', 'amy@adams.com', 'Adams Consulting', ['+61412000100']],
      ['Bob', 'bob@birch.com', null, ['+61412777001']],
      ['Zoë', 'zoë.ng@exemple.fr', null, ['+61412777002']],
    ]);
    const notes = await t.database.sql<{ notes: string | null }[]>`
      select notes from contacts where business_id = ${business.id} order by last_name`;
    expect(notes.map((row) => row.notes)).toEqual(['Prefers email', 'likes tea', null]);
  });
});
