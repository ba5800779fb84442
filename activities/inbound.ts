import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client';
import { findBusiness, type Business } from '../db/businesses';
import {
  findContactsByIdentity,
  findUserOwningIdentity,
  insertContact,
  lockContact,
  lockIdentityKeys,
  type NewContact,
} from '../db/contacts';
import { contacts, conversations, messages } from '../db/schema';
import { normalizeEmail } from '../domain/email';
import { SwitchboardError } from '../domain/errors';
import { bestMatch, identityKeys, type IdentityKey } from '../domain/identity';
import type { InboundChannel, ReceiveInboundMessageInput, ReceiveInboundMessageResult } from '../domain/inputs';
import { hasLegalForm, hasRealName, splitFullName } from '../domain/names';
import { normalizePhone } from '../domain/phone';
import type { SecretBox } from '../worker/secret-box';

export type RecordInboundMessageInput = ReceiveInboundMessageInput & { receivedAt: string; idempotencyKey: string };

const placeholderLastName: Record<InboundChannel, string> = {
  sms: 'SMS contact',
  whatsapp: 'WhatsApp contact',
  webchat: 'Webchat guest',
  email: 'Email contact',
};

interface Sender {
  keys: IdentityKey[];
  phone?: { raw: string; e164: string };
  email?: { address: string; normalized: string };
  /** Known only by a pseudonymised webchat address. */
  pseudonymous: boolean;
}

function identifySender(input: RecordInboundMessageInput, business: Business, secretBox: SecretBox): Sender {
  const sender: Sender = { keys: [], pseudonymous: false };
  if (input.from.phone) {
    const phone = normalizePhone(input.from.phone, business.defaultCountry);
    if (!phone.ok) throw new SwitchboardError('InvalidInput', `from.phone: ${phone.reason}`);
    sender.phone = { raw: input.from.phone, e164: phone.e164 };
  }
  if (input.from.email) {
    const email = normalizeEmail(input.from.email);
    if (!email.ok) throw new SwitchboardError('InvalidInput', `from.email: ${email.reason}`);
    sender.email = { address: email.email, normalized: email.normalized };
  } else if (input.channel === 'webchat' && input.from.sessionId) {
    const address = `webchat-${secretBox.pseudonym(`${business.id}:${input.from.sessionId}`)}@guest.invalid`;
    sender.email = { address, normalized: address };
    sender.pseudonymous = true;
  }
  sender.keys = identityKeys({ email: sender.email?.normalized, phones: sender.phone ? [sender.phone.e164] : [] });
  return sender;
}

/** The sender's name as a person's names, or as the business it is ("Acme Plumbing Pty Ltd"), which names no person. */
function senderName(name: string | undefined): { person?: ReturnType<typeof splitFullName>; businessName?: string } {
  if (!name || name.trim() === '') return {};
  if (hasLegalForm(name)) return { businessName: name.trim() };
  const person = splitFullName(name);
  return hasRealName(person.firstName, person.lastName) ? { person } : {};
}

function newContactFor(input: RecordInboundMessageInput, sender: Sender, receivedAt: Date): NewContact {
  const { person: named, businessName } = senderName(input.name);
  const hasName = named !== undefined;
  return {
    firstName: hasName ? named.firstName : 'Unknown',
    middleName: hasName ? named.middleName : undefined,
    lastName: hasName ? (named.lastName ?? '') : placeholderLastName[input.channel],
    ...(businessName !== undefined && { businessName }),
    email: sender.email,
    phones: sender.phone ? [{ ...sender.phone, type: 'mobile', primary: true }] : [],
    anonymous: !hasName,
    hidden: sender.pseudonymous && !hasName,
    source: `inbound:${input.channel}`,
    lastInteractionAt: receivedAt,
  };
}

async function resolveContact(
  tx: Tx,
  business: Business,
  input: RecordInboundMessageInput,
  sender: Sender,
  receivedAt: Date,
): Promise<ReceiveInboundMessageResult> {
  if (business.identityPolicy === 'unique') {
    const user = await findUserOwningIdentity(tx, business.id, sender.keys);
    if (user) {
      throw new SwitchboardError(
        'IdentityConflict',
        `from: ${user.key.kind} ${user.key.value} belongs to user ${user.userId} (an agent or admin of this business), not to a contact`,
      );
    }
  }
  // A matched contact can be deleted between finding and locking it; then look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const match = bestMatch(sender.keys, await findContactsByIdentity(tx, business.id, sender.keys));
    if (!match) {
      const contactId = await insertContact(tx, business, newContactFor(input, sender, receivedAt));
      return { contactId, outcome: 'created' };
    }
    const contact = await lockContact(tx, business.id, match.contactId);
    if (!contact) continue;
    const changes: Partial<typeof contacts.$inferInsert> = { updatedAt: new Date() };
    if (contact.status === 'archived') Object.assign(changes, { status: 'active', archivedAt: null });
    const { person: named, businessName } = senderName(input.name);
    if (contact.anonymous && businessName !== undefined && !contact.businessName) Object.assign(changes, { businessName });
    if (contact.anonymous && named) {
      Object.assign(changes, {
        firstName: named.firstName,
        middleName: named.middleName ?? null,
        lastName: named.lastName ?? '',
        anonymous: false,
        hidden: false,
      });
    }
    await tx.update(contacts).set(changes).where(eq(contacts.id, contact.id));
    return { contactId: contact.id, outcome: contact.status === 'archived' ? 'reactivated' : 'matched' };
  }
  throw new SwitchboardError('Conflict', 'the matching contact kept being deleted while this message was recorded', true);
}

/**
 * Finds or creates the sender's contact, reactivates it when archived, and records the message in its open
 * conversation, all in one transaction. Redelivery of the same message (same idempotency key) answers as the first.
 */
export function createInboundActivities({ db, secretBox }: { db: Db; secretBox: SecretBox }) {
  return {
    async recordInboundMessage(input: RecordInboundMessageInput): Promise<ReceiveInboundMessageResult> {
      return db.transaction(async (tx) => {
        const business = await findBusiness(tx, input.businessId);
        if (!business) throw new SwitchboardError('NotFound', `businessId: no business ${input.businessId}`);
        const sender = identifySender(input, business, secretBox);
        await lockIdentityKeys(tx, business.id, sender.keys);

        const [earlier] = await tx
          .select({ resolution: messages.resolution })
          .from(messages)
          .where(and(eq(messages.businessId, business.id), eq(messages.idempotencyKey, input.idempotencyKey)));
        if (earlier?.resolution) return earlier.resolution as ReceiveInboundMessageResult;

        const receivedAt = new Date(input.receivedAt);
        const result = await resolveContact(tx, business, input, sender, receivedAt);
        const [conversation] = await tx
          .insert(conversations)
          .values({ businessId: business.id, contactId: result.contactId, channel: input.channel, lastMessageAt: receivedAt })
          .onConflictDoUpdate({
            target: [conversations.contactId, conversations.channel],
            targetWhere: sql`${conversations.status} = 'open'`,
            set: { lastMessageAt: sql`greatest(${conversations.lastMessageAt}, excluded.last_message_at)` },
          })
          .returning({ id: conversations.id });
        if (!conversation) throw new Error('the conversation was not recorded');
        await tx.insert(messages).values({
          businessId: business.id,
          conversationId: conversation.id,
          direction: 'inbound',
          idempotencyKey: input.idempotencyKey,
          text: input.text,
          receivedAt,
          resolution: result,
        });
        await tx
          .update(contacts)
          .set({ lastInteractionAt: sql`greatest(${contacts.lastInteractionAt}, ${receivedAt.toISOString()}::timestamptz)` })
          .where(eq(contacts.id, result.contactId));
        return result;
      });
    },
  };
}
