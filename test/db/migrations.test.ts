import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFolder, runMigrations } from '../../db/client';
import { createTestDatabase, type TestDatabase } from '../support/database';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'switchboard-migrations-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// Each test starts from an empty database of its own: it migrates it part of the way, as an older one would be.
let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase({ migrate: false });
});
afterEach(async () => {
  await database?.drop();
});

/** Applies the migrations up to and including the one tagged `lastTag`, as a database made before the rest would be. */
async function migrateUpTo(lastTag: string): Promise<void> {
  const folder = path.join(scratch, lastTag);
  await cp(migrationsFolder, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  if (last < 0) throw new Error(`no migration tagged ${lastTag}`);
  journal.entries = journal.entries.slice(0, last + 1);
  await writeFile(journalFile, JSON.stringify(journal));
  await migrate(drizzle(database.sql), { migrationsFolder: folder });
}

describe('0005: identity on the contact and phone rows', () => {
  it('carries every claim over: contacts and phones of a unique business scoped to it, none under none, users kept', async () => {
    await migrateUpTo('0004_lighter_bulk_foreign_keys');
    const unique = '11111111-1111-4111-8111-111111111111';
    const none = '22222222-2222-4222-8222-222222222222';
    const [ada, bob, cy, dee] = ['a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002'];
    const agent = 'c0000000-0000-4000-8000-000000000001';
    const sql = database.sql;
    await sql`insert into businesses (id, name, default_country, identity_policy) values (${unique}, 'Unique', 'AU', 'unique'), (${none}, 'None', 'AU', 'none')`;
    await sql`
      insert into contacts (id, business_id, first_name, last_name, email, email_normalized, source) values
        (${ada}, ${unique}, 'Ada', 'Lovelace', 'Ada@Example.com', 'ada@example.com', 'test'),
        (${bob}, ${unique}, 'Bob', 'NoEmail', null, null, 'test'),
        (${cy}, ${none}, 'Cy', 'Twin', 'twin@example.com', 'twin@example.com', 'test'),
        (${dee}, ${none}, 'Dee', 'Twin', 'twin@example.com', 'twin@example.com', 'test')`;
    await sql`
      insert into contact_phones (contact_id, business_id, raw, e164, is_primary) values
        (${ada}, ${unique}, '0412 000 001', '+61412000001', true),
        (${bob}, ${unique}, '0412 000 002', '+61412000002', true),
        (${cy}, ${none}, '0412 000 003', '+61412000003', true),
        (${dee}, ${none}, '0412 000 003', '+61412000003', true)`;
    await sql`insert into users (id, name, email) values (${agent}, 'Agent', 'agent@clinic.example')`;
    await sql`
      insert into identity_keys (business_id, kind, value, contact_id, user_id) values
        (${unique}, 'email', 'ada@example.com', ${ada}, null),
        (${unique}, 'phone', '+61412000001', ${ada}, null),
        (${unique}, 'phone', '+61412000002', ${bob}, null),
        (${unique}, 'email', 'agent@clinic.example', null, ${agent})`;

    await runMigrations(database.url);

    const contacts = await sql<{ first_name: string; scoped: boolean }[]>`
      select first_name, identity_scope is not distinct from business_id as scoped from contacts order by first_name`;
    expect(contacts.map((c) => [c.first_name, c.scoped])).toEqual([['Ada', true], ['Bob', true], ['Cy', false], ['Dee', false]]);
    const phones = await sql<{ e164: string; scoped: boolean }[]>`
      select e164, identity_scope is not distinct from business_id as scoped from contact_phones order by e164, contact_id`;
    expect(phones.map((p) => [p.e164, p.scoped])).toEqual([['+61412000001', true], ['+61412000002', true], ['+61412000003', false], ['+61412000003', false]]);
    const keys = await sql`select business_id, kind, value, user_id from identity_keys`;
    expect(keys).toEqual([{ business_id: unique, kind: 'email', value: 'agent@clinic.example', user_id: agent }]);

    // The claims hold as before: a second holder is refused in the unique business, allowed in the other.
    await expect(sql`
      insert into contact_phones (contact_id, business_id, raw, e164, identity_scope) values (${bob}, ${unique}, 'x', '+61412000001', ${unique})`).rejects.toMatchObject({
      constraint_name: 'contact_phones_business_e164_key',
    });
    await sql`insert into contacts (business_id, first_name, last_name, email_normalized, source) values (${none}, 'Eve', 'Twin', 'twin@example.com', 'test')`;
  });
});

describe('0006: identity keys and file hashes compared byte by byte', () => {
  it('keeps the stored keys, their uniqueness and their lookups, under collation "C"', async () => {
    await migrateUpTo('0005_identity_on_contact_rows');
    const business = '33333333-3333-4333-8333-333333333333';
    const ada = 'd0000000-0000-4000-8000-000000000001';
    const sql = database.sql;
    await sql`insert into businesses (id, name, default_country, identity_policy) values (${business}, 'Unique', 'AU', 'unique')`;
    await sql`
      insert into contacts (id, business_id, first_name, last_name, email, email_normalized, source, identity_scope)
      values (${ada}, ${business}, 'Ada', 'Lovelace', 'Ada@Example.com', 'ada@example.com', 'test', ${business})`;
    await sql`
      insert into contact_phones (contact_id, business_id, raw, e164, is_primary, identity_scope)
      values (${ada}, ${business}, '0412 000 001', '+61412000001', true, ${business})`;

    await runMigrations(database.url);

    const collations = await sql<{ column: string; collation: string | null }[]>`
      select table_name || '.' || column_name as column, collation_name as collation from information_schema.columns
      where table_schema = 'public' and (table_name, column_name) in (('contacts', 'email_normalized'), ('contact_phones', 'e164'), ('import_ledger', 'file_hash'))
      order by 1`;
    expect(collations).toEqual([
      { column: 'contact_phones.e164', collation: 'C' },
      { column: 'contacts.email_normalized', collation: 'C' },
      { column: 'import_ledger.file_hash', collation: 'C' },
    ]);
    // Looked up by a parameter of the database's own collation, as the bulk statements do.
    const found = await sql`
      select c.id from unnest(${['ada@example.com']}::text[]) as e(value) join contacts c on c.business_id = ${business} and c.email_normalized = e.value`;
    expect(found).toEqual([{ id: ada }]);
    const byPhone = await sql`select contact_id from contact_phones where business_id = ${business} and e164 = ${'+61412000001'}::text`;
    expect(byPhone).toEqual([{ contact_id: ada }]);
    await expect(sql`
      insert into contacts (business_id, first_name, last_name, email_normalized, source, identity_scope)
      values (${business}, 'Another', 'Ada', 'ada@example.com', 'test', ${business})`).rejects.toMatchObject({ constraint_name: 'contacts_business_email_key' });
  });
});
