import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldIdentityKeys, holdKeysOfUsers, loadIdentityKeyFilter, loadKeysOfUsers, loadStoredContacts, lockReferencedRows, referenceChecksAvailable, refreshPlannerStatistics, runContactWrites, writeContacts, type ReferenceChecks } from '../../db/contact-bulk';
import type { ContactRow, ContactUpdateRow } from '../../db/bulk-rows';
import { timeOrderedId } from '../../db/ids';
import { createBusiness } from '../../db/businesses';
import { addBusinessUser } from '../../db/users';
import { SwitchboardError } from '../../domain/errors';
import { autoMapColumns } from '../../domain/import/mapping';
import { keyNamesOfRow, planChunk, type ValidRow } from '../../domain/import/plan';
import { buildContact } from '../../domain/import/rows';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { manyContacts } from '../support/fixtures';

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
async function importRows(businessId: string, records: string[][], checks?: ReferenceChecks) {
  const rows = rowsOf(records);
  return database.sql.begin(async (tx) => {
    if (checks) await lockReferencedRows(tx, { businessId }, checks);
    const stored = await loadStoredContacts(tx, businessId, rows.map((r) => r.contact));
    const plan = planChunk(rows, stored, { onMatch: 'update', uniqueIdentity: true });
    const ids = await writeContacts(tx, businessId, plan, { uniqueIdentity: true, source: 'test' });
    return { plan, ids };
  });
}

describe('writeContacts', () => {
  it.each<[string, ReferenceChecks | undefined]>([
    ['with foreign keys checked row by row', undefined],
    ['with foreign keys checked set-wise', 'set-wise'],
  ])('writes new contacts with their phones, tags and identity keys, and updates stored ones, %s', async (_, checks) => {
    const business = await createBusiness(database.db, { name: 'Bulk Clinic', defaultCountry: 'AU' });
    const first = await importRows(
      business.id,
      [
        ['Ada', 'Lovelace', 'ada@example.com', '0412 345 678', 'vip'],
        ['Alan', 'Turing', 'alan@example.com', '', ''],
      ],
      checks,
    );
    expect(first.plan.creates).toHaveLength(2);

    const second = await importRows(business.id, [['Ada', 'Lovelace', 'ADA@example.com', '+61 412 999 000', 'board']], checks);
    expect(second.plan.updates).toHaveLength(1);

    // The keys the business's unique scope holds, on the contact and phone rows.
    const keys = await database.sql<{ kind: string; value: string; first_name: string }[]>`
      select 'email' as kind, email_normalized as value, first_name from contacts
      where business_id = ${business.id} and identity_scope = business_id and email_normalized is not null
      union all
      select 'phone', p.e164, c.first_name from contact_phones p join contacts c on c.id = p.contact_id
      where p.business_id = ${business.id} and p.identity_scope = p.business_id
      order by kind, value`;
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

  it('stores custom fields as an object, and keeps those stored, for rows that carry none', async () => {
    const business = await createBusiness(database.db, { name: 'Bare Rows Clinic', defaultCountry: 'AU' });
    const [bare, kept] = [timeOrderedId(), timeOrderedId()];
    // A row's columns as another writer might send them, with null (not {}) for its custom fields.
    const none = null as unknown as Record<string, string>;
    const contacts: ContactRow[] = [
      [bare, 'Bare', null, 'Row', null, null, null, null, none],
      [kept, 'Kept', null, 'Fields', null, null, null, null, { colour: 'green' }],
    ];
    const updates: ContactUpdateRow[] = [[kept, null, null, null, null, 'a note', null, null, none]];
    const options = { uniqueIdentity: true, source: 'test' };
    await database.sql.begin((tx) => runContactWrites(tx, business.id, { ids: new Map(), tagNames: [], contacts: JSON.stringify(contacts) }, options));
    await database.sql.begin((tx) => runContactWrites(tx, business.id, { ids: new Map(), tagNames: [], updates: JSON.stringify(updates) }, options));

    const stored = await database.sql<{ first_name: string; notes: string | null; custom_fields: unknown }[]>`
      select first_name, notes, custom_fields from contacts where business_id = ${business.id} order by first_name`;
    expect(stored).toEqual([
      { first_name: 'Bare', notes: null, custom_fields: {} },
      { first_name: 'Kept', notes: 'a note', custom_fields: { colour: 'green' } },
    ]);
  });

  it('makes one tag of names that differ only in case, spelt as the first contact of the batch spells it', async () => {
    const business = await createBusiness(database.db, { name: 'Tag Case Clinic', defaultCountry: 'AU' });
    await importRows(business.id, [
      // The first spelling is neither the first nor the last in code-unit order, nor the batch's last.
      ['Ada', 'Lovelace', 'ada@example.com', '', 'bOard'],
      ['Alan', 'Turing', 'alan@example.com', '', 'BOARD'],
      ['Edsger', 'Dijkstra', 'edsger@example.com', '', 'Board'],
      ['Grace', 'Hopper', 'grace@example.com', '', 'board'],
    ]);
    const tags = await database.sql<{ name: string; linked: number }[]>`
      select t.name, count(ct.contact_id)::int as linked from tags t left join contact_tags ct on ct.tag_id = t.id
      where t.business_id = ${business.id} group by t.name`;
    expect(tags).toEqual([{ name: 'bOard', linked: 4 }]);
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
    const phones = await database.sql<{ e164: string }[]>`select e164 from contact_phones where business_id = ${business.id}`;
    expect(phones.map((p) => p.e164)).toEqual(['+61412000111']);

    // Planned again against what is stored now, the same rows go in.
    const retried = await importRows(business.id, rows.map((r) => [r.contact.firstName, r.contact.lastName, r.contact.email?.address ?? '', r.contact.phones[0]?.raw ?? '', '']));
    expect(retried.plan.creates.length + retried.plan.updates.length).toBe(2);
  });

  it('fails as the same retryable conflict when another writer linked a tag the plan adds, and writes none of it', async () => {
    const business = await createBusiness(database.db, { name: 'Tag Race Clinic', defaultCountry: 'AU' });
    await importRows(business.id, [['Alan', 'Turing', 'alan@example.com', '', '']]);
    const rows = rowsOf([['Alan', 'Turing', 'alan@example.com', '', 'vip']]);
    // The plan is made while Alan has no tags…
    const storedBefore = await loadStoredContacts(database.sql, business.id, rows.map((r) => r.contact));
    const stale = planChunk(rows, storedBefore, { onMatch: 'update', uniqueIdentity: true });
    expect(stale.updates.map((u) => u.update.changes.addTags)).toEqual([['vip']]);
    // …then another writer tags him.
    await importRows(business.id, [['Alan', 'Turing', 'alan@example.com', '', 'VIP']]);

    const attempt = database.sql.begin((tx) => writeContacts(tx, business.id, stale, { uniqueIdentity: true, source: 'test' }));
    await expect(attempt).rejects.toMatchObject({ type: 'Conflict', retryable: true, message: expect.stringContaining('contact_tags') });
    const links = await database.sql<{ n: number }[]>`
      select count(*)::int as n from contact_tags ct join contacts c on c.id = ct.contact_id where c.business_id = ${business.id}`;
    expect(links[0]?.n).toBe(1);
  });
});

describe('holdKeysOfUsers', () => {
  it('fails as a retryable conflict when a user was given a key since the batch was checked, and holds the users\' keys until the batch ends', async () => {
    const business = await createBusiness(database.db, { name: 'Staff Clinic', defaultCountry: 'AU' });
    const checkedAgainst = await loadKeysOfUsers(database.sql, business.id);
    await addBusinessUser(database.db, { businessId: business.id, name: 'Agent', email: 'agent@clinic.example', role: 'agent' });
    const stale = database.sql.begin((tx) => holdKeysOfUsers(tx, business.id, checkedAgainst));
    await expect(stale).rejects.toMatchObject({ type: 'Conflict', retryable: true, message: expect.stringContaining('was given an email or phone meanwhile') });

    const current = await loadKeysOfUsers(database.sql, business.id);
    expect([...current]).toEqual(['email:agent@clinic.example']);
    const order: string[] = [];
    const batch = database.sql.begin(async (tx) => {
      await holdKeysOfUsers(tx, business.id, current);
      await tx`select pg_sleep(0.3)`;
      order.push('batch');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await addBusinessUser(database.db, { businessId: business.id, name: 'Admin', email: 'admin@clinic.example', role: 'admin' });
    order.push('user');
    await batch;
    expect(order).toEqual(['batch', 'user']);
  });

  it('waits for a user being given a key, and then sees that key', async () => {
    const business = await createBusiness(database.db, { name: 'Hiring Clinic', defaultCountry: 'AU' });
    const checkedAgainst = await loadKeysOfUsers(database.sql, business.id);
    // A user being added, as addBusinessUser adds one: the business locked for update until the user's key is in.
    const adding = database.sql.begin(async (tx) => {
      await tx`select 1 from businesses where id = ${business.id} for update`;
      const [user] = await tx<{ id: string }[]>`insert into users (name, email) values ('Late', 'late@clinic.example') returning id`;
      await tx`insert into identity_keys (business_id, kind, value, user_id) values (${business.id}, 'email', 'late@clinic.example', ${user?.id ?? null})`;
      await tx`select pg_sleep(0.3)`;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const batch = database.sql.begin((tx) => holdKeysOfUsers(tx, business.id, checkedAgainst));
    // Expected at once: the batch may fail before the adding's commit is seen here, and a rejection nothing awaits yet
    // counts as unhandled.
    const refused = expect(batch).rejects.toMatchObject({ type: 'Conflict', retryable: true });
    await adding;
    await refused;
  });
});

describe('lockReferencedRows', () => {
  const lockNotAvailable = { code: '55P03' };

  it('holds the business and the linked tags as foreign-key checks would, and switches the checks off for its transaction only', async () => {
    const business = await createBusiness(database.db, { name: 'Locked Clinic', defaultCountry: 'AU' });
    await importRows(business.id, [['Alan', 'Turing', 'alan@example.com', '', 'vip']]);
    const other = postgres(database.url, { max: 1, onnotice: () => undefined });
    try {
      const seen = await database.sql.begin(async (tx) => {
        await lockReferencedRows(tx, { businessId: business.id }, 'set-wise');
        const rows = rowsOf([['Ada', 'Lovelace', 'ada@example.com', '0412 345 678', 'VIP']]);
        await writeContacts(tx, business.id, planChunk(rows, [], { onMatch: 'update', uniqueIdentity: true }), { uniqueIdentity: true, source: 'test' });
        const [role] = await tx<{ session_replication_role: string }[]>`show session_replication_role`;
        // Another session can neither delete the business nor the tag while the write is under way.
        const businessRow = other`select id from businesses where id = ${business.id} for update nowait`;
        await expect(businessRow).rejects.toMatchObject(lockNotAvailable);
        const tag = other`select id from tags where business_id = ${business.id} and name = 'vip' for update nowait`;
        await expect(tag).rejects.toMatchObject(lockNotAvailable);
        return role?.session_replication_role;
      });
      expect(seen).toBe('replica');
      const [after] = await other<{ session_replication_role: string }[]>`show session_replication_role`;
      expect(after?.session_replication_role).toBe('origin');
      const [links] = await other<{ n: number }[]>`
        select count(*)::int as n from contact_tags ct join contacts c on c.id = ct.contact_id where c.business_id = ${business.id}`;
      expect(links?.n).toBe(2);
    } finally {
      await other.end();
    }
  });

  it('fails, naming the business, when the business is gone', async () => {
    const missing = '01900000-0000-7000-8000-000000000000';
    const attempt = database.sql.begin((tx) => lockReferencedRows(tx, { businessId: missing }, 'set-wise'));
    await expect(attempt).rejects.toMatchObject({ type: 'NotFound', message: expect.stringContaining(`businessId: no business ${missing}`) });
  });

  it('knows which roles may switch the checks off: a superuser, a role granted the setting, and no other', async () => {
    expect(await referenceChecksAvailable(database.sql)).toBe('set-wise');
    const role = `switchboard_plain_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await database.sql.unsafe(`create role ${role} login password '${password}'`);
    const url = new URL(database.url);
    url.username = role;
    url.password = password;
    const plain = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    try {
      expect(await referenceChecksAvailable(plain)).toBe('per-row');
      await database.sql.unsafe(`grant set on parameter session_replication_role to ${role}`);
      expect(await referenceChecksAvailable(plain)).toBe('set-wise');
    } finally {
      await plain.end();
      await database.sql.unsafe(`revoke set on parameter session_replication_role from ${role}`);
      await database.sql.unsafe(`drop role ${role}`);
    }
  });
});

describe('refreshPlannerStatistics', () => {
  it('analyses a bulk table once it has grown by a fifth since it was last analysed, and not before', async () => {
    const business = await createBusiness(database.db, { name: 'Statistics Clinic', defaultCountry: 'AU' });
    const writer = await database.sql.reserve();
    const addContacts = async (count: number) => {
      await writer`
        insert into contacts (business_id, first_name, last_name, source)
        select ${business.id}, 'Stat', 'Row ' || n, 'test' from generate_series(1, ${count}) as n`;
      // Statistics reach shared memory when a backend is idle, at most once a second unless told to go now.
      await writer`select pg_stat_force_next_flush()`;
    };
    const changedSinceAnalyse = async (expected: number) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const [row] = await database.sql<{ changed: number }[]>`
          select n_mod_since_analyze::int as changed from pg_stat_user_tables where relname = 'contacts' and schemaname = current_schema()`;
        if ((row?.changed ?? 0) >= expected) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`contacts never showed ${expected} rows changed since analysed`);
    };
    try {
      // The contacts of the tests before this one count as analysed; they are far fewer than 1,000.
      await database.sql`analyze contacts`;
      await addContacts(6000);
      await changedSinceAnalyse(6000);
      expect(await refreshPlannerStatistics(database.sql)).toContain('contacts');
      // Sampled lightly: a statistics target of 10 keeps at most 11 histogram bounds of a column of distinct values,
      // where the default of 100 keeps 101.
      const [lastNames] = await database.sql<{ bounds: number }[]>`
        select array_length(histogram_bounds::text::text[], 1) as bounds from pg_stats
        where schemaname = current_schema() and tablename = 'contacts' and attname = 'last_name'`;
      expect(lastNames?.bounds).toBeGreaterThan(1);
      expect(lastNames?.bounds).toBeLessThanOrEqual(11);

      // More than 5,000 rows changed and more than a fifth of the table: with some 12,000 rows the 5,000 decides.
      await addContacts(3000);
      await changedSinceAnalyse(3000);
      expect(await refreshPlannerStatistics(database.sql)).not.toContain('contacts');

      await addContacts(1500);
      await changedSinceAnalyse(4500);
      expect(await refreshPlannerStatistics(database.sql)).not.toContain('contacts');

      await addContacts(1500);
      await changedSinceAnalyse(6000);
      expect(await refreshPlannerStatistics(database.sql)).toContain('contacts');
    } finally {
      writer.release();
    }
  });

  it("analyses the contacts' tag links too, which a batch's lookup reads for every contact it finds", async () => {
    const business = await createBusiness(database.db, { name: 'Tagged Statistics Clinic', defaultCountry: 'AU' });
    const writer = await database.sql.reserve();
    try {
      await writer`insert into tags (business_id, name) values (${business.id}, 'vip')`;
      await writer`
        insert into contacts (business_id, first_name, last_name, source)
        select ${business.id}, 'Tagged', 'Row ' || n, 'test' from generate_series(1, 6000) as n`;
      await writer`
        insert into contact_tags (contact_id, tag_id)
        select c.id, t.id from contacts c join tags t on t.business_id = c.business_id where c.business_id = ${business.id}`;
      await writer`select pg_stat_force_next_flush()`;
      for (let attempt = 0; attempt < 50; attempt++) {
        const [row] = await database.sql<{ changed: number }[]>`
          select n_mod_since_analyze::int as changed from pg_stat_user_tables where relname = 'contact_tags' and schemaname = current_schema()`;
        if ((row?.changed ?? 0) >= 6000) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await refreshPlannerStatistics(database.sql)).toContain('contact_tags');
      // The planner now expects a contact to have a link or two, as these do; without statistics it expected a
      // two-hundredth of the table (30 and more here).
      const [contact] = await writer<{ id: string }[]>`select id from contacts where business_id = ${business.id} limit 1`;
      const [explained] = await database.sql<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }[]>`
        explain (format json) select tag_id from contact_tags where contact_id = ${contact?.id ?? ''}::uuid`;
      expect(explained?.['QUERY PLAN'][0].Plan['Plan Rows']).toBeLessThanOrEqual(2);
    } finally {
      writer.release();
    }
  });
});

describe('probing which keys a business holds', () => {
  it("answers with the emails and phones its contacts hold, archived ones included, and no other business's", async () => {
    const business = await createBusiness(database.db, { name: 'Probed', defaultCountry: 'AU', identityPolicy: 'unique' });
    const other = await createBusiness(database.db, { name: 'Elsewhere', defaultCountry: 'AU', identityPolicy: 'unique' });
    await importRows(business.id, [
      ['Ada', 'Lovelace', 'ada@example.com', '0412 345 678', ''],
      ['Bo', 'Archived', 'bo@example.com', '0412 000 222', ''],
    ]);
    await database.sql`update contacts set status = 'archived' where business_id = ${business.id} and first_name = 'Bo'`;
    await importRows(other.id, [['Cy', 'Other', 'cy@example.com', '0412 000 333', '']]);

    const incoming = rowsOf([
      ['Ada', 'Again', 'ADA@example.com', '0499 999 999', ''],
      ['Bo', 'Again', '', '+61 412 000 222', ''],
      ['Cy', 'Again', 'cy@example.com', '0412 000 333', ''],
    ]).flatMap((r) => keyNamesOfRow(r.contact));
    expect([...(await heldIdentityKeys(database.sql, business.id, incoming))].sort()).toEqual(['email:ada@example.com', 'phone:+61412000222']);
    expect(await heldIdentityKeys(database.sql, business.id, [])).toEqual(new Set());
  });

  it('finds an email through the email index in a business whose contacts the statistics do not know yet', async () => {
    // A database of its own: the plan depends on what its statistics hold.
    const fresh = await createTestDatabase();
    try {
      const known = await createBusiness(fresh.db, { name: 'Known', defaultCountry: 'AU', identityPolicy: 'unique' });
      const newcomer = await createBusiness(fresh.db, { name: 'Newcomer', defaultCountry: 'AU', identityPolicy: 'unique' });
      await manyContacts(fresh.sql, known.id, 5000, 'known');
      await fresh.sql`analyze contacts`;
      // Written after the statistics, as an import writes a new business's first contacts: the planner takes the
      // business for one of a row or so. Any index that served the business alone then looked as cheap, and scanned
      // all of these for each email.
      await manyContacts(fresh.sql, newcomer.id, 5000, 'new');
      const plan = await fresh.sql<{ 'QUERY PLAN': string }[]>`
        explain select from contacts where business_id = ${newcomer.id} and email_normalized = ${'nobody@example.com'} limit 1`;
      const text = plan.map((line) => line['QUERY PLAN']).join('\n');
      expect(text).toContain('contacts_business_email_key');
      expect(text).toMatch(/Index Cond: \(\(business_id = '[^']+'::uuid\) AND \(email_normalized = /);
    } finally {
      await fresh.drop();
    }
  });

  it('reads every email and phone of the business, archived contacts included, into a filter that holds no key of another business', async () => {
    const business = await createBusiness(database.db, { name: 'Filtered', defaultCountry: 'AU', identityPolicy: 'unique' });
    const other = await createBusiness(database.db, { name: 'Filtered elsewhere', defaultCountry: 'AU', identityPolicy: 'unique' });
    await importRows(business.id, [
      ['Ada', 'Lovelace', 'ada@example.com', '0412 345 678', ''],
      ['Bo', 'Archived', 'bo@example.com', '0412 000 222', ''],
      ['Di', 'Phoneless', 'di@example.com', '', ''],
    ]);
    await database.sql`update contacts set status = 'archived' where business_id = ${business.id} and first_name = 'Bo'`;
    await importRows(other.id, [['Cy', 'Other', 'cy@example.com', '0412 000 333', '']]);

    const filter = await loadIdentityKeyFilter(database.sql, business.id);
    const held = ['email:ada@example.com', 'phone:+61412345678', 'email:bo@example.com', 'phone:+61412000222', 'email:di@example.com'];
    expect(held.filter((key) => !filter.mayHold(key))).toEqual([]);
    expect(filter.size).toBe(held.length);
    expect(['email:cy@example.com', 'phone:+61412000333', 'email:ADA@example.com', 'phone:0412345678'].filter((key) => filter.mayHold(key))).toEqual([]);
    expect((await loadIdentityKeyFilter(database.sql, (await createBusiness(database.db, { name: 'Empty', defaultCountry: 'AU' })).id)).size).toBe(0);
  });

  it('reads a large business page by page, calling back after each page (so that an activity can heartbeat)', async () => {
    const business = await createBusiness(database.db, { name: 'Paged', defaultCountry: 'AU', identityPolicy: 'unique' });
    await manyContacts(database.sql, business.id, 25_000, 'paged');
    let pages = 0;
    const filter = await loadIdentityKeyFilter(database.sql, business.id, () => (pages += 1));
    expect(filter.size).toBe(25_000);
    expect(pages).toBe(3);
    expect(['email:paged1@example.com', 'email:paged25000@example.com'].every((key) => filter.mayHold(key))).toBe(true);
  });
});
