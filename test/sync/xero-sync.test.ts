import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { startFakeXero, type FakeXero } from '../../fakes/xero/server';
import { findConnection } from '../../db/connections';
import { useWorkerTestContext } from '../support/context';
import { aBusiness, aContact, anAgent, anOpenConversation } from '../support/fixtures';
import { aConnection, contactsOf, linksOf, providersFor, secretBox, sync } from './helpers';

let xero: FakeXero;
const PAGE_SIZE = 20;

const context = useWorkerTestContext(async () => {
  xero = await startFakeXero();
  return { providers: providersFor({ xero }), sync: { pageSize: PAGE_SIZE } };
});
afterAll(async () => xero?.close());

const person = (i: number) => ({
  FirstName: `Given${String(i).padStart(3, '0')}`,
  LastName: `Family${i}`,
  Name: `Given${String(i).padStart(3, '0')} Family${i}`,
  EmailAddress: `person${i}@example.com`,
  Phones: [{ PhoneType: 'MOBILE' as const, PhoneCountryCode: '61', PhoneAreaCode: '4', PhoneNumber: `1200${String(i).padStart(4, '0')}` }],
});

describe('syncConnection with Xero', () => {
  let tenantId: string;
  let connectionId: string;
  let businessId: string;
  let existingId: string;

  beforeAll(async () => {
    const business = await aBusiness(context.database.db, { name: 'Xero Clinic' });
    businessId = business.id;
    tenantId = xero.addTenant({ tenantName: 'Demo Company (AU)' });
    // Changed two seconds apart over the last hour, as real records are.
    const start = Date.now() - 60 * 60_000;
    for (let i = 1; i <= 45; i++) xero.upsertContact(tenantId, { ...person(i), UpdatedDateUTC: start + i * 2_000 });
    // Already in Switchboard with the same email as Xero's contact 7, and a conversation still open.
    existingId = await aContact(context.database.db, business, {
      firstName: 'Given007',
      lastName: 'Family7',
      email: { address: 'Person7@Example.com', normalized: 'person7@example.com' },
      phones: [],
    });
    await anOpenConversation(context.database.db, business, existingId);
    connectionId = await aConnection(context.database, business, 'xero', tenantId, xero.issueTokens([tenantId]));
  });

  it('first sync pages through every contact, links the one that already exists and creates the rest', async () => {
    const result = await sync(context.worker, connectionId, 'full');
    expect(result).toMatchObject({ created: 44, linked: 1, updated: 0, archived: 0, failed: 0 });
    // Each page after the first starts a moment before the last record stored, so that one is read again, unchanged.
    expect(result.fetched).toBe(45 + result.unchanged);
    expect(result.unchanged).toBe(2);
    expect(result.apiCalls).toBe(3);
    expect(result.cursor).not.toBeNull();
    const contacts = await contactsOf(context.database, businessId);
    expect(contacts).toHaveLength(45);
    expect(new Set(contacts.map((c) => c.email_normalized)).size).toBe(45);
    const links = await linksOf(context.database, connectionId);
    expect(links).toHaveLength(45);
    const seven = xero.contacts(tenantId).find((c) => c.EmailAddress === 'person7@example.com');
    expect(links.find((l) => l.external_id === seven?.ContactID)?.contact_id).toBe(existingId);
    const linked = contacts.find((c) => c.id === existingId);
    expect(linked?.phones).toEqual(['+61412000007']); // the number Xero adds, nothing blanked
  });

  it('an incremental sync reads only what changed: edits, archives and new contacts', async () => {
    const all = xero.contacts(tenantId);
    const byEmail = (n: number) => all.find((c) => c.EmailAddress === `person${n}@example.com`)?.ContactID as string;
    xero.upsertContact(tenantId, { ContactID: byEmail(3), LastName: 'Renamed' });
    xero.upsertContact(tenantId, { ContactID: byEmail(4), Phones: [{ PhoneType: 'DEFAULT', PhoneCountryCode: '61', PhoneAreaCode: '2', PhoneNumber: '98765432' }] });
    xero.archiveContact(tenantId, byEmail(7)); // has an open conversation: archived, kept
    xero.archiveContact(tenantId, byEmail(9)); // nothing open: deleted
    xero.upsertContact(tenantId, person(100));

    const result = await sync(context.worker, connectionId);
    expect(result).toMatchObject({ created: 1, updated: 2, archived: 2, linked: 0, failed: 0 });
    expect(result.apiCalls).toBe(1);
    expect(result.fetched).toBe(result.created + result.updated + result.linked + result.archived + result.unchanged + result.failed);

    const contacts = await contactsOf(context.database, businessId);
    expect(contacts.find((c) => c.email_normalized === 'person3@example.com')?.last_name).toBe('Renamed');
    expect(contacts.find((c) => c.email_normalized === 'person4@example.com')?.phones).toEqual(['+61298765432', '+61412000004']);
    expect(contacts.find((c) => c.id === existingId)?.status).toBe('archived');
    expect(contacts.find((c) => c.email_normalized === 'person9@example.com')).toBeUndefined();
    expect(contacts.filter((c) => c.email_normalized === 'person100@example.com')).toHaveLength(1);

    const again = await sync(context.worker, connectionId);
    expect(again).toMatchObject({ created: 0, updated: 0, archived: 0, linked: 0 });
    expect(again.apiCalls).toBe(1);
  });

  it('a contact reactivated in Xero is active again here', async () => {
    const seven = xero.contacts(tenantId).find((c) => c.EmailAddress === 'person7@example.com') as { ContactID: string };
    xero.upsertContact(tenantId, { ContactID: seven.ContactID, ContactStatus: 'ACTIVE' });
    const result = await sync(context.worker, connectionId);
    expect(result.updated).toBe(1);
    const contacts = await contactsOf(context.database, businessId);
    expect(contacts.find((c) => c.id === existingId)?.status).toBe('active');
  });

  it('records sharing the boundary instant are neither skipped nor doubled, even more than a page of them', async () => {
    const newest = Math.max(...xero.contacts(tenantId).map((c) => c.UpdatedDateUTC));
    // Changed in the very millisecond of the newest record already stored, then a crowd sharing one later instant.
    xero.upsertContact(tenantId, { ...person(200), UpdatedDateUTC: newest });
    const crowdAt = newest + 1;
    await new Promise((resolve) => setTimeout(resolve, 5)); // later changes must come after the crowd, as they would
    for (let i = 201; i <= 201 + PAGE_SIZE + 5; i++) xero.upsertContact(tenantId, { ...person(i), UpdatedDateUTC: crowdAt });
    const result = await sync(context.worker, connectionId);
    expect(result.created).toBe(1 + PAGE_SIZE + 6);
    const contacts = await contactsOf(context.database, businessId);
    const emails = contacts.map((c) => c.email_normalized);
    expect(new Set(emails).size).toBe(emails.length);
    for (let i = 200; i <= 201 + PAGE_SIZE + 5; i++) expect(emails).toContain(`person${i}@example.com`);
    // Every contact here came from Xero and is linked once (the deleted contact's link went with it).
    expect(await linksOf(context.database, connectionId)).toHaveLength(contacts.length);
  });

  it('a full sync marks records that disappeared from Xero and applies the archive rule only after it succeeded', async () => {
    const gone = xero.contacts(tenantId).find((c) => c.EmailAddress === 'person11@example.com') as { ContactID: string };
    xero.deleteContact(tenantId, gone.ContactID);
    const result = await sync(context.worker, connectionId, 'full');
    expect(result.archived).toBe(1);
    expect((await contactsOf(context.database, businessId)).find((c) => c.email_normalized === 'person11@example.com')).toBeUndefined();
  });

  it('refreshes an expired access token once, storing the rotated refresh token before using the new access token', async () => {
    const before = await context.database.sql<{ refresh_token_sealed: string }[]>`select refresh_token_sealed from connections where id = ${connectionId}`;
    xero.faults.expireAccessTokens();
    const refreshes = xero.tokenRefreshes;
    xero.upsertContact(tenantId, person(300));
    const result = await sync(context.worker, connectionId);
    expect(result.created).toBe(1);
    expect(xero.tokenRefreshes).toBe(refreshes + 1);
    const after = await context.database.sql<{ refresh_token_sealed: string }[]>`select refresh_token_sealed from connections where id = ${connectionId}`;
    expect(after[0]?.refresh_token_sealed).not.toBe(before[0]?.refresh_token_sealed);
    // Sealed at rest: the stored value is not the token itself, and opens to one the fake accepts.
    expect(after[0]?.refresh_token_sealed).toMatch(/^v1:/);
    expect(secretBox.open(after[0]?.refresh_token_sealed as string)).not.toContain('v1:');
  });

  it('rides out a burst of 429s by waiting for Retry-After', async () => {
    xero.upsertContact(tenantId, person(301));
    xero.faults.rateLimit(2, 1);
    const result = await sync(context.worker, connectionId);
    expect(result.created).toBe(1);
    expect(xero.log.filter((e) => e.status === 429)).toHaveLength(2);
  });

  it('an outage ends in a completed sync, with the cursor and contacts intact', async () => {
    xero.upsertContact(tenantId, person(302));
    xero.faults.outage(6_000);
    const result = await sync(context.worker, connectionId);
    expect(result.created).toBe(1);
    expect(xero.log.filter((e) => e.rejected === 'outage').length).toBeGreaterThan(0);
    const emails = (await contactsOf(context.database, businessId)).map((c) => c.email_normalized);
    expect(emails.filter((e) => e === 'person302@example.com')).toHaveLength(1);
  });

  it('invalid_grant marks the connection needs_reauth and fails with what the operator must do', async () => {
    xero.faults.expireAccessTokens();
    xero.faults.invalidGrant(true);
    try {
      const failure = await sync(context.worker, connectionId).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect((failure as WorkflowFailedError).cause?.message).toMatch(/needs to be authorised again.*switchboard connect xero --business/);
      expect((await findConnection(context.database.sql, connectionId))?.status).toBe('needs_reauth');
    } finally {
      xero.faults.invalidGrant(false);
    }
  });
});

describe("a Xero contact holding an agent's email", () => {
  it('is refused and counted as failed; the sync completes and stores the others', async () => {
    const business = await aBusiness(context.database.db, { name: 'Staffed Clinic' });
    await anAgent(context.database.db, business, '+61499000555', 'agent@clinic.example');
    const tenant = xero.addTenant({ tenantName: 'Staffed Clinic (AU)' });
    const start = Date.now() - 60_000;
    xero.upsertContact(tenant, { ...person(901), UpdatedDateUTC: start });
    xero.upsertContact(tenant, { ...person(902), EmailAddress: 'Agent@Clinic.example', UpdatedDateUTC: start + 1_000 });
    const connection = await aConnection(context.database, business, 'xero', tenant, xero.issueTokens([tenant]));

    const result = await sync(context.worker, connection, 'full');
    expect(result).toMatchObject({ created: 1, linked: 0, failed: 1 });
    expect(result.warnings).toEqual([expect.stringMatching(/^xero record .+: email 'agent@clinic\.example' belongs to a user of this business/)]);
    const contacts = await contactsOf(context.database, business.id);
    expect(contacts.map((c) => c.email_normalized)).toEqual(['person901@example.com']);
  });
});

describe('a Xero contact with a NUL character in its name', () => {
  it('is stored without it, instead of failing its page on every retry', async () => {
    const business = await aBusiness(context.database.db, { name: 'Nul Clinic' });
    const tenant = xero.addTenant({ tenantName: 'Nul Clinic (AU)' });
    xero.upsertContact(tenant, { ...person(911), FirstName: 'Gi\u0000ven911', UpdatedDateUTC: Date.now() - 60_000 });
    const connection = await aConnection(context.database, business, 'xero', tenant, xero.issueTokens([tenant]));

    const result = await sync(context.worker, connection, 'full');
    expect(result).toMatchObject({ created: 1, failed: 0 });
    const contacts = await contactsOf(context.database, business.id);
    expect(contacts.map((c) => [c.first_name, c.last_name])).toEqual([['Given911', 'Family911']]);
  });
});

describe('Xero contacts sharing a phone with a stored contact of another name', () => {
  it('are other people: one with an email of its own is stored without the phone, one with nothing else is refused, neither linked to the holder, each said in the warnings', async () => {
    const business = await aBusiness(context.database.db, { name: 'Family Clinic' });
    const homePhone = { PhoneType: 'DEFAULT' as const, PhoneCountryCode: '61', PhoneAreaCode: '2', PhoneNumber: '98761111' };
    const avaId = await aContact(context.database.db, business, {
      firstName: 'Ava',
      lastName: 'Brown',
      email: undefined,
      phones: [{ raw: '02 9876 1111', e164: '+61298761111', type: 'home', primary: true }],
    });
    const tenant = xero.addTenant({ tenantName: 'Family Clinic (AU)' });
    const start = Date.now() - 60_000;
    xero.upsertContact(tenant, { FirstName: 'Leo', LastName: 'Brown', Name: 'Leo Brown', EmailAddress: 'leo@example.com', Phones: [homePhone], UpdatedDateUTC: start });
    xero.upsertContact(tenant, { FirstName: 'Kate', LastName: 'Brown', Name: 'Kate Brown', Phones: [homePhone], UpdatedDateUTC: start + 1_000 });
    const connection = await aConnection(context.database, business, 'xero', tenant, xero.issueTokens([tenant]));

    const result = await sync(context.worker, connection, 'full');
    expect(result).toMatchObject({ created: 1, linked: 0, failed: 1 });
    expect(result.warnings).toEqual([
      expect.stringMatching(/^xero record .+: Kate Brown's only phone, \+61298761111, is Ava Brown's, a person of another name/),
      expect.stringMatching(/^xero record .+: phone \+61298761111 is Ava Brown's, a person of another name; it is one contact's in this business: left out$/),
    ]);
    const contacts = await contactsOf(context.database, business.id);
    expect(contacts.map((c) => [c.first_name, c.email_normalized, c.phones])).toEqual(
      expect.arrayContaining([
        ['Ava', null, ['+61298761111']],
        ['Leo', 'leo@example.com', []],
      ]),
    );
    expect(contacts).toHaveLength(2);
    const links = await linksOf(context.database, connection);
    expect(links.map((l) => l.contact_id)).not.toContain(avaId);
    expect(links).toHaveLength(1);
  });
});

describe('a linked Xero contact whose email changed in Xero', () => {
  it("keeps the contact's email, and says so in the sync's warnings", async () => {
    const business = await aBusiness(context.database.db, { name: 'Moved Clinic' });
    const tenant = xero.addTenant({ tenantName: 'Moved Clinic (AU)' });
    xero.upsertContact(tenant, { ...person(921), UpdatedDateUTC: Date.now() - 60_000 });
    const connection = await aConnection(context.database, business, 'xero', tenant, xero.issueTokens([tenant]));
    expect(await sync(context.worker, connection, 'full')).toMatchObject({ created: 1, warnings: [] });

    const [record] = xero.contacts(tenant);
    xero.upsertContact(tenant, { ContactID: record?.ContactID as string, EmailAddress: 'new921@example.com' });
    const result = await sync(context.worker, connection);
    expect(result.warnings).toEqual([
      `xero record ${record?.ContactID}: the email 'new921@example.com' differs from the contact's 'person921@example.com'; the contact keeps its email`,
    ]);
    const contacts = await contactsOf(context.database, business.id);
    expect(contacts.map((c) => c.email_normalized)).toEqual(['person921@example.com']);
  });
});
