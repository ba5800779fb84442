import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listContacts } from '../../db/contacts';
import type { ImportResult } from '../../workflows/import';
import { aBusiness } from '../support/fixtures';
import { useWorkerTestContext } from '../support/context';

const t = useWorkerTestContext();

describe('importContactsCsv', () => {
  it('imports a plain sheet, merging one person written three ways and reporting bad rows', async () => {
    const business = await aBusiness(t.database.db);
    const file = await t.file(
      'plain.csv',
      [
        'first_name,Surname,Email address,Mobile,Tags',
        'Ada,Lovelace,ada@example.com,0412 345 678,VIP;Newsletter',
        'Ada,Lovelace,,+61 412 345 678,',
        'Ada,Lovelace,ADA@example.com,(04) 1234 5678,Returning',
        'Bob,Stone,,12345,',
        'Cy,Young,cy@example.com,,',
      ].join('\n'),
    );
    const result = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(result).toMatchObject({ rows: 5, created: 2, failed: 1, status: 'completed' });
    expect(result.updated + result.skipped).toBe(2);
    expect(result.errors).toEqual([
      { row: 5, column: 'Mobile', field: 'mobilePhone', message: "row 5: phone '12345' is not a valid number for AU and there is no email" },
    ]);
    const contacts = await listContacts(t.database.db, business.id);
    expect(contacts.map((c) => [c.firstName, c.lastName, c.email, c.phones.map((p) => p.e164), c.tags])).toEqual([
      ['Ada', 'Lovelace', 'ada@example.com', ['+61412345678'], ['Newsletter', 'Returning', 'VIP']],
      ['Cy', 'Young', 'cy@example.com', [], []],
    ]);
    expect(result.errorReport).toBe(path.join(t.dir, `plain.${result.importId.slice(0, 8)}.errors.csv`));
    const report = await readFile(result.errorReport as string, 'utf8');
    expect(report).toContain('Bob,Stone,,12345,,5,');

    // The same file into another business: each import keeps its own report.
    const elsewhere = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: (await aBusiness(t.database.db)).id, file });
    expect(elsewhere.errorReport).not.toBe(result.errorReport);
    expect(await readFile(elsewhere.errorReport as string, 'utf8')).toBe(report);
    expect(await readFile(result.errorReport as string, 'utf8')).toBe(report);

    // The report imported as it is fails the same row again: the new report has that row's line in the report, once.
    const unchanged = await t.file('plain-unchanged.csv', report);
    const refusedAgain = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: unchanged });
    expect(refusedAgain).toMatchObject({ rows: 1, failed: 1 });
    const secondReport = await readFile(refusedAgain.errorReport as string, 'utf8');
    const [header, bobAgain] = secondReport.replace(/^\uFEFF/, '').split(/\r?\n/);
    expect(header).toBe('first_name,Surname,Email address,Mobile,Tags,Line,Error');
    expect(bobAgain).toMatch(/^Bob,Stone,,12345,,2,\S/);

    // The report, its rows corrected, imports as the file would have: its line and error are no custom fields.
    const corrected = await t.file('plain-corrected.csv', report.replace('Bob,Stone,,12345,', 'Bob,Stone,,0412 999 888,'));
    expect(await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file: corrected })).toMatchObject({ created: 1, failed: 0 });
    const [bob] = await t.database.sql<{ custom_fields: Record<string, string> }[]>`
      select custom_fields from contacts where business_id = ${business.id} and first_name = 'Bob'`;
    expect(bob?.custom_fields).toEqual({});
    await t.database.sql`delete from contacts where business_id = ${business.id} and first_name = 'Bob'`;

    const again = await t.worker.execute<ImportResult>('importContactsCsv', { businessId: business.id, file });
    expect(again).toMatchObject({ rows: 5, created: 0, updated: 0, skipped: 5, failed: 0 });
    expect(await listContacts(t.database.db, business.id)).toHaveLength(2);
  });
});
