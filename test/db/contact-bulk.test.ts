import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStoredContacts, writeContacts } from '../../db/contact-bulk';
import { createBusiness } from '../../db/businesses';
import { SwitchboardError } from '../../domain/errors';
import { autoMapColumns } from '../../domain/import/mapping';
import { planChunk, type ValidRow } from '../../domain/import/plan';
import { buildContact } from '../../domain/import/rows';
import { createTestDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

const headers = ['First Name', 'Last Name', 'Email', 'Mobile', 'Tags'];
const mapping = autoMapColumns(headers, [['Ada', 'Lovelace', 'ada@example.com', '0412 345 678', 'vip']]);

function rowsOf(records: string[][]): ValidRow[] {
  return records.map((cells, i) => {
    const built = buildContact(cells, mapping, { defaultCountry: 'AU' });
    if (!built.ok) throw new Error(`fixture row ${i + 1} is invalid: ${built.problems.map((p) => p.message).join('; ')}`);
    return { line: i + 2, contact: built.contact, warnings: built.warnings };
  });
}

/** Plans the rows against what the business holds now and writes the plan, as one import batch does. */
async function importRows(businessId: string, records: string[][]) {
  const rows = rowsOf(records);
  return database.sql.begin(async (tx) => {
    const stored = await loadStoredContacts(tx, businessId, rows.map((r) => r.contact));
    const plan = planChunk(rows, stored, { onMatch: 'update', uniqueIdentity: true });
    const ids = await writeContacts(tx, businessId, plan, { uniqueIdentity: true, source: 'test' });
    return { plan, ids };
  });
}

describe('writeContacts', () => {
  it('writes new contacts with their phones, tags and identity keys, and updates stored ones', async () => {
    const business = await createBusiness(database.db, { name: 'Bulk Clinic', defaultCountry: 'AU' });
    const first = await importRows(business.id, [
      ['Ada', 'Lovelace', 'ada@example.com', '0412 345 678', 'vip'],
      ['Alan', 'Turing', 'alan@example.com', '', ''],
    ]);
    expect(first.plan.creates).toHaveLength(2);

    const second = await importRows(business.id, [['Ada', 'Lovelace', 'ADA@example.com', '+61 412 999 000', 'board']]);
    expect(second.plan.updates).toHaveLength(1);

    const keys = await database.sql<{ kind: string; value: string; first_name: string }[]>`
      select k.kind, k.value, c.first_name from identity_keys k join contacts c on c.id = k.contact_id
      where k.business_id = ${business.id} order by k.kind, k.value`;
    expect(keys.map((k) => [k.kind, k.value, k.first_name])).toEqual([
      ['email', 'ada@example.com', 'Ada'],
      ['email', 'alan@example.com', 'Alan'],
      ['phone', '+61412345678', 'Ada'],
      ['phone', '+61412999000', 'Ada'],
    ]);
    const [ada] = await loadStoredContacts(database.sql, business.id, rowsOf([['Ada', 'Lovelace', 'ada@example.com', '', '']]).map((r) => r.contact));
    expect(ada?.phones.map((p) => p.e164).sort()).toEqual(['+61412345678', '+61412999000']);
    expect(ada?.tags).toEqual(['board', 'vip']);
  });

  it('fails a batch whose plan is overtaken by another writer with a retryable conflict, and writes none of it', async () => {
    const business = await createBusiness(database.db, { name: 'Race Clinic', defaultCountry: 'AU' });
    const rows = rowsOf([
      ['Grace', 'Hopper', 'grace@example.com', '0412 000 111', ''],
      ['Edsger', 'Dijkstra', 'edsger@example.com', '', ''],
    ]);
    // The plan is made while the business holds nothing…
    const stale = planChunk(rows, [], { onMatch: 'update', uniqueIdentity: true });
    // …then another writer claims one of its phones.
    await importRows(business.id, [['Grace', 'Brewster', '', '+61 412 000 111', '']]);

    const attempt = database.sql.begin((tx) => writeContacts(tx, business.id, stale, { uniqueIdentity: true, source: 'test' }));
    await expect(attempt).rejects.toThrow(SwitchboardError);
    await expect(attempt).rejects.toMatchObject({ type: 'Conflict', retryable: true });

    const names = await database.sql<{ first_name: string; last_name: string }[]>`
      select first_name, last_name from contacts where business_id = ${business.id} order by first_name`;
    expect(names.map((n) => `${n.first_name} ${n.last_name}`)).toEqual(['Grace Brewster']);
    const keys = await database.sql<{ value: string }[]>`select value from identity_keys where business_id = ${business.id}`;
    expect(keys.map((k) => k.value)).toEqual(['+61412000111']);

    // Planned again against what is stored now, the same rows go in.
    const retried = await importRows(business.id, rows.map((r) => [r.contact.firstName, r.contact.lastName, r.contact.email?.address ?? '', r.contact.phones[0]?.raw ?? '', '']));
    expect(retried.plan.creates.length + retried.plan.updates.length).toBe(2);
  });
});
