import type { Sql } from 'postgres';
import { applyArchiveRule, type OpenWork } from '../db/archive';
import { SwitchboardError } from '../domain/errors';
import type { DeleteContactInput, DeleteContactResult } from '../domain/inputs';

function describeOpenWork(open: OpenWork): string {
  const parts: string[] = [];
  if (open.conversations > 0) parts.push(`${open.conversations} open conversation${open.conversations === 1 ? '' : 's'}`);
  if (open.invoices > 0) parts.push(`${open.invoices} open invoice${open.invoices === 1 ? '' : 's'}`);
  return `the contact has ${parts.join(' and ')}`;
}

/** The archive rule for one contact; idempotent: a retry after a delete that committed answers "deleted". */
export function createContactActivities({ sql }: { sql: Sql }) {
  return {
    async applyDeleteRule({ businessId, contactId }: DeleteContactInput): Promise<DeleteContactResult> {
      return sql.begin(async (tx) => {
        const { archived, deleted } = await applyArchiveRule(tx, businessId, [contactId]);
        if (archived[0]) return { outcome: 'archived', reason: describeOpenWork(archived[0]) };
        if (deleted.length > 0) return { outcome: 'deleted' };
        const [tombstone] = await tx<{ business_id: string }[]>`select business_id from deleted_contacts where contact_id = ${contactId}`;
        if (tombstone?.business_id === businessId) return { outcome: 'deleted' };
        throw new SwitchboardError('NotFound', `contactId: no contact ${contactId} in business ${businessId}`);
      });
    },
  };
}
