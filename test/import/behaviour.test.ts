import { WorkflowFailedError } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listContacts, type ContactView } from '../../db/contacts';
import type { ImportResult } from '../../workflows/import';
import type { UndoImportResult } from '../../workflows/undo-import';
import { aBusiness, aContact, anAgent, anOpenConversation } from '../support/fixtures';
import { useWorkerTestContext } from '../support/context';

const t = useWorkerTestContext();

async function failure(type: string, input: unknown): Promise<string> {
  const error = await t.worker.execute(type, input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return (error as WorkflowFailedError).cause?.message ?? '';
}

const messy = [
  'First Name,Last Name,Email,Mobile,Home Phone,Notes,Tags,,',
  'Ada,Lovelace,ada@example.com,0412 345 678,,"Allergic to penicillin,',
  'call before ""9am""",VIP,,',
  '',
  'Ada,Lovelace,,+61 412 345 678,(02) 9365 1234,,Newsletter',
  "Grace,Hopper,'=HYPERLINK(\"http://x\"),'+61 412 000 111,,'=1+1,,,",
  ',Nameless,nobody@example.com,0412 000 222,,,,,',
  'Bad,Phone,,12345,,,,,',
  'Bad,Email,not-an-email,,,,,,',
  'No,Way,,,,,,,',
  '\u200BZed,Wide,zed@example.com,(04) 1234 0000,,,,,',
].join('\r\n');

describe('a messy real-world file', () => {
  it('keeps every row accounted for, merges one person, and says what is wrong with each bad row', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('messy.csv', messy);
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(result.errors).toEqual([
      { row: 7, column: 'First Name', field: 'firstName', message: 'row 7: first name is missing ("First Name" is empty)' },
      { row: 8, column: 'Mobile', field: 'mobilePhone', message: "row 8: phone '12345' is not a valid number for AU and there is no email" },
      { row: 9, column: 'Email', field: 'email', message: "row 9: email 'not-an-email' is not a valid email address: the '@' is missing and there is no phone" },
      { row: 10, message: 'row 10: a contact needs a phone or an email, and there is neither (their columns are empty)' },
    ]);
    expect(result).toMatchObject({ rows: 8, created: 3, updated: 1, skipped: 0, failed: 4, status: 'completed' });
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => [c.firstName, c.lastName, c.email, c.phones.map((p) => [p.e164, p.type, p.primary]), c.tags])).toEqual([
      ['Grace', 'Hopper', null, [['+61412000111', 'mobile', true]], []],
      ['Ada', 'Lovelace', 'ada@example.com', [['+61412345678', 'mobile', true], ['+61293651234', 'home', false]], ['Newsletter', 'VIP']],
      ['Zed', 'Wide', 'zed@example.com', [['+61412340000', 'mobile', true]], []],
    ]);
    const report = await readFile(result.errorReport as string, 'utf8');
    expect(report.startsWith('\uFEFFFirst Name,Last Name,Email,Mobile,Home Phone,Notes,Tags,Column 8,Column 9,Line,Error')).toBe(true);
    expect(report.split('\r\n').slice(1)).toEqual([
      ',Nameless,nobody@example.com,0412 000 222,,,,,,7,"first name is missing (""First Name"" is empty)"',
      "Bad,Phone,,12345,,,,,,8,phone '12345' is not a valid number for AU and there is no email",
      "Bad,Email,not-an-email,,,,,,,9,email 'not-an-email' is not a valid email address: the '@' is missing and there is no phone",
      'No,Way,,,,,,,,10,"a contact needs a phone or an email, and there is neither (their columns are empty)"',
      '',
    ]);
  });
});

/** A stored contact, Jane Smith, with an email and a mobile: the contact the tests of updates and undos change. */
const janeSmith = (business: Awaited<ReturnType<typeof aBusiness>>) =>
  aContact(t.database.db, business, {
    firstName: 'Jane',
    lastName: 'Smith',
    email: { address: 'jane@example.com', normalized: 'jane@example.com' },
    phones: [{ raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true }],
  });

const people = [
  'First Name,Last Name,Email,Mobile,Notes,Member Since',
  'Ada,Lovelace,ada@example.com,0412 345 678,New note,2019',
  'Bea,Arthur,bea@example.com,0412 000 333,,2020',
].join('\n');

describe('matching existing contacts', () => {
  async function businessWithAda(identityPolicy: 'unique' | 'none' = 'unique') {
    const business = await aBusiness(t.database.db, { identityPolicy });
    const ada = await aContact(t.database.db, business, { firstName: 'Ada', lastName: 'Lovelace', businessName: 'Analytical Ltd', phones: [] });
    return { business, ada };
  }

  it('updates a match with what the row adds and never blanks a field (the default)', async () => {
    const { business, ada } = await businessWithAda();
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('update.csv', people) });
    expect(result).toMatchObject({ rows: 2, created: 1, updated: 1 });
    const updated = (await listContacts(t.database.db, business.id)).find((c) => c.id === ada);
    expect(updated).toMatchObject({ id: ada, businessName: 'Analytical Ltd', email: 'Ada@Example.com', phones: [{ e164: '+61412345678', primary: true }] });
  });

  it('skips a match when told to', async () => {
    const { business, ada } = await businessWithAda();
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('skip.csv', people), onMatch: 'skip' });
    expect(result).toMatchObject({ rows: 2, created: 1, skipped: 1 });
    expect((await listContacts(t.database.db, business.id)).find((c) => c.id === ada)?.phones).toEqual([]);
  });

  it('creates a second contact only where the identity policy allows duplicates', async () => {
    const unique = await businessWithAda('unique');
    expect(await failure('importContactsCsv', { businessId: unique.business.id, file: await t.file('create.csv', people), onMatch: 'create' })).toBe(
      "onMatch: 'create' makes duplicates, which only a business whose identity policy is 'none' allows; this one's is 'unique'",
    );
    const none = await businessWithAda('none');
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: none.business.id, file: await t.file('create.csv', people), onMatch: 'create' });
    expect(result).toMatchObject({ rows: 2, created: 2 });
    expect(await listContacts(t.database.db, none.business.id)).toHaveLength(3);
  });

  it('keeps an unmapped column as a custom field', async () => {
    const business = await aBusiness(t.database.db);
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('custom.csv', people) });
    const rows = await t.database.sql<{ custom_fields: Record<string, string> }[]>`
      select custom_fields from contacts where business_id = ${business.id} order by first_name`;
    expect(rows.map((r) => r.custom_fields)).toEqual([{ 'Member Since': '2019' }, { 'Member Since': '2020' }]);
  });
});

describe("someone else's email in the file", () => {
  it("is not the contact's: a guardian's email merges no children, and stays with each as a custom field", async () => {
    const business = await aBusiness(t.database.db);
    const siblings = [
      'First Name,Last Name,Email,Mobile,Guardian Email',
      'Ava,Brown,,0412 000 001,kate.brown@example.com',
      'Leo,Brown,,0412 000 002,kate.brown@example.com',
    ].join('\n');
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('siblings.csv', siblings) });
    expect(result).toMatchObject({ rows: 2, created: 2, updated: 0, failed: 0 });
    const rows = await t.database.sql<{ first_name: string; email: string | null; custom_fields: Record<string, string> }[]>`
      select first_name, email, custom_fields from contacts where business_id = ${business.id} order by first_name`;
    expect(rows).toEqual([
      { first_name: 'Ava', email: null, custom_fields: { 'Guardian Email': 'kate.brown@example.com' } },
      { first_name: 'Leo', email: null, custom_fields: { 'Guardian Email': 'kate.brown@example.com' } },
    ]);
  });
});

describe('a family on one home phone', () => {
  it("makes a contact of each person, the phone the first one's, and fails one who has nothing else, naming whose it is", async () => {
    const business = await aBusiness(t.database.db);
    const family = [
      'First Name,Last Name,Email,Mobile,Home Phone',
      'Ava,Brown,ava@example.com,0412 000 011,02 9876 1111',
      'Leo,Brown,leo@example.com,0412 000 012,02 9876 1111',
      'Kate,Brown,,,02 9876 1111',
    ].join('\n');
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('family.csv', family) });
    expect(result).toMatchObject({ rows: 3, created: 2, updated: 0, skipped: 0, failed: 1, warned: 1 });
    expect(result.warnings.map((w) => w.message)).toEqual([
      "row 3: phone +61298761111 is Ava Brown's, a person of another name; it is one contact's in this business: left out",
    ]);
    expect(result.errors).toEqual([
      {
        row: 4,
        field: 'phone',
        message:
          "row 4: Kate Brown's only phone, +61298761111, is Ava Brown's, a person of another name; an email or phone is one contact's in this business, so Kate Brown needs one of their own",
      },
    ]);
    const report = await readFile(result.errorReport as string, 'utf8');
    expect(report.split(/\r?\n/)[1]).toMatch(/^Kate,Brown,,,02 9876 1111,4,"?Kate Brown's only phone/);
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => [c.firstName, c.email, c.phones.map((p) => p.e164)])).toEqual([
      ['Ava', 'ava@example.com', ['+61412000011', '+61298761111']],
      ['Leo', 'leo@example.com', ['+61412000012']],
    ]);
  });
});

describe("an agent's email or phone in the file", () => {
  it('fails the rows that hold them, naming the value, keeps their cells for the report, and imports the others', async () => {
    const business = await aBusiness(t.database.db);
    await anAgent(t.database.db, business, '+61499000555', 'agent@clinic.example');
    const file = await t.file(
      'staff.csv',
      ['First Name,Last Name,Email,Mobile', 'Agent,Smith,AGENT@clinic.example,', 'Ada,Lovelace,ada@example.com,0412 345 678', 'Front,Desk,desk@clinic.example,0499 000 555'].join('\n'),
    );
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(result).toMatchObject({ rows: 3, created: 1, updated: 0, skipped: 0, failed: 2, status: 'completed' });
    expect(result.errors).toEqual([
      {
        row: 2,
        field: 'email',
        message: "row 2: email 'agent@clinic.example' belongs to a user of this business (an agent or admin); under its 'unique' identity policy a contact cannot have it",
      },
      {
        row: 4,
        field: 'phone',
        message: "row 4: phone '+61499000555' belongs to a user of this business (an agent or admin); under its 'unique' identity policy a contact cannot have it",
      },
    ]);
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => c.email)).toEqual(['ada@example.com']);
    const report = await readFile(result.errorReport as string, 'utf8');
    expect(report.split('\r\n').slice(1, 3)).toEqual([
      `Agent,Smith,AGENT@clinic.example,,2,email 'agent@clinic.example' belongs to a user of this business (an agent or admin); under its 'unique' identity policy a contact cannot have it`,
      `Front,Desk,desk@clinic.example,0499 000 555,4,phone '+61499000555' belongs to a user of this business (an agent or admin); under its 'unique' identity policy a contact cannot have it`,
    ]);
  });
});

describe('mappings', () => {
  it('takes an explicit mapping, saves it as a template and reuses it by id or name, on a file with fewer columns too', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('mapped.csv', 'Patient,Family,Contact,Extra\nAda,Lovelace,0412 345 678,x\n');
    const mapping = { Patient: 'firstName', Family: 'lastName', Contact: 'mobilePhone', Extra: 'ignore' };
    const dry = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, mapping, dryRun: true, saveTemplateAs: 'practice export' });
    expect(dry.status).toBe('dry-run');
    expect(dry.mapping.map((m) => [m.header, m.field, m.reason])).toEqual([
      ['Patient', 'firstName', 'set by the mapping you gave'],
      ['Family', 'lastName', 'set by the mapping you gave'],
      ['Contact', 'mobilePhone', 'set by the mapping you gave'],
      ['Extra', 'ignore', 'set by the mapping you gave'],
    ]);
    expect(dry).toMatchObject({ rows: 1, created: 1 });
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
    expect(await t.database.sql`select 1 from imports where id = ${dry.importId}`).toHaveLength(0);

    const [template] = await t.database.sql<{ id: string }[]>`select id from import_templates where business_id = ${business.id} and name = 'practice export'`;
    expect(dry.savedTemplate).toEqual({ id: template?.id, name: 'practice export' });
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, templateId: dry.savedTemplate?.id });
    expect(result).toMatchObject({ rows: 1, created: 1 });
    expect(result.savedTemplate).toBeUndefined();
    expect(await listContacts(t.database.db, business.id)).toMatchObject([{ firstName: 'Ada', lastName: 'Lovelace', phones: [{ e164: '+61412345678' }] }]);

    const byName = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, templateId: 'practice export', dryRun: true });
    expect(byName.mapping.map((m) => m.field)).toEqual(['firstName', 'lastName', 'mobilePhone', 'ignore']);

    // The next export of the same system, without a column the template has.
    const fewer = await t.file('mapped-fewer.csv', 'Patient,Family,Contact\nGrace,Hopper,0412 345 679\n');
    const withFewer = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: fewer, templateId: 'practice export' });
    expect(withFewer).toMatchObject({ rows: 1, created: 1 });
    expect(withFewer.mapping.map((m) => m.field)).toEqual(['firstName', 'lastName', 'mobilePhone']);
  });

  it('names the templates the business has when the one asked for is not among them', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('mapped.csv', 'Patient,Family,Contact\nAda,Lovelace,0412 345 678\n');
    expect(await failure('importContactsCsv', { businessId: business.id, file, templateId: 'practise export' })).toBe(
      `templateId: business ${business.id} has no mapping template 'practise export': it has none yet (saveTemplateAs saves an import's mapping as one)`,
    );
    const mapping = { Patient: 'firstName', Family: 'lastName', Contact: 'mobilePhone' };
    const saved = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, mapping, dryRun: true, saveTemplateAs: 'practice export' });
    expect(await failure('importContactsCsv', { businessId: business.id, file, templateId: 'practise export' })).toBe(
      `templateId: business ${business.id} has no mapping template 'practise export': its templates are 'practice export' (${saved.savedTemplate?.id})`,
    );
  });

  it('explains each automatic choice in a dry run', async () => {
    const business = await aBusiness(t.database.db);
    const dry = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('auto.csv', people), dryRun: true });
    expect(dry.mapping.map((m) => [m.header, m.field])).toEqual([
      ['First Name', 'firstName'],
      ['Last Name', 'lastName'],
      ['Email', 'email'],
      ['Mobile', 'mobilePhone'],
      ['Notes', 'notes'],
      ['Member Since', 'custom:Member Since'],
    ]);
    for (const column of dry.mapping) expect(column.reason).not.toBe('');
  });

  it.each([
    [{ mapping: { Nope: 'firstName' } }, /^mapping: "Nope" is not a column of the file; its columns are "First Name", /],
    [{ mapping: { Email: 'emial' } }, /^mapping: "emial" \(given for "Email"\) is not a field; use one of firstName, /],
    [{ file: '/nowhere/contacts.csv' }, /^file: no file '\/nowhere\/contacts.csv' where the worker runs$/],
    [{ file: 'nowhere/contacts.csv' }, new RegExp(`^file: no file 'nowhere/contacts.csv' in the worker's folder ${process.cwd()}: give the file's full path$`)],
    [{ file: os.tmpdir() }, new RegExp(`^file: '${os.tmpdir()}' is a folder; give the path of the CSV file in it$`)],
    [{ file: 'https://example.com/contacts.csv' }, /^file: file must be a local path or a file:\/\/ URL, got 'https:\/\/example.com\/contacts.csv'$/],
    [{ onMatch: 'merge' }, /^importContactsCsv input is invalid: onMatch must be one of update, skip, create$/],
    [{ templateId: '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d' }, /^templateId: business .* has no mapping template '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d': it has none yet/],
    [{ defaultCountry: 'uk' }, /^defaultCountry: 'UK' is no country phone numbers are known for \(the United Kingdom is GB\); give an ISO 3166 alpha-2 code such as AU, GB or US$/],
    [{ defaultCountry: 'ZZ' }, /^defaultCountry: 'ZZ' is no country phone numbers are known for; give/],
    [{ errorReport: os.tmpdir() }, new RegExp(`^errorReport: '${os.tmpdir()}' is a folder; give a file name in it`)],
    [{ errorReport: '/nowhere/errors.csv' }, /^errorReport: the folder \/nowhere does not exist where the worker runs$/],
  ])('fails with a message naming the parameter for %j', async (overrides, message) => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('bad-input.csv', people);
    expect(await failure('importContactsCsv', { businessId: business.id, file, ...overrides })).toMatch(message);
  });

  it('refuses an error report that would overwrite the file being imported', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('report-onto-itself.csv', `${people}\nNo,Phone,,12345,,\n`);
    const before = await readFile(file, 'utf8');
    expect(await failure('importContactsCsv', { businessId: business.id, file, errorReport: `file://${file}` })).toBe(
      `errorReport: 'file://${file}' is the file being imported, which the report would overwrite; give another file name`,
    );
    expect(await readFile(file, 'utf8')).toBe(before);
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
  });

  it("refuses an error report that would overwrite a file that is no report, and writes over an earlier report", async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('report-elsewhere.csv', `${people}\nNo,Phone,,12345,,\n`);
    const notes = await t.file('my-notes.csv', 'Patient,Note\nAda,call back\n');
    expect(await failure('importContactsCsv', { businessId: business.id, file, errorReport: notes })).toBe(
      `errorReport: '${notes}' is a file already, and no error report, which the report would overwrite; give a new file name`,
    );
    expect(await readFile(notes, 'utf8')).toBe('Patient,Note\nAda,call back\n');
    const report = path.join(t.dir, 'report-elsewhere.errors.csv');
    const first = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, errorReport: report });
    expect(first).toMatchObject({ failed: 1, errorReport: report });
    const elsewhere = await aBusiness(t.database.db);
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: elsewhere.id, file, errorReport: report })).toMatchObject({ failed: 1, errorReport: report });
  });

  it('refuses a file with its header and no rows below it, dry run or not, naming the header', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('header-only.csv', 'First Name,Last Name,Email,Mobile,Notes\r\n\r\n\r\n');
    for (const dryRun of [false, true]) {
      expect(await failure('importContactsCsv', { businessId: business.id, file, dryRun })).toBe(
        `file: '${file}' has its header (line 1: "First Name", "Last Name", "Email", "Mobile", …) and no rows below it: there is nothing to import`,
      );
    }
    const [{ imports } = { imports: -1 }] = await t.database.sql<{ imports: number }[]>`select count(*)::int as imports from imports where business_id = ${business.id}`;
    expect(imports).toBe(0);
  });

  it('says so when the file is a workbook, not its CSV', async () => {
    const business = await aBusiness(t.database.db);
    const workbook = await t.file('contacts.xlsx', Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.alloc(2048, 7)]));
    expect(await failure('importContactsCsv', { businessId: business.id, file: workbook })).toBe(
      'file: the file is an Excel workbook (.xlsx) or another ZIP archive, not CSV: save it as CSV (in Excel: File, Save As, CSV UTF-8) and import that',
    );
  });
});

describe('title lines above the header, as a report saved as CSV has them', () => {
  // Excel pads every line of a report to the table's width, the title lines too.
  const report = [
    'Customer Contact List,,,,,',
    'Harbour Clinic Pty Ltd,,,,,',
    ',,,,,',
    'Customer,Phone Numbers,Email,Full Name,Billing Address,Shipping Address',
    'Amy Nguyen,Phone: (02) 9555 3311 Mobile: 0412 555 311,amy@example.com,Amy Nguyen,4581 Finch St,',
    'Bill Lucchini,(02) 9444 6538,bill@example.com,Bill Lucchini,,',
  ].join('\r\n');

  it('fail the import with the line that looks like the header, before anything is written', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('customer-contact-list.csv', report);
    expect(await failure('importContactsCsv', { businessId: business.id, file })).toBe(
      'file: the header must be the file\'s first line, and line 1 ("Customer Contact List") is not one; line 4 looks like the header ' +
        '("Customer", "Phone Numbers", "Email", "Full Name", …): delete the lines above it (a report\'s title, perhaps) and import the file again',
    );
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
  });

  it('name that line too when the mapping given names its columns', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('customer-contact-list.csv', report);
    const mapping = { Customer: 'fullName', 'Phone Numbers': 'workPhone' };
    expect(await failure('importContactsCsv', { businessId: business.id, file, mapping })).toMatch(/^file: .* line 4 looks like the header /);
  });

  it('import the file once those lines are deleted, with the numbers its labels name in one cell', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('customer-contact-list.csv', report.split('\r\n').slice(3).join('\r\n'));
    const result = (await t.worker.execute('importContactsCsv', { businessId: business.id, file })) as ImportResult;
    expect(result).toMatchObject({ rows: 2, created: 2, failed: 0 });
    const amy = (await listContacts(t.database.db, business.id)).find((c) => c.firstName === 'Amy');
    expect(amy?.phones.map((p) => [p.e164, p.type, p.primary])).toEqual([
      ['+61412555311', 'mobile', true],
      ['+61295553311', 'other', false],
    ]);
  });
});

describe('undoImport', () => {
  it('deletes the contacts an import created and restores what it updated; the file can then be imported again', async () => {
    const business = await aBusiness(t.database.db);
    const ada = await aContact(t.database.db, business, { firstName: 'Ada', lastName: 'Lovelace', phones: [] });
    const busyFile =
      'First Name,Last Name,Email,Mobile,Notes,Tags,Member Since\nAda,Lovelace,ada@example.com,0412 345 678,New note,VIP,2019\nBea,Arthur,bea@example.com,,,,\nCy,Young,cy@example.com,,,,\n';
    const file = await t.file('undo.csv', busyFile);
    const before = await listContacts(t.database.db, business.id);
    const imported = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(imported).toMatchObject({ created: 2, updated: 1 });
    const cy = (await listContacts(t.database.db, business.id)).find((c) => c.firstName === 'Cy');
    await anOpenConversation(t.database.db, business, cy?.id as string);

    const undone = await t.worker.execute<UndoImportResult>('undoImport', { importId: imported.importId });
    expect(undone).toEqual({ importId: imported.importId, deleted: 1, restored: 1, kept: 1, changedSince: 0 });
    const after = await listContacts(t.database.db, business.id);
    expect(after.map((c) => c.firstName).sort()).toEqual(['Ada', 'Cy']);
    const { updatedAt: _a, ...adaBefore } = before.find((c) => c.id === ada) as (typeof before)[number];
    const { updatedAt: _b, ...adaAfter } = after.find((c) => c.id === ada) as (typeof after)[number];
    expect(adaAfter).toEqual(adaBefore);
    const [adaRow] = await t.database.sql<{ notes: string | null; custom_fields: Record<string, string> }[]>`
      select notes, custom_fields from contacts where id = ${ada}`;
    expect(adaRow).toEqual({ notes: null, custom_fields: {} });

    expect(await t.worker.execute('undoImport', { importId: imported.importId })).toEqual({
      importId: imported.importId,
      deleted: 0,
      restored: 0,
      kept: 0,
      changedSince: 0,
      alreadyUndone: true,
    });
    const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    // Ada is updated again, Bea created again, and Cy, kept by the undo, has nothing new.
    expect(again).toMatchObject({ created: 1, updated: 1, skipped: 1 });
  });
});

describe('a contact known only by a phone it messaged from', () => {
  it('is the person a row of that phone names, whatever its placeholder name, and is anonymous no more', async () => {
    const business = await aBusiness(t.database.db);
    const unknown = await aContact(t.database.db, business, {
      firstName: 'Unknown',
      lastName: 'SMS contact',
      email: undefined,
      phones: [{ raw: '0412 555 001', e164: '+61412555001', type: 'mobile', primary: true }],
      anonymous: true,
    });
    const file = await t.file('known-now.csv', 'First Name,Last Name,Mobile,Email\nJane,Citizen,0412 555 001,jane@example.com\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const [row] = await t.database.sql<{ id: string; first_name: string; last_name: string; email: string; anonymous: boolean }[]>`
      select id, first_name, last_name, email, anonymous from contacts where business_id = ${business.id}`;
    expect(row).toEqual({ id: unknown, first_name: 'Jane', last_name: 'Citizen', email: 'jane@example.com', anonymous: false });
  });
});

describe('two rows that reach one stored contact by different keys', () => {
  it('both change it, and an undo gives it back as it was', async () => {
    const business = await aBusiness(t.database.db);
    const jane = await janeSmith(business);
    await t.database.sql`update contacts set notes = 'first note' where id = ${jane}`;
    const before = (await listContacts(t.database.db, business.id)).find((c) => c.id === jane);
    const file = await t.file(
      'two-keys.csv',
      'First Name,Last Name,Email,Mobile,Home Phone,Tags,Notes\nJane,Smith,jane@example.com,,(02) 9876 5432,Allergy,n2\nJane,Smith,,0412 345 678,,Gold,n3\n',
    );
    const imported = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(imported).toMatchObject({ updated: 2, created: 0 });
    const [changed] = await t.database.sql<{ notes: string }[]>`select notes from contacts where id = ${jane}`;
    expect(changed?.notes).toBe('first note\n\nn2\n\nn3');
    expect((await listContacts(t.database.db, business.id)).find((c) => c.id === jane)?.tags.sort()).toEqual(['Allergy', 'Gold']);

    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: imported.importId })).toMatchObject({ restored: 1 });
    const after = (await listContacts(t.database.db, business.id)).find((c) => c.id === jane);
    const { updatedAt: _b, ...janeBefore } = before as NonNullable<typeof before>;
    const { updatedAt: _a, ...janeAfter } = after as NonNullable<typeof after>;
    expect(janeAfter).toEqual(janeBefore);
    const [restored] = await t.database.sql<{ notes: string }[]>`select notes from contacts where id = ${jane}`;
    expect(restored?.notes).toBe('first note');
  });
});

describe('values left out of imported rows', () => {
  const file = [
    'First Name,Last Name,Email,Mobile,Work Phone',
    'Ana,Ray,ana@example.com,0412 000 001,12345',
    'Ana,Ray,ana.work@example.com,0412 000 001,',
    'Bo,Li,"bo@example.com; bo.li@example.com",,02 9876 5432',
    'Cy,Oh,cy@example.com,,02 9876 5433',
    'Ada,Lovelace,ada.new@example.com,0412 345 678,',
  ].join('\n');
  const warnings = [
    { row: 2, column: 'Work Phone', field: 'workPhone', message: "row 2: phone '12345' is not a valid number for AU; the number was left out" },
    { row: 3, field: 'email', message: "row 3: the email 'ana.work@example.com' differs from the contact's 'ana@example.com'; the contact keeps its email" },
    { row: 4, column: 'Email', field: 'email', message: "row 4: the email 'bo.li@example.com' was left out: a contact has one email" },
    { row: 6, field: 'email', message: "row 6: the email 'ada.new@example.com' differs from the contact's 'Ada@Example.com'; the contact keeps its email" },
  ];

  // Rows 2 and 3 are one new person, planned together; 4 and 5 new people of one row each; 6 a stored contact. Rows 3
  // and 6 are skipped, with nothing new but an email the contact does not take.
  it('reports them with the rows, in the dry run as in the import, however the row was written', async () => {
    const business = await aBusiness(t.database.db);
    await aContact(t.database.db, business);
    const source = await t.file('left-out.csv', file);

    const dry = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: source, dryRun: true });
    expect(dry).toMatchObject({ created: 3, updated: 0, skipped: 2, failed: 0, errors: [], warned: 4, warnings });
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: source });
    expect(result).toMatchObject({ created: 3, updated: 0, skipped: 2, failed: 0, errors: [], warned: 4, warnings });
  });
});

/** Exports the business's contacts, then imports the file into a new business, as an operator moving them does. */
async function exportAndImportElsewhere(businessId: string, name: string) {
  const output = path.join(t.dir, `${name}-export.csv`);
  await t.worker.execute('exportContactsCsv', { businessId, output });
  const text = await readFile(output, 'utf8');
  const elsewhere = await aBusiness(t.database.db);
  const imported = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: elsewhere.id, file: output });
  return { output, text, header: text.split(/\r?\n/)[0] as string, elsewhereId: elsewhere.id, imported };
}

describe('exportContactsCsv', () => {
  it('writes a formula-safe file that imports back into the same contacts with no changes', async () => {
    const business = await aBusiness(t.database.db);
    const source = await t.file('round-trip-source.csv', messy);
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: source });
    // An apostrophe before a letter is part of a name; one before anything else is taken for an export's, so a value
    // that starts with one is written with two.
    const dutch = await t.file('round-trip-dutch.csv', "First Name,Last Name,Email,Notes\nGerard,'t Hooft,gerard@example.nl,''=A1 is not a formula");
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: dutch });
    const contacts = await listContacts(t.database.db, business.id);
    const [gerard] = await t.database.sql<{ last_name: string; notes: string }[]>`
      select last_name, notes from contacts where business_id = ${business.id} and first_name = 'Gerard'`;
    expect(gerard).toEqual({ last_name: "'t Hooft", notes: "'=A1 is not a formula" });

    const output = path.join(t.dir, 'export.csv');
    const exported = await t.worker.execute<{ rows: number; output: string }>('exportContactsCsv', { businessId: business.id, output });
    expect(exported).toMatchObject({ rows: 4, output });
    const text = await readFile(output, 'utf8');
    expect(text.startsWith('\uFEFFSwitchboard ID,First Name,Middle Name,Last Name,Company,Email,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Tags,Notes,')).toBe(true);
    expect(text).toContain(",'=1+1,");
    expect(text).toContain("Mobile,'+61412000111");
    expect(text).toContain("Gerard,,'t Hooft,");
    expect(text).toContain(",''=A1 is not a formula,");

    const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: output });
    expect(again).toMatchObject({ rows: 4, created: 0, updated: 0, skipped: 4, failed: 0 });
    expect(await listContacts(t.database.db, business.id)).toEqual(contacts);

    const elsewhere = await aBusiness(t.database.db);
    const copied = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: elsewhere.id, file: output });
    expect(copied).toMatchObject({ rows: 4, created: 4, failed: 0 });
    // The export writes numbers in E.164, which reads the same whatever the importing business's country.
    const strip = (list: typeof contacts) =>
      list.map(({ id: _i, createdAt: _c, updatedAt: _u, phones, ...rest }) => ({ ...rest, phones: phones.map(({ raw: _r, ...p }) => p) }));
    expect(strip(await listContacts(t.database.db, elsewhere.id))).toEqual(strip(contacts));
  });

  it('writes custom fields named alike but for letter case as two columns, which come back as they were, again and again', async () => {
    const business = await aBusiness(t.database.db);
    const first = await t.file('case-first.csv', 'First Name,Last Name,Email,Allergies\nJosé,Núñez,jose@example.com,Latex\n');
    const second = await t.file('case-second.csv', 'First Name,Last Name,Email,allergies\nAnne,Lee,anne@example.com,Peanuts\n');
    for (const file of [first, second]) await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    const customFields = async (businessId: string) =>
      (await t.database.sql<{ custom_fields: Record<string, string> }[]>`select custom_fields from contacts where business_id = ${businessId} order by first_name`).map(
        (c) => c.custom_fields,
      );
    const stored = await customFields(business.id);
    expect(stored).toEqual([{ allergies: 'Peanuts' }, { Allergies: 'Latex' }]);
    for (const round of [1, 2]) {
      const output = path.join(t.dir, `case-export-${round}.csv`);
      await t.worker.execute('exportContactsCsv', { businessId: business.id, output });
      expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: output })).toMatchObject({ rows: 2, updated: 0, skipped: 2, failed: 0 });
      expect(await customFields(business.id)).toEqual(stored);
    }
    const moved = await exportAndImportElsewhere(business.id, 'case');
    expect(moved.imported).toMatchObject({ created: 2, failed: 0 });
    expect(await customFields(moved.elsewhereId)).toEqual(stored);
  });

  it('writes a company that is an email address, which comes back as the company, even in an export of such companies only', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'company-emails.csv',
      'First Name,Last Name,Company,Email,Mobile,Tags\nRex,Ng,rex.billing@rexco.example,,0433 000 001,acct\nSue,Ho,sue.billing@sueco.example,sue@example.com,0433 000 002,acct\n' +
        'Ann,Lee,Lee Physio,ann@example.com,,\nBo,Li,Li Dental,bo@example.com,,\n',
    );
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 4, failed: 0 });
    const contacts = await listContacts(t.database.db, business.id);
    const output = path.join(t.dir, 'company-emails-export.csv');
    expect(await t.worker.execute('exportContactsCsv', { businessId: business.id, output, tags: ['acct'] })).toMatchObject({ rows: 2 });
    const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: output });
    expect(again).toMatchObject({ rows: 2, updated: 0, skipped: 2, failed: 0 });
    expect(again.mapping.find((m) => m.header === 'Company')?.field).toBe('businessName');
    expect(await listContacts(t.database.db, business.id)).toEqual(contacts);
  });

  it('imports back a contact without a last name, and an export of some columns edited, by the ids their rows carry', async () => {
    const business = await aBusiness(t.database.db);
    // Made from a text message signed "Cher": no last name, which no row of a file could give a new contact.
    await aContact(t.database.db, business, { firstName: 'Cher', lastName: '', email: undefined, phones: [{ raw: '0412 555 002', e164: '+61412555002', type: 'mobile', primary: true }] });
    await aContact(t.database.db, business, { firstName: 'Dana', lastName: 'Ray', email: undefined, phones: [{ raw: '0412 555 003', e164: '+61412555003', type: 'mobile', primary: true }] });
    const contacts = await listContacts(t.database.db, business.id);

    const full = path.join(t.dir, 'nameless-export.csv');
    await t.worker.execute('exportContactsCsv', { businessId: business.id, output: full });
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: full })).toMatchObject({ rows: 2, updated: 0, skipped: 2, failed: 0 });
    expect(await listContacts(t.database.db, business.id)).toEqual(contacts);

    // Some columns exported, to tag contacts in a sheet: no email or phone column in it.
    const partial = path.join(t.dir, 'partial-export.csv');
    await t.worker.execute('exportContactsCsv', { businessId: business.id, output: partial, columns: ['id', 'firstName', 'lastName', 'tags'] });
    const exported = await readFile(partial, 'utf8');
    const tagged = await t.file('partial-tagged.csv', exported.replace(/,Dana,Ray,$/m, ',Dana,Ray,Gold').replace(/,Cher,,$/m, ',Cher,,VIP'));
    const edited = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: tagged });
    expect(edited).toMatchObject({ rows: 2, created: 0, updated: 2, failed: 0 });
    expect((await listContacts(t.database.db, business.id)).map((c) => [c.firstName, c.lastName, c.tags, c.phones.length])).toEqual([
      ['Cher', '', ['VIP'], 1],
      ['Dana', 'Ray', ['Gold'], 1],
    ]);

    // Into another business, whose contacts the ids are not, each row is refused for what it lacks.
    const elsewhere = await aBusiness(t.database.db);
    const copied = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: elsewhere.id, file: tagged });
    expect(copied).toMatchObject({ rows: 2, created: 0, failed: 2 });
    const noneHere = (row: number) => new RegExp(`^row ${row}: its Switchboard ID [0-9a-f-]{36} is no contact of this business, which it could have updated$`);
    expect(copied.errors.map((e) => e.message)).toEqual([
      'row 2: last name is missing ("Last Name" is empty)',
      'row 2: a contact needs a phone or an email, and there is neither (no column is mapped to email or a phone field)',
      expect.stringMatching(noneHere(2)),
      'row 3: a contact needs a phone or an email, and there is neither (no column is mapped to email or a phone field)',
      expect.stringMatching(noneHere(3)),
    ]);
  });

  it("leaves a webchat guest's pseudonymous address out, and the contact keeps it when the file comes back", async () => {
    const business = await aBusiness(t.database.db);
    const address = 'webchat-0123456789abcdef01234567@guest.invalid';
    await aContact(t.database.db, business, { firstName: 'Grace', lastName: 'Hopper', email: { address, normalized: address }, phones: [] });
    const output = path.join(t.dir, 'guest-export.csv');
    await t.worker.execute('exportContactsCsv', { businessId: business.id, output, columns: ['id', 'firstName', 'lastName', 'email'] });
    const text = await readFile(output, 'utf8');
    expect(text).not.toContain('guest.invalid');
    expect(text).toMatch(/,Grace,Hopper,\r\n$/);
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: output })).toMatchObject({ rows: 1, skipped: 1, failed: 0 });
    expect((await listContacts(t.database.db, business.id)).map((c) => c.email)).toEqual([address]);
  });

  it('checks the numbers of rows naming a stored contact as any others: an agent\'s is refused, one another row has is given once', async () => {
    const business = await aBusiness(t.database.db, { identityPolicy: 'unique' });
    const cher = await aContact(t.database.db, business, { firstName: 'Cher', lastName: '', email: undefined, phones: [{ raw: '0412 555 002', e164: '+61412555002', type: 'mobile', primary: true }] });
    await anAgent(t.database.db, business, '+61412999999', 'agent@example.com');
    const file = await t.file(
      'naming-keys.csv',
      `Switchboard ID,First Name,Last Name,Email,Mobile\n${cher},Cher,,,0412 000 111\n,Bob,Jones,,0412 000 111\n${cher},Cher,,,0412 999 999\n`,
    );
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(result.rows).toBe(3);
    expect(result.errors.filter((e) => e.row === 4).map((e) => e.message)).toEqual([expect.stringContaining('+61412999999')]);
    const holders = await t.database.sql<{ e164: string; holders: number }[]>`
      select e164, count(*)::int as holders from contact_phones where business_id = ${business.id} group by e164 order by e164`;
    expect(holders).toEqual([
      { e164: '+61412000111', holders: 1 },
      { e164: '+61412555002', holders: 1 },
    ]);
  });

  it("writes a number's extension beside it, so that it comes back", async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('extension.csv', 'First Name,Last Name,Work Phone\nAda,Lovelace,(02) 9876 5441 ext. 23\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 1 });
    const moved = await exportAndImportElsewhere(business.id, 'extension');
    expect(moved.text).toContain(",Work,'+61298765441 ext. 23,");
    expect(moved.imported).toMatchObject({ created: 1, failed: 0 });
    const [phone] = await t.database.sql<{ e164: string; raw: string }[]>`select e164, raw from contact_phones where business_id = ${moved.elsewhereId}`;
    expect(phone).toEqual({ e164: '+61298765441', raw: '+61298765441 ext. 23' });
  });

  it("writes Xero's further address lines as the one line 2 they were read into, which comes back the same", async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'xero-lines.csv',
      'FirstName,LastName,EmailAddress,SAAddressLine1,SAAddressLine2,SAAddressLine3,SAAddressLine4,SACity\nAda,Lovelace,ada@example.com,12 Harbour Street,Level 3,Suite 4,,Sydney\n',
    );
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 1, failed: 0 });
    const addressesOf = (businessId: string) =>
      t.database.sql`select a.line1, a.line2, a.city, c.custom_fields from contact_addresses a join contacts c on c.id = a.contact_id where c.business_id = ${businessId}`;
    const stored = await addressesOf(business.id);
    expect(stored).toEqual([{ line1: '12 Harbour Street', line2: 'Level 3, Suite 4', city: 'Sydney', custom_fields: {} }]);
    const moved = await exportAndImportElsewhere(business.id, 'xero-lines');
    expect(moved.imported).toMatchObject({ created: 1, failed: 0 });
    expect(await addressesOf(moved.elsewhereId)).toEqual(stored);
  });

  it('marks the primary of several numbers, so that a home number primary before a mobile stays primary', async () => {
    const business = await aBusiness(t.database.db);
    const home = await t.file('primary-home.csv', 'First Name,Last Name,Email,Home Phone\nAda,Lovelace,ada@example.com,(02) 9365 1234\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: home })).toMatchObject({ created: 1 });
    const mobile = await t.file('primary-mobile.csv', 'First Name,Last Name,Email,Mobile\nAda,Lovelace,ada@example.com,0412 345 678\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: mobile })).toMatchObject({ updated: 1 });
    const phonesOf = async (businessId: string) =>
      t.database.sql<{ e164: string; type: string; is_primary: boolean }[]>`
        select e164, type, is_primary from contact_phones where business_id = ${businessId} order by e164`;
    const before = await phonesOf(business.id);
    expect(before).toEqual([
      { e164: '+61293651234', type: 'home', is_primary: true },
      { e164: '+61412345678', type: 'mobile', is_primary: false },
    ]);

    const moved = await exportAndImportElsewhere(business.id, 'primary');
    expect(moved.text).toContain(",* Home,'+61293651234,Mobile,'+61412345678,");
    expect(moved.imported).toMatchObject({ created: 1, failed: 0 });
    expect(await phonesOf(moved.elsewhereId)).toEqual(before);
  });

  it('makes primary the number an edited export marks so, and its undo gives the old primary back', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('primary-move.csv', 'First Name,Last Name,Mobile,Work Phone\nAda,Lovelace,0412 345 678,02 9365 1234\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 1 });
    const output = path.join(t.dir, 'primary-move-export.csv');
    await t.worker.execute('exportContactsCsv', { businessId: business.id, output });
    const exported = await readFile(output, 'utf8');
    expect(exported).toContain(",* Mobile,'+61412345678,Work,'+61293651234,");
    const edited = await t.file('primary-moved.csv', exported.replace(",* Mobile,'+61412345678,Work,", ",Mobile,'+61412345678,* Work,"));
    const primaryOf = async () =>
      (await t.database.sql<{ e164: string }[]>`select e164 from contact_phones where business_id = ${business.id} and is_primary`).map((p) => p.e164);
    expect(await primaryOf()).toEqual(['+61412345678']);

    const moved = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: edited });
    expect(moved).toMatchObject({ updated: 1, created: 0 });
    expect(await primaryOf()).toEqual(['+61293651234']);
    await t.worker.execute<UndoImportResult>('undoImport', { importId: moved.importId });
    expect(await primaryOf()).toEqual(['+61412345678']);
  });

  it('leaves a primary when imports are undone out of their order', async () => {
    const business = await aBusiness(t.database.db);
    const first = await t.file('order-first.csv', 'First Name,Last Name,Email,Mobile\nAda,Lovelace,ada@example.com,0412 345 678\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: first })).toMatchObject({ created: 1 });
    const adds = await t.file('order-adds.csv', 'First Name,Last Name,Email,Work Phone\nAda,Lovelace,ada@example.com,02 9365 1234\n');
    const added = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: adds });
    const marks = await t.file('order-marks.csv', 'First Name,Last Name,Email,Phone 1 - Label,Phone 1 - Value\nAda,Lovelace,ada@example.com,* Work,02 9365 1234\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: marks })).toMatchObject({ updated: 1 });
    const phones = async () =>
      t.database.sql<{ e164: string; is_primary: boolean }[]>`select e164, is_primary from contact_phones where business_id = ${business.id} order by e164`;
    expect(await phones()).toEqual([
      { e164: '+61293651234', is_primary: true },
      { e164: '+61412345678', is_primary: false },
    ]);
    // The import that added the work number, undone before the one that made it primary.
    await t.worker.execute<UndoImportResult>('undoImport', { importId: added.importId });
    expect(await phones()).toEqual([{ e164: '+61412345678', is_primary: true }]);
  });

  it('undoes imports of one contact in either order without taking back what a later one changed', async () => {
    const business = await aBusiness(t.database.db);
    const jane = await janeSmith(business);
    const stateOf = async () => {
      const [row] = await t.database.sql<{ firstName: string; businessName: string | null; notes: string | null; cities: string[] }[]>`
        select first_name as "firstName", business_name as "businessName", notes,
          (select coalesce(array_agg(a.city) filter (where a.city is not null), '{}') from contact_addresses a where a.contact_id = c.id) as cities
        from contacts c where id = ${jane}`;
      const { updatedAt: _updated, ...contact } = (await listContacts(t.database.db, business.id)).find((c) => c.id === jane) as ContactView;
      return { ...contact, ...row };
    };
    const original = await stateOf();
    const header = 'Switchboard ID,First Name,Last Name,Email,Company,Notes,City';
    const first = await t.file('undo-order-1.csv', `${header}\n${jane},Janet,Smith,jane@example.com,Acme,n1,Sydney\n`);
    const firstImport = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: first });
    const second = await t.file('undo-order-2.csv', `${header}\n${jane},Janette,Smith,jane@example.com,Acme2,n2,\n`);
    const secondImport = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: second });
    expect([firstImport.updated, secondImport.updated]).toEqual([1, 1]);
    expect(await stateOf()).toMatchObject({ firstName: 'Janette', businessName: 'Acme2', notes: 'n1\n\nn2', cities: ['Sydney'] });

    // The earlier import undone first: what the later one wrote stays; the city only the earlier one wrote goes.
    const undoneFirst = await t.worker.execute<UndoImportResult>('undoImport', { importId: firstImport.importId });
    expect(undoneFirst).toMatchObject({ restored: 1, changedSince: 3 });
    const between = await stateOf();
    expect(between).toMatchObject({ firstName: 'Janette', businessName: 'Acme2', notes: 'n1\n\nn2', cities: [] });
    // Then the later one: the values from before both come back, not the undone import's.
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: secondImport.importId })).toMatchObject({ restored: 1, changedSince: 0 });
    expect(await stateOf()).toEqual(original);
  });

  it('replaces the address of a contact who has moved whole, and its undo gives the old one back', async () => {
    const business = await aBusiness(t.database.db);
    const header = 'First Name,Last Name,Email,Address,Address 2,City,State,Postcode';
    const first = await t.file('moved-1.csv', `${header}\nDaniel,Wright,dan@example.com,1 Main St,Unit 4,Newtown,NSW,\n`);
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: first })).toMatchObject({ created: 1 });
    const addressOf = async () =>
      (await t.database.sql<{ line1: string | null; line2: string | null; city: string | null; region: string | null; postal_code: string | null }[]>`
        select a.line1, a.line2, a.city, a.region, a.postal_code from contact_addresses a join contacts c on c.id = a.contact_id
        where c.business_id = ${business.id} and a.kind = 'contact'`)[0];
    const before = await addressOf();
    expect(before).toEqual({ line1: '1 Main St', line2: 'Unit 4', city: 'Newtown', region: 'NSW', postal_code: null });

    // The same street written another way is no move: only the empty postcode is filled.
    const same = await t.file('moved-0.csv', `${header}\nDaniel,Wright,dan@example.com,1 Main Street,,Newtown,NSW,2042\n`);
    const filled = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: same });
    expect(filled).toMatchObject({ updated: 1, warnings: [] });
    expect(await addressOf()).toEqual({ ...before, postal_code: '2042' });
    await t.worker.execute<UndoImportResult>('undoImport', { importId: filled.importId });

    // A part the new address shares with the old one (the state) is kept; one it lacks is emptied.
    const moved = await t.file('moved-2.csv', `${header}\nDaniel,Wright,dan@example.com,9 Ocean Pde,,Manly,NSW,2095\n`);
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: moved });
    expect(result).toMatchObject({ updated: 1, created: 0 });
    expect(result.warnings).toEqual([{ row: 2, field: 'contactAddress', message: "row 2: the address replaces the contact's, '1 Main St, Unit 4, Newtown, NSW'" }]);
    expect(await addressOf()).toEqual({ line1: '9 Ocean Pde', line2: null, city: 'Manly', region: 'NSW', postal_code: '2095' });

    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: result.importId })).toMatchObject({ restored: 1, changedSince: 0 });
    expect(await addressOf()).toEqual(before);

    // Moved again, then a person corrects the new postcode: the undo leaves the address whole, not the old street
    // with the new postcode.
    const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: moved });
    expect(again).toMatchObject({ updated: 1 });
    await t.database.sql`update contact_addresses set postal_code = '2096' where line1 = '9 Ocean Pde'`;
    const undone = await t.worker.execute<UndoImportResult>('undoImport', { importId: again.importId });
    expect(undone.changedSince).toBeGreaterThan(0);
    expect(await addressOf()).toEqual({ line1: '9 Ocean Pde', line2: null, city: 'Manly', region: 'NSW', postal_code: '2096' });
  });

  it('keeps a contact the undone import created that a later import changed', async () => {
    const business = await aBusiness(t.database.db);
    const created = await t.file('kept-1.csv', 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\nBea,Arthur,bea@example.com\n');
    const first = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: created });
    const later = await t.file('kept-2.csv', 'First Name,Last Name,Email,Company\nAda,Lovelace,ada@example.com,Analytical Engines\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: later })).toMatchObject({ updated: 1 });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: first.importId })).toMatchObject({ deleted: 1, kept: 1 });
    const left = await listContacts(t.database.db, business.id);
    expect(left.map((c) => [c.firstName, c.businessName])).toEqual([['Ada', 'Analytical Engines']]);
  });

  it('deletes the contact an import created once two later imports that changed it are undone, the earlier of them first', async () => {
    const business = await aBusiness(t.database.db);
    const header = 'First Name,Last Name,Email,Tags,Mobile';
    const run = async (name: string, row: string) =>
      t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file(name, `${header}\n${row}\n`) });
    const created = await run('chain-1.csv', 'Bob,Jones,bob@example.com,,');
    const tagged = await run('chain-2.csv', 'Bob,Jones,bob@example.com,VIP,');
    const numbered = await run('chain-3.csv', 'Bob,Jones,bob@example.com,,0498 765 432');
    expect([created.created, tagged.updated, numbered.updated]).toEqual([1, 1, 1]);
    for (const undone of [tagged, numbered]) await t.worker.execute<UndoImportResult>('undoImport', { importId: undone.importId });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: created.importId })).toMatchObject({ deleted: 1, kept: 0 });
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
    // Nor is the tag the undone import brought left in the business's list.
    expect(await t.database.sql`select name from tags where business_id = ${business.id}`).toEqual([]);
  });

  it('deletes the contact an undone import created and kept for a later change, once that change is undone too', async () => {
    const business = await aBusiness(t.database.db);
    const created = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('kept-a.csv', 'First Name,Last Name,Email,Tags\nBob,Jones,bob@example.com,Newsletter\n') });
    const later = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('kept-b.csv', 'First Name,Last Name,Email,Mobile\nBob,Jones,BOB@example.com,0498 765 432\n') });
    expect(later).toMatchObject({ updated: 1 });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: created.importId })).toMatchObject({ deleted: 0, kept: 1 });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: later.importId })).toMatchObject({ restored: 1, deleted: 1 });
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
    expect(await t.database.sql`select name from tags where business_id = ${business.id}`).toEqual([]);
  });

  it('keeps the contact an undone import created when a later import changed it since the one undone last', async () => {
    const business = await aBusiness(t.database.db);
    const run = async (name: string, text: string) => t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file(name, text) });
    const created = await run('still-a.csv', 'First Name,Last Name,Email\nBob,Jones,bob@example.com\n');
    const tagged = await run('still-b.csv', 'First Name,Last Name,Email,Tags\nBob,Jones,bob@example.com,VIP\n');
    await run('still-c.csv', 'First Name,Last Name,Email,Mobile\nBob,Jones,bob@example.com,0498 765 432\n');
    // The tag undone, the number the last import gave stays: Bob was changed since the first import, and is kept.
    await t.worker.execute<UndoImportResult>('undoImport', { importId: tagged.importId });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: created.importId })).toMatchObject({ deleted: 0, kept: 1 });
    expect((await listContacts(t.database.db, business.id)).map((c) => c.phones.map((p) => p.e164))).toEqual([['+61498765432']]);
  });

  it('leaves no address behind when it undoes the address an import gave a contact that had none', async () => {
    const business = await aBusiness(t.database.db);
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('fay-0.csv', 'First Name,Last Name,Email\nFay,Fox,fay@example.com\n') });
    const given = await t.file('fay-1.csv', 'First Name,Last Name,Email,Address,City\nFay,Fox,fay@example.com,1 Oak St,Ryde\n');
    const imported = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: given });
    expect(imported).toMatchObject({ updated: 1 });
    await t.worker.execute<UndoImportResult>('undoImport', { importId: imported.importId });
    expect(await t.database.sql`select 1 from contact_addresses a join contacts c on c.id = a.contact_id where c.business_id = ${business.id}`).toHaveLength(0);
  });

  it('deletes the contacts an import created once a later import that changed them is undone first', async () => {
    const business = await aBusiness(t.database.db);
    const created = await t.file('lifo-1.csv', 'First Name,Last Name,Email\nGus,Gray,gus@example.com\n');
    const first = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: created });
    const tagged = await t.file('lifo-2.csv', 'First Name,Last Name,Email,Tags\nGus,Gray,gus@example.com,Friend\n');
    const second = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: tagged });
    expect(second).toMatchObject({ updated: 1 });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: second.importId })).toMatchObject({ restored: 1, changedSince: 0 });
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: first.importId })).toMatchObject({ deleted: 1, kept: 0 });
    expect(await listContacts(t.database.db, business.id)).toEqual([]);
  });

  it('gives back the address from before two imports undone oldest first, the later having filled the moved one', async () => {
    const business = await aBusiness(t.database.db);
    const header = 'First Name,Last Name,Email,Address,Address 2,City,State,Postcode,Country';
    const original = await t.file('addr-0.csv', `${header}\nAmy,Ames,amy@example.com,10 King St,Unit 5,Newtown,NSW,2042,Australia\n`);
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: original });
    const addressOf = async () =>
      (await t.database.sql`select a.line1, a.line2, a.city, a.region, a.postal_code, a.country from contact_addresses a join contacts c on c.id = a.contact_id
        where c.business_id = ${business.id} and a.kind = 'contact'`)[0];
    const before = await addressOf();
    const moved = await t.file('addr-1.csv', `${header}\nAmy,Ames,amy@example.com,10 King St,,Erskineville,,2043,\n`);
    const first = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: moved });
    const filled = await t.file('addr-2.csv', `${header}\nAmy,Ames,amy@example.com,10 King St,Unit 9,Erskineville,NSW,2043,\n`);
    const second = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: filled });
    expect([first.updated, second.updated]).toEqual([1, 1]);
    await t.worker.execute<UndoImportResult>('undoImport', { importId: first.importId });
    await t.worker.execute<UndoImportResult>('undoImport', { importId: second.importId });
    expect(await addressOf()).toEqual(before);
  });

  it('leaves a value a person changed after the import when the import is undone', async () => {
    const business = await aBusiness(t.database.db);
    const jane = await janeSmith(business);
    const file = await t.file('undo-edited.csv', `Switchboard ID,First Name,Last Name,Email,Company\n${jane},Janet,Smith,jane@example.com,Acme\n`);
    const imported = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    await t.database.sql`update contacts set first_name = 'Jo' where id = ${jane}`;
    expect(await t.worker.execute<UndoImportResult>('undoImport', { importId: imported.importId })).toMatchObject({ restored: 1, changedSince: 1 });
    const [row] = await t.database.sql<{ first_name: string; business_name: string | null }[]>`select first_name, business_name from contacts where id = ${jane}`;
    expect(row).toEqual({ first_name: 'Jo', business_name: null });
  });

  it('names a custom field whose name the import would take for a contact field so that it comes back a custom field', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'custom-street.csv',
      'First Name,Last Name,Email,Address,Street,Home,Member Since,Kind\nAda,Lovelace,ada@example.com,12 Harbour St,Back lane 3,02 9876 5432,2019,VIP\n',
    );
    const first = await t.worker.execute<ImportResult>('importContactsCsv', {
      businessId: business.id,
      file,
      mapping: { Home: 'custom:Home', Kind: 'custom:Phone 1 - Label' },
    });
    expect(first).toMatchObject({ created: 1, failed: 0 });
    const moved = await exportAndImportElsewhere(business.id, 'custom-street');
    expect(moved.header.split(',').slice(-4)).toEqual(['custom:Home', 'Member Since', 'custom:Phone 1 - Label', 'custom:Street']);
    expect(moved.imported).toMatchObject({ created: 1, failed: 0 });
    const fieldsOf = async (businessId: string) =>
      t.database.sql<{ custom_fields: Record<string, string>; addresses: string[]; phones: number }[]>`
        select custom_fields, (select coalesce(array_agg(concat_ws('|', a.line1, a.line2)), '{}') from contact_addresses a where a.contact_id = c.id) as addresses,
          (select count(*) from contact_phones p where p.contact_id = c.id)::int as phones
        from contacts c where business_id = ${businessId}`;
    const [before] = await fieldsOf(business.id);
    expect(before).toEqual({
      custom_fields: { Street: 'Back lane 3', Home: '02 9876 5432', 'Member Since': '2019', 'Phone 1 - Label': 'VIP' },
      addresses: ['12 Harbour St'],
      phones: 0,
    });
    expect(await fieldsOf(moved.elsewhereId)).toEqual([before]);
  });

  it('updates the contacts an edited export names by their ids, and matches by keys elsewhere', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('to-edit.csv', 'First Name,Last Name,Mobile,Email\nChris,Jones,0412 000 001,\nAda,Lovelace,,ada@example.com\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 2 });
    const output = path.join(t.dir, 'to-edit-export.csv');
    await t.worker.execute('exportContactsCsv', { businessId: business.id, output });
    // Edited as a person would: Chris's only number corrected and her first name written in full, a row added.
    const exported = await readFile(output, 'utf8');
    const edited = `${exported.replace("Chris,,Jones", 'Christine,,Jones').replace("'+61412000001", '0412 000 099').trimEnd()}\r\n,Grace,,Hopper,,grace@example.com\r\n`;
    expect(edited).not.toBe(exported);
    const editedFile = await t.file('edited.csv', edited);

    const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: editedFile });
    expect(again).toMatchObject({ rows: 3, created: 1, updated: 1, skipped: 1, failed: 0 });
    const contacts = await t.database.sql<{ first_name: string; phones: string[] }[]>`
      select first_name, array(select e164 from contact_phones p where p.contact_id = c.id order by e164) as phones
      from contacts c where business_id = ${business.id} order by first_name`;
    expect(contacts).toEqual([
      { first_name: 'Ada', phones: [] },
      { first_name: 'Christine', phones: ['+61412000001', '+61412000099'] },
      { first_name: 'Grace', phones: [] },
    ]);

    // Another business has none of those ids: its rows are matched by their keys, and so all new.
    const elsewhere = await aBusiness(t.database.db);
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: elsewhere.id, file: editedFile })).toMatchObject({ created: 3, failed: 0 });
  });

  it('brings back a Google label holding a comma as one tag, alone or beside others', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'labels.csv',
      'First Name,Last Name,E-mail 1 - Value,Labels\nAda,Lovelace,ada@example.com,"* myContacts ::: Smith, J referrals ::: VIP"\nBo,Lee,bo@example.com,"* myContacts ::: Jones, K referrals"\n',
    );
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 2 });
    const moved = await exportAndImportElsewhere(business.id, 'labels');
    expect(moved.text).toContain(',"* myContacts ::: Smith, J referrals ::: VIP",');
    expect(moved.text).toContain(',"* myContacts ::: Jones, K referrals",');
    expect(moved.imported).toMatchObject({ created: 2 });
    const tagsOf = async (businessId: string) =>
      (await t.database.sql<{ name: string }[]>`select name from tags where business_id = ${businessId} order by name`).map((tag) => tag.name);
    expect(await tagsOf(business.id)).toEqual(['Jones, K referrals', 'Smith, J referrals', 'VIP']);
    expect(await tagsOf(moved.elsewhereId)).toEqual(['Jones, K referrals', 'Smith, J referrals', 'VIP']);
  });

  it('brings back a custom field named like a formula, and one of emails, as they were', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('custom-emails.csv', 'First Name,Last Name,Mobile,Invoices to,@handle\nBob,Builder,0412 000 005,accounts@acme.example,@bob\n');
    const first = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file, mapping: { 'Invoices to': 'custom:Invoices to' } });
    expect(first).toMatchObject({ created: 1, failed: 0 });
    const moved = await exportAndImportElsewhere(business.id, 'custom-emails');
    expect(moved.header.split(',').slice(-2)).toEqual(["'@handle", 'custom:Invoices to']);
    expect(moved.imported).toMatchObject({ created: 1, failed: 0 });
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: moved.output })).toMatchObject({ skipped: 1, updated: 0 });
    const contactOf = async (businessId: string) =>
      t.database.sql<{ email: string | null; custom_fields: Record<string, string> }[]>`
        select email, custom_fields from contacts where business_id = ${businessId}`;
    const expected = [{ email: null, custom_fields: { 'Invoices to': 'accounts@acme.example', '@handle': '@bob' } }];
    expect(await contactOf(business.id)).toEqual(expected);
    expect(await contactOf(moved.elsewhereId)).toEqual(expected);
  });

  it("writes the contact's id, status and times when asked for, which an import back leaves out", async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file('record.csv', 'First Name,Last Name,Email\nAda,Lovelace,ada@example.com\n');
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 1 });
    const [ada] = await t.database.sql<{ id: string; status: string; created: string; updated: string }[]>`
      select id, status, extract(epoch from created_at)::float8 * 1000 as created, extract(epoch from updated_at)::float8 * 1000 as updated
      from contacts where business_id = ${business.id}`;
    const output = path.join(t.dir, 'record-export.csv');
    const columns = ['id', 'firstName', 'lastName', 'status', 'createdAt', 'updatedAt', 'email'];
    expect(await t.worker.execute('exportContactsCsv', { businessId: business.id, output, columns })).toMatchObject({ rows: 1 });
    const [header, line] = (await readFile(output, 'utf8')).split(/\r?\n/);
    expect(header).toBe('\uFEFFSwitchboard ID,First Name,Last Name,Switchboard Status,Switchboard Created At,Switchboard Updated At,Email');
    const [id, first, last, status, created, updated] = (line as string).split(',');
    expect({ id, first, last, status }).toEqual({ id: ada?.id, first: 'Ada', last: 'Lovelace', status: 'active' });
    for (const [written, stored] of [[created, ada?.created], [updated, ada?.updated]]) {
      expect(written).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(written as string) - Number(stored))).toBeLessThan(1);
    }
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: output })).toMatchObject({ skipped: 1, updated: 0 });
    const [after] = await t.database.sql`select custom_fields from contacts where business_id = ${business.id}`;
    expect(after).toEqual({ custom_fields: {} });
  });

  it('exports only the tags asked for, refuses tags the business does not have and a file without names', async () => {
    const business = await aBusiness(t.database.db);
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('tagged.csv', messy) });
    const output = path.join(t.dir, 'vip.csv');
    expect(await t.worker.execute('exportContactsCsv', { businessId: business.id, output, tags: ['vip'], columns: ['firstName', 'lastName', 'email'] })).toMatchObject({
      rows: 1,
      columns: ['First Name', 'Last Name', 'Email'],
    });
    expect(await readFile(output, 'utf8')).toBe('\uFEFFFirst Name,Last Name,Email\r\nAda,Lovelace,ada@example.com\r\n');
    expect(await failure('exportContactsCsv', { businessId: business.id, output, tags: ['VIPs', 'vip', 'Gold'] })).toBe(
      "tags: the business has no tag 'VIPs' (did you mean 'VIP'?), 'Gold'; its tags are 'Newsletter', 'VIP'",
    );
    expect(await failure('exportContactsCsv', { businessId: business.id, output, columns: ['email'] })).toBe(
      'columns: firstName and lastName are required: a contact is known by its name',
    );
    expect(await failure('exportContactsCsv', { businessId: business.id, output, columns: ['firstName', 'lastName', 'phone', 'Email', 'colour'] })).toBe(
      'columns: unknown columns phone (did you mean phones?), Email (did you mean email?), colour; the columns are ' +
        'id, firstName, middleName, lastName, businessName, email, tags, notes, contactAddress, billingAddress, status, createdAt, updatedAt, phones, customFields',
    );
    expect(await failure('exportContactsCsv', { businessId: business.id, output, columns: ['firstName', 'lastName', 'firstName', 'email', 'email'] })).toBe(
      'columns: firstName, email given more than once',
    );
    expect(await failure('exportContactsCsv', { businessId: business.id, output: '/nowhere/out.csv' })).toBe(
      'output: the folder /nowhere does not exist where the worker runs',
    );
    // Refused at once, not retried: the file is written beside its target and renamed onto it at the end.
    expect(await failure('exportContactsCsv', { businessId: business.id, output: t.dir })).toBe(
      `output: '${t.dir}' is a folder; give a file name in it, e.g. ${path.join(t.dir, 'contacts.csv')}`,
    );
    // A file the folder's permissions seem to allow, but that cannot be created there, fails at once too.
    // Said of the file asked for, not of the one written beside it first.
    expect(await failure('exportContactsCsv', { businessId: business.id, output: '/proc/contacts.csv' })).toMatch(
      /^output: could not write '\/proc\/contacts\.csv': [^/]+$/,
    );
    expect(await failure('exportContactsCsv', { businessId: business.id, output: 'https://example.com/out.csv' })).toBe(
      "output: output must be a local path or a file:// URL, got 'https://example.com/out.csv'",
    );
  });

  it('writes contacts in the order people sort names, and custom fields so too', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'sort-order.csv',
      'First Name,Last Name,Email,zeta,Beta,alpha\nZed,Zola,zed@example.com,1,,\nÅsa,Ångström,asa@example.com,,2,\nAmy,adams,amy@example.com,,,3\nBo,Adams,bo@example.com,,,\n',
    );
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file })).toMatchObject({ created: 4 });
    const output = path.join(t.dir, 'sort-order-export.csv');
    await t.worker.execute('exportContactsCsv', { businessId: business.id, output, columns: ['firstName', 'lastName', 'customFields'] });
    const lines = (await readFile(output, 'utf8')).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines).toEqual(['First Name,Last Name,alpha,Beta,zeta', 'Amy,adams,3,,', 'Bo,Adams,,,', 'Åsa,Ångström,,2,', 'Zed,Zola,,,1']);
  });

  it('leaves archived contacts out unless asked for them', async () => {
    const business = await aBusiness(t.database.db);
    await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: await t.file('to-archive.csv', messy) });
    const grace = (await listContacts(t.database.db, business.id)).find((c) => c.firstName === 'Grace');
    await anOpenConversation(t.database.db, business, grace?.id as string);
    expect(await t.worker.execute('deleteContact', { businessId: business.id, contactId: grace?.id })).toMatchObject({ outcome: 'archived' });

    const output = path.join(t.dir, 'archived.csv');
    const columns = ['firstName', 'lastName', 'status'];
    expect(await t.worker.execute('exportContactsCsv', { businessId: business.id, output, columns })).toMatchObject({ rows: 2 });
    expect(await readFile(output, 'utf8')).not.toContain('Grace');
    expect(await t.worker.execute('exportContactsCsv', { businessId: business.id, output, columns, includeArchived: true })).toMatchObject({ rows: 3 });
    expect(await readFile(output, 'utf8')).toContain('\r\nGrace,Hopper,archived\r\n');
  });
});

describe('a file with NUL characters', () => {
  it('takes them out of its cells, which Postgres cannot store, and imports its rows instead of retrying them forever', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'nul.csv',
      ['First Name,Last\u0000 Name,Email,Notes', 'Ada,Love\u0000lace,ada@example.com,a\u0000note', 'No,Way\u0000,,x\u0000y'].join('\n'),
    );
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(result).toMatchObject({ rows: 2, created: 1, failed: 1, status: 'completed' });
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => [c.firstName, c.lastName, c.email])).toEqual([['Ada', 'Lovelace', 'ada@example.com']]);
    const report = await readFile(result.errorReport as string, 'utf8');
    expect(report.split(/\r?\n/).slice(0, 2)).toEqual([
      '\uFEFFFirst Name,Last Name,Email,Notes,Line,Error',
      'No,Way,,xy,3,"a contact needs a phone or an email, and there is neither (their columns are empty)"',
    ]);
  });
});
