import type postgres from 'postgres';
import { createBusiness, type Business } from '../../db/businesses';
import type { Db } from '../../db/client';
import { insertContact, type NewContact } from '../../db/contacts';
import { conversations, invoices } from '../../db/schema';
import { addBusinessUser } from '../../db/users';

export async function aBusiness(db: Db, overrides: Partial<Parameters<typeof createBusiness>[1]> = {}): Promise<Business> {
  return createBusiness(db, { name: 'Harbour Clinic', defaultCountry: 'AU', identityPolicy: 'unique', ...overrides });
}

export async function aContact(db: Db, business: Business, overrides: Partial<NewContact> = {}): Promise<string> {
  return db.transaction((tx) =>
    insertContact(tx, business, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: { address: 'Ada@Example.com', normalized: 'ada@example.com' },
      phones: [{ raw: '0412 345 678', e164: '+61412345678', type: 'mobile', primary: true }],
      source: 'test',
      ...overrides,
    }),
  );
}

export async function anOpenConversation(db: Db, business: Business, contactId: string): Promise<void> {
  await db.insert(conversations).values({ businessId: business.id, contactId, channel: 'sms', status: 'open' });
}

export async function anInvoice(db: Db, business: Business, contactId: string, status: 'draft' | 'open' | 'paid' | 'void'): Promise<void> {
  await db.insert(invoices).values({ businessId: business.id, contactId, status, number: 'INV-1' });
}

/** An agent of the business, whose phone and email are then claimed under the `unique` identity policy. */
export async function anAgent(db: Db, business: Business, phoneE164: string, email: string): Promise<string> {
  return addBusinessUser(db, { businessId: business.id, name: 'Agent Smith', email, phoneE164, role: 'agent' });
}

/**
 * `count` contacts of a business under the `unique` policy, each with an email (`<prefix><n>@example.com`, n from 1)
 * and no phone, in one statement: a large business without importing one.
 */
export async function manyContacts(sql: postgres.Sql, businessId: string, count: number, prefix: string): Promise<void> {
  await sql`
    insert into contacts (business_id, first_name, last_name, email, email_normalized, source, identity_scope)
    select ${businessId}, ${prefix}, 'Person' || i, ${prefix} || i || '@example.com', ${prefix} || i || '@example.com', 'test', ${businessId}
    from generate_series(1, ${count}::int) i`;
}
