import { and, asc, eq, inArray, or, sql } from 'drizzle-orm';
import { identityKeyString, type IdentityKey, type MatchCandidate } from '../domain/identity';
import { SwitchboardError } from '../domain/errors';
import type { Db, Tx } from './client';
import type { Business } from './businesses';
import { businesses, contactPhones, contacts, contactTags, identityKeys, tags } from './schema';

export type ContactRow = typeof contacts.$inferSelect;
export type PhoneType = (typeof contactPhones.$inferInsert)['type'] & string;

export interface NewPhone {
  raw: string;
  e164: string;
  type: PhoneType;
  primary: boolean;
}

export interface NewContact {
  firstName: string;
  middleName?: string | null;
  lastName: string;
  businessName?: string | null;
  email?: { address: string; normalized: string } | null;
  phones: NewPhone[];
  anonymous?: boolean;
  hidden?: boolean;
  source: string;
  customFields?: Record<string, string>;
  lastInteractionAt?: Date;
}

/** The shape operators and other systems see (`switchboard contacts list --json`). */
export interface ContactView {
  id: string;
  firstName: string;
  middleName: string | null;
  lastName: string;
  businessName: string | null;
  email: string | null;
  phones: { e164: string; raw: string; type: PhoneType; primary: boolean }[];
  tags: string[];
  status: 'active' | 'archived';
  anonymous: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * Serialises writers that are about to find-or-create by the same identity within a business, so that two messages
 * from one unknown number resolve to one contact under either identity policy. Keys are locked in sorted order so
 * that two writers holding overlapping keys cannot deadlock.
 */
export async function lockIdentityKeys(tx: Tx, businessId: string, keys: readonly IdentityKey[]): Promise<void> {
  const lockNames = [...new Set(keys.map((k) => `${businessId}/${identityKeyString(k)}`))].sort();
  for (const name of lockNames) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`);
  }
}

/** Contacts of the business holding any of the keys, archived ones included. */
export async function findContactsByIdentity(
  tx: Db | Tx,
  businessId: string,
  keys: readonly IdentityKey[],
): Promise<(MatchCandidate & { status: 'active' | 'archived' })[]> {
  const emails = keys.filter((k) => k.kind === 'email').map((k) => k.value);
  const phones = keys.filter((k) => k.kind === 'phone').map((k) => k.value);
  const conditions = [];
  if (emails.length > 0) conditions.push(inArray(contacts.emailNormalized, emails));
  if (phones.length > 0) {
    conditions.push(
      inArray(
        contacts.id,
        tx
          .select({ id: contactPhones.contactId })
          .from(contactPhones)
          .where(and(eq(contactPhones.businessId, businessId), inArray(contactPhones.e164, phones))),
      ),
    );
  }
  if (conditions.length === 0) return [];
  const rows = await tx
    .select({ id: contacts.id, email: contacts.emailNormalized, status: contacts.status })
    .from(contacts)
    .where(and(eq(contacts.businessId, businessId), or(...conditions)));
  if (rows.length === 0) return [];
  const phoneRows = await tx
    .select({ contactId: contactPhones.contactId, e164: contactPhones.e164 })
    .from(contactPhones)
    .where(
      inArray(
        contactPhones.contactId,
        rows.map((r) => r.id),
      ),
    );
  return rows.map((r) => ({
    ...r,
    phones: phoneRows.filter((p) => p.contactId === r.id).map((p) => p.e164),
  }));
}

/** The users (agents, admins) of the business holding any of these keys, in one query. */
async function usersHolding(tx: Db | Tx, businessId: string, keys: readonly IdentityKey[]): Promise<{ userId: string; key: IdentityKey }[]> {
  if (keys.length === 0) return [];
  const rows = await tx
    .select({ userId: identityKeys.userId, kind: identityKeys.kind, value: identityKeys.value })
    .from(identityKeys)
    .where(and(eq(identityKeys.businessId, businessId), or(...keys.map((k) => and(eq(identityKeys.kind, k.kind), eq(identityKeys.value, k.value))))));
  return rows.map((r) => ({ userId: r.userId, key: { kind: r.kind, value: r.value } }));
}

/**
 * Under the `unique` policy, the user (agent or admin) that owns any of these keys, if one does. The business is
 * locked `for key share` first, so that no user is given one of them until the transaction ends (`addBusinessUser`).
 */
export async function findUserOwningIdentity(
  tx: Tx,
  businessId: string,
  keys: readonly IdentityKey[],
): Promise<{ userId: string; key: IdentityKey } | undefined> {
  await tx.select({ id: businesses.id }).from(businesses).where(eq(businesses.id, businessId)).for('key share');
  const owners = await usersHolding(tx, businessId, keys);
  // In the order of the keys asked about, as the sender's email comes before its phone.
  return keys.flatMap((k) => owners.filter((o) => o.key.kind === k.kind && o.key.value === k.value))[0];
}

/**
 * The first of these keys, in their order, that a contact (as its email or one of its phones) or a user holds under
 * the `unique` policy, and who holds it: one query for the contacts and one for the users, however many keys.
 */
export async function findIdentityHolder(
  tx: Db | Tx,
  businessId: string,
  keys: readonly IdentityKey[],
): Promise<{ key: IdentityKey; holder: string } | undefined> {
  const contactsHolding = await findContactsByIdentity(tx, businessId, keys);
  const usersHoldingKeys = await usersHolding(tx, businessId, keys);
  for (const key of keys) {
    const contact = contactsHolding.find((c) => (key.kind === 'email' ? c.email === key.value : c.phones.includes(key.value)));
    if (contact) return { key, holder: `contact ${contact.id}` };
    const user = usersHoldingKeys.find((u) => u.key.kind === key.kind && u.key.value === key.value);
    if (user) return { key, holder: `user ${user.userId}` };
  }
  return undefined;
}

/** A key of a new contact that another contact holds under the `unique` policy, named with its holder. */
async function identityConflict(tx: Tx, businessId: string, key: IdentityKey): Promise<SwitchboardError> {
  const holder = (await findIdentityHolder(tx, businessId, [key]))?.holder ?? 'a contact being created';
  return new SwitchboardError(
    'IdentityConflict',
    `${key.kind} ${key.value} already belongs to ${holder} in this business, whose identity policy is 'unique'`,
    // The holder may be a concurrent writer's contact, which a retry then finds and matches.
    true,
  );
}

export async function insertContact(tx: Tx, business: Business, contact: NewContact): Promise<string> {
  const primaryCount = contact.phones.filter((p) => p.primary).length;
  if (contact.phones.length > 0 && primaryCount !== 1) {
    throw new Error(`a contact needs exactly one primary phone, got ${primaryCount}`);
  }
  // The unique indexes decide races: a key another contact holds makes the insert do nothing, and the holder is named.
  const identityScope = business.identityPolicy === 'unique' ? business.id : null;
  const [row] = await tx
    .insert(contacts)
    .values({
      businessId: business.id,
      firstName: contact.firstName,
      middleName: contact.middleName ?? null,
      lastName: contact.lastName,
      businessName: contact.businessName ?? null,
      email: contact.email?.address ?? null,
      emailNormalized: contact.email?.normalized ?? null,
      anonymous: contact.anonymous ?? false,
      hidden: contact.hidden ?? false,
      source: contact.source,
      customFields: contact.customFields ?? {},
      lastInteractionAt: contact.lastInteractionAt,
      identityScope,
    })
    .onConflictDoNothing({ target: [contacts.businessId, contacts.emailNormalized, contacts.identityScope] })
    .returning({ id: contacts.id });
  if (!row) {
    if (!contact.email) throw new Error('the contact was not created');
    throw await identityConflict(tx, business.id, { kind: 'email', value: contact.email.normalized });
  }
  if (contact.phones.length > 0) {
    const added = await tx
      .insert(contactPhones)
      .values(
        contact.phones.map((p) => ({
          contactId: row.id,
          businessId: business.id,
          raw: p.raw,
          e164: p.e164,
          type: p.type,
          isPrimary: p.primary,
          identityScope,
        })),
      )
      .onConflictDoNothing({ target: [contactPhones.businessId, contactPhones.e164, contactPhones.identityScope] })
      .returning({ e164: contactPhones.e164 });
    const taken = contact.phones.find((p) => !added.some((a) => a.e164 === p.e164));
    if (taken) throw await identityConflict(tx, business.id, { kind: 'phone', value: taken.e164 });
  }
  return row.id;
}

/** Locks the contact row for the rest of the transaction; undefined when it does not exist (any more). */
export async function lockContact(tx: Tx, businessId: string, contactId: string): Promise<ContactRow | undefined> {
  const [row] = await tx
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, contactId), eq(contacts.businessId, businessId)))
    .for('update');
  return row;
}

export async function listContacts(
  db: Db,
  businessId: string,
  options: { includeArchived?: boolean; includeAnonymous?: boolean } = {},
): Promise<ContactView[]> {
  const filters = [eq(contacts.businessId, businessId)];
  if (!options.includeArchived) filters.push(eq(contacts.status, 'active'));
  if (!options.includeAnonymous) filters.push(eq(contacts.hidden, false));
  const rows = await db
    .select()
    .from(contacts)
    .where(and(...filters))
    .orderBy(asc(contacts.lastName), asc(contacts.firstName), asc(contacts.id));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const phones = await db
    .select()
    .from(contactPhones)
    .where(inArray(contactPhones.contactId, ids))
    .orderBy(sql`${contactPhones.isPrimary} desc`, asc(contactPhones.createdAt), asc(contactPhones.e164));
  const tagRows = await db
    .select({ contactId: contactTags.contactId, name: tags.name })
    .from(contactTags)
    .innerJoin(tags, eq(tags.id, contactTags.tagId))
    .where(inArray(contactTags.contactId, ids))
    .orderBy(asc(tags.name));
  return rows.map((r) => ({
    id: r.id,
    firstName: r.firstName,
    middleName: r.middleName,
    lastName: r.lastName,
    businessName: r.businessName,
    email: r.email,
    phones: phones
      .filter((p) => p.contactId === r.id)
      .map((p) => ({ e164: p.e164, raw: p.raw, type: p.type, primary: p.isPrimary })),
    tags: tagRows.filter((t) => t.contactId === r.id).map((t) => t.name),
    status: r.status,
    anonymous: r.anonymous,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}
