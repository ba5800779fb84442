import type postgres from 'postgres';
import { SwitchboardError } from '../domain/errors';

export interface UndoBatchResult {
  done: boolean;
  deleted: number;
  restored: number;
  /** Created contacts left in place because they have open conversations or invoices by now. */
  kept: number;
  /** The import was undone before this batch began: by an earlier batch of the same undo, or by an earlier undo. */
  undoneBefore?: true;
}

interface UndoRecord {
  fields?: Record<string, string | null>;
  customFields?: Record<string, string | null>;
  contactAddress?: Record<string, string | null>;
  billingAddress?: Record<string, string | null>;
  addedPhones?: string[];
  addedTags?: string[];
  /** The number that was the primary before the import made another so (null: none was). */
  primaryPhone?: string | null;
}

const columnOf: Record<string, string> = {
  firstName: 'first_name',
  middleName: 'middle_name',
  lastName: 'last_name',
  businessName: 'business_name',
  email: 'email',
  emailNormalized: 'email_normalized',
  notes: 'notes',
};
const addressColumnOf: Record<string, string> = {
  line1: 'line1',
  line2: 'line2',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
};

async function restore(tx: postgres.TransactionSql, contactId: string, record: UndoRecord): Promise<void> {
  const fields = Object.fromEntries(
    Object.entries(record.fields ?? {}).flatMap(([field, previous]) => (columnOf[field] ? [[columnOf[field], previous]] : [])),
  );
  const custom = Object.entries(record.customFields ?? {});
  const removedKeys = custom.filter(([, previous]) => previous === null).map(([name]) => name);
  const restoredValues = Object.fromEntries(custom.filter(([, previous]) => previous !== null));
  if (Object.keys(fields).length > 0) {
    await tx`update contacts set ${tx(fields, Object.keys(fields))}, updated_at = now() where id = ${contactId}`;
  }
  if (custom.length > 0) {
    await tx`
      update contacts set custom_fields = (custom_fields - ${removedKeys}::text[]) || ${JSON.stringify(restoredValues)}::jsonb
      where id = ${contactId}`;
  }
  for (const [kind, parts] of [['contact', record.contactAddress], ['billing', record.billingAddress]] as const) {
    const columns = Object.fromEntries(
      Object.entries(parts ?? {}).flatMap(([part, previous]) => (addressColumnOf[part] ? [[addressColumnOf[part], previous]] : [])),
    );
    if (Object.keys(columns).length > 0) {
      await tx`update contact_addresses set ${tx(columns, Object.keys(columns))} where contact_id = ${contactId} and kind = ${kind}::address_kind`;
    }
  }
  if (record.addedPhones?.length) {
    await tx`delete from contact_phones where contact_id = ${contactId} and e164 = any(${record.addedPhones}::text[])`;
  }
  if (record.primaryPhone !== undefined) {
    // The old primary first: a contact holds one primary, checked row by row.
    await tx`update contact_phones set is_primary = false where contact_id = ${contactId} and is_primary and e164 is distinct from ${record.primaryPhone}`;
    if (record.primaryPhone !== null) await tx`update contact_phones set is_primary = true where contact_id = ${contactId} and e164 = ${record.primaryPhone}`;
  }
  if (record.addedPhones?.length || record.primaryPhone !== undefined) {
    // Imports undone out of their order may take away the number a later one made primary: another takes its place,
    // the mobile first, as an import would choose it.
    await tx`
      update contact_phones set is_primary = true
      where contact_id = ${contactId}
        and e164 = (select e164 from contact_phones where contact_id = ${contactId}
                    order by (type = 'mobile') desc, (type = 'fax'), created_at, e164 limit 1)
        and not exists (select 1 from contact_phones where contact_id = ${contactId} and is_primary)`;
  }
  if (record.addedTags?.length) {
    await tx`
      delete from contact_tags where contact_id = ${contactId}
        and tag_id in (select t.id from tags t join contacts c on c.business_id = t.business_id
                       where c.id = ${contactId} and lower(t.name) = any(${record.addedTags.map((t) => t.toLowerCase())}::text[]))`;
  }
}

/** The status of a workflow's latest run (`RUNNING`, `TERMINATED`, …), or undefined when the server has no such workflow. */
export type WorkflowStatusOf = (workflowId: string) => Promise<string | undefined>;

/**
 * Takes an import back in batches, last line first so that the earliest saved value of a field is the one that stays:
 * deletes the contacts it created (unless they have open conversations or invoices by now: those are kept, as the
 * archive rule would) and restores the fields it updated. Each batch removes its ledger rows in the same transaction,
 * so a retry or a crash picks up where it stopped, and the file can be imported again afterwards.
 */
export function createUndoImportActivities({ sql, workflowStatusOf }: { sql: postgres.Sql; workflowStatusOf?: WorkflowStatusOf }) {
  return {
    async undoImportBatch({ importId, batchSize }: { importId: string; batchSize: number }): Promise<UndoBatchResult> {
      return sql.begin(async (tx) => {
        const [found] = await tx<{ status: string; workflow_id: string }[]>`select status, workflow_id from imports where id = ${importId} for update`;
        if (!found) throw new SwitchboardError('NotFound', `importId: no import ${importId}`);
        if (found.status === 'running') {
          // An import whose workflow was terminated (or timed out) never marked itself: its workflow says it is over,
          // or the server no longer has it (a running workflow it always has).
          const workflowStatus = workflowStatusOf ? await workflowStatusOf(found.workflow_id) : 'RUNNING';
          if (workflowStatus === 'RUNNING') {
            throw new SwitchboardError('Conflict', `import ${importId} is still running: cancel its workflow ${found.workflow_id}, then undo it`);
          }
          await tx`update imports set status = 'failed', finished_at = now() where id = ${importId}`;
        }
        const nothing = { deleted: 0, restored: 0, kept: 0 };
        if (found.status === 'undone') return { done: true, ...nothing, undoneBefore: true };
        const rows = await tx<{ line: number; outcome: string; contact_id: string | null; previous: UndoRecord | null }[]>`
          select line, outcome, contact_id, previous from import_ledger
          where import_id = ${importId} order by line desc limit ${batchSize}`;
        if (rows.length === 0) {
          await tx`update imports set status = 'undone' where id = ${importId}`;
          return { done: true, ...nothing };
        }
        const created = rows.filter((r) => r.outcome === 'created' && r.contact_id).map((r) => r.contact_id as string);
        const deleted = created.length === 0
          ? []
          : await tx`
              delete from contacts c where c.id = any(${created}::uuid[])
                and not exists (select 1 from conversations v where v.contact_id = c.id and v.status = 'open')
                and not exists (select 1 from invoices i where i.contact_id = c.id and i.status in ('draft', 'open'))
              returning c.id`;
        let restored = 0;
        for (const row of rows) {
          if (row.outcome !== 'updated' || !row.contact_id || !row.previous) continue;
          await restore(tx, row.contact_id, row.previous);
          restored += 1;
        }
        await tx`delete from import_ledger where import_id = ${importId} and line = any(${rows.map((r) => r.line)}::int[])`;
        return { done: false, deleted: deleted.length, restored, kept: created.length - deleted.length };
      });
    },
  };
}
