import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { syncDependencies } from '../../activities/sync';
import { loadConfig } from '../../worker/config';
import type { RecordInboundMessageInput } from '../../activities/inbound';
import { findContactsByIdentity, findUserOwningIdentity, insertContact, listContacts } from '../../db/contacts';
import { contactPhones, contacts, conversations, messages } from '../../db/schema';
import { createSecretBox } from '../../worker/secret-box';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { aBusiness, aContact, anAgent, anInvoice, anOpenConversation } from '../support/fixtures';
import { testSecretKey } from '../support/temporal';

let database: TestDatabase;
let activities: ReturnType<typeof createActivities>;
let messageCounter = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  activities = createActivities({
    db: database.db,
    sql: database.sql,
    secretBox: createSecretBox(testSecretKey),
    workDir: os.tmpdir(),
    sync: syncDependencies(database.sql, loadConfig({}).providers),
  });
});
afterAll(async () => database?.drop());

function inbound(input: Partial<RecordInboundMessageInput> & Pick<RecordInboundMessageInput, 'businessId'>): RecordInboundMessageInput {
  messageCounter += 1;
  return {
    channel: 'sms',
    from: { phone: '+61 499 000 111' },
    text: 'hello',
    receivedAt: '2026-11-21T09:00:00.000Z',
    idempotencyKey: `test-${messageCounter}`,
    ...input,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('the archive rule', () => {
  it('deletes a contact with no open conversations or invoices, and says so again on a retry', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    await anInvoice(database.db, business, contactId, 'paid');
    expect(await activities.applyDeleteRule({ businessId: business.id, contactId })).toEqual({ outcome: 'deleted' });
    expect(await database.db.select().from(contacts).where(eq(contacts.id, contactId))).toEqual([]);
    expect(await database.db.select().from(contactPhones).where(eq(contactPhones.contactId, contactId))).toEqual([]);
    expect(await activities.applyDeleteRule({ businessId: business.id, contactId })).toEqual({ outcome: 'deleted' });
  });

  it.each([
    ['an open conversation', 'conversation', 'the contact has 1 open conversation'],
    ['an open invoice', 'open', 'the contact has 1 open invoice'],
    ['a draft invoice', 'draft', 'the contact has 1 open invoice'],
  ] as const)('archives a contact with %s, keeping its name, phones and email', async (_, kind, reason) => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    if (kind === 'conversation') await anOpenConversation(database.db, business, contactId);
    else await anInvoice(database.db, business, contactId, kind);
    expect(await activities.applyDeleteRule({ businessId: business.id, contactId })).toEqual({ outcome: 'archived', reason });
    const [all] = await listContacts(database.db, business.id, { includeArchived: true });
    expect(all).toMatchObject({
      id: contactId,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'Ada@Example.com',
      status: 'archived',
      phones: [{ e164: '+61412345678', raw: '0412 345 678', type: 'mobile', primary: true }],
    });
    expect(await listContacts(database.db, business.id)).toEqual([]);
  });

  it('names both kinds of open work in the reason', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    await anOpenConversation(database.db, business, contactId);
    await anInvoice(database.db, business, contactId, 'open');
    await anInvoice(database.db, business, contactId, 'open');
    expect(await activities.applyDeleteRule({ businessId: business.id, contactId })).toEqual({
      outcome: 'archived',
      reason: 'the contact has 1 open conversation and 2 open invoices',
    });
  });

  it('fails without retrying for a contact that is not in the business', async () => {
    const business = await aBusiness(database.db);
    const other = await aBusiness(database.db, { name: 'Other' });
    const contactId = await aContact(database.db, other);
    const failure = await failureOf(activities.applyDeleteRule({ businessId: business.id, contactId }));
    expect(failure.type).toBe('NotFound');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`contactId: no contact ${contactId} in business ${business.id}`);
  });
});

describe('inbound messages', () => {
  it('matches a known contact by a number written in another format', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    const result = await activities.recordInboundMessage(inbound({ businessId: business.id, from: { phone: '(04) 1234 5678' } }));
    expect(result).toEqual({ contactId, outcome: 'matched' });
    const [contact] = await database.db.select().from(contacts).where(eq(contacts.id, contactId));
    expect(contact?.lastInteractionAt?.toISOString()).toBe('2026-11-21T09:00:00.000Z');
  });

  it('matches by email, case and spaces aside', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    const result = await activities.recordInboundMessage(inbound({ businessId: business.id, channel: 'email', from: { email: '  ADA@example.COM ' } }));
    expect(result).toEqual({ contactId, outcome: 'matched' });
  });

  it('reactivates an archived contact and keeps its name', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    await anOpenConversation(database.db, business, contactId);
    await activities.applyDeleteRule({ businessId: business.id, contactId });
    const result = await activities.recordInboundMessage(
      inbound({ businessId: business.id, from: { phone: '+61412345678' }, name: 'Someone Else' }),
    );
    expect(result).toEqual({ contactId, outcome: 'reactivated' });
    const [contact] = await listContacts(database.db, business.id);
    expect(contact).toMatchObject({ id: contactId, status: 'active', firstName: 'Ada', lastName: 'Lovelace', anonymous: false });
  });

  it('creates an anonymous contact with placeholder names for an unknown SMS sender', async () => {
    const business = await aBusiness(database.db);
    const result = await activities.recordInboundMessage(inbound({ businessId: business.id, from: { phone: '0499 000 222' } }));
    expect(result.outcome).toBe('created');
    const [contact] = await listContacts(database.db, business.id);
    expect(contact).toMatchObject({
      id: result.contactId,
      firstName: 'Unknown',
      lastName: 'SMS contact',
      anonymous: true,
      email: null,
      phones: [{ e164: '+61499000222', raw: '0499 000 222', type: 'mobile', primary: true }],
    });
    const [conversation] = await database.db.select().from(conversations).where(eq(conversations.contactId, result.contactId));
    expect(conversation).toMatchObject({ channel: 'sms', status: 'open' });
  });

  it("takes a sender's name that is a company's for the business it is, not a person's names", async () => {
    const business = await aBusiness(database.db);
    const result = await activities.recordInboundMessage(inbound({ businessId: business.id, from: { phone: '0499 000 223' }, name: 'Acme Plumbing Pty Ltd' }));
    expect(result.outcome).toBe('created');
    const [contact] = await listContacts(database.db, business.id);
    expect(contact).toMatchObject({ firstName: 'Unknown', lastName: 'SMS contact', businessName: 'Acme Plumbing Pty Ltd', anonymous: true });
  });

  it('keeps an unknown webchat guest out of contact lists until it gives a real name', async () => {
    const business = await aBusiness(database.db);
    const first = await activities.recordInboundMessage(
      inbound({ businessId: business.id, channel: 'webchat', from: { sessionId: 'session-42' } }),
    );
    expect(first.outcome).toBe('created');
    expect(await listContacts(database.db, business.id)).toEqual([]);
    const [guest] = await listContacts(database.db, business.id, { includeAnonymous: true });
    expect(guest?.email).toMatch(/^webchat-[0-9a-f]{24}@guest\.invalid$/);
    expect(guest?.email).not.toContain('session-42');
    expect(guest).toMatchObject({ anonymous: true, firstName: 'Unknown', lastName: 'Webchat guest' });

    const again = await activities.recordInboundMessage(
      inbound({ businessId: business.id, channel: 'webchat', from: { sessionId: 'session-42' }, name: 'Grace Hopper' }),
    );
    expect(again).toEqual({ contactId: first.contactId, outcome: 'matched' });
    expect(await listContacts(database.db, business.id)).toMatchObject([{ id: first.contactId, firstName: 'Grace', lastName: 'Hopper', anonymous: false }]);
  });

  it('records a redelivered message once and answers as the first time', async () => {
    const business = await aBusiness(database.db);
    const message = inbound({ businessId: business.id, from: { phone: '0499 000 333' } });
    const first = await activities.recordInboundMessage(message);
    const second = await activities.recordInboundMessage(message);
    expect(second).toEqual(first);
    expect(first.outcome).toBe('created');
    expect(await database.db.select().from(messages).where(eq(messages.businessId, business.id))).toHaveLength(1);
  });

  it.each(['unique', 'none'] as const)(
    'creates one contact when messages from one unknown number arrive at once (identity policy %s)',
    async (identityPolicy) => {
      const business = await aBusiness(database.db, { identityPolicy });
      const formats = ['0499 000 444', '+61 499 000 444', '(04) 9900 0444', '0061499000444', '+61499000444', '0499000444'];
      const results = await Promise.all(formats.map((phone) => activities.recordInboundMessage(inbound({ businessId: business.id, from: { phone } }))));
      const ids = new Set(results.map((r) => r.contactId));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'matched')).toHaveLength(formats.length - 1);
      expect(await listContacts(database.db, business.id, { includeAnonymous: true })).toHaveLength(1);
    },
  );

  it.each([
    [{ from: { phone: '12345' } }, "from.phone: '12345' is not a valid number for AU"],
    [{ channel: 'email' as const, from: { email: 'bob@' } }, "from.email: 'bob@' is not a valid email address: the domain is missing"],
  ])('rejects %j with a message naming the field', async (overrides, message) => {
    const business = await aBusiness(database.db);
    const failure = await failureOf(activities.recordInboundMessage(inbound({ businessId: business.id, ...overrides })));
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(message);
  });

  it('does not make a contact of a number that belongs to an agent of the business', async () => {
    const business = await aBusiness(database.db);
    const agentId = await anAgent(database.db, business, '+61499000555', 'agent@clinic.example');
    const failure = await failureOf(activities.recordInboundMessage(inbound({ businessId: business.id, from: { phone: '0499 000 555' } })));
    expect(failure.type).toBe('IdentityConflict');
    expect(failure.message).toContain(`belongs to user ${agentId}`);
    expect(await listContacts(database.db, business.id, { includeAnonymous: true })).toEqual([]);
  });

  it('fails for an unknown business without retrying', async () => {
    const failure = await failureOf(activities.recordInboundMessage(inbound({ businessId: '00000000-0000-4000-8000-000000000000' })));
    expect(failure).toMatchObject({ type: 'NotFound', nonRetryable: true, message: 'businessId: no business 00000000-0000-4000-8000-000000000000' });
  });
});

describe('identity enforced by the database', () => {
  it('lets only one of two concurrent writers create a contact with the same number under the unique policy', async () => {
    const business = await aBusiness(database.db);
    const phone = { raw: '0412 000 999', e164: '+61412000999', type: 'mobile' as const, primary: true };
    const outcomes = await Promise.allSettled(
      ['one', 'two'].map((name) =>
        database.db.transaction(async (tx) => {
          const id = await insertContact(tx, business, { firstName: name, lastName: 'Writer', phones: [phone], source: 'test' });
          // Hold the transaction open so that both writers overlap.
          await tx.execute('select pg_sleep(0.2)');
          return id;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected');
    expect(String(rejected?.reason)).toMatch(/contact_phones_business_e164_key|already belongs to/);
    expect(await findContactsByIdentity(database.db, business.id, [{ kind: 'phone', value: '+61412000999' }])).toHaveLength(1);
  });

  it('holds an archived contact\'s number too', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    await anOpenConversation(database.db, business, contactId);
    await activities.applyDeleteRule({ businessId: business.id, contactId });
    await expect(aContact(database.db, business, { email: null, firstName: 'Copy' })).rejects.toThrow(
      `phone +61412345678 already belongs to contact ${contactId}`,
    );
  });

  it('refuses a user an email or phone a contact holds, naming the contact, and adds no user', async () => {
    const business = await aBusiness(database.db);
    const contactId = await aContact(database.db, business);
    await expect(anAgent(database.db, business, '+61499000777', 'ada@example.com')).rejects.toThrow(
      `email ada@example.com already belongs to contact ${contactId} of this business`,
    );
    await expect(anAgent(database.db, business, '+61412345678', 'agent@clinic.example')).rejects.toThrow(
      `phone +61412345678 already belongs to contact ${contactId} of this business`,
    );
    const keys = await database.sql`select 1 from identity_keys where business_id = ${business.id}`;
    expect(keys).toHaveLength(0);
  });

  it('makes a user wait for a writer that checked contacts against the users\' keys, and then refuses the user', async () => {
    const business = await aBusiness(database.db);
    const order: string[] = [];
    // The contact's writer checks the users' keys, and holds its transaction open before it adds the contact.
    const writer = database.db.transaction(async (tx) => {
      expect(await findUserOwningIdentity(tx, business.id, [{ kind: 'phone', value: '+61412345678' }])).toBeUndefined();
      await tx.execute('select pg_sleep(0.3)');
      const id = await insertContact(tx, business, {
        firstName: 'Ada',
        lastName: 'Lovelace',
        phones: [{ raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true }],
        source: 'test',
      });
      order.push('contact');
      return id;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const user = anAgent(database.db, business, '+61412345678', 'agent@clinic.example').finally(() => order.push('user'));
    // Handled at once: the user's refusal may come before the writer's commit is seen here.
    const refusal = user.then(
      () => undefined,
      (error: unknown) => error,
    );
    const contactId = await writer;
    expect(await refusal).toMatchObject({ message: expect.stringContaining(`phone +61412345678 already belongs to contact ${contactId}`) });
    expect(order).toEqual(['contact', 'user']);
  });

  it('allows the same number twice under the none policy', async () => {
    const business = await aBusiness(database.db, { identityPolicy: 'none' });
    await aContact(database.db, business);
    await aContact(database.db, business, { firstName: 'Twin' });
    expect(await listContacts(database.db, business.id)).toHaveLength(2);
  });

  it('allows at most one primary phone per contact', async () => {
    const business = await aBusiness(database.db);
    await expect(
      aContact(database.db, business, {
        phones: [
          { raw: 'a', e164: '+61412111111', type: 'mobile', primary: true },
          { raw: 'b', e164: '+61412111112', type: 'home', primary: true },
        ],
      }),
    ).rejects.toThrow('exactly one primary phone, got 2');
  });
});
