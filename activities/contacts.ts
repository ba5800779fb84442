import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { countOpenWork, lockContact } from '../db/contacts';
import { contacts, deletedContacts } from '../db/schema';
import { SwitchboardError } from '../domain/errors';
import type { DeleteContactInput, DeleteContactResult } from '../domain/inputs';

function describeOpenWork(open: { conversations: number; invoices: number }): string {
  const parts: string[] = [];
  if (open.conversations > 0) parts.push(`${open.conversations} open conversation${open.conversations === 1 ? '' : 's'}`);
  if (open.invoices > 0) parts.push(`${open.invoices} open invoice${open.invoices === 1 ? '' : 's'}`);
  return `the contact has ${parts.join(' and ')}`;
}

/**
 * The archive rule, in one transaction holding the contact's row lock so that an inbound message cannot open a
 * conversation between the check and the delete. Idempotent: a retry after a delete that committed answers "deleted".
 */
export function createContactActivities({ db }: { db: Db }) {
  return {
    async applyDeleteRule({ businessId, contactId }: DeleteContactInput): Promise<DeleteContactResult> {
      return db.transaction(async (tx) => {
        const contact = await lockContact(tx, businessId, contactId);
        if (!contact) {
          const [tombstone] = await tx.select().from(deletedContacts).where(eq(deletedContacts.contactId, contactId));
          if (tombstone?.businessId === businessId) return { outcome: 'deleted' };
          throw new SwitchboardError('NotFound', `contactId: no contact ${contactId} in business ${businessId}`);
        }
        const open = await countOpenWork(tx, contactId);
        if (open.conversations + open.invoices > 0) {
          if (contact.status !== 'archived') {
            await tx
              .update(contacts)
              .set({ status: 'archived', archivedAt: new Date(), updatedAt: new Date() })
              .where(eq(contacts.id, contactId));
          }
          return { outcome: 'archived', reason: describeOpenWork(open) };
        }
        await tx.delete(contacts).where(eq(contacts.id, contactId));
        await tx.insert(deletedContacts).values({ contactId, businessId });
        return { outcome: 'deleted' };
      });
    },
  };
}
