import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeQuickBooks, type FakeQuickBooks, type FakeRequestLogEntry, type QboCustomerInput } from '../../fakes/quickbooks/server';
import { useWorkerTestContext } from '../support/context';
import { aBusiness, aContact, anOpenConversation } from '../support/fixtures';
import { aConnection, contactsOf, linksOf, providersFor, sync } from './helpers';

let quickbooks: FakeQuickBooks;
const PAGE_SIZE = 20;
/** What QuickBooks' change data capture returns at most, in one answer without paging (the fake's default too). */
const CDC_CAP = 1000;
const DAY_MS = 24 * 60 * 60_000;

const context = useWorkerTestContext(async () => {
  quickbooks = await startFakeQuickBooks();
  return { providers: providersFor({ quickbooks }), sync: { pageSize: PAGE_SIZE } };
});
afterAll(async () => quickbooks?.close());

const pad = (i: number) => String(i).padStart(4, '0');
const customer = (i: number, prefix = 'person'): QboCustomerInput => ({
  GivenName: `Given${pad(i)}`,
  FamilyName: `Family${i}`,
  DisplayName: `Given${pad(i)} Family${i} ${prefix}`,
  PrimaryEmailAddr: { Address: `${prefix}${i}@example.com` },
  Mobile: { FreeFormNumber: `0412 00${pad(i)}` },
});

/** The API calls a company received since `mark` (an index into the fake's log). */
const apiCallsSince = (mark: number, realmId: string): FakeRequestLogEntry[] =>
  quickbooks.log.slice(mark).filter((e) => e.kind === 'api' && e.realmId === realmId);
const isCdc = (e: FakeRequestLogEntry) => e.path.endsWith('/cdc');
const isQuery = (e: FakeRequestLogEntry) => e.path.endsWith('/query');

async function setCursor(connectionId: string, since: number): Promise<void> {
  await context.database.sql`update connections set cursor = ${JSON.stringify({ position: { since, page: 1 } })}::jsonb where id = ${connectionId}`;
}

describe('syncConnection with QuickBooks Online', () => {
  let realmId: string;
  let connectionId: string;
  let businessId: string;
  let existingId: string;
  const idOf = (n: number) => quickbooks.customers(realmId).find((c) => c.PrimaryEmailAddr?.Address === `person${n}@example.com`)?.Id as string;

  beforeAll(async () => {
    const business = await aBusiness(context.database.db, { name: 'QuickBooks Clinic' });
    businessId = business.id;
    realmId = quickbooks.addRealm();
    // Changed two seconds apart over the last hour, as real records are.
    const start = Date.now() - 60 * 60_000;
    for (let i = 1; i <= 45; i++) quickbooks.upsertCustomer(realmId, { ...customer(i), MetaData: { LastUpdatedTime: start + i * 2_000 } });
    // Customer 1 carries every field the mapping reads.
    quickbooks.upsertCustomer(realmId, {
      Id: idOf(1),
      CompanyName: 'Harbour Physio Pty Ltd',
      PrimaryPhone: { FreeFormNumber: '(02) 9876 5432' },
      BillAddr: { Line1: '1 George St', Line2: 'Level 2', Line3: 'Suite 3', City: 'Sydney', CountrySubDivisionCode: 'NSW', PostalCode: '2000', Country: 'Australia' },
      ShipAddr: { Line1: '5 Pitt St', City: 'Parramatta', CountrySubDivisionCode: 'NSW', PostalCode: '2150', Country: 'Australia' },
      MetaData: { LastUpdatedTime: start + 1 * 2_000 },
    });
    // Already in Switchboard with the same email as QuickBooks' customer 7, and a conversation still open.
    existingId = await aContact(context.database.db, business, {
      firstName: 'Given0007',
      lastName: 'Family7',
      email: { address: 'Person7@Example.com', normalized: 'person7@example.com' },
      phones: [],
    });
    await anOpenConversation(context.database.db, business, existingId);
    connectionId = await aConnection(context.database, business, 'quickbooks', realmId, quickbooks.issueTokens(realmId));
  });

  it('first sync pages through every customer with queries, links the one that already exists and creates the rest', async () => {
    const mark = quickbooks.log.length;
    const result = await sync(context.worker, connectionId, 'full');
    expect(result).toMatchObject({ created: 44, linked: 1, updated: 0, archived: 0, failed: 0 });
    expect(result.fetched).toBe(result.created + result.updated + result.linked + result.archived + result.unchanged + result.failed);
    // Each page after the first starts a moment before the last record stored, so that one is read again, unchanged.
    expect(result.fetched).toBe(45 + result.unchanged);
    expect(result.unchanged).toBe(2);
    const calls = apiCallsSince(mark, realmId);
    expect(calls.filter(isCdc)).toHaveLength(0);
    expect(calls.filter(isQuery)).toHaveLength(3);
    expect(result.apiCalls).toBe(calls.length);
    expect(result.cursor).not.toBeNull();

    const contacts = await contactsOf(context.database, businessId);
    expect(contacts).toHaveLength(45);
    expect(new Set(contacts.map((c) => c.email_normalized)).size).toBe(45);
    const links = await linksOf(context.database, connectionId);
    expect(links).toHaveLength(45);
    expect(links.find((l) => l.external_id === idOf(7))?.contact_id).toBe(existingId);
    expect(contacts.find((c) => c.id === existingId)?.phones).toEqual(['+61412000007']); // the number QuickBooks adds

    const oneId = links.find((l) => l.external_id === idOf(1))?.contact_id as string;
    const [one] = await context.database.sql<{ first_name: string; last_name: string; business_name: string | null; email: string | null }[]>`
      select first_name, last_name, business_name, email from contacts where id = ${oneId}`;
    expect(one).toEqual({ first_name: 'Given0001', last_name: 'Family1', business_name: 'Harbour Physio Pty Ltd', email: 'person1@example.com' });
    const phones = await context.database.sql<{ e164: string; type: string; is_primary: boolean }[]>`
      select e164, type, is_primary from contact_phones where contact_id = ${oneId} order by is_primary desc, e164`;
    expect(phones).toEqual([
      { e164: '+61412000001', type: 'mobile', is_primary: true },
      { e164: '+61298765432', type: 'other', is_primary: false },
    ]);
    const addresses = await context.database.sql<{ kind: string; line1: string; line2: string | null; city: string; region: string; postal_code: string; country: string }[]>`
      select kind, line1, line2, city, region, postal_code, country from contact_addresses where contact_id = ${oneId} order by kind::text`;
    expect(addresses).toEqual([
      { kind: 'billing', line1: '1 George St', line2: 'Level 2, Suite 3', city: 'Sydney', region: 'NSW', postal_code: '2000', country: 'Australia' },
      { kind: 'contact', line1: '5 Pitt St', line2: null, city: 'Parramatta', region: 'NSW', postal_code: '2150', country: 'Australia' },
    ]);
  });

  it('an incremental sync reads the changes with one CDC call: an edit, a deactivation, a hard delete and a new customer', async () => {
    quickbooks.upsertCustomer(realmId, { Id: idOf(3), FamilyName: 'Renamed' });
    quickbooks.deactivateCustomer(realmId, idOf(7)); // has an open conversation: archived, kept
    const nine = idOf(9);
    quickbooks.deleteCustomer(realmId, nine); // nothing open: deleted
    quickbooks.upsertCustomer(realmId, customer(100));

    const mark = quickbooks.log.length;
    const result = await sync(context.worker, connectionId);
    const calls = apiCallsSince(mark, realmId);
    expect(calls).toHaveLength(1);
    expect(isCdc(calls[0] as FakeRequestLogEntry)).toBe(true);
    expect(calls[0]?.status).toBe(200);
    expect(result.apiCalls).toBe(1);
    expect(result).toMatchObject({ created: 1, updated: 1, archived: 2, linked: 0, failed: 0 });
    expect(result.fetched).toBe(result.created + result.updated + result.linked + result.archived + result.unchanged + result.failed);

    const contacts = await contactsOf(context.database, businessId);
    expect(contacts.find((c) => c.email_normalized === 'person3@example.com')?.last_name).toBe('Renamed');
    expect(contacts.find((c) => c.id === existingId)?.status).toBe('archived');
    expect(contacts.find((c) => c.email_normalized === 'person9@example.com')).toBeUndefined();
    expect((await linksOf(context.database, connectionId)).find((l) => l.external_id === nine)).toBeUndefined();
    expect(contacts.filter((c) => c.email_normalized === 'person100@example.com')).toHaveLength(1);
    expect(contacts.filter((c) => c.status === 'active')).toHaveLength(44); // 45 - 7 (archived) - 9 (deleted) + 100

    const again = await sync(context.worker, connectionId);
    expect(again).toMatchObject({ created: 0, updated: 0, archived: 0, linked: 0, failed: 0, apiCalls: 1 });
  });

  it('a cursor older than the CDC look-back reads with paged queries, never asking CDC for more than it keeps', async () => {
    // Last synced 40 days ago: since then 25 customers were added 35 days ago, one today, and one was edited today.
    const longAgo = Date.now() - 35 * DAY_MS;
    for (let i = 110; i < 135; i++) quickbooks.upsertCustomer(realmId, { ...customer(i), MetaData: { LastUpdatedTime: longAgo + (i - 110) * 2_000 } });
    quickbooks.upsertCustomer(realmId, customer(101));
    quickbooks.upsertCustomer(realmId, { Id: idOf(4), Mobile: { FreeFormNumber: '0412 999 004' } });
    const since = Date.now() - 40 * DAY_MS;
    await setCursor(connectionId, since);

    const mark = quickbooks.log.length;
    const result = await sync(context.worker, connectionId);
    const calls = apiCallsSince(mark, realmId);
    expect(calls.filter((e) => e.status !== 200)).toEqual([]);
    // The customers changed 35 days ago fill more than a page, read with queries from the stored cursor on.
    expect(calls.slice(0, 2).map(isQuery)).toEqual([true, true]);
    expect(calls[0]?.query.query).toContain(`>= '${new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')}'`);
    // CDC only once the position is well within its look-back.
    for (const e of calls.filter(isCdc)) expect(Date.now() - Date.parse(e.query.changedSince as string)).toBeLessThan(29 * DAY_MS);
    expect(result.apiCalls).toBe(calls.length);
    expect(result).toMatchObject({ created: 26, updated: 1, linked: 0, archived: 0, failed: 0 });
    expect(result.fetched).toBe(result.created + result.updated + result.linked + result.archived + result.unchanged + result.failed);

    const emails = (await contactsOf(context.database, businessId)).map((c) => c.email_normalized);
    expect(new Set(emails).size).toBe(emails.length);
    for (const i of [101, ...Array.from({ length: 25 }, (_, k) => 110 + k)]) expect(emails).toContain(`person${i}@example.com`);
    // The new mobile is added (a sync adds numbers and never removes one).
    expect((await contactsOf(context.database, businessId)).find((c) => c.email_normalized === 'person4@example.com')?.phones).toContain('+61412999004');
    expect(new Date(result.cursor as string).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const next = quickbooks.log.length;
    const again = await sync(context.worker, connectionId);
    expect(apiCallsSince(next, realmId).map(isCdc)).toEqual([true]);
    expect(again).toMatchObject({ created: 0, updated: 0, archived: 0, apiCalls: 1 });
  });

  it('keeps a day from the edge of the look-back: 29.5 days back starts with a query, 28 days back is one CDC call', async () => {
    await setCursor(connectionId, Date.now() - 29.5 * DAY_MS);
    let mark = quickbooks.log.length;
    const old = await sync(context.worker, connectionId);
    const oldCalls = apiCallsSince(mark, realmId);
    expect(oldCalls.map(isQuery)[0]).toBe(true);
    for (const e of oldCalls.filter(isCdc)) expect(Date.now() - Date.parse(e.query.changedSince as string)).toBeLessThan(29 * DAY_MS);
    expect(old).toMatchObject({ created: 0, updated: 0, archived: 0, failed: 0 });

    const since = Date.now() - 28 * DAY_MS;
    await setCursor(connectionId, since);
    mark = quickbooks.log.length;
    const recent = await sync(context.worker, connectionId);
    expect(apiCallsSince(mark, realmId).map(isCdc)).toEqual([true]);
    // CDC includes inactive customers and the one deleted (all unchanged), not those changed before the cursor.
    const changed = quickbooks.customers(realmId).filter((c) => c.MetaData.LastUpdatedTime >= since).length;
    expect(changed).toBeLessThan(quickbooks.customers(realmId).length);
    expect(recent).toMatchObject({ created: 0, updated: 0, archived: 0, failed: 0, fetched: changed + 1 });
  });

  it('rides out a burst of 429s by waiting for Retry-After', async () => {
    quickbooks.upsertCustomer(realmId, customer(102));
    const mark = quickbooks.log.length;
    quickbooks.faults.rateLimit(2, 1);
    const result = await sync(context.worker, connectionId);
    expect(result.created).toBe(1);
    const calls = apiCallsSince(mark, realmId);
    expect(calls.filter((e) => e.status === 429)).toHaveLength(2);
    expect(calls.at(-1)?.status).toBe(200);
  });

  it('an outage ends in a completed sync, with the cursor and contacts intact', async () => {
    quickbooks.upsertCustomer(realmId, customer(103));
    const before = await context.database.sql<{ cursor: unknown }[]>`select cursor from connections where id = ${connectionId}`;
    const mark = quickbooks.log.length;
    quickbooks.faults.outage(5_000);
    const result = await sync(context.worker, connectionId);
    expect(result.created).toBe(1);
    const calls = apiCallsSince(mark, realmId);
    expect(calls.filter((e) => e.rejected === 'outage').length).toBeGreaterThan(0);
    expect(calls.at(-1)?.status).toBe(200);
    expect(new Date(result.cursor as string).getTime()).toBeGreaterThanOrEqual((before[0]?.cursor as { position: { since: number } }).position.since);
    const emails = (await contactsOf(context.database, businessId)).map((c) => c.email_normalized);
    expect(emails.filter((e) => e === 'person103@example.com')).toHaveLength(1);
    expect(new Set(emails).size).toBe(emails.length);
  });
});

describe('syncConnection with QuickBooks Online when CDC stops at its cap', () => {
  // A fake and worker of its own; pages of 20 make the fallback read longer than one workflow run (50 pages), so the
  // sync also continues as new on the way.
  let busy: FakeQuickBooks;
  const CAP_PAGE_SIZE = 20;
  const capContext = useWorkerTestContext(async () => {
    busy = await startFakeQuickBooks({ cdcMaxObjects: CDC_CAP });
    return { providers: providersFor({ quickbooks: busy }), sync: { pageSize: CAP_PAGE_SIZE } };
  });
  afterAll(async () => busy?.close());

  let realmId: string;
  let connectionId: string;
  let businessId: string;
  const NEW = CDC_CAP + 5;
  const idOf = (n: number) => busy.customers(realmId).find((c) => c.PrimaryEmailAddr?.Address === `capped${n}@example.com`)?.Id as string;
  const callsSince = (mark: number) => busy.log.slice(mark).filter((e) => e.kind === 'api' && e.realmId === realmId);

  beforeAll(async () => {
    const business = await aBusiness(capContext.database.db, { name: 'Busy Clinic' });
    businessId = business.id;
    realmId = busy.addRealm();
    const start = Date.now() - 3 * 60 * 60_000;
    busy.seedCustomers(realmId, 30, (i) => ({ ...customer(i + 1, 'capped'), MetaData: { LastUpdatedTime: start + i * 2_000 } }));
    connectionId = await aConnection(capContext.database, business, 'quickbooks', realmId, busy.issueTokens(realmId));
  });

  it('falls back to paged queries and stores every changed customer exactly once', async () => {
    const first = await sync(capContext.worker, connectionId, 'full');
    expect(first).toMatchObject({ created: 30, failed: 0 });

    // More changes than CDC returns, two seconds apart over the last hour; the edits and the deactivation come last,
    // so they are among those CDC leaves out.
    const start = Date.now() - 60 * 60_000;
    busy.seedCustomers(realmId, NEW, (i) => ({ ...customer(1000 + i, 'capped'), MetaData: { LastUpdatedTime: start + i * 2_000 } }));
    busy.upsertCustomer(realmId, { Id: idOf(2), FamilyName: 'Renamed' });
    busy.upsertCustomer(realmId, { Id: idOf(3), FamilyName: 'Renamed' });
    busy.deactivateCustomer(realmId, idOf(4)); // nothing open: deleted
    const changed = NEW + 3;
    expect(changed).toBeGreaterThan(CDC_CAP);

    const mark = busy.log.length;
    const result = await sync(capContext.worker, connectionId);
    const calls = callsSince(mark);
    expect(calls.filter((e) => e.status !== 200)).toEqual([]);
    // One CDC call (which stopped at the cap), then queries from the same position through every change.
    expect(calls.map(isCdc)).toEqual([true, ...calls.slice(1).map(() => false)]);
    expect(calls.slice(1).every(isQuery)).toBe(true);
    expect(calls.length - 1).toBeGreaterThanOrEqual(Math.ceil(changed / CAP_PAGE_SIZE));
    expect(calls[1]?.query.query).toContain(`>= '${new Date(first.cursor as string).toISOString().replace(/\.\d{3}Z$/, 'Z')}'`);
    expect(result.apiCalls).toBe(calls.length);
    expect(result).toMatchObject({ created: NEW, updated: 2, archived: 1, linked: 0, failed: 0 });
    expect(result.fetched).toBe(result.created + result.updated + result.linked + result.archived + result.unchanged + result.failed);
    expect(result.fetched).toBeGreaterThan(CDC_CAP + changed); // what CDC gave is read again by the queries, unchanged

    const contacts = await contactsOf(capContext.database, businessId);
    const emails = contacts.map((c) => c.email_normalized);
    expect(new Set(emails).size).toBe(emails.length);
    expect(contacts).toHaveLength(30 - 1 + NEW);
    for (let i = 0; i < NEW; i++) expect(emails).toContain(`capped${1000 + i}@example.com`);
    expect(emails).not.toContain('capped4@example.com');
    expect(contacts.filter((c) => c.last_name === 'Renamed').map((c) => c.email_normalized).sort()).toEqual(['capped2@example.com', 'capped3@example.com']);
    const links = await linksOf(capContext.database, connectionId);
    expect(links).toHaveLength(contacts.length);
    expect(new Set(links.map((l) => l.contact_id)).size).toBe(links.length);

    // Deletions CDC left out appear in no query: the next sync runs full and notices a customer that is gone.
    busy.deleteCustomer(realmId, idOf(5));
    const full = busy.log.length;
    const catchUp = await sync(capContext.worker, connectionId);
    expect(callsSince(full).every(isQuery)).toBe(true);
    expect(catchUp).toMatchObject({ created: 0, updated: 0, archived: 1, linked: 0, failed: 0 });
    expect((await contactsOf(capContext.database, businessId)).map((c) => c.email_normalized)).not.toContain('capped5@example.com');

    // The position moved past every change: the sync after that is one CDC call that finds nothing new.
    const next = busy.log.length;
    const again = await sync(capContext.worker, connectionId);
    expect(callsSince(next).map(isCdc)).toEqual([true]);
    expect(again).toMatchObject({ created: 0, updated: 0, archived: 0, apiCalls: 1 });
  });
});
